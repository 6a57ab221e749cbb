"""The server-settings service over a real (SQLite) store: YAML defaults overlaid with the
changes made from Discord, validation, the audit trail, and what survives a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.config import DiscordSettings, GuildSettings, Settings
from bot.db.database import Database
from bot.db.settings_store import SettingsStore
from bot.services.setting_records import DEFAULT, MAX_LIST_ITEMS, Channel, SettingError
from bot.services.settings import ServerSettings, any_forum_channels_configured

GUILD = 123456789012345678
CONFIGURED_GUILD = 223456789012345678
MANAGER = 323456789012345678
TEXT = Channel(423456789012345678, "text")
NEWS = Channel(423456789012345679, "news")
FORUM = Channel(523456789012345678, "forum")
VOICE = Channel(623456789012345678, "voice")
ROLE = 723456789012345678


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        discord=DiscordSettings(
            default_guild=GuildSettings(cooldown_seconds=10, solved_tag="Solved"),
            guilds={
                CONFIGURED_GUILD: GuildSettings(cooldown_seconds=3, enabled_channels=[TEXT.id])
            },
        ),
    )


def _run(
    tmp_path: Path, scenario: Callable[[ServerSettings, SettingsStore], Awaitable[None]]
) -> None:
    """`scenario` with a loaded service (a fresh one per call: a restart)."""

    async def main() -> None:
        settings = _settings(tmp_path)
        database = await Database.open(settings.resolved_database_url)
        try:
            store = SettingsStore(database.engine)
            service = ServerSettings(settings)
            await service.load(store)
            await scenario(service, store)
        finally:
            await database.close()

    asyncio.run(main())


def test_a_change_applies_at_once_over_the_yaml_and_survives_a_restart(tmp_path):
    async def first(service: ServerSettings, store: SettingsStore) -> None:
        assert service.for_guild(GUILD).cooldown_seconds == 10  # default_guild
        change = await service.change(GUILD, "cooldown_seconds", 30, MANAGER)
        assert (change.old, change.new, change.changed) == (10, 30, True)
        assert service.for_guild(GUILD).cooldown_seconds == 30
        assert service.changed_names(GUILD) == {"cooldown_seconds"}
        # the other fields keep the YAML value; other servers are untouched
        assert service.for_guild(GUILD).solved_tag == "Solved"
        assert service.for_guild(CONFIGURED_GUILD).cooldown_seconds == 3
        assert service.for_guild(None).cooldown_seconds == 10
        await service.add(CONFIGURED_GUILD, "enabled_channels", NEWS, MANAGER)
        assert service.for_guild(CONFIGURED_GUILD).enabled_channels == [TEXT.id, NEWS.id]
        await service.change(GUILD, "language", "zh", MANAGER)
        await service.change(GUILD, "solved_tag", "  已解决 ", MANAGER)

    async def after_restart(service: ServerSettings, store: SettingsStore) -> None:
        guild = service.for_guild(GUILD)
        assert (guild.cooldown_seconds, guild.language, guild.solved_tag) == (30, "zh", "已解决")
        assert service.for_guild(CONFIGURED_GUILD).enabled_channels == [TEXT.id, NEWS.id]
        assert service.for_guild(CONFIGURED_GUILD).cooldown_seconds == 3

    _run(tmp_path, first)
    _run(tmp_path, after_restart)


def test_every_setting_can_be_set_and_reset(tmp_path):
    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        values = {
            "enabled_channels": [TEXT, FORUM],
            "thread_channels": [NEWS],
            "forum_channels": [FORUM],
            "solved_tag": "Done",
            "review_channel": TEXT,
            "cooldown_seconds": 0,
            "language": "en",
            "moderator_role_ids": [ROLE],
            "reply_when_unsure": True,
        }
        for name, value in values.items():
            assert (await service.change(GUILD, name, value, MANAGER)).changed, name
        guild = service.for_guild(GUILD)
        assert guild.enabled_channels == [TEXT.id, FORUM.id] and guild.thread_channels == [NEWS.id]
        assert guild.forum_channels == [FORUM.id] and guild.review_channel == TEXT.id
        assert guild.moderator_role_ids == [ROLE] and guild.reply_when_unsure is True
        assert guild.cooldown_seconds == 0 and guild.language == "en"
        for name in values:
            assert (await service.reset(GUILD, name, MANAGER)).changed, name
        assert service.for_guild(GUILD) == _settings(tmp_path).discord.default_guild
        assert service.changed_names(GUILD) == frozenset()
        assert (await store.all()) == []

    _run(tmp_path, scenario)


def test_a_setting_can_be_set_back_to_none_over_a_yaml_value(tmp_path):
    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        await service.change(GUILD, "language", "zh", MANAGER)
        change = await service.change(GUILD, "language", None, MANAGER)
        assert (change.old, change.new) == ("zh", None)
        assert service.changed_names(GUILD) == {"language"}  # auto, stored: not the default
        await service.change(GUILD, "review_channel", TEXT, MANAGER)
        await service.change(GUILD, "review_channel", None, MANAGER)
        assert service.for_guild(GUILD).review_channel is None

    _run(tmp_path, scenario)


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        ("cooldown_seconds", -1, "cooldown"),
        ("cooldown_seconds", 3601, "cooldown"),
        ("cooldown_seconds", True, "cooldown"),
        ("cooldown_seconds", "5", "cooldown"),
        ("solved_tag", "   ", "solved_tag"),
        ("solved_tag", "x" * 21, "solved_tag"),
        ("language", "fr", "language"),
        ("reply_when_unsure", "yes", "invalid"),
        ("review_channel", FORUM, "channel_not_text"),
        ("review_channel", 42, "invalid"),
        ("forum_channels", [TEXT], "channel_not_forum"),
        ("thread_channels", [FORUM], "channel_not_text"),
        ("enabled_channels", [VOICE], "channel_not_text"),
        ("enabled_channels", TEXT, "invalid"),
        ("moderator_role_ids", [GUILD], "everyone_role"),
        ("colour", "blue", "unknown"),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_stored(tmp_path, name, value, key):
    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        before = service.for_guild(GUILD)
        with pytest.raises(SettingError) as refused:
            await service.change(GUILD, name, value, MANAGER)
        assert refused.value.key == key
        assert service.for_guild(GUILD) == before
        assert await store.all() == [] and (await store.events(GUILD))[1] == 0

    _run(tmp_path, scenario)


def test_list_items_are_added_once_removed_and_bounded(tmp_path):
    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        added = await service.add(GUILD, "forum_channels", FORUM, MANAGER)
        assert (added.old, added.new, added.changed) == ([], [FORUM.id], True)
        again = await service.add(GUILD, "forum_channels", FORUM, MANAGER)
        assert not again.changed and again.new == [FORUM.id]
        missing = await service.remove(GUILD, "forum_channels", TEXT.id, MANAGER)
        assert not missing.changed
        removed = await service.remove(GUILD, "forum_channels", FORUM.id, MANAGER)
        assert (removed.old, removed.new) == ([FORUM.id], [])
        assert (await store.events(GUILD))[1] == 2  # the no-ops left no trace

        with pytest.raises(SettingError) as refused:
            await service.add(GUILD, "forum_channels", TEXT, MANAGER)
        assert refused.value.key == "channel_not_forum"
        assert refused.value.values == {"setting": "forum_channels", "channel_id": TEXT.id}
        with pytest.raises(SettingError) as refused:
            await service.add(GUILD, "solved_tag", TEXT, MANAGER)
        assert refused.value.key == "not_a_list"
        with pytest.raises(SettingError) as refused:
            await service.add(GUILD, "moderator_role_ids", GUILD, MANAGER)
        assert refused.value.key == "everyone_role"

        for offset in range(MAX_LIST_ITEMS):
            await service.add(GUILD, "moderator_role_ids", ROLE + offset, MANAGER)
        with pytest.raises(SettingError) as refused:
            await service.add(GUILD, "moderator_role_ids", ROLE + MAX_LIST_ITEMS, MANAGER)
        assert refused.value.key == "too_many"
        assert len(service.for_guild(GUILD).moderator_role_ids) == MAX_LIST_ITEMS

    _run(tmp_path, scenario)


def test_concurrent_additions_are_all_kept(tmp_path):
    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        roles = [ROLE + offset for offset in range(6)]
        await asyncio.gather(
            *(service.add(GUILD, "moderator_role_ids", role, MANAGER) for role in roles)
        )
        assert sorted(service.for_guild(GUILD).moderator_role_ids) == roles
        assert (await store.events(GUILD))[1] == len(roles)

    _run(tmp_path, scenario)


def test_the_same_value_again_changes_nothing(tmp_path):
    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        same = await service.change(GUILD, "cooldown_seconds", 10, MANAGER)  # the YAML value
        assert not same.changed and service.changed_names(GUILD) == frozenset()
        nothing = await service.reset(GUILD, "cooldown_seconds", MANAGER)
        assert not nothing.changed and nothing.new == 10
        assert (await store.events(GUILD))[1] == 0

    _run(tmp_path, scenario)


def test_history_says_who_changed_what_from_what_to_what(tmp_path):
    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        await service.change(GUILD, "cooldown_seconds", 5, MANAGER)
        await service.change(GUILD, "cooldown_seconds", 20, MANAGER + 1)
        await service.reset(GUILD, "cooldown_seconds", MANAGER)
        await service.change(GUILD, "language", "zh", MANAGER)
        history = await service.history(GUILD, limit=3)
        assert history.total == 4 and len(history.events) == 3
        newest, reset, changed = history.events
        assert (newest.name, newest.old, newest.new) == ("language", DEFAULT, "zh")
        assert (reset.old, reset.new, reset.actor_id) == (20.0, DEFAULT, MANAGER)
        assert (changed.old, changed.new, changed.actor_id) == (5.0, 20.0, MANAGER + 1)
        assert changed.at.tzinfo is not None and newest.at >= changed.at
        assert (await service.history(CONFIGURED_GUILD)).total == 0

    _run(tmp_path, scenario)


def test_a_failed_write_leaves_the_served_settings_alone(tmp_path, monkeypatch):
    async def broken(*args: object) -> None:
        raise OSError("disk full")

    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        monkeypatch.setattr(store, "put", broken)
        with pytest.raises(OSError):
            await service.change(GUILD, "cooldown_seconds", 30, MANAGER)
        assert service.for_guild(GUILD).cooldown_seconds == 10

    _run(tmp_path, scenario)


def test_stored_values_the_schema_no_longer_accepts_are_skipped_at_load(tmp_path, caplog):
    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        await store.put(GUILD, "solved_tag", '"' + "x" * 40 + '"', MANAGER)
        await store.put(GUILD, "colour", '"blue"', MANAGER)
        await store.put(GUILD, "cooldown_seconds", "not json", MANAGER)
        await store.put(GUILD, "language", '"en"', MANAGER)
        assert await service.load(store) == 1
        assert service.for_guild(GUILD).language == "en"
        assert service.for_guild(GUILD).solved_tag == "Solved"
        assert len([r for r in caplog.records if "ignoring stored setting" in r.message]) == 3

    _run(tmp_path, scenario)


def test_forum_channels_from_discord_count_before_the_client_exists(tmp_path):
    settings = _settings(tmp_path)
    assert not asyncio.run(any_forum_channels_configured(settings))

    async def scenario(service: ServerSettings, store: SettingsStore) -> None:
        assert not service.any_forum_channels()
        await service.add(GUILD, "forum_channels", FORUM, MANAGER)
        assert service.any_forum_channels()

    _run(tmp_path, scenario)
    assert asyncio.run(any_forum_channels_configured(settings))
    configured = Settings(
        data_dir=tmp_path / "elsewhere",
        discord=DiscordSettings(guilds={GUILD: GuildSettings(forum_channels=[FORUM.id])}),
    )
    assert ServerSettings(configured).any_forum_channels()
    assert asyncio.run(any_forum_channels_configured(configured))


def test_changes_before_load_are_a_programming_error(tmp_path):
    service = ServerSettings(_settings(tmp_path))
    assert service.for_guild(GUILD).cooldown_seconds == 10
    with pytest.raises(RuntimeError):
        asyncio.run(service.change(GUILD, "cooldown_seconds", 1, MANAGER))
