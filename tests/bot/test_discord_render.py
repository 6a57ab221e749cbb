import discord

from bot.discord_render import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    answer_embed,
)
from index.retriever import Hit, SearchResult


def _passage(i: int, text: str = "机器学习工程师需要线性代数。", title: str = "文章") -> Hit:
    return Hit(
        "passage", f"a#{i}", 0.9, title, text, "https://example.com/a", "a", ("技能", "数学")
    )


def _resource(i: int, name: str = "Math Course", text: str = "A math course.") -> Hit:
    extra = {"level": "beginner", "cost": "free", "provider": "Uni"}
    return Hit(
        "resource", f"r{i}", 0.8, name, text, f"https://example.com/r{i}", f"r{i}", (), extra
    )


def _check_limits(embed: discord.Embed) -> dict:
    data = embed.to_dict()
    assert len(embed) <= EMBED_TOTAL
    assert len(data.get("title", "")) <= EMBED_TITLE
    assert len(data.get("description", "")) <= EMBED_DESCRIPTION
    assert len(data.get("fields", [])) <= 25
    for field in data.get("fields", []):
        assert 0 < len(field["name"]) <= FIELD_NAME and 0 < len(field["value"]) <= FIELD_VALUE
    return data


def test_answer_embed_structure_in_chinese():
    result = SearchResult(
        "数学？", "zh", [_passage(i) for i in range(5)], [_resource(i) for i in range(4)], True, 0.9
    )
    data = _check_limits(answer_embed(result, lead="需要线性代数。"))
    assert data["description"] == "需要线性代数。"
    names = [f["name"] for f in data["fields"]]
    assert len(names) == 6  # 3 passages + 3 resources
    assert names[0] == "1. 文章 › 技能 › 数学"
    assert names[3].startswith("推荐的学习资源: Math Course")
    assert "[文章](https://example.com/a)" in data["fields"][0]["value"]
    assert "[Math Course](https://example.com/r0) · 入门 · 免费" in data["fields"][3]["value"]
    assert data["footer"]["text"] == "以上内容引自语料库中的文章与资源列表。"


def test_no_answer_embed_is_honest_and_offers_resources():
    result = SearchResult("bread?", "en", [], [_resource(0)], False, 0.7)
    data = _check_limits(answer_embed(result))
    assert "don't have a good answer" in data["description"]
    assert [f["name"] for f in data["fields"]] == ["Closest learning resources: Math Course"]


def test_limits_hold_for_extreme_inputs():
    huge = "很长的句子没有标点" * 1000
    result = SearchResult(
        "x" * 5000,
        "en",
        [_passage(i, text=huge, title="T" * 1000) for i in range(10)],
        [_resource(i, name="N[]" * 300, text=huge) for i in range(10)],
        True,
        0.9,
    )
    data = _check_limits(answer_embed(result, lead=huge))
    assert data["fields"][3]["value"].startswith("[N()N()")  # brackets cannot end the link label
