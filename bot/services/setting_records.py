"""Server settings as values: their names, limits and defaults, a channel, a change and its
history, and the error a refused change raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

SettingName = Literal[
    "enabled_channels",
    "thread_channels",
    "forum_channels",
    "solved_tag",
    "review_channel",
    "cooldown_seconds",
    "language",
    "moderator_role_ids",
    "reply_when_unsure",
]


SETTING_NAMES: tuple[SettingName, ...] = get_args(SettingName)


ListSettingName = Literal[
    "enabled_channels", "thread_channels", "forum_channels", "moderator_role_ids"
]


LIST_SETTINGS: tuple[ListSettingName, ...] = get_args(ListSettingName)


ChannelKind = Literal["enabled", "thread", "forum"]


CHANNEL_LISTS: dict[ChannelKind, ListSettingName] = {
    "enabled": "enabled_channels",
    "thread": "thread_channels",
    "forum": "forum_channels",
}


# Which kinds of channel each channel setting may name (Discord's channel type names). Mentions
# are answered in text and announcement channels and in the posts of a forum; the bot opens a
# thread from a message only in text or announcement channels; a help forum is a forum; the
# review channel gets messages with buttons, which a forum cannot take.
_TEXT = frozenset({"text", "news"})


ALLOWED_CHANNEL_TYPES: dict[str, frozenset[str]] = {
    "enabled_channels": _TEXT | {"forum"},
    "thread_channels": _TEXT,
    "forum_channels": frozenset({"forum"}),
    "review_channel": _TEXT,
}


# A list longer than this is a mistake rather than a configuration (and /settings show must fit
# it in one embed field).
MAX_LIST_ITEMS = 25


# Longer than an hour between two questions would look like a broken bot to members.
MAX_COOLDOWN_SECONDS = 3600


# Discord's limit for a forum tag's name.
MAX_TAG_CHARS = 20


class SettingError(Exception):
    """A change the service refuses. `key` names the message (`settings.error.<key>` in
    `bot.i18n`) and `values` fill it: `setting` a setting name, `channel_id`/`role_id` ids."""

    def __init__(self, key: str, **values: Any):
        super().__init__(f"{key}: {values}")
        self.key = key
        self.values = values


class Default:
    """The configured (YAML) value of a setting, in the audit trail: never changed from
    Discord, or reset."""

    _instance: Default | None = None

    def __new__(cls) -> Default:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT = Default()


@dataclass(frozen=True)
class Channel:
    """A channel named in a setting: its id and Discord channel type ("text", "forum", …),
    so the service can tell whether it fits the setting."""

    id: int
    type: str


@dataclass(frozen=True)
class SettingChange:
    """The outcome of a change: the values that applied before and after. `changed` is False
    when the setting already had that value (then nothing was stored or audited)."""

    guild_id: int
    name: SettingName
    old: Any
    new: Any
    changed: bool


@dataclass(frozen=True)
class SettingEvent:
    """One entry of a server's audit trail: who set what, when, from what to what (`DEFAULT`
    where the setting had, or went back to, its configured value)."""

    guild_id: int
    name: str
    old: Any
    new: Any
    actor_id: int | None
    at: datetime


@dataclass(frozen=True)
class SettingHistory:
    """A page of the audit trail, newest first, and how many events the server has."""

    events: list[SettingEvent]
    total: int
