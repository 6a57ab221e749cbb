"""The learning-path progress store: the stages a member marked done, per server, and
`/forget-me` counting and deleting them with the member's other data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.db.database import Database
from bot.db.members_store import MemberDataCounts, MembersStore
from bot.db.models import PathProgressRow
from bot.db.path_progress_store import PathProgressStore

GUILD = 123456789012345678
OTHER_GUILD = 223456789012345678
ALICE = "a" * 16
BOB = "b" * 16
ROUTE = ["shallow-ml", "math", "deep-learning", "domain", "projects", "mlops"]


def _run(url: str, scenario: Callable[[AsyncEngine, PathProgressStore], Awaitable[None]]) -> None:
    async def main() -> None:
        database = await Database.open(url)
        try:
            await scenario(database.engine, PathProgressStore(database.engine))
        finally:
            await database.close()

    asyncio.run(main())


def test_marks_replace_the_shown_stages_only_per_member_and_server(database_url):
    async def scenario(engine: AsyncEngine, store: PathProgressStore) -> None:
        assert await store.done(GUILD, ALICE) == frozenset()
        done = await store.set_done(GUILD, ALICE, ROUTE, ["shallow-ml", "math"])
        assert done == {"shallow-ml", "math"}
        async with async_sessionmaker(engine)() as session:
            first = await session.scalar(
                select(PathProgressRow.done_at).where(PathProgressRow.stage_id == "math")
            )
        # a second pick replaces the first on the stages shown; math keeps its first time
        done = await store.set_done(GUILD, ALICE, ROUTE, ["math", "deep-learning"])
        assert done == {"math", "deep-learning"}
        async with async_sessionmaker(engine)() as session:
            again = await session.scalar(
                select(PathProgressRow.done_at).where(PathProgressRow.stage_id == "math")
            )
        assert again == first
        # a menu that does not show a stage leaves its mark alone; ids outside it are ignored
        done = await store.set_done(GUILD, ALICE, ["domain"], ["domain", "learn-to-code"])
        assert done == {"math", "deep-learning", "domain"}
        assert await store.done(GUILD, BOB) == frozenset()
        assert await store.done(OTHER_GUILD, ALICE) == frozenset()
        assert await store.set_done(GUILD, ALICE, ROUTE, []) == frozenset()

    _run(database_url, scenario)


def test_concurrent_marks_of_one_member_leave_one_row_per_stage(database_url):
    async def scenario(engine: AsyncEngine, store: PathProgressStore) -> None:
        await asyncio.gather(
            *(store.set_done(GUILD, ALICE, ROUTE, ["math", "mlops"]) for _ in range(5))
        )
        async with async_sessionmaker(engine)() as session:
            rows = list(await session.scalars(select(PathProgressRow.stage_id)))
        assert sorted(rows) == ["math", "mlops"]

    _run(database_url, scenario)


def test_forget_me_counts_and_deletes_the_members_progress_in_one_server(database_url):
    async def scenario(engine: AsyncEngine, store: PathProgressStore) -> None:
        await store.set_done(GUILD, ALICE, ROUTE, ["math", "mlops"])
        await store.set_done(GUILD, BOB, ROUTE, ["math"])
        await store.set_done(OTHER_GUILD, ALICE, ROUTE, ["math"])
        members = MembersStore(engine)
        held = await members.count(GUILD, ALICE)
        assert held == MemberDataCounts(0, 0, 0, 0, path_stages=2) and held.total == 2
        assert await members.delete_member(GUILD, ALICE) == MemberDataCounts(0, 0, 0, 0, 2)
        assert await store.done(GUILD, ALICE) == frozenset()
        assert await store.done(GUILD, BOB) == {"math"}
        assert await store.done(OTHER_GUILD, ALICE) == {"math"}

    _run(database_url, scenario)
