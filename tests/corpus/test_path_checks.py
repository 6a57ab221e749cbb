import pytest

from tests.conftest import copy_path_files, corpus_problems, edit_first

# --- the paths against the articles and themselves ---------------------------------------------


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
    root = copy_path_files(tmp_path)
    path = root / "paths.yaml"
    edit_first(path, old, new)
    problems = [p for p in corpus_problems(root) if p.field == field]
    assert problems, field
    assert any(reason in p.reason for p in problems), [p.reason for p in problems]
    assert all(p.path == path and p.line is not None for p in problems)


def test_a_stage_order_cycle(tmp_path):
    root = copy_path_files(tmp_path)
    # learn-to-code is the first stage whose levels are [beginner]
    edit_first(
        root / "paths.yaml", "levels: [beginner]\n", "levels: [beginner]\n    requires: [mlops]\n"
    )
    cycles = [p for p in corpus_problems(root) if "stage-order cycle" in p.reason]
    assert cycles  # mlops requires learn-to-code through two stages: two cycles
    for cycle in cycles:
        assert "learn-to-code → mlops →" in cycle.reason
        assert cycle.field == "stages[0].requires" and cycle.line is not None
