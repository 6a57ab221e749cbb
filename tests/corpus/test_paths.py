import functools
import shutil
from pathlib import Path

import pytest

from corpus.lint import lint_paths
from corpus.loader import SHIPPED_CORPUS_DIR, Corpus, CorpusError, load_corpus, load_resources
from corpus.paths import (
    load_checked_paths,
    load_paths,
    mentions_number,
    path_errors,
    path_warnings,
    serves,
    serving_resources,
)


def _copy_corpus(tmp_path: Path) -> Path:
    """The shipped corpus without its question set (the paths check needs every article)."""
    root = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS_DIR / "articles", root / "articles")
    shutil.copytree(SHIPPED_CORPUS_DIR / "cards", root / "cards")
    for name in ("resources.yaml", "glossary.yaml", "paths.yaml"):
        shutil.copy(SHIPPED_CORPUS_DIR / name, root / name)
    return root


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _problems(root: Path) -> list:
    """The problems of a corpus directory. Without articles (a copy of the paths and the
    catalogue only), the shipped articles stand in: faster than copying and reading them."""
    with pytest.raises(CorpusError) as info:
        if (root / "articles").is_dir():
            load_corpus(root)
        else:
            resources = load_resources(root / "resources.yaml")
            articles = _shipped().articles
            load_checked_paths(root / "paths.yaml", articles, resources, root / "resources.yaml")
    return info.value.problems


@functools.cache
def _shipped() -> Corpus:
    return load_corpus()


def _copy_files(tmp_path: Path) -> Path:
    """A copy of the shipped paths and catalogue, to edit (checked by `_problems`)."""
    root = tmp_path / "corpus"
    root.mkdir()
    for name in ("resources.yaml", "paths.yaml"):
        shutil.copy(SHIPPED_CORPUS_DIR / name, root / name)
    return root


def _drop_resources(path: Path, ids: set[str]) -> None:
    """Remove the catalogue entries `ids` from a resources.yaml (each starts at '- id: ')."""
    head, *items = path.read_text(encoding="utf-8").split("\n- id: ")
    kept = [item for item in items if item.split("\n", 1)[0].strip() not in ids]
    path.write_text("\n- id: ".join([head, *kept]), encoding="utf-8")


# --- the shipped paths -----------------------------------------------------------------------


def test_shipped_paths_load_and_are_clean():
    corpus = load_corpus()
    paths = corpus.paths
    assert paths is not None and paths.file == SHIPPED_CORPUS_DIR / "paths.yaml"
    assert path_errors(paths, corpus.resources, corpus.articles) == []
    starts = {s.id for s in paths.starting_points}
    assert starts == {"zero", "student", "developer", "data-scientist", "other-field"}
    goal = paths.goal("ml-engineer")
    assert goal is not None and {r.start for r in goal.routes} == starts
    stage_ids = {s.id for s in paths.stages}
    for route in goal.routes:
        assert set(route.order) == stage_ids  # every route shows the whole roadmap
    # a resource's `stage` is honoured: it serves that stage and no other
    for resource in corpus.resources:
        for stage in paths.stages:
            if resource.stage is not None:
                assert serves(resource, stage) == (resource.stage == stage.id)
    assert all(isinstance(w, str) for w in lint_paths(corpus))


def test_a_corpus_without_paths_loads(small_corpus_dir):
    assert load_corpus(small_corpus_dir).paths is None


# --- schema problems: file, line, field --------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        (
            "topics: [python, algorithms]",
            "topics: [python, algorithm]",
            "stages[0].topics",
            "unknown topic",
        ),
        (
            "    title_en: Build a math foundation\n",
            "",
            "stages[2].title_en",
            "missing translation",
        ),
        ("    title_zh: 数据科学家\n", "", "starting_points[3].title_zh", "missing translation"),
        (
            "title_en: Learn to code\n",
            'title_en: " "\n',
            "stages[0].title_en",
            "missing translation",
        ),
        ("levels: [beginner]", "levels: [expert]", "stages[0].levels[0]", "beginner"),
        ("  - id: math\n", "  - id: Math\n", "stages[2].id", "kebab-case"),
        (
            "          derived_from: zero\n",
            "          derived_from: zero\n          months: 3\n",
            "goals[0].routes[1].estimate",
            "a derived estimate needs",
        ),
    ],
)
def test_schema_problems_name_file_line_and_field(tmp_path, old, new, field, reason):
    root = _copy_corpus(tmp_path)
    path = root / "paths.yaml"
    line = _edit(path, old, new)
    (problem,) = _problems(root)
    assert problem.path == path
    assert problem.field == field
    assert reason in problem.reason
    assert problem.line is not None and abs(problem.line - line) <= 8  # at or near the edit


def test_a_top_level_list_is_refused(tmp_path):
    path = tmp_path / "paths.yaml"
    path.write_text("- id: zero\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_paths(path)
    (problem,) = info.value.problems
    assert problem.line == 1 and "mapping" in problem.reason


# --- cross-checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        (
            "covers: [math]",
            "covers: [maths]",
            "starting_points[1].covers[0]",
            "unknown stage id 'maths'",
        ),
        (
            "zh: 上述两条路线的基础,都是学习编程,使用计算机。",
            "zh: 上述两条路线的基础是学习编程。",
            "stages[0].sources[0].zh",
            "not found verbatim",
        ),
        (
            "en: The foundation of both routes above is learning to program",
            "en: The basis of both routes above is learning to program",
            "stages[0].sources[0].en",
            "not found verbatim",
        ),
        (
            "      - article: untold-truths-ml-engineer\n",
            "      - article: untold-truths\n",
            "stages[1].sources[2].article",
            "unknown article id 'untold-truths'",
        ),
        (
            "          months: 18\n",
            "          months: 16\n",
            "goals[0].routes[0].estimate.months",
            "does not state 16 months",
        ),
        (
            "order: [learn-to-code, shallow-ml, math",
            "order: [shallow-ml, learn-to-code, math",
            "goals[0].routes[0].order[0]",
            "comes before 'learn-to-code'",
        ),
        (
            "derived_from: zero",
            "derived_from: nobody",
            "goals[0].routes[1].estimate.derived_from",
            "no route from 'nobody'",
        ),
        (
            "derived_from: developer",
            "derived_from: student",
            "goals[0].routes[3].estimate.derived_from",
            "no cited estimate",
        ),
        (
            "spans: [shallow-ml, math",
            "spans: [learn-to-code, math",
            "goals[0].routes[2].estimate.spans[0]",
            "still to learn",
        ),
        (
            "  - start: student\n",
            "  - start: pupil\n",
            "goals[0].routes[1].start",
            "unknown starting point 'pupil'",
        ),
    ],
)
def test_cross_check_problems_name_file_line_and_field(tmp_path, old, new, field, reason):
    root = _copy_files(tmp_path)
    path = root / "paths.yaml"
    _edit(path, old, new)
    problems = [p for p in _problems(root) if p.field == field]
    assert problems, field
    assert any(reason in p.reason for p in problems), [p.reason for p in problems]
    assert all(p.path == path and p.line is not None for p in problems)


def test_a_stage_order_cycle(tmp_path):
    root = _copy_files(tmp_path)
    # learn-to-code is the first stage whose levels are [beginner]
    _edit(
        root / "paths.yaml", "levels: [beginner]\n", "levels: [beginner]\n    requires: [mlops]\n"
    )
    cycles = [p for p in _problems(root) if "stage-order cycle" in p.reason]
    assert cycles  # mlops requires learn-to-code through two stages: two cycles
    for cycle in cycles:
        assert "learn-to-code → mlops →" in cycle.reason
        assert cycle.field == "stages[0].requires" and cycle.line is not None


def test_a_prerequisite_cycle_and_unknown_ids_in_the_catalogue(tmp_path):
    root = _copy_files(tmp_path)
    catalogue = root / "resources.yaml"
    _edit(
        catalogue,
        "  stage: learn-to-code\n",
        "  stage: learn-to-code\n  prerequisites: [helsinki-python-programming-mooc]\n",
    )
    _edit(
        catalogue,
        "  stage: shallow-ml\n",
        "  stage: shallow-ml\n  prerequisites: [no-such-course]\n",
    )
    stage_line = _edit(catalogue, "  stage: math\n", "  stage: maths\n")
    problems = _problems(root)
    by_reason = {p.reason: p for p in problems if p.path == catalogue}
    cycle = next(p for r, p in by_reason.items() if "prerequisite cycle" in r)
    assert "harvard-cs50" in cycle.reason and "helsinki-python-programming-mooc" in cycle.reason
    unknown_stage = next(p for r, p in by_reason.items() if "unknown stage id 'maths'" in r)
    assert unknown_stage.field == "deeplearning-ai-math-for-ml.stage"
    assert unknown_stage.line == stage_line
    unknown = next(p for r, p in by_reason.items() if "'no-such-course'" in r)
    assert unknown.field == "coursera-machine-learning-specialization.prerequisites"
    assert unknown.line is not None
    # the math stage lost its only resource: the paths file names it
    (lost,) = [p for p in problems if p.path == root / "paths.yaml"]
    assert lost.field == "stages[2]" and "stage 'math'" in lost.reason


def test_a_prerequisite_a_route_cannot_meet_first(tmp_path):
    root = _copy_files(tmp_path)
    catalogue = root / "resources.yaml"
    # a learn-to-code course that needs MLOps first: every route teaches MLOps later
    _edit(
        catalogue, "  stage: learn-to-code\n", "  stage: learn-to-code\n  prerequisites: [mlops]\n"
    )
    problems = [p for p in _problems(root) if p.field == "harvard-cs50.prerequisites"]
    assert problems and all("before 'mlops' can be done" in p.reason for p in problems)


# --- a catalogue edit that leaves a stage without resources --------------------------------------


def test_removing_the_resources_of_a_stage_names_the_stage(tmp_path):
    corpus = load_corpus()
    stage = corpus.paths.stage("domain")
    gone = {r.id for r in serving_resources(stage, corpus.resources)}
    assert gone
    root = _copy_corpus(tmp_path)
    shutil.rmtree(root / "cards")  # cards citing the removed resources would fail first
    _drop_resources(root / "resources.yaml", gone)
    problems = _problems(root)
    named = [p for p in problems if "stage 'domain'" in p.reason]
    assert named, [str(p) for p in problems]
    assert all(p.path == root / "paths.yaml" and p.line is not None for p in named)
    text = (root / "paths.yaml").read_text(encoding="utf-8").split("\n")
    assert text[named[0].line - 1].strip() == "- id: domain"


def test_every_taught_stage_is_named_when_its_resources_go():
    corpus = load_corpus()
    paths = corpus.paths
    taught = {
        stage_id
        for goal in paths.goals
        for route in goal.routes
        for stage_id in route.order
        if stage_id not in paths.starting_point(route.start).covers
    }
    for stage_id in taught:
        stage = paths.stage(stage_id)
        left = [r for r in corpus.resources if not serves(r, stage)]
        problems = path_errors(paths, left, corpus.articles)
        assert any(f"stage {stage_id!r}" in p.reason for p in problems), stage_id


def test_warnings_say_where_plans_fall_back():
    corpus = load_corpus()
    stage = corpus.paths.stage("deep-learning")
    paid = [
        r.model_copy(update={"cost": "paid"}) if serves(r, stage) else r for r in corpus.resources
    ]
    warnings = path_warnings(corpus.paths, paid)
    assert "stage 'deep-learning': no free resource (free-only plans fall back)" in warnings
    assert not any(
        "deep-learning': no free" in w for w in path_warnings(corpus.paths, corpus.resources)
    )


# --- numbers in quoted sentences ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "found"),
    [
        ("expect it to take about 18 months", 18, True),
        ("预计需要大约18月的时间", 18, True),
        ("about 118 months", 18, False),
        ("about 18.5 months", 18, False),
        ("you can spend about six months", 6, True),
        ("about sixty months", 6, False),
        ("花大约六个月的时间", 6, True),
        ("花大约十六个月的时间", 6, False),
        ("花大约十八个月的时间", 18, True),
        ("about six months", 6.5, False),
    ],
)
def test_mentions_number(text, number, found):
    assert mentions_number(text, number) is found
