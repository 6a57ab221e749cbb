import math
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from bot.services.path_plan import LearningPlan, PlanInputError
from bot.services.paths import (
    MAX_HOURS_PER_WEEK,
    MAX_RESOURCES_PER_STAGE,
    MIN_HOURS_PER_WEEK,
    next_stage,
    plan_path,
)
from corpus.clean import clean_markdown
from corpus.path_resources import serves
from corpus.schema import Resource
from tests.conftest import shipped_corpus

STARTS = ["zero", "student", "developer", "data-scientist", "other-field"]


@cache
def _paragraphs(article_id: str, language: str) -> tuple[str, ...]:
    article = next(a for a in shipped_corpus().articles if a.id == article_id)
    body = (
        article.body if article.meta.language == language else article.translations[language].body
    )
    return tuple(b.text for b in clean_markdown(body).blocks if b.kind == "paragraph")


def _verbatim(article_id: str, text: str, language: str) -> bool:
    return any(text in paragraph for paragraph in _paragraphs(article_id, language))


_WORDS = {
    w: i
    for i, w in enumerate(
        [
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
        ]
    )
}


def _numbers_in(english: str) -> set[float]:
    """The numbers an English sentence states, as digits or words up to twelve."""
    found = {float(n) for n in re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", english)}
    found |= {float(_WORDS[w]) for w in re.findall(r"[a-z]+", english.lower()) if w in _WORDS}
    return found


def _plan(start: str, resources: list[Resource] | None = None, **options) -> LearningPlan:
    corpus = shipped_corpus()
    return plan_path(
        corpus.paths, corpus.resources if resources is None else resources, start, **options
    )


def _check_prerequisites_first(plan: LearningPlan, resources: list[Resource]) -> None:
    """No resource is listed before its prerequisites (a resource listed earlier, or a stage
    covered or earlier; a resource of a covered stage counts as done)."""
    by_id = {r.id: r for r in resources}
    covered = {s.id for s in plan.stages if s.covered}
    stage_ids = {s.id for s in shipped_corpus().paths.stages}
    listed: set[str] = set()
    passed: set[str] = set()
    for stage in plan.stages:
        for resource in stage.resources:
            for prerequisite in by_id[resource.id].prerequisites:
                if prerequisite in stage_ids:
                    assert prerequisite in covered | passed, (resource.id, prerequisite)
                else:
                    assert prerequisite in listed or by_id[prerequisite].stage in covered, (
                        resource.id,
                        prerequisite,
                    )
            listed.add(resource.id)
        passed.add(stage.id)


# --- every starting point ----------------------------------------------------------------------


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("free_only", [False, True])
@pytest.mark.parametrize("language", [None, "zh", "en"])
def test_every_starting_point_gives_a_sound_plan(start, free_only, language):
    corpus = shipped_corpus()
    paths = corpus.paths
    plan = _plan(start, free_only=free_only, language=language)
    route = paths.goal("ml-engineer").route(start)
    covers = set(paths.starting_point(start).covers)
    by_id = {r.id: r for r in corpus.resources}
    english_notes = " ".join(n.en for n in plan.notes)

    assert [s.id for s in plan.stages] == route.order
    for stage in plan.stages:
        assert stage.covered == (stage.id in covers)
        if stage.covered:
            assert stage.resources == ()
            continue
        assert len(stage.resources) in range(1, MAX_RESOURCES_PER_STAGE + 1)
        ids = [r.id for r in stage.resources]
        assert len(set(ids)) == len(ids)
        defined = paths.stage(stage.id)
        serving = [r for r in corpus.resources if serves(r, defined)]
        for chosen in stage.resources:
            resource = by_id[chosen.id]  # exists in the catalogue
            assert serves(resource, defined)
            assert (chosen.url, chosen.cost, chosen.language) == (
                str(resource.url),
                resource.cost,
                resource.language,
            )
        if free_only and any(r.cost != "free" for r in stage.resources):
            # only where the catalogue has no free resource for the stage, and the plan says so
            assert all(r.cost != "free" for r in stage.resources)
            assert not any(r.cost == "free" and not r.prerequisites for r in serving)
            assert stage.title_en in english_notes and "no free resource" in english_notes
        if language and any(r.language != language for r in stage.resources):
            assert not any(r.language == language and not r.prerequisites for r in serving)
            assert stage.title_en in english_notes
        for source in stage.sources:
            assert _verbatim(source.article_id, source.zh, "zh"), source.zh
            assert _verbatim(source.article_id, source.en, "en"), source.en
    _check_prerequisites_first(plan, corpus.resources)


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("hours", [MIN_HOURS_PER_WEEK, 5, 10, 22.5, 40, MAX_HOURS_PER_WEEK])
def test_estimates_follow_the_cited_sentence(start, hours):
    paths = shipped_corpus().paths
    estimate = _plan(start, hours_per_week=hours).estimate
    source = estimate.source
    # the cited sentence is an article's, verbatim, and states the months used
    assert _verbatim(source.article_id, source.zh, "zh")
    assert _verbatim(source.article_id, source.en, "en")
    assert estimate.cited_months in _numbers_in(source.en)
    route = paths.goal("ml-engineer").route(start)
    if route.estimate.cited:
        assert estimate.stage_factor == 1 and estimate.derived_from is None
        assert (estimate.cited_months, estimate.cited_hours_per_week) == (
            route.estimate.months,
            route.estimate.hours_per_week,
        )
    else:
        base = paths.goal("ml-engineer").route(route.estimate.derived_from)
        base_covers = set(paths.starting_point(base.start).covers)
        base_spans = base.estimate.spans or [s for s in base.order if s not in base_covers]
        assert base.estimate.cited and estimate.cited_months == base.estimate.months
        assert estimate.stage_factor == pytest.approx(len(estimate.spans) / len(base_spans))
    expected = estimate.cited_months * estimate.stage_factor * estimate.cited_hours_per_week / hours
    assert estimate.months == pytest.approx(expected, abs=0.0501)  # one decimal
    assert estimate.hours_per_week == hours


def test_more_hours_a_week_means_fewer_months():
    for start in STARTS:
        slow = _plan(start, hours_per_week=5).estimate.months
        fast = _plan(start, hours_per_week=20).estimate.months
        assert slow == pytest.approx(4 * fast, rel=0.02)


def test_a_derived_estimate_says_so():
    paths = shipped_corpus().paths
    for route in paths.goal("ml-engineer").routes:
        plan = _plan(route.start)
        notes = [n.en for n in plan.notes]
        if route.estimate.cited:
            assert any("The article's estimate is" in n for n in notes)
        else:
            assert route.estimate.reason_en in notes
            assert any(n.startswith("Worked out as") for n in notes)


# --- resources: filters, fallbacks, prerequisites ----------------------------------------------


def test_free_only_falls_back_with_a_note_when_nothing_is_free():
    paid = [r.model_copy(update={"cost": "paid"}) for r in shipped_corpus().resources]
    plan = _plan("zero", paid, free_only=True)
    taught = [s for s in plan.stages if not s.covered]
    assert all(s.resources for s in taught)
    (note,) = [n for n in plan.notes if "no free resource" in n.en]
    assert all(s.title_en in note.en for s in taught)
    assert all(s.title_zh in note.zh for s in taught)


def test_free_only_keeps_free_resources_where_they_exist():
    corpus = shipped_corpus()
    plan = _plan("zero", free_only=True)
    for stage in plan.stages:
        serving = [r for r in corpus.resources if serves(r, corpus.paths.stage(stage.id))]
        if any(r.cost == "free" and not r.prerequisites for r in serving):
            assert {r.cost for r in stage.resources} == {"free"}, stage.id


def test_a_language_the_catalogue_has_is_kept():
    corpus = shipped_corpus()
    stage = corpus.paths.stage("deep-learning")
    chinese = [
        r.model_copy(update={"language": "zh"}) if serves(r, stage) and r.cost == "free" else r
        for r in corpus.resources
    ]
    plan = _plan("zero", chinese, language="zh")
    deep = next(s for s in plan.stages if s.id == "deep-learning")
    assert deep.resources and {r.language for r in deep.resources} == {"zh"}
    (note,) = [n for n in plan.notes if "no Chinese resource" in n.en]
    assert "Learn deep learning" not in note.en and "Learn to code" in note.en


def test_a_prerequisite_in_the_same_stage_comes_first():
    corpus = shipped_corpus()
    plan = _plan("zero")
    first, *_, last = next(s for s in plan.stages if len(s.resources) >= 2).resources
    edited = [
        r.model_copy(update={"prerequisites": [last.id]}) if r.id == first.id else r
        for r in corpus.resources
    ]
    replanned = _plan("zero", edited)
    stage = next(s for s in replanned.stages if first.id in {r.id for r in s.resources})
    ids = [r.id for r in stage.resources]
    assert ids.index(last.id) < ids.index(first.id)
    _check_prerequisites_first(replanned, edited)


def test_a_prerequisite_the_plan_cannot_meet_first_keeps_a_resource_out():
    corpus = shipped_corpus()
    plan = _plan("zero")
    first = plan.stages[0].resources[0]
    later = plan.stages[-1].id
    edited = [
        r.model_copy(update={"prerequisites": [later]}) if r.id == first.id else r
        for r in corpus.resources
    ]
    replanned = _plan("zero", edited)
    assert first.id not in {r.id for s in replanned.stages for r in s.resources}
    _check_prerequisites_first(replanned, edited)


# --- bad input -------------------------------------------------------------------------------


def test_an_unknown_starting_point_lists_the_choices():
    with pytest.raises(PlanInputError) as info:
        _plan("astronaut")
    error = info.value
    assert isinstance(error, ValueError)
    assert set(error.choices) == set(STARTS)
    for start in STARTS:
        assert start in error.message("en") and start in error.message("zh")
    assert "astronaut" in str(error) and "未知的起点" in error.message("zh")
    for starting_point in shipped_corpus().paths.starting_points:
        assert starting_point.title_en in error.message("en")
        assert starting_point.title_zh in error.message("zh")


def test_an_unknown_goal_lists_the_choices():
    with pytest.raises(PlanInputError) as info:
        _plan("zero", goal="astronaut")
    goals = [g.id for g in shipped_corpus().paths.goals]
    assert list(info.value.choices) == goals
    assert all(g in info.value.message("en") and g in info.value.message("zh") for g in goals)


@pytest.mark.parametrize(
    "hours",
    [0, 1000, -5, MIN_HOURS_PER_WEEK - 0.5, MAX_HOURS_PER_WEEK + 1, math.nan, math.inf, True, "10"],
)
def test_impossible_hours_per_week_are_refused(hours):
    with pytest.raises(PlanInputError) as info:
        _plan("zero", hours_per_week=hours)
    assert f"{MIN_HOURS_PER_WEEK:g}" in str(info.value) and f"{MAX_HOURS_PER_WEEK:g}" in str(
        info.value
    )
    assert "每周" in info.value.message("zh")


def test_an_unknown_language_is_refused():
    with pytest.raises(PlanInputError):
        _plan("zero", language="fr")


# --- next stage --------------------------------------------------------------------------------


def test_next_stage_skips_covered_and_done_stages():
    plan = _plan("developer")
    to_learn = [s.id for s in plan.stages if not s.covered]
    assert next_stage(plan).id == to_learn[0]
    assert next_stage(plan, to_learn[:2]).id == to_learn[2]
    assert next_stage(plan, [to_learn[1]]).id == to_learn[0]
    assert next_stage(plan, to_learn) is None


# --- boundaries ----------------------------------------------------------------------------------


def test_the_planner_imports_neither_discord_nor_the_index():
    code = (
        "import sys, bot.services.paths; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('discord', 'index', 'faiss')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[3])
