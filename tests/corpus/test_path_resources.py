import shutil
from pathlib import Path

from corpus.loader import load_corpus
from corpus.path_checks import path_errors
from corpus.path_resources import path_warnings, serves, serving_resources
from tests.conftest import copy_path_files, copy_shipped_corpus, corpus_problems, edit_first


def _drop_resources(path: Path, ids: set[str]) -> None:
    """Remove the catalogue entries `ids` from a resources.yaml (each starts at '- id: ')."""
    head, *items = path.read_text(encoding="utf-8").split("\n- id: ")
    kept = [item for item in items if item.split("\n", 1)[0].strip() not in ids]
    path.write_text("\n- id: ".join([head, *kept]), encoding="utf-8")


# --- errors: the catalogue against the paths ----------------------------------------------------


def test_a_prerequisite_cycle_and_unknown_ids_in_the_catalogue(tmp_path):
    root = copy_path_files(tmp_path)
    catalogue = root / "resources.yaml"
    edit_first(
        catalogue,
        "  stage: learn-to-code\n",
        "  stage: learn-to-code\n  prerequisites: [helsinki-python-programming-mooc]\n",
    )
    edit_first(
        catalogue,
        "  stage: shallow-ml\n",
        "  stage: shallow-ml\n  prerequisites: [no-such-course]\n",
    )
    stage_line = edit_first(catalogue, "  stage: math\n", "  stage: maths\n")
    problems = corpus_problems(root)
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
    root = copy_path_files(tmp_path)
    catalogue = root / "resources.yaml"
    # a learn-to-code course that needs MLOps first: every route teaches MLOps later
    edit_first(
        catalogue, "  stage: learn-to-code\n", "  stage: learn-to-code\n  prerequisites: [mlops]\n"
    )
    problems = [p for p in corpus_problems(root) if p.field == "harvard-cs50.prerequisites"]
    assert problems and all("before 'mlops' can be done" in p.reason for p in problems)


# --- a catalogue edit that leaves a stage without resources --------------------------------------


def test_removing_the_resources_of_a_stage_names_the_stage(tmp_path):
    corpus = load_corpus()
    stage = corpus.paths.stage("domain")
    gone = {r.id for r in serving_resources(stage, corpus.resources)}
    assert gone
    root = copy_shipped_corpus(tmp_path)
    shutil.rmtree(root / "cards")  # cards citing the removed resources would fail first
    _drop_resources(root / "resources.yaml", gone)
    problems = corpus_problems(root)
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


# --- warnings: where plans fall back ------------------------------------------------------------


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
