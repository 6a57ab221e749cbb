"""Learning plans: from a starting point to a goal, the ordered stages of `corpus/paths.yaml`
with 1-3 catalogue resources each, chosen for the member, and the time estimate of the article
scaled to their hours per week.

Pure logic over the corpus (no discord, no index), shared by the CLI and Discord adapters. The
plan it returns, its notes and its JSON (the stable interface) are in `bot.services.path_plan`.

Resources: those serving the stage (corpus.path_resources.serves) whose prerequisites are met
by what the plan lists before them (or the starting point covers); ranked by an explicit
`stage`, kind (courses, then books), the stage's preferred levels, cost (free first), then the
stage topics they add. Free-only and a language are kept when the catalogue has such a
resource for the stage; otherwise the plan falls back and a note says where.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.services.path_plan import (
    LANGUAGES,
    LearningPlan,
    PlanEstimate,
    PlanInputError,
    PlanNote,
    PlanResource,
    PlanSource,
    PlanStage,
    covered_note,
    fallback_notes,
    stage_list,
)
from corpus.path_resources import serving_resources
from corpus.paths import Goal, LearningPaths, Route, Stage, StartingPoint
from corpus.schema import Resource

DEFAULT_GOAL = "ml-engineer"
DEFAULT_HOURS_PER_WEEK = 10.0
# One hour a week turns the from-zero estimate into 60 years, and 80 is two full-time weeks
# in one: outside these a plan is a typo or a joke, not a schedule.
MIN_HOURS_PER_WEEK = 1.0
MAX_HOURS_PER_WEEK = 80.0
# Enough to choose between a course, a book and another take; more reads as a reading list.
MAX_RESOURCES_PER_STAGE = 3
# A plan step is studied: courses teach a stage end to end, books go deeper, the rest (articles,
# tools, libraries, communities) is met through them.
_KIND_RANK = {"course": 0, "book": 1, "article": 2, "paper": 2, "video": 2, "website": 2}
_OTHER_KIND_RANK = 3
_COST_RANK = {"free": 0, "mixed": 1, "paid": 2}


def next_stage(plan: LearningPlan, done_stage_ids: Iterable[str] = ()) -> PlanStage | None:
    """The first stage of the plan still to learn: neither covered nor among `done_stage_ids`
    (None when everything is done)."""
    done = set(done_stage_ids)
    return next((s for s in plan.stages if not s.covered and s.id not in done), None)


# --- input checks -----------------------------------------------------------------------------


def _choices(items: Iterable[tuple[str, str, str]], language: str) -> str:
    """`id (title)` for each of (id, title_zh, title_en)."""
    if language == "zh":
        return "、".join(f"{i}（{zh}）" for i, zh, _ in items)
    return ", ".join(f"{i} ({en})" for i, _, en in items)


def _check_inputs(
    paths: LearningPaths, start: str, goal: str, hours_per_week: float, language: str | None
) -> tuple[StartingPoint, Goal, Route]:
    """The starting point, goal and route asked for; PlanInputError for anything unknown or out
    of range, listing the choices."""
    goals = [(g.id, g.title_zh, g.title_en) for g in paths.goals]
    chosen_goal = paths.goal(goal)
    if chosen_goal is None:
        raise PlanInputError(
            f"未知的目标 {goal!r}。可选的目标：{_choices(goals, 'zh')}",
            f"Unknown goal {goal!r}. Choose one of: {_choices(goals, 'en')}",
            [g[0] for g in goals],
        )
    starts = [
        (s.id, s.title_zh, s.title_en)
        for s in paths.starting_points
        if chosen_goal.route(s.id) is not None
    ]
    starting_point = paths.starting_point(start)
    route = chosen_goal.route(start)
    if starting_point is None or route is None:
        raise PlanInputError(
            f"未知的起点 {start!r}（目标：{chosen_goal.title_zh}）。可选的起点：{_choices(starts, 'zh')}",
            f"Unknown starting point {start!r} for the goal {chosen_goal.title_en}. Choose one "
            f"of: {_choices(starts, 'en')}",
            [s[0] for s in starts],
        )
    if (
        isinstance(hours_per_week, bool)
        or not isinstance(hours_per_week, int | float)
        or not math.isfinite(hours_per_week)
        or not MIN_HOURS_PER_WEEK <= hours_per_week <= MAX_HOURS_PER_WEEK
    ):
        raise PlanInputError(
            f"每周学习小时数必须在 {MIN_HOURS_PER_WEEK:g} 到 {MAX_HOURS_PER_WEEK:g} 之间（收到 "
            f"{hours_per_week!r}）",
            f"Hours per week must be between {MIN_HOURS_PER_WEEK:g} and "
            f"{MAX_HOURS_PER_WEEK:g} (got {hours_per_week!r})",
        )
    if language is not None and language not in LANGUAGES:
        raise PlanInputError(
            f"资源语言必须是 {' 或 '.join(LANGUAGES)}（收到 {language!r}）",
            f"Resource language must be {' or '.join(LANGUAGES)} (got {language!r})",
            LANGUAGES,
        )
    return starting_point, chosen_goal, route


# --- choosing resources -----------------------------------------------------------------------


@dataclass
class _Chooser:
    """Chooses each stage's resources in plan order, remembering what is listed so far."""

    stage_ids: frozenset[str]
    stage_of: dict[str, str | None]  # resource id -> its explicit stage
    covered: frozenset[str]
    catalogue_index: dict[str, int]
    listed: set[str] = field(default_factory=set)  # resource ids listed so far
    done: set[str] = field(default_factory=set)  # stages placed before the current one

    def met(self, resource: Resource, picked: Sequence[Resource]) -> bool:
        """Whether every prerequisite is met before this point of the plan."""
        in_stage = {r.id for r in picked}
        for prerequisite in resource.prerequisites:
            if prerequisite in self.stage_ids:
                if prerequisite not in self.covered and prerequisite not in self.done:
                    return False
            elif (
                prerequisite not in self.listed
                and prerequisite not in in_stage
                and self.stage_of.get(prerequisite) not in self.covered
            ):
                return False
        return True

    def rank(self, resource: Resource, stage: Stage, topics_so_far: set[str]) -> tuple[int, ...]:
        """Sort key, best first: named for the stage, kind, preferred level, cost, the stage
        topics it adds to those already picked, catalogue order."""
        levels = list(stage.levels)
        new_topics = len((set(resource.topics) & set(stage.topics)) - topics_so_far)
        return (
            0 if resource.stage == stage.id else 1,
            _KIND_RANK.get(resource.kind, _OTHER_KIND_RANK),
            levels.index(resource.level) if resource.level in levels else len(levels),
            _COST_RANK[resource.cost],
            -new_topics,
            self.catalogue_index[resource.id],
        )

    def choose(
        self, stage: Stage, candidates: Sequence[Resource], free_only: bool, language: str | None
    ) -> list[Resource]:
        """Up to MAX_RESOURCES_PER_STAGE of `candidates` that are free (if asked) and in
        `language` (if given), prerequisites first."""
        picked: list[Resource] = []
        topics: set[str] = set()
        while len(picked) < MAX_RESOURCES_PER_STAGE:
            pool = [
                r
                for r in candidates
                if r not in picked
                and (not free_only or r.cost == "free")
                and (language is None or r.language == language)
                and self.met(r, picked)
            ]
            if not pool:
                break
            best = min(pool, key=lambda r: self.rank(r, stage, topics))
            picked.append(best)
            topics |= set(best.topics) & set(stage.topics)
        return picked


def _resource(resource: Resource) -> PlanResource:
    return PlanResource(
        id=resource.id,
        name=resource.name,
        url=str(resource.url),
        level=resource.level,
        cost=resource.cost,
        language=resource.language,
        kind=resource.kind,
        hours=resource.hours,
        prerequisites=tuple(resource.prerequisites),
    )


# --- the plan ---------------------------------------------------------------------------------


def plan_path(
    paths: LearningPaths,
    resources: Sequence[Resource],
    start: str,
    goal: str = DEFAULT_GOAL,
    hours_per_week: float = DEFAULT_HOURS_PER_WEEK,
    free_only: bool = False,
    language: str | None = None,
) -> LearningPlan:
    """The plan from starting point `start` to `goal` at `hours_per_week`: every stage of the
    route in order (covered ones marked), 1-3 resources per stage to learn (free only and in
    `language` where the catalogue allows, else a note), the article's estimate scaled to the
    hours per week with its sentence, and notes. PlanInputError for an unknown starting point,
    goal or language (listing the choices) or hours per week outside MIN..MAX."""
    starting_point, chosen_goal, route = _check_inputs(paths, start, goal, hours_per_week, language)
    covered = frozenset(starting_point.covers)
    chooser = _Chooser(
        stage_ids=frozenset(s.id for s in paths.stages),
        stage_of={r.id: r.stage for r in resources},
        covered=covered,
        catalogue_index={r.id: i for i, r in enumerate(resources)},
    )
    stages: list[PlanStage] = []
    not_free: list[tuple[str, str]] = []
    not_in_language: list[tuple[str, str]] = []
    empty: list[tuple[str, str]] = []
    for stage_id in route.order:
        stage = paths.stage(stage_id)
        if stage is None:  # path_errors reports it; a plan still comes out
            continue
        picked: list[Resource] = []
        if stage.id not in covered:
            candidates = serving_resources(stage, resources)
            # Keep what the member asked for where the catalogue allows; relax the language
            # first (a course in another language still teaches), then the cost.
            tries = [(free_only, language), (free_only, None), (False, language), (False, None)]
            for want_free, want_language in dict.fromkeys(tries):
                picked = chooser.choose(stage, candidates, want_free, want_language)
                if picked:
                    break
            titles = (stage.title_zh, stage.title_en)
            if not picked:
                empty.append(titles)
            if picked and free_only and any(r.cost != "free" for r in picked):
                not_free.append(titles)
            if picked and language and any(r.language != language for r in picked):
                not_in_language.append(titles)
            chooser.listed |= {r.id for r in picked}
        chooser.done.add(stage.id)
        stages.append(
            PlanStage(
                id=stage.id,
                title_zh=stage.title_zh,
                title_en=stage.title_en,
                learn_zh=stage.learn_zh,
                learn_en=stage.learn_en,
                covered=stage.id in covered,
                resources=tuple(_resource(r) for r in picked),
                sources=tuple(PlanSource(s.article, s.zh, s.en) for s in stage.sources),
            )
        )
    estimate, estimate_notes = _estimate(paths, chosen_goal, route, covered, hours_per_week)
    notes: list[PlanNote] = []
    if covered:
        notes.append(covered_note([(s.title_zh, s.title_en) for s in stages if s.covered]))
    notes += estimate_notes
    notes += fallback_notes(not_free, language, not_in_language, empty)
    notes += [PlanNote(n.zh, n.en) for n in route.notes]
    return LearningPlan(
        start=start,
        goal=goal,
        hours_per_week=hours_per_week,
        free_only=free_only,
        language=language,
        stages=tuple(stages),
        estimate=estimate,
        notes=tuple(notes),
    )


def _spans(route: Route, covered: frozenset[str]) -> tuple[str, ...]:
    """The stages a route's estimate counts: its `spans`, else every stage not covered."""
    if route.estimate.spans:
        return tuple(route.estimate.spans)
    return tuple(s for s in route.order if s not in covered)


def _estimate(
    paths: LearningPaths,
    goal: Goal,
    route: Route,
    covered: frozenset[str],
    hours_per_week: float,
) -> tuple[PlanEstimate, list[PlanNote]]:
    """The estimate at `hours_per_week` and the notes that explain it."""
    estimate = route.estimate
    spans = _spans(route, covered)
    notes: list[PlanNote] = []
    if estimate.cited:
        cited, factor, base_count = estimate, 1.0, len(spans)
    else:
        base_route = goal.route(estimate.derived_from or "")
        base_start = paths.starting_point(estimate.derived_from or "")
        if base_route is None or base_start is None or not base_route.estimate.cited:
            raise ValueError(f"estimate of {route.start!r} derives from no cited estimate")
        cited = base_route.estimate
        base_count = len(_spans(base_route, frozenset(base_start.covers)))
        factor = len(spans) / base_count
        notes.append(PlanNote(estimate.reason_zh or "", estimate.reason_en or ""))
    assert cited.months and cited.hours_per_week and cited.source  # a cited estimate has them
    months = round(cited.months * factor * cited.hours_per_week / hours_per_week, 1)
    base_months = round(cited.months * factor, 1)
    pace_zh, pace_en = cited.pace_zh or "", cited.pace_en or ""
    if estimate.cited:
        notes.append(
            PlanNote(
                f"文章的估计是 {cited.months:g} 个月，{pace_zh}；按每周 {hours_per_week:g} 小时"
                f"计算约为 {months:g} 个月。",
                f"The article's estimate is {cited.months:g} months, {pace_en}; at "
                f"{hours_per_week:g} hours a week that is about {months:g} months.",
            )
        )
    else:
        notes.append(
            PlanNote(
                f"计算方法：{cited.months:g} 个月 × {len(spans)} 个阶段 ÷ "
                f"{base_count} 个阶段 = {base_months:g} 个月，{pace_zh}；按每周 "
                f"{hours_per_week:g} 小时计算约为 {months:g} 个月。",
                f"Worked out as {cited.months:g} months × {len(spans)} stages ÷ "
                f"{base_count} stages = {base_months:g} months, {pace_en}; at "
                f"{hours_per_week:g} hours a week that is about {months:g} months.",
            )
        )
    uncounted = [s for s in route.order if s not in covered and s not in spans]
    if uncounted:
        titles = [
            (stage.title_zh, stage.title_en)
            for stage in (paths.stage(s) for s in uncounted)
            if stage is not None
        ]
        notes.append(
            PlanNote(
                f"这个估计不包括：{stage_list(titles, 'zh')}。",
                f"The estimate does not count: {stage_list(titles, 'en')}.",
            )
        )
    source = cited.source
    return (
        PlanEstimate(
            months=months,
            hours_per_week=hours_per_week,
            source=PlanSource(source.article, source.zh, source.en),
            cited_months=cited.months,
            cited_hours_per_week=cited.hours_per_week,
            derived_from=estimate.derived_from,
            stage_factor=factor,
            spans=spans,
        ),
        notes,
    )
