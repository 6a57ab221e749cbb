import pytest

from corpus.lint import lint_paths
from corpus.loader import SHIPPED_CORPUS_DIR, load_corpus
from corpus.path_checks import path_errors
from corpus.path_resources import serves
from corpus.paths import load_paths
from corpus.problems import CorpusError
from tests.conftest import copy_shipped_corpus, corpus_problems, edit_first

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
    root = copy_shipped_corpus(tmp_path)
    path = root / "paths.yaml"
    line = edit_first(path, old, new)
    (problem,) = corpus_problems(root)
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
