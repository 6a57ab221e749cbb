"""The learning paths as the CLI and Discord serve them: loaded and checked from a corpus
directory, with the articles' titles and addresses."""

from __future__ import annotations

import pytest

from bot.services.path_planner import PathPlanner
from corpus.loader import SHIPPED_CORPUS_DIR
from corpus.problems import CorpusError
from tests.conftest import copy_shipped_corpus, edit_first


def test_the_shipped_paths_load_with_their_choices_and_articles():
    planner = PathPlanner.load(SHIPPED_CORPUS_DIR)
    assert [g.id for g in planner.goals()] == ["ml-engineer"]
    assert [s.id for s in planner.starting_points()] == [
        "zero",
        "student",
        "developer",
        "data-scientist",
        "other-field",
    ]
    assert planner.starting_point("developer").title("zh") == "软件开发者"
    assert planner.starting_points("no-such-goal") == []
    roadmap = planner.article("career-switch-ml-engineer-roadmap")
    assert roadmap.title("en").startswith("Switching Careers") and roadmap.url is None
    linked = planner.article("learn-mle-not-data-science")
    assert linked.url and linked.url.startswith("https://towardsdatascience.com/")
    assert planner.article("gone").title("en") == "gone"
    plan = planner.plan("developer", hours_per_week=5)
    assert plan.estimate.months == 12
    assert planner.starting_point_sources("developer")[0].article_id == roadmap.id


def test_a_corpus_without_paths_or_with_a_broken_one_is_refused_with_file_and_line(tmp_path):
    root = copy_shipped_corpus(tmp_path)
    line = edit_first(root / "paths.yaml", "title_en: Learn to code", "title_en: ''")
    with pytest.raises(CorpusError) as info:
        PathPlanner.load(root)
    (problem,) = info.value.problems
    assert (problem.line, problem.field) == (line, "stages[0].title_en")
    (root / "paths.yaml").unlink()
    with pytest.raises(CorpusError, match="no learning paths"):
        PathPlanner.load(root)
