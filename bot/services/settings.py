"""Each server's settings as the bot applies them: the YAML values (`discord.default_guild`,
`discord.guilds.<id>`) overlaid with what the server's managers changed from Discord.

A service: the Discord `/settings` extension (and any other front end) calls it; the database
stores the changes and their audit trail (`bot.db.settings_store`). Reading is synchronous and
cheap (a dict lookup of a ready `GuildSettings`), so every message handler can ask for the
current values; a change takes effect at once, for every handler, after it is committed.
`GuildSettings` is the schema: a value it refuses is refused here too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from pydantic import ValidationError

from bot.config import GuildSettings, Settings
from bot.db.database import Database
from bot.db.settings_store import SettingsStore, StoredSettingEvent
from bot.services.setting_records import (
    ALLOWED_CHANNEL_TYPES,
    DEFAULT,
    LIST_SETTINGS,
    MAX_COOLDOWN_SECONDS,
    MAX_LIST_ITEMS,
    MAX_TAG_CHARS,
    SETTING_NAMES,
    Channel,
    ListSettingName,
    SettingChange,
    SettingError,
    SettingEvent,
    SettingHistory,
    SettingName,
)

log = logging.getLogger(__name__)


def _decode(value: str | None) -> Any:
    return DEFAULT if value is None else json.loads(value)


def _event(stored: StoredSettingEvent) -> SettingEvent:
    return SettingEvent(
        guild_id=stored.guild_id,
        name=stored.name,
        old=_decode(stored.old),
        new=_decode(stored.new),
        actor_id=stored.actor_id,
        at=stored.at,
    )


def _check_name(name: str) -> SettingName:
    if name not in SETTING_NAMES:
        raise SettingError("unknown", name=name)
    return name  # type: ignore[return-value]


def _check_list_name(name: str) -> ListSettingName:
    if name not in LIST_SETTINGS:
        raise SettingError("not_a_list", setting=_check_name(name))
    return name  # type: ignore[return-value]


def _check_channel(name: str, channel: Channel) -> int:
    allowed = ALLOWED_CHANNEL_TYPES.get(name)
    if allowed is not None and channel.type not in allowed:
        kind = "forum" if allowed == {"forum"} else "text"
        raise SettingError(f"channel_not_{kind}", setting=name, channel_id=channel.id)
    return channel.id


class ServerSettings:
    """The effective `GuildSettings` of every server, and the changes made from Discord."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._store: SettingsStore | None = None
        # guild id -> the settings changed from Discord (decoded JSON), and the GuildSettings
        # they give over the YAML values, ready for `for_guild`
        self._overrides: dict[int, dict[str, Any]] = {}
        self._effective: dict[int, GuildSettings] = {}
        # one change at a time: a change reads the current value (e.g. a list to add to) and
        # writes the next one; two interleaved would lose one of them
        self._changing = asyncio.Lock()

    # --- reading (synchronous, cheap) -----------------------------------------------------

    def for_guild(self, guild_id: int | None) -> GuildSettings:
        """The settings that apply in `guild_id` now (the YAML defaults for a DM)."""
        effective = self._effective.get(guild_id or 0)
        return effective if effective is not None else self.settings.discord.guild(guild_id)

    def changed_names(self, guild_id: int) -> frozenset[str]:
        """The settings of `guild_id` changed from Discord (the others have the YAML value)."""
        return frozenset(self._overrides.get(guild_id, {}))

    def any_forum_channels(self) -> bool:
        """Whether some server has a help forum configured, in the YAML or from Discord (then
        the bot needs the privileged Message Content intent to read new posts)."""
        discord_settings = self.settings.discord
        guilds = [
            discord_settings.default_guild,
            *discord_settings.guilds.values(),
            *self._effective.values(),
        ]
        return any(guild.forum_channels for guild in guilds)

    # --- loading --------------------------------------------------------------------------

    async def load(self, store: SettingsStore) -> int:
        """Read every stored setting into memory (once, at start-up) and keep `store` for
        changes; returns how many settings were loaded.

        A stored value the current schema refuses (the YAML or the code changed since) is
        skipped with a warning: the server gets the configured value, the bot still starts.
        """
        overrides: dict[int, dict[str, Any]] = {}
        for stored in await store.all():
            try:
                name = _check_name(stored.name)
                value = json.loads(stored.value)
                self._validated(stored.guild_id, {name: value})
            except (SettingError, ValueError):
                log.warning(
                    "ignoring stored setting %s of guild %d: not valid any more",
                    stored.name,
                    stored.guild_id,
                )
                continue
            overrides.setdefault(stored.guild_id, {})[name] = value
        self._store = store
        self._overrides = overrides
        self._effective = {
            guild_id: self._validated(guild_id, values) for guild_id, values in overrides.items()
        }
        return sum(len(values) for values in overrides.values())

    def _base(self, guild_id: int) -> GuildSettings:
        """The YAML settings of the server (its own entry, else `default_guild`)."""
        return self.settings.discord.guild(guild_id)

    def _validated(self, guild_id: int, overrides: dict[str, Any]) -> GuildSettings:
        """The YAML values with `overrides`, checked by the schema (ValueError if refused)."""
        return GuildSettings.model_validate({**self._base(guild_id).model_dump(), **overrides})

    def _require_store(self) -> SettingsStore:
        if self._store is None:
            raise RuntimeError("ServerSettings.load() has not run")
        return self._store

    # --- changing -------------------------------------------------------------------------

    async def change(
        self, guild_id: int, name: str, value: Any, actor_id: int | None
    ) -> SettingChange:
        """Give setting `name` of `guild_id` a new value; SettingError when it is not valid.

        Values: channel settings take `Channel`s (lists of them for the channel lists, one or
        None for `review_channel`), `moderator_role_ids` role ids, `language` "zh", "en" or
        None (the question's own language), `cooldown_seconds` seconds, `solved_tag` a tag
        name, `reply_when_unsure` a bool.
        """
        checked = _check_name(name)
        async with self._changing:
            return await self._set(
                guild_id, checked, self._normalised(guild_id, checked, value), actor_id
            )

    async def add(
        self, guild_id: int, name: str, item: Channel | int, actor_id: int | None
    ) -> SettingChange:
        """Add a channel or role to a list setting (nothing changes if it is there already)."""
        checked = _check_list_name(name)
        async with self._changing:
            current = list(getattr(self.for_guild(guild_id), checked))
            item_id = self._item(guild_id, checked, item)
            if item_id in current:
                return SettingChange(guild_id, checked, current, current, changed=False)
            if len(current) >= MAX_LIST_ITEMS:
                raise SettingError("too_many", setting=checked, limit=MAX_LIST_ITEMS)
            return await self._set(guild_id, checked, [*current, item_id], actor_id)

    async def remove(
        self, guild_id: int, name: str, item_id: int, actor_id: int | None
    ) -> SettingChange:
        """Remove a channel or role from a list setting (nothing changes if it is not there)."""
        checked = _check_list_name(name)
        async with self._changing:
            current = list(getattr(self.for_guild(guild_id), checked))
            if item_id not in current:
                return SettingChange(guild_id, checked, current, current, changed=False)
            return await self._set(
                guild_id, checked, [other for other in current if other != item_id], actor_id
            )

    async def reset(self, guild_id: int, name: str, actor_id: int | None) -> SettingChange:
        """Give setting `name` of `guild_id` its configured (YAML) value again."""
        checked = _check_name(name)
        async with self._changing:
            store = self._require_store()
            old = getattr(self.for_guild(guild_id), checked)
            event = await store.put(guild_id, checked, None, actor_id)
            if event is None:  # it had the configured value
                return SettingChange(guild_id, checked, old, old, changed=False)
            self._apply(guild_id, checked, DEFAULT)
            return SettingChange(
                guild_id, checked, old, getattr(self.for_guild(guild_id), checked), changed=True
            )

    async def history(self, guild_id: int, limit: int = 10, offset: int = 0) -> SettingHistory:
        """The server's changes, newest first: `limit` of them from `offset`."""
        events, total = await self._require_store().events(guild_id, limit, offset)
        return SettingHistory([_event(event) for event in events], total)

    def _item(self, guild_id: int, name: ListSettingName, item: Channel | int) -> int:
        """The id a list stores for `item`, checked: channels of the right kind, roles that
        are not @everyone."""
        if name == "moderator_role_ids":
            if isinstance(item, Channel):
                raise SettingError("invalid", setting=name, reason="expected a role")
            if item == guild_id:  # @everyone has the server's id
                raise SettingError("everyone_role")
            return item
        if not isinstance(item, Channel):
            raise SettingError("invalid", setting=name, reason="expected a channel")
        return _check_channel(name, item)

    def _normalised(self, guild_id: int, name: SettingName, value: Any) -> Any:
        """`value` as stored, after the checks with a specific message; the schema checks the
        rest in `_set`."""
        if name in LIST_SETTINGS:
            if not isinstance(value, list | tuple):
                raise SettingError("invalid", setting=name, reason="expected a list")
            items = list(dict.fromkeys(self._item(guild_id, name, item) for item in value))
            if len(items) > MAX_LIST_ITEMS:
                raise SettingError("too_many", setting=name, limit=MAX_LIST_ITEMS)
            return items
        if name == "review_channel":
            if value is None:
                return None
            if not isinstance(value, Channel):
                raise SettingError("invalid", setting=name, reason="expected a channel")
            return _check_channel(name, value)
        if name == "cooldown_seconds":
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= MAX_COOLDOWN_SECONDS
            ):
                raise SettingError("cooldown", limit=MAX_COOLDOWN_SECONDS)
            return float(value)
        if name == "solved_tag":
            tag = value.strip() if isinstance(value, str) else ""
            if not 1 <= len(tag) <= MAX_TAG_CHARS:
                raise SettingError("solved_tag", limit=MAX_TAG_CHARS)
            return tag
        if name == "language" and value not in ("zh", "en", None):
            raise SettingError("language")
        if name == "reply_when_unsure" and not isinstance(value, bool):
            raise SettingError("invalid", setting=name, reason="expected true or false")
        return value

    async def _set(
        self, guild_id: int, name: SettingName, value: Any, actor_id: int | None
    ) -> SettingChange:
        """Validate against the schema, store with its audit event, then update the cache."""
        old = getattr(self.for_guild(guild_id), name)
        try:
            self._validated(guild_id, {**self._overrides.get(guild_id, {}), name: value})
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"]
            raise SettingError("invalid", setting=name, reason=reason) from None
        if value == old:
            return SettingChange(guild_id, name, old, old, changed=False)
        store = self._require_store()
        await store.put(guild_id, name, json.dumps(value, ensure_ascii=False), actor_id)
        # committed: only now do the handlers see it
        self._apply(guild_id, name, value)
        return SettingChange(guild_id, name, old, getattr(self.for_guild(guild_id), name), True)

    def _apply(self, guild_id: int, name: str, value: Any) -> None:
        """Put a committed change into the cache (`DEFAULT`: back to the YAML value)."""
        overrides = dict(self._overrides.get(guild_id, {}))
        if value is DEFAULT:
            overrides.pop(name, None)
        else:
            overrides[name] = value
        if overrides:
            self._overrides[guild_id] = overrides
            self._effective[guild_id] = self._validated(guild_id, overrides)
        else:
            self._overrides.pop(guild_id, None)
            self._effective.pop(guild_id, None)


async def any_forum_channels_configured(settings: Settings) -> bool:
    """Whether some server has a help forum, in the YAML or set from Discord: for start-up
    code deciding the gateway intents before the client exists (they cannot change later)."""
    server_settings = ServerSettings(settings)
    if server_settings.any_forum_channels():
        return True
    database = await Database.open(settings.resolved_database_url)
    try:
        await server_settings.load(SettingsStore(database.engine))
    finally:
        await database.close()
    return server_settings.any_forum_channels()
