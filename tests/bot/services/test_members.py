"""The members' data service: a member's rows by pseudonym, and the retention rule."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.config import CurationSettings, Settings
from bot.db.database import Database
from bot.db.members_store import MemberDataCounts, MembersStore, PurgeCounts
from bot.db.models import FeedbackRow, QuestionRow
from bot.services.feedback import hash_user_id
from bot.services.members import MemberData

GUILD = 123456789012345678
ALICE = 223456789012345678
BOB = 323456789012345678
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def _question(user_id: int, text: str, at: datetime) -> QuestionRow:
    return QuestionRow(
        guild_id=GUILD,
        question=text,
        language="en",
        answered=False,
        relevance=0.1,
        asked_at=at,
        user_hash=hash_user_id(user_id),
    )


def _vote(user_id: int, message_id: int, at: datetime) -> FeedbackRow:
    return FeedbackRow(
        guild_id=GUILD,
        message_id=message_id,
        user_hash=hash_user_id(user_id),
        vote="up",
        question="q",
        hit_ids="[]",
        created_at=at,
        updated_at=at,
    )


def _with_members(tmp_path: Path, retention_days: int | None, scenario) -> None:
    async def main() -> None:
        settings = Settings(
            data_dir=tmp_path, curation=CurationSettings(question_retention_days=retention_days)
        )
        database = await Database.open(settings.resolved_database_url)
        try:
            sessions = async_sessionmaker(database.engine)
            async with sessions() as session, session.begin():
                session.add_all(
                    [
                        _question(ALICE, "alice, long ago", NOW - timedelta(days=100)),
                        _question(ALICE, "alice, yesterday", NOW - timedelta(days=1)),
                        _question(BOB, "bob, long ago", NOW - timedelta(days=100)),
                        _vote(ALICE, 1, NOW - timedelta(days=100)),
                        _vote(BOB, 1, NOW - timedelta(days=1)),
                    ]
                )
            await scenario(MemberData(settings, MembersStore(database.engine)), sessions)
        finally:
            await database.close()

    asyncio.run(main())


def test_forget_deletes_the_members_rows_by_their_pseudonym(tmp_path, caplog):
    async def scenario(members: MemberData, sessions) -> None:
        assert await members.held(GUILD, ALICE) == MemberDataCounts(2, 1, 0, 0)
        with caplog.at_level(logging.INFO, logger="bot.services.members"):
            assert await members.forget(GUILD, ALICE) == MemberDataCounts(2, 1, 0, 0)
        assert await members.held(GUILD, ALICE) == MemberDataCounts(0, 0, 0, 0)
        assert await members.held(GUILD, BOB) == MemberDataCounts(1, 1, 0, 0)
        # the log says how many, not who
        assert all(
            str(ALICE) not in r.message and hash_user_id(ALICE) not in r.message
            for r in caplog.records
        )

    _with_members(tmp_path, None, scenario)


def test_without_a_retention_nothing_expires(tmp_path):
    async def scenario(members: MemberData, sessions) -> None:
        assert members.retention is None
        assert await members.purge_expired(NOW) is None
        async with sessions() as session:
            assert len(list(await session.scalars(select(QuestionRow.id)))) == 3

    _with_members(tmp_path, None, scenario)


def test_rows_past_the_retention_are_purged_and_counted_in_the_log(tmp_path, caplog):
    async def scenario(members: MemberData, sessions) -> None:
        assert members.retention == timedelta(days=30)
        with caplog.at_level(logging.INFO, logger="bot.services.members"):
            purged = await members.purge_expired(NOW)
        assert purged == PurgeCounts(questions=2, answers=0, votes=1)
        async with sessions() as session:
            assert list(await session.scalars(select(QuestionRow.question))) == ["alice, yesterday"]
        assert any(
            "retention (30 days): deleted 2 questions, 0 answer records, 1 votes" in r.message
            for r in caplog.records
        )

    _with_members(tmp_path, 30, scenario)


def test_the_retention_is_at_least_a_day():
    with pytest.raises(ValidationError):
        CurationSettings(question_retention_days=0)
    assert CurationSettings().question_retention_days is None
