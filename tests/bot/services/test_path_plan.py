import json

import pytest

from bot.services.path_plan import LearningPlan, PlanInputError
from bot.services.paths import plan_path
from tests.conftest import shipped_corpus


def _plan(start: str, **options) -> LearningPlan:
    corpus = shipped_corpus()
    return plan_path(corpus.paths, corpus.resources, start, **options)


# --- the JSON interface ------------------------------------------------------------------------


def test_the_json_is_the_stable_interface():
    plan = _plan("data-scientist", hours_per_week=8, free_only=True)
    data = json.loads(json.dumps(plan.to_json(), ensure_ascii=False))
    assert list(data) == ["from", "goal", "hours_per_week", "stages", "estimate", "notes"]
    assert (data["from"], data["goal"], data["hours_per_week"]) == (
        "data-scientist",
        "ml-engineer",
        8,
    )
    for stage in data["stages"]:
        assert list(stage) == ["id", "title", "covered", "resources", "sources"]
        for resource in stage["resources"]:
            assert list(resource) == ["id", "name", "url", "level", "cost", "language"]
        for source in stage["sources"]:
            assert list(source) == ["article_id", "text"]
    assert list(data["estimate"]) == ["months", "hours_per_week", "source"]
    assert list(data["estimate"]["source"]) == ["article_id", "text"]
    assert all(isinstance(n, str) for n in data["notes"])


def test_the_json_speaks_the_language_asked():
    plan = _plan("developer")
    english, chinese = plan.to_json(), plan.to_json("zh")
    assert english["stages"][0]["title"] == plan.stages[0].title_en
    assert chinese["stages"][0]["title"] == plan.stages[0].title_zh
    assert chinese["estimate"]["source"]["text"] == plan.estimate.source.zh
    assert english["estimate"]["source"]["text"] == plan.estimate.source.en
    assert chinese["notes"] == [n.zh for n in plan.notes]
    # by default, the language the resources were asked in
    default = _plan("developer", language="zh").to_json()
    assert default["stages"][0]["title"] == plan.stages[0].title_zh
    assert default["estimate"]["source"]["text"] == plan.estimate.source.zh


def test_the_json_refuses_an_unknown_language():
    with pytest.raises(PlanInputError):
        _plan("zero").to_json("fr")
