import asyncio

import discord

from bot.discord.answering.render import answer_embed, more_embed, sources_embed
from bot.discord.embeds import EMBED_DESCRIPTION, EMBED_TITLE, EMBED_TOTAL, FIELD_NAME, FIELD_VALUE
from bot.discord.exts.about._render import about_embed
from bot.discord.exts.resources._render import resources_embed
from index.records import ResourceRecord
from index.results import Hit, SearchResult


def _passage(i: int, text: str = "机器学习工程师需要线性代数。", title: str = "文章") -> Hit:
    return Hit(
        "passage", f"a#{i}", 0.9, title, text, "https://example.com/a", "a", ("技能", "数学")
    )


def _resource(i: int, name: str = "Math Course", text: str = "A math course.") -> Hit:
    return Hit(
        "resource",
        f"r{i}",
        0.8,
        name,
        text,
        f"https://example.com/r{i}",
        f"r{i}",
        level="beginner",
        cost="free",
        provider="Uni",
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
        "数学？",
        "zh",
        [_passage(i) for i in range(5)],
        [_resource(i) for i in range(4)],
        True,
        0.9,
        "需要线性代数。",
    )
    data = _check_limits(answer_embed(result))
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
    assert "footer" not in data  # a refusal quotes nothing


def test_limits_hold_for_extreme_inputs():
    huge = "很长的句子没有标点" * 1000
    result = SearchResult(
        "x" * 5000,
        "en",
        [_passage(i, text=huge, title="T" * 1000) for i in range(10)],
        [_resource(i, name="N[]" * 300, text=huge) for i in range(10)],
        True,
        0.9,
        huge,
    )
    data = _check_limits(answer_embed(result))
    assert data["fields"][3]["value"].startswith("[N()N()")  # brackets cannot end the link label


def test_lead_comes_from_the_retriever_when_not_given():
    result = SearchResult(
        "数学？",
        "zh",
        [_passage(0, text="开头一句。需要线性代数。")],
        [],
        True,
        0.9,
        "需要线性代数。",
    )
    assert answer_embed(result).description == "需要线性代数。"


def test_more_embed_pages_and_end():
    passages = [_passage(i, title=f"文章{i}") for i in range(7)]
    result = SearchResult("数学？", "zh", passages, [], True, 0.9)
    data = _check_limits(more_embed(result, 1))
    assert [f["name"].split(" ›")[0] for f in data["fields"]] == [
        "4. 文章3",
        "5. 文章4",
        "6. 文章5",
    ]
    assert _check_limits(more_embed(result, 2))["fields"][0]["name"].startswith("7. 文章6")
    assert _check_limits(more_embed(result, 3))["description"] == "没有更多相关段落了。"


def test_sources_embed_lists_each_article_once_with_sections():
    passages = [_passage(0), _passage(1), _passage(2, title="另一篇")]
    data = _check_limits(sources_embed(SearchResult("数学？", "zh", passages, [], True, 0.9)))
    lines = data["description"].splitlines()
    assert lines == [
        "• [文章](https://example.com/a) (章节: 技能 › 数学)",
        "• [另一篇](https://example.com/a) (章节: 技能 › 数学)",
    ]
    empty = _check_limits(sources_embed(SearchResult("bread?", "en", [], [], False, 0.1)))
    assert empty["description"] == "This answer quotes no article."


def test_resources_and_about_embeds_within_limits():
    resource = ResourceRecord(
        id="n",
        name="N" * 400,
        kind="course",
        url="https://example.com",
        provider="P",
        level="advanced",
        cost="mixed",
        language="en",
        topics=("math",),
        description_zh="描述",
        description_en="d" * 3000,
        mentioned_in=(),
    )
    data = _check_limits(resources_embed([resource] * 5, 1, 3, "en", "math"))
    assert data["title"] == "Learning resources · math" and data["footer"]["text"] == "Page 2/3"
    assert len(data["fields"]) == 5
    assert "advanced · free and paid parts · P" in data["fields"][0]["value"]
    assert _check_limits(resources_embed([], 0, 1, "zh", ""))["description"].startswith("没有")
    about = _check_limits(
        about_embed("en", articles=5, passages=52, resources=56, built_at="2026", embedder="e5")
    )
    assert "5 articles (52 passages), 56 learning resources" in about["fields"][0]["value"]


def test_a_card_answer_leads_whole_names_its_related_card_and_says_it_was_written():
    from index.cards import CardMatch
    from index.records import CardRecord, CardSourceRecord

    card = CardRecord(
        "math",
        (("en", "what math?"),),
        "需要线性代数。",
        "You need linear algebra. " * 14,
        (CardSourceRecord("a", "引文。", "a#0"),),
        (),
        (),
    )
    related = CardRecord("docker", (("en", "do I need docker?"),), "要。", "Yes.", (), (), ())
    result = SearchResult(
        "what math?",
        "en",
        [_passage(0)],
        [],
        True,
        0.9,
        card.answer_en,
        card=CardMatch(card, "what math?", 0.95, 0.95),
        related_card=related,
    )
    data = _check_limits(answer_embed(result))
    assert data["description"] == card.answer_en  # whole (350 characters), nothing a pin
    # would copy besides: the related card is offered by a button (bot/discord/views.py)
    assert data["footer"]["text"].startswith("Answer written from the articles below")


def test_the_plan_button_is_offered_only_by_a_bot_with_learning_paths():
    from bot.discord.answering.plan_button import PlanButton
    from bot.discord.answering.views import answer_view

    async def views() -> tuple[discord.ui.View, discord.ui.View]:
        result = SearchResult(
            "I am a complete beginner, how do I get into machine learning?",
            "en",
            [_passage(0)],
            [],
            True,
            0.9,
        )
        return answer_view(result), answer_view(result, plan_button=False)

    with_paths, without = asyncio.run(views())
    assert any(isinstance(item, PlanButton) for item in with_paths.children)
    assert not any(isinstance(item, PlanButton) for item in without.children)
