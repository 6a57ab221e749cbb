"""The server-settings store: stored values, resets, and an audit event for every change."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.db.database import Database
from bot.db.settings_store import SettingsStore

GUILD = 123456789012345678
OTHER_GUILD = 223456789012345678
MANAGER = 323456789012345678


def _run(url: str, scenario: Callable[[SettingsStore], Awaitable[None]]) -> None:
    async def main() -> None:
        database = await Database.open(url)
        try:
            await scenario(SettingsStore(database.engine))
        finally:
            await database.close()

    asyncio.run(main())


def test_put_stores_replaces_and_removes_with_an_event_each(database_url):
    async def scenario(store: SettingsStore) -> None:
        assert await store.all() == []
        first = await store.put(GUILD, "cooldown_seconds", "5.0", MANAGER)
        assert first is not None
        assert (first.old, first.new, first.actor_id) == (None, "5.0", MANAGER)
        second = await store.put(GUILD, "cooldown_seconds", "30.0", None)
        assert second is not None and (second.old, second.new) == ("5.0", "30.0")
        await store.put(OTHER_GUILD, "solved_tag", '"已解决"', MANAGER)

        stored = await store.all()
        assert [(s.guild_id, s.name, s.value) for s in stored] == [
            (GUILD, "cooldown_seconds", "30.0"),
            (OTHER_GUILD, "solved_tag", '"已解决"'),
        ]
        assert stored[0].updated_by is None and stored[0].updated_at.tzinfo is not None

        removed = await store.put(GUILD, "cooldown_seconds", None, MANAGER)
        assert removed is not None and (removed.old, removed.new) == ("30.0", None)
        assert [s.guild_id for s in await store.all()] == [OTHER_GUILD]

        events, total = await store.events(GUILD)
        assert total == 3
        assert [(e.old, e.new) for e in events] == [("30.0", None), ("5.0", "30.0"), (None, "5.0")]
        assert events[0].at >= events[-1].at

    _run(database_url, scenario)


def test_writing_the_stored_value_again_changes_and_audits_nothing(database_url):
    async def scenario(store: SettingsStore) -> None:
        await store.put(GUILD, "language", "null", MANAGER)
        assert await store.put(GUILD, "language", "null", MANAGER) is None
        assert await store.put(GUILD, "solved_tag", None, MANAGER) is None  # nothing to remove
        events, total = await store.events(GUILD)
        assert total == 1 and events[0].new == "null"  # JSON null is a value, not the default

    _run(database_url, scenario)


def test_events_are_paged_newest_first_per_guild(database_url):
    async def scenario(store: SettingsStore) -> None:
        for seconds in range(5):
            await store.put(GUILD, "cooldown_seconds", f"{seconds}.0", MANAGER)
        await store.put(OTHER_GUILD, "cooldown_seconds", "1.0", MANAGER)
        page, total = await store.events(GUILD, limit=2, offset=1)
        assert total == 5 and [e.new for e in page] == ["3.0", "2.0"]
        assert (await store.events(OTHER_GUILD))[1] == 1

    _run(database_url, scenario)


def test_concurrent_first_writes_of_one_setting_both_land(database_url):
    async def scenario(store: SettingsStore) -> None:
        await asyncio.gather(
            store.put(GUILD, "cooldown_seconds", "1.0", MANAGER),
            store.put(GUILD, "cooldown_seconds", "2.0", MANAGER),
        )
        stored = await store.all()
        events, total = await store.events(GUILD)
        assert len(stored) == 1 and stored[0].value in ("1.0", "2.0")
        assert total == 2 and events[0].new == stored[0].value

    _run(database_url, scenario)
