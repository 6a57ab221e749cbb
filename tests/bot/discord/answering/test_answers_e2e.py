"""Every delivered answer is recorded, and the buttons under it act on that record: the full
question (Discord clips an embed title at 256 characters) and exactly the hits shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord_emulator import DiscordEmulator
from sqlalchemy import delete

from bot.db.models import AnswerRow
from bot.discord.app import CareerBot
from bot.services.feedback import hash_user_id
from tests.helpers import ask, click, delivered, embed_fields, run_with_bot

# about 420 characters: past the embed title's 256, within the question limit of 500
LONG_QUESTION = (
    "I have been working as a backend software engineer for four years, mostly Java and some "
    "Python, and I keep reading that machine learning engineers need a strong software "
    "engineering background but also a lot of statistics and linear algebra, which I last "
    "studied at university. Should I learn software engineering first, or go straight into "
    "the math, and how long would it take to be ready for a junior machine learning role?"
)


@pytest.fixture(scope="module")
def index_root(shipped_index_root: Path) -> Path:
    return shipped_index_root


def test_a_long_questions_buttons_act_on_the_full_question_and_the_hits_shown(index_root, tmp_path):
    assert 256 < len(LONG_QUESTION) <= 500

    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        answer = await ask(emulator, LONG_QUESTION)
        assert len(answer["embeds"][0]["title"]) <= 256  # what Discord shows is clipped
        record = await delivered(bot, answer)
        assert record.question == LONG_QUESTION and record.source == "slash"
        assert record.user_hash == hash_user_id(int(emulator.member_user["id"]))
        assert record.generation == bot.worker.retriever.index.directory.name
        shown = len(embed_fields(answer))
        # the answer card that answered (if one did), then passages and resources, as shown
        card = [f"card:{c}" for c in _card_of(bot, LONG_QUESTION)]
        assert record.hit_ids[: len(card)] == card
        assert 0 < len(record.hit_ids) - len(card) == shown

        await click(emulator, answer, "careerbot:feedback:up")
        votes = await bot.curation.database.answer_log.votes(int(answer["id"]))
        assert [(v.question, v.hit_ids) for v in votes] == [(LONG_QUESTION, record.hit_ids)]

        moderator = emulator.make_user(name="mod", admin=True)
        done = await click(emulator, answer, "careerbot:pin", user=moderator)
        assert "#1" in done["content"]
        pin = await bot.curation.database.pins.get_pin(1, emulator.guild_id)
        assert pin is not None and pin.questions == [LONG_QUESTION]

    run_with_bot(index_root, tmp_path, scenario)


def _card_of(bot: CareerBot, question: str) -> list[str]:
    result = bot.worker.retriever.search(question)
    return [result.card.card.id] if result.card else []


def test_an_answer_without_a_record_still_works_from_its_title(index_root, tmp_path):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        question = "which deep learning course should I take?"
        answer = await ask(emulator, question)
        await delivered(bot, answer)
        # as if sent before answers were recorded
        async with bot.curation.database.engine.begin() as connection:
            await connection.execute(delete(AnswerRow))
        assert await bot.curation.delivered(int(answer["id"])) is None
        await click(emulator, answer, "careerbot:feedback:down")
        votes = await bot.curation.database.answer_log.votes(int(answer["id"]))
        assert [(v.vote, v.question) for v in votes] == [("down", question)]
        assert len(votes[0].hit_ids) == len(embed_fields(answer))

    run_with_bot(index_root, tmp_path, scenario)


def test_a_card_answers_first_offers_its_related_card_and_follows_the_askers_script(
    index_root, tmp_path
):
    import opencc

    from index.query import in_script
    from tests.helpers import custom_ids

    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        retriever = bot.worker.retriever
        # offer the runner-up card whatever its distance, so that one is always offered
        retriever.config = retriever.config.model_copy(update={"card_related_margin": 1.0})
        bot.worker.forget_results()
        card = retriever.cards.by_id("roadmap-how-long")
        assert card is not None
        answer = await ask(emulator, card.question("en"))
        embed = answer["embeds"][0]
        assert embed["description"] == card.answer_en  # the card's answer leads, whole
        record = await delivered(bot, answer)
        assert record.hit_ids[0] == "card:roadmap-how-long"  # feedback names the card
        (related_button,) = [i for i in custom_ids(answer) if i.startswith("careerbot:card:")]
        related = retriever.cards.by_id(related_button.removeprefix("careerbot:card:"))
        assert related is not None and related.id != card.id
        (label,) = [
            c["label"]
            for row in answer["components"]
            for c in row["components"]
            if c.get("custom_id") == related_button
        ]
        assert label.startswith("Related: ") and len(label) <= 80
        shown = await click(emulator, answer, related_button)
        assert shown["flags"] & 64  # ephemeral: only the member who asked for it sees it
        assert shown["embeds"][0]["description"].startswith(related.answer_en)

        traditional = opencc.OpenCC("s2t.json").convert(card.question("zh"))
        answer = await ask(emulator, traditional)
        embed = answer["embeds"][0]
        assert embed["description"].startswith(in_script(card.answer_zh, "traditional"))
        assert "依據" in embed["footer"]["text"]  # the labels too ("依据" in Simplified)

    run_with_bot(index_root, tmp_path, scenario)
