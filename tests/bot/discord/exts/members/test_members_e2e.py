"""Members' data through the real bot and the Discord emulator: `/forget-me` after a
confirmation, and the retention purge at start-up."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from discord_emulator import DiscordEmulator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.config import CurationSettings
from bot.db.database import Database
from bot.db.models import FeedbackRow, QuestionRow
from bot.discord.app import CareerBot
from bot.services.feedback import hash_user_id
from tests.helpers import (
    EPHEMERAL,
    TIMEOUT,
    bot_settings,
    click,
    custom_ids,
    is_answer_to,
    member_rows,
    member_texts,
    run_with_bot,
    running_bot,
)

OTHER_GUILD = 987654321098765432
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def index_root(shipped_index_root: Path) -> Path:
    return shipped_index_root


def rows_of(guild_id: int, user_id: int, question: str, at: datetime = NOW) -> list[Any]:
    """What the bot stores when a member asks (question, answer record, their vote on it)
    and opens a forum post."""
    return list(member_rows(guild_id, hash_user_id(user_id), question, at))


async def store(engine: AsyncEngine, rows: list[Any]) -> None:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
        session.add_all(rows)


async def forget_me(emulator: DiscordEmulator, **options: Any) -> dict[str, Any]:
    """/forget-me's ephemeral reply, as the emulator stored it (with its id, to click)."""
    interaction = emulator.send_slash_command("forget-me", {}, **options)
    await emulator.wait_for_request(is_answer_to(interaction), TIMEOUT)
    message = emulator.messages[emulator.interaction_record(interaction)["original_message_id"]]
    assert message["flags"] & EPHEMERAL
    return message


def test_forget_me_deletes_the_members_data_after_confirmation_and_keeps_everyone_elses(
    index_root, tmp_path
):
    async def scenario(emulator: DiscordEmulator, bot: CareerBot) -> None:
        alice = emulator.member_user
        bob = emulator.make_user(name="bob")
        guild = emulator.guild_id
        engine = bot.curation.database.engine
        alice_rows = rows_of(guild, int(alice["id"]), "alice: should I learn C++?")
        alice_rows += rows_of(guild, int(alice["id"]), "alice: which math course?")[:1]
        bob_rows = rows_of(guild, int(bob["id"]), "bob: is a master's worth it?")
        elsewhere = rows_of(OTHER_GUILD, int(alice["id"]), "alice elsewhere")
        # Bob's vote on Alice's answer is his, but it carries a copy of her question
        bob_vote = FeedbackRow(
            guild_id=guild,
            message_id=alice_rows[1].message_id,
            user_hash=hash_user_id(int(bob["id"])),
            vote="down",
            question="alice: should I learn C++?",
            hit_ids="[]",
            created_at=NOW,
            updated_at=NOW,
        )
        await store(engine, [*alice_rows, *bob_rows, *elsewhere, bob_vote])

        prompt = await forget_me(emulator)
        assert prompt["content"] == (
            "The bot stores 2 questions, 1 votes, 1 answer records, 1 forum post records and 0 "
            "learning-path stages marked done of yours in this server. Delete them all? This "
            "cannot be undone."
        )
        confirm = f"careerbot:forget-me:{alice['id']}"
        assert custom_ids(prompt) == [confirm, "careerbot:forget-me:cancel"]

        # another member cannot confirm for Alice; cancelling deletes nothing
        not_yours = await click(emulator, prompt, confirm, user=bob)
        assert "another member" in not_yours["content"] and not_yours["flags"] & EPHEMERAL
        cancelled = await click(emulator, prompt, "careerbot:forget-me:cancel")
        assert cancelled["content"] == "Cancelled: nothing was deleted."
        assert cancelled["components"] == []
        assert len(await member_texts(engine)) == 17

        prompt = await forget_me(emulator, locale="zh-CN")
        assert "确定要全部删除吗" in prompt["content"]
        assert prompt["components"][0]["components"][0]["label"] == "删除我的数据"
        done = await click(emulator, prompt, confirm, locale="zh-CN")
        assert done["content"] == (
            "✅ 已删除你在本服务器的 2 个问题、1 个评价、1 条回答记录、1 个论坛帖子记录和 0 个"
            "标记为完成的学习阶段。"
        )
        assert done["components"] == []

        remaining = await member_texts(engine)
        assert not [text for text in remaining if text.startswith("alice:")]
        assert remaining.count("bob: is a master's worth it?") == 5
        assert remaining.count("alice elsewhere") == 5  # another server's data stays
        async with async_sessionmaker(engine)() as session:
            kept = await session.scalar(
                select(FeedbackRow).where(FeedbackRow.message_id == alice_rows[1].message_id)
            )
        assert kept is not None and kept.vote == "down" and kept.question == ""

        nothing = await forget_me(emulator)
        assert nothing["content"] == "The bot stores nothing about you in this server."
        assert custom_ids(nothing) == []

    run_with_bot(index_root, tmp_path, scenario)


def test_retention_purges_old_questions_answers_and_votes_at_start_up(index_root, tmp_path, caplog):
    async def main() -> None:
        async with DiscordEmulator() as emulator:
            settings = bot_settings(index_root, tmp_path).model_copy(
                update={"curation": CurationSettings(question_retention_days=30)}
            )
            member = int(emulator.member_user["id"])
            database = await Database.open(settings.resolved_database_url)
            old = NOW - timedelta(days=31)
            await store(database.engine, rows_of(emulator.guild_id, member, "old", at=old))
            await store(database.engine, rows_of(emulator.guild_id, member, "recent"))
            await database.close()

            with caplog.at_level(logging.INFO, logger="bot.services.members"):
                async with running_bot(emulator, settings) as bot:
                    engine = bot.curation.database.engine
                    # the first purge runs as the bot starts, beside the gateway connection
                    for _ in range(int(TIMEOUT / 0.1)):
                        async with async_sessionmaker(engine)() as session:
                            asked = list(await session.scalars(select(QuestionRow.question)))
                        if asked == ["recent"]:
                            break
                        await asyncio.sleep(0.1)
                    remaining = await member_texts(engine)
        # the question, its answer record and its vote went; the forum post is the forum's
        assert sorted(remaining) == ["old", "old", "recent", "recent", "recent", "recent", "recent"]
        assert any(
            "retention (30 days): deleted 1 questions, 1 answer records, 1 votes" in r.message
            for r in caplog.records
        )

    asyncio.run(asyncio.wait_for(main(), 120))
