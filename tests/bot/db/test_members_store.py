"""The members' data store: counting and deleting one member's rows in one server, and
deleting old rows for the retention."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.db.database import Database
from bot.db.members_store import MemberDataCounts, MembersStore, PurgeCounts
from bot.db.models import FeedbackRow, ForumPostRow, QuestionRow
from tests.helpers import member_rows, member_texts

GUILD = 123456789012345678
OTHER_GUILD = 223456789012345678
ALICE = "a" * 16
BOB = "b" * 16
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


def _run(url: str, scenario: Callable[[AsyncEngine, MembersStore], Awaitable[None]]) -> None:
    async def main() -> None:
        database = await Database.open(url)
        try:
            await scenario(database.engine, MembersStore(database.engine))
        finally:
            await database.close()

    asyncio.run(main())


async def add(engine: AsyncEngine, *rows: object) -> None:
    async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
        session.add_all(rows)


def test_a_member_is_forgotten_in_one_server_and_nobody_else_is(database_url):
    async def scenario(engine: AsyncEngine, store: MembersStore) -> None:
        alice = member_rows(GUILD, ALICE, "alice asks")
        bob = member_rows(GUILD, BOB, "bob asks")
        alice_elsewhere = member_rows(OTHER_GUILD, ALICE, "alice asks elsewhere")
        # Bob voted on Alice's answer: his vote carries a copy of her question
        bob_on_alice = FeedbackRow(
            guild_id=GUILD,
            message_id=alice[1].message_id,
            user_hash=BOB,
            vote="down",
            question="alice asks",
            hit_ids="[]",
            created_at=NOW,
            updated_at=NOW,
        )
        await add(engine, *alice, *bob, *alice_elsewhere, bob_on_alice)

        assert await store.count(GUILD, ALICE) == MemberDataCounts(1, 1, 1, 1)
        assert await store.count(GUILD, BOB) == MemberDataCounts(1, 2, 1, 1)
        deleted = await store.delete_member(GUILD, ALICE)
        assert deleted == MemberDataCounts(questions=1, votes=1, answers=1, forum_posts=1)
        assert deleted.total == 4

        assert await store.count(GUILD, ALICE) == MemberDataCounts(0, 0, 0, 0)
        assert await store.count(GUILD, BOB) == MemberDataCounts(1, 2, 1, 1)
        assert await store.count(OTHER_GUILD, ALICE) == MemberDataCounts(1, 1, 1, 1)
        remaining = await member_texts(engine)
        assert "alice asks" not in remaining  # not even in Bob's vote
        assert remaining.count("bob asks") == 5
        async with async_sessionmaker(engine)() as session:
            kept = await session.scalar(
                select(FeedbackRow).where(FeedbackRow.message_id == alice[1].message_id)
            )
            assert kept is not None and (kept.user_hash, kept.vote) == (BOB, "down")

        assert await store.delete_member(GUILD, ALICE) == MemberDataCounts(0, 0, 0, 0)

    _run(database_url, scenario)


def test_rows_older_than_the_cutoff_are_deleted_in_every_server(database_url):
    async def scenario(engine: AsyncEngine, store: MembersStore) -> None:
        old = member_rows(GUILD, ALICE, "old", at=NOW - timedelta(days=40))
        old_elsewhere = member_rows(OTHER_GUILD, BOB, "old too", at=NOW - timedelta(days=31))
        recent = member_rows(GUILD, ALICE, "recent", at=NOW - timedelta(days=29))
        await add(engine, *old, *old_elsewhere, *recent)
        # a cut-off in another time zone means the same instant
        cutoff = (NOW - timedelta(days=30)).astimezone(timezone(timedelta(hours=8)))
        purged = await store.delete_older_than(cutoff)
        assert purged == PurgeCounts(questions=2, answers=2, votes=2) and purged.total == 6
        async with async_sessionmaker(engine)() as session:
            assert sorted(await session.scalars(select(QuestionRow.question))) == ["recent"]
            # forum posts are the forum's record, not questions: the retention leaves them
            assert await session.scalar(select(func.count()).select_from(ForumPostRow)) == 3
        assert await store.delete_older_than(cutoff) == PurgeCounts(0, 0, 0)

    _run(database_url, scenario)
