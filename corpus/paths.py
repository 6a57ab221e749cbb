"""Learning paths (`corpus/paths.yaml`): the stages of the articles' roadmap, the starting points
members ask from, and per goal the order of the stages and the time estimate per starting
point; their schema (pydantic), loading with file/line/field errors, and the cross-checks
against the articles and the resource catalogue that `careerbot corpus lint` reports."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from corpus.clean import clean_markdown
from corpus.loader import (
    Article,
    CorpusError,
    Problem,
    _parse_yaml,
    _read_text,
    load_yaml_items,
    yaml_line,
)
from corpus.schema import Level, Resource, _check_slug, _check_topics, _Strict

# Without an explicit `stage`, a catalogue entry serves a stage only if it is something one
# studies from end to end: tools, libraries, articles and communities are met through courses
# and books, and matching them by topic alone would fill plans with background reading.
LEARNING_KINDS: frozenset[str] = frozenset({"course", "book"})
MIN_QUOTE_CHARS = 4  # as for answer cards: anything shorter matches by accident

Loc = tuple[int | str, ...]


def _check_slugs(values: list[str]) -> list[str]:
    for value in values:
        _check_slug(value)
    if len(set(values)) != len(values):
        repeated = sorted({v for v in values if values.count(v) > 1})
        raise ValueError(f"listed twice: {', '.join(repeated)}")
    return values


class PathSource(_Strict):
    """A sentence of an article, quoted verbatim in both languages: `zh` from a paragraph of
    the article's Chinese text, `en` from a paragraph of its English text (original or
    translation, cleaned as the index cleans them)."""

    article: str
    zh: str = Field(min_length=MIN_QUOTE_CHARS)
    en: str = Field(min_length=MIN_QUOTE_CHARS)

    _slug = field_validator("article")(_check_slug)

    def text(self, language: str) -> str:
        """The quote in `language` (English for anything but Chinese)."""
        return self.zh if language == "zh" else self.en


class Stage(_Strict):
    """One step of a roadmap: what you learn, which resources serve it, the passages behind it."""

    id: str
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    learn_zh: str = Field(min_length=1)
    learn_en: str = Field(min_length=1)
    topics: list[str] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)  # in order of preference
    requires: list[str] = Field(default_factory=list)  # stages to have done first
    sources: list[PathSource] = Field(min_length=1)

    _slug = field_validator("id")(_check_slug)
    _topics = field_validator("topics")(_check_topics)
    _requires = field_validator("requires")(_check_slugs)

    @field_validator("levels")
    @classmethod
    def _distinct_levels(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("a level is listed twice")
        return values

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en


class StartingPoint(_Strict):
    """Where a member starts from, the stages they already have, and the passages that say so."""

    id: str
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    covers: list[str] = Field(default_factory=list)
    sources: list[PathSource] = Field(min_length=1)

    _slug = field_validator("id")(_check_slug)
    _covers = field_validator("covers")(_check_slugs)

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en


class PathNote(_Strict):
    """A remark shown with a plan, in both languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Estimate(_Strict):
    """How long a route takes. Either cited (`months` at `hours_per_week`, from the `source`
    sentence, which states the months) or, where the articles give no figure, derived from
    another route's cited estimate, per stage (`derived_from`, with the `reason` shown to the
    member). `spans`: the stages the figure counts (default: every stage not covered)."""

    months: float | None = Field(default=None, gt=0)
    hours_per_week: float | None = Field(default=None, gt=0)
    pace_zh: str | None = Field(default=None, min_length=1)  # "full time", "after work"
    pace_en: str | None = Field(default=None, min_length=1)
    source: PathSource | None = None
    derived_from: str | None = None
    reason_zh: str | None = Field(default=None, min_length=1)
    reason_en: str | None = Field(default=None, min_length=1)
    spans: list[str] = Field(default_factory=list)

    _spans = field_validator("spans")(_check_slugs)

    @model_validator(mode="after")
    def _cited_or_derived(self) -> Estimate:
        cited = {
            "months": self.months,
            "hours_per_week": self.hours_per_week,
            "pace_zh": self.pace_zh,
            "pace_en": self.pace_en,
            "source": self.source,
        }
        derived = {
            "derived_from": self.derived_from,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }
        if self.derived_from is None:
            missing = [name for name, value in cited.items() if value is None]
            extra = [name for name, value in derived.items() if value is not None]
            if missing or extra:
                raise ValueError(
                    "a cited estimate needs months, hours_per_week, pace_zh, pace_en and "
                    "source (missing: "
                    f"{', '.join(missing) or 'none'}); a derived one needs derived_from, "
                    f"reason_zh and reason_en (given: {', '.join(extra) or 'none'})"
                )
        else:
            missing = [name for name, value in derived.items() if value is None]
            extra = [name for name, value in cited.items() if value is not None]
            if missing or extra:
                raise ValueError(
                    "a derived estimate needs derived_from, reason_zh and reason_en (missing: "
                    f"{', '.join(missing) or 'none'}) and takes its figure and source from the "
                    f"route it is derived from (remove: {', '.join(extra) or 'none'})"
                )
        return self

    @property
    def cited(self) -> bool:
        """True when the estimate quotes its own sentence."""
        return self.derived_from is None


class Route(_Strict):
    """How one starting point reaches a goal: the stages in order (covered ones included),
    the estimate, and remarks for the member."""

    start: str
    order: list[str] = Field(min_length=1)
    estimate: Estimate
    notes: list[PathNote] = Field(default_factory=list)

    _order = field_validator("order")(_check_slugs)


class Goal(_Strict):
    """A role to reach (`ml-engineer`) and a route to it per starting point."""

    id: str
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    routes: list[Route] = Field(min_length=1)

    _slug = field_validator("id")(_check_slug)

    def title(self, language: str) -> str:
        """The title in `language` (English for anything but Chinese)."""
        return self.title_zh if language == "zh" else self.title_en

    def route(self, start: str) -> Route | None:
        """The route from starting point `start`, if the goal has one."""
        return next((r for r in self.routes if r.start == start), None)


class LearningPaths(_Strict):
    """The whole of `corpus/paths.yaml`. `file`: where it was read from (None when built in
    code), for the lines of later findings."""

    goals: list[Goal] = Field(min_length=1)
    stages: list[Stage] = Field(min_length=1)
    starting_points: list[StartingPoint] = Field(min_length=1)

    _file: Path | None = PrivateAttr(default=None)
    _node: Any = PrivateAttr(default=None)

    @property
    def file(self) -> Path | None:
        """The file the paths were read from (None when built in code)."""
        return self._file

    def goal(self, goal_id: str) -> Goal | None:
        """The goal `goal_id`, if defined."""
        return next((g for g in self.goals if g.id == goal_id), None)

    def stage(self, stage_id: str) -> Stage | None:
        """The stage `stage_id`, if defined."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def starting_point(self, start_id: str) -> StartingPoint | None:
        """The starting point `start_id`, if defined."""
        return next((s for s in self.starting_points if s.id == start_id), None)


# --- loading ----------------------------------------------------------------------------------


def _field_name(loc: Iterable[int | str]) -> str:
    """`stages[2].title_en` for the location ("stages", 2, "title_en")."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name


def _reason(error: Any) -> str:
    """A pydantic error's message; a missing or blank text says which translation is missing."""
    reason = str(error["msg"]).removeprefix("Value error, ")
    last = error["loc"][-1] if error["loc"] else ""
    blank = error["type"] in ("missing", "string_too_short")
    if blank and isinstance(last, str) and last.endswith(("_zh", "_en")):
        other = last[:-3] + ("_en" if last.endswith("_zh") else "_zh")
        language = "Chinese" if last.endswith("_zh") else "English"
        return (
            f"missing translation: {last} (the {language} text) must not be missing or blank, "
            f"nor may {other}: everything a member reads exists in Chinese and English"
        )
    return reason


def load_paths(path: Path) -> LearningPaths:
    """Load and validate a learning-paths file (schema only; `path_errors` cross-checks it).
    CorpusError lists every problem with file, line and field."""
    data, node = _parse_yaml(_read_text(path), path, first_line=1)
    if not isinstance(data, dict):
        raise CorpusError(
            [Problem(path, 1, None, "expected a mapping with goals, stages and starting_points")]
        )
    try:
        paths = LearningPaths.model_validate(data)
    except ValidationError as exc:
        raise CorpusError(
            [
                Problem(path, yaml_line(node, e["loc"]), _field_name(e["loc"]) or None, _reason(e))
                for e in exc.errors()
            ]
        ) from None
    paths._file = path
    paths._node = node
    return paths


def load_checked_paths(
    path: Path,
    articles: Sequence[Article],
    resources: Sequence[Resource],
    resources_file: Path | None = None,
) -> LearningPaths | None:
    """The learning paths of `path` checked against the articles and the catalogue (None when
    the file does not exist); CorpusError lists every problem."""
    if not path.exists():
        return None
    paths = load_paths(path)
    problems = path_errors(paths, resources, articles, resources_file)
    if problems:
        raise CorpusError(problems)
    return paths


# --- which resources serve a stage --------------------------------------------------------------


def serves(resource: Resource, stage: Stage) -> bool:
    """Whether `resource` serves `stage`: its `stage` names it, or it has no `stage` and is a
    course or book with one of the stage's topics at one of its levels."""
    if resource.stage is not None:
        return resource.stage == stage.id
    return (
        resource.kind in LEARNING_KINDS
        and resource.level in stage.levels
        and not set(resource.topics).isdisjoint(stage.topics)
    )


def serving_resources(stage: Stage, resources: Sequence[Resource]) -> list[Resource]:
    """The catalogue entries that serve `stage`, in catalogue order."""
    return [r for r in resources if serves(r, stage)]


# --- numbers in a quoted sentence ---------------------------------------------------------------

_EN_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ZH_DIGITS = "零一二三四五六七八九"


def _number_words(n: int) -> list[str]:
    """How a sentence may write the whole number `n` (1-99): digits, English, Chinese."""
    words = [str(n)]
    if n < 20:
        words.append(_EN_ONES[n])
    else:
        tens, ones = divmod(n, 10)
        words.append(_EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else ""))
    if n < 10:
        words.append(_ZH_DIGITS[n])
        if n == 2:
            words.append("两")  # 两个月
    else:
        tens, ones = divmod(n, 10)
        words.append(
            ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")
        )
    return words


def mentions_number(text: str, number: float) -> bool:
    """Whether `text` states the whole number `number` (as digits, an English word or a Chinese
    numeral), not as part of a longer number or word."""
    if number != int(number) or not 0 < number < 100:
        return False
    for word in _number_words(int(number)):
        if word.isdigit():
            pattern = rf"(?<![\d.]){word}(?!\.?\d)"
        elif word.isascii():
            pattern = rf"(?<![a-z-]){word}(?![a-z-])"
        else:  # a Chinese numeral must not be part of a longer one (十八 is not 八)
            pattern = rf"(?<![{_ZH_DIGITS}十两百]){word}(?![{_ZH_DIGITS}十两百])"
        if re.search(pattern, text, flags=re.IGNORECASE):
            return True
    return False


# --- cross-checks -------------------------------------------------------------------------------


def _paragraphs(article: Article, language: str) -> list[str] | None:
    """The cleaned paragraphs of `article` in `language` (original or translation), or None if
    the article has no text in that language."""
    if article.meta.language == language:
        body = article.body
    elif language in article.translations:
        body = article.translations[language].body
    else:
        return None
    return [b.text for b in clean_markdown(body).blocks if b.kind == "paragraph"]


class _Checker:
    """Collects the problems of one paths file against the articles and the catalogue."""

    def __init__(
        self,
        paths: LearningPaths,
        resources: Sequence[Resource],
        articles: Sequence[Article],
        resources_file: Path | None,
    ):
        self.paths = paths
        self.resources = list(resources)
        self.articles = {a.id: a for a in articles}
        self.file = paths.file or Path("paths.yaml")
        self.resources_file = resources_file or Path("resources.yaml")
        self.read_catalogue = resources_file is not None and resources_file.exists()
        self.stages = {s.id: s for s in paths.stages}
        self.starts = {s.id: s for s in paths.starting_points}
        self.by_id = {r.id: r for r in self.resources}
        self.problems: list[Problem] = []
        self.unserved: dict[str, list[str]] = {}  # stage id -> routes lacking a resource for it
        self._texts: dict[tuple[str, str], list[str] | None] = {}

    # where things are

    def at(self, loc: Loc, reason: str) -> None:
        """A problem in the paths file at `loc`."""
        self.problems.append(
            Problem(self.file, yaml_line(self.paths._node, loc), _field_name(loc), reason)
        )

    @functools.cached_property
    def catalogue_items(self) -> tuple[Any, dict[str, int]]:
        """The catalogue file's YAML nodes and the position of each id in it, read only when a
        finding needs a line (the catalogue loaded already, so this is just for lines)."""
        if not self.read_catalogue:
            return None, {}
        node: Any = None
        with contextlib.suppress(CorpusError):  # reported by the catalogue's own loading
            node = load_yaml_items(self.resources_file, Resource, "resources")[1]
        positions: dict[str, int] = {}
        for index, item in enumerate(getattr(node, "value", None) or []):
            for key, value in getattr(item, "value", None) or []:
                if getattr(key, "value", None) == "id":
                    positions.setdefault(str(value.value), index)
        return node, positions

    def at_resource(self, resource: Resource, field: str, reason: str) -> None:
        """A problem in the catalogue, at `field` of `resource`."""
        node, positions = self.catalogue_items
        index = positions.get(resource.id)
        line = yaml_line(node, (index, field)) if index is not None else None
        self.problems.append(Problem(self.resources_file, line, f"{resource.id}.{field}", reason))

    # checks

    def run(self) -> list[Problem]:
        self.duplicates()
        self.collisions()
        for index, stage in enumerate(self.paths.stages):
            self.stage(index, stage)
        self.stage_cycles()
        for index, start in enumerate(self.paths.starting_points):
            self.starting_point(index, start)
        for goal_index, goal in enumerate(self.paths.goals):
            self.goal(goal_index, goal)
        self.unserved_stages()
        for resource in self.resources:
            self.resource(resource)
        self.prerequisite_cycles()
        return self.problems

    def duplicates(self) -> None:
        for key, items in (
            ("goals", self.paths.goals),
            ("stages", self.paths.stages),
            ("starting_points", self.paths.starting_points),
        ):
            seen: dict[str, int] = {}
            for index, item in enumerate(items):
                if item.id in seen:
                    self.at(
                        (key, index, "id"),
                        f"duplicate id {item.id!r} (first used by {key}[{seen[item.id]}])",
                    )
                seen.setdefault(item.id, index)

    def collisions(self) -> None:
        # a prerequisite names a resource or a stage: the two must not share an id
        for index, stage in enumerate(self.paths.stages):
            if stage.id in self.by_id:
                self.at(
                    ("stages", index, "id"),
                    f"stage id {stage.id!r} is also a resource id: prerequisites could not "
                    "tell them apart",
                )

    def source(self, loc: Loc, source: PathSource) -> None:
        article = self.articles.get(source.article)
        if article is None:
            self.at((*loc, "article"), f"unknown article id {source.article!r}")
            return
        for language in ("zh", "en"):
            key = (article.id, language)
            if key not in self._texts:
                self._texts[key] = _paragraphs(article, language)
            paragraphs = self._texts[key]
            quote = source.text(language)
            if paragraphs is None:
                self.at(
                    (*loc, language),
                    f"{article.id} has no {language} text to quote "
                    f"({article.id}.{language}.md is missing)",
                )
            elif not any(quote in paragraph for paragraph in paragraphs):
                self.at(
                    (*loc, language),
                    f"quote not found verbatim in a paragraph of the {language} text of "
                    f"{article.id} (cleaned text, headings excluded; see `careerbot corpus "
                    f"lint`): {quote!r}",
                )

    def stage(self, index: int, stage: Stage) -> None:
        for number, required in enumerate(stage.requires):
            if required == stage.id:
                self.at(("stages", index, "requires", number), "a stage cannot require itself")
            elif required not in self.stages:
                self.at(("stages", index, "requires", number), f"unknown stage id {required!r}")
        for number, source in enumerate(stage.sources):
            self.source(("stages", index, "sources", number), source)

    def stage_cycles(self) -> None:
        graph = {
            s.id: [r for r in s.requires if r in self.stages and r != s.id]
            for s in self.paths.stages
        }
        for cycle in _cycles(graph):
            index = next(i for i, s in enumerate(self.paths.stages) if s.id == cycle[0])
            self.at(
                ("stages", index, "requires"),
                f"stage-order cycle: {' → '.join([*cycle, cycle[0]])}",
            )

    def starting_point(self, index: int, start: StartingPoint) -> None:
        for number, stage_id in enumerate(start.covers):
            if stage_id not in self.stages:
                self.at(
                    ("starting_points", index, "covers", number), f"unknown stage id {stage_id!r}"
                )
        for number, source in enumerate(start.sources):
            self.source(("starting_points", index, "sources", number), source)

    def goal(self, goal_index: int, goal: Goal) -> None:
        seen: set[str] = set()
        for route_index, route in enumerate(goal.routes):
            loc: Loc = ("goals", goal_index, "routes", route_index)
            if route.start in seen:
                self.at((*loc, "start"), f"a second route from {route.start!r} to {goal.id!r}")
            seen.add(route.start)
            start = self.starts.get(route.start)
            if start is None:
                self.at(
                    (*loc, "start"),
                    f"unknown starting point {route.start!r}; defined: "
                    f"{', '.join(self.starts) or 'none'}",
                )
                continue
            self.route(loc, goal, route, start)

    def route(self, loc: Loc, goal: Goal, route: Route, start: StartingPoint) -> None:
        covered = set(start.covers)
        position = {stage_id: i for i, stage_id in enumerate(route.order)}
        where = f"route {start.id} → {goal.id}"
        for number, stage_id in enumerate(route.order):
            stage = self.stages.get(stage_id)
            if stage is None:
                self.at((*loc, "order", number), f"unknown stage id {stage_id!r}")
                continue
            for required in stage.requires:
                if required in covered or required not in self.stages:
                    continue
                if required not in position:
                    self.at(
                        (*loc, "order", number),
                        f"{where}: stage {stage_id!r} requires {required!r}, which the route "
                        f"neither lists nor has covered by {start.id!r}",
                    )
                elif position[required] > number:
                    self.at(
                        (*loc, "order", number),
                        f"{where}: stage {stage_id!r} comes before {required!r}, which it requires",
                    )
            if stage_id not in covered:
                self.stage_has_resources(stage, where, route, covered)
        self.estimate((*loc, "estimate"), goal, route, covered)

    def stage_has_resources(
        self, stage: Stage, where: str, route: Route, covered: set[str]
    ) -> None:
        """Note the route unless some resource serves the stage with prerequisites the route
        can meet first (reported once per stage by `unserved_stages`)."""
        before = set(route.order[: route.order.index(stage.id)]) | covered
        if not any(
            all(self.can_precede(p, stage.id, before) for p in r.prerequisites)
            for r in serving_resources(stage, self.resources)
        ):
            self.unserved.setdefault(stage.id, []).append(where)

    def unserved_stages(self) -> None:
        """The error a catalogue edit that leaves a stage without resources gets: it names the
        stage, and the routes that need it."""
        for index, stage in enumerate(self.paths.stages):
            routes = self.unserved.get(stage.id)
            if not routes:
                continue
            served = [r.id for r in serving_resources(stage, self.resources)]
            detail = (
                f" (serving it, but with prerequisites the route cannot meet first: "
                f"{', '.join(served)})"
                if served
                else ""
            )
            self.at(
                ("stages", index),
                f"stage {stage.id!r} ({stage.title_en}) has no resource in "
                f"{self.resources_file.name} that serves it{detail}, needed by the "
                f"{'; '.join(routes)}: give a resource `stage: {stage.id}`, or add a course or "
                f"book with one of its topics ({', '.join(stage.topics)}) at one of its levels "
                f"({', '.join(stage.levels)})",
            )

    def can_precede(self, prerequisite: str, stage_id: str, before: set[str]) -> bool:
        """Whether a prerequisite of a resource of `stage_id` can be met before it, given the
        stages `before` it (covered or earlier in the route)."""
        if prerequisite in self.stages:
            return prerequisite in before
        resource = self.by_id.get(prerequisite)
        if resource is None or resource.stage is None:
            return False
        return resource.stage in before or resource.stage == stage_id

    def estimate(self, loc: Loc, goal: Goal, route: Route, covered: set[str]) -> None:
        estimate = route.estimate
        for number, stage_id in enumerate(estimate.spans):
            if stage_id not in route.order or stage_id in covered:
                self.at(
                    (*loc, "spans", number),
                    f"{stage_id!r} is not a stage this route has still to learn",
                )
        if estimate.source is not None:
            self.source((*loc, "source"), estimate.source)
            for language in ("zh", "en"):
                if estimate.months and not mentions_number(
                    estimate.source.text(language), estimate.months
                ):
                    self.at(
                        (*loc, "months"),
                        f"the quoted sentence does not state {estimate.months:g} months "
                        f"({language}: {estimate.source.text(language)!r})",
                    )
        if estimate.derived_from is not None:
            base = goal.route(estimate.derived_from)
            if estimate.derived_from == route.start:
                self.at((*loc, "derived_from"), "an estimate cannot be derived from itself")
            elif base is None:
                self.at(
                    (*loc, "derived_from"),
                    f"{goal.id!r} has no route from {estimate.derived_from!r} to derive from",
                )
            elif not base.estimate.cited:
                self.at(
                    (*loc, "derived_from"),
                    f"the route from {estimate.derived_from!r} has no cited estimate itself "
                    "(derive from one that quotes its figure)",
                )

    def resource(self, resource: Resource) -> None:
        if resource.stage is not None and resource.stage not in self.stages:
            self.at_resource(resource, "stage", f"unknown stage id {resource.stage!r}")
        for prerequisite in resource.prerequisites:
            if prerequisite == resource.id:
                self.at_resource(resource, "prerequisites", "a resource cannot require itself")
            elif prerequisite in self.stages:
                if prerequisite == resource.stage:
                    self.at_resource(
                        resource,
                        "prerequisites",
                        f"it serves stage {prerequisite!r}, so it cannot require that stage",
                    )
            elif prerequisite not in self.by_id:
                self.at_resource(
                    resource,
                    "prerequisites",
                    f"unknown resource or stage id {prerequisite!r}",
                )
            elif self.by_id[prerequisite].stage is None:
                self.at_resource(
                    resource,
                    "prerequisites",
                    f"{prerequisite!r} has no `stage`, so no plan can list it first",
                )
        if resource.stage in self.stages:
            self.resource_in_routes(resource)

    def resource_in_routes(self, resource: Resource) -> None:
        """Every route that teaches the resource's stage can meet its prerequisites first."""
        for goal in self.paths.goals:
            for route in goal.routes:
                start = self.starts.get(route.start)
                if start is None or resource.stage not in route.order:
                    continue
                if resource.stage in start.covers:
                    continue
                before = set(route.order[: route.order.index(resource.stage)]) | set(start.covers)
                for prerequisite in resource.prerequisites:
                    known = prerequisite in self.stages or prerequisite in self.by_id
                    if known and not self.can_precede(prerequisite, resource.stage, before):
                        self.at_resource(
                            resource,
                            "prerequisites",
                            f"the route {start.id} → {goal.id} teaches stage {resource.stage!r} "
                            f"before {prerequisite!r} can be done",
                        )

    def prerequisite_cycles(self) -> None:
        graph: dict[str, list[str]] = {}
        for resource in self.resources:
            graph[resource.id] = [
                p for p in resource.prerequisites if p in self.by_id and p != resource.id
            ]
        for cycle in _cycles(graph):
            self.at_resource(
                self.by_id[cycle[0]],
                "prerequisites",
                f"prerequisite cycle: {' → '.join([*cycle, cycle[0]])}",
            )


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle of a directed graph once (as found by a depth-first search, from its first
    node in the graph's order)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt) :])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    return found


def path_errors(
    paths: LearningPaths,
    resources: Sequence[Resource],
    articles: Sequence[Article],
    resources_file: Path | None = None,
) -> list[Problem]:
    """What is wrong with the learning paths beyond their schema, checked against the articles
    and the catalogue: unknown stage, starting point, article, resource or prerequisite ids;
    quotes not verbatim in both languages; an estimate whose sentence does not state its months;
    a stage-order or prerequisite cycle; a route that teaches a stage before what it requires;
    and a stage of a route that no resource of the catalogue serves (the error names the stage).
    `resources_file` (the catalogue's file) gives its findings a line."""
    return _Checker(paths, resources, articles, resources_file).run()


# --- warnings ---------------------------------------------------------------------------------


def path_warnings(
    paths: LearningPaths, resources: Sequence[Resource], languages: Sequence[str] = ("zh", "en")
) -> list[str]:
    """Where a plan will have to fall back (the paths still load): a stage some route teaches
    that only one resource serves, or none that is free, or none in one of `languages`."""
    taught: list[str] = []
    for goal in paths.goals:
        for route in goal.routes:
            start = paths.starting_point(route.start)
            covered = set(start.covers) if start else set()
            taught += [s for s in route.order if s not in covered and s not in taught]
    findings = []
    for stage_id in taught:
        stage = paths.stage(stage_id)
        if stage is None:
            continue
        serving = serving_resources(stage, resources)
        if len(serving) == 1:
            findings.append(f"stage {stage.id!r}: only one resource serves it ({serving[0].id})")
        if serving and all(r.cost != "free" for r in serving):
            findings.append(f"stage {stage.id!r}: no free resource (free-only plans fall back)")
        for language in languages:
            if serving and all(r.language != language for r in serving):
                findings.append(
                    f"stage {stage.id!r}: no resource in {language!r} (plans in {language!r} "
                    "fall back)"
                )
    return findings
