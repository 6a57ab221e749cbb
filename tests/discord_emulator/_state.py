"""The state every part of the emulator shares, the records it keeps, and its errors.

`EmulatorState` holds the fake Discord: ids, the guild's users, roles, channels and threads,
messages, interactions, the recorded traffic and the gateway session. Each concern
(`_gateway`, `_http`, `_messages`, `_threads`, `_interactions`, ...) is a mixin over it, and
`DiscordEmulator` (emulator.py) composes them, so all of them read and write this one store.
A mixin calls into another concern through `self` (e.g. a REST handler calls `dispatch`);
such calls resolve on the composed class.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from discord_emulator._constants import DISCORD_EPOCH_MS

if TYPE_CHECKING:
    from aiohttp import web
    from discord_emulator._gateway import _GatewayConnection
    from discord_emulator._http import _Fault


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


def _iso_from_ms(unix_ms: int) -> str:
    return datetime.fromtimestamp(unix_ms / 1000, UTC).isoformat()


def _parse_time(value: str) -> datetime:
    if "T" in value:
        # an unescaped "+" in a query string ("...+00:00") arrives as a space
        value = value.replace(" ", "+")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class RecordedRequest:
    """One REST request the emulator received.

    `path` is relative to the API base (no `/api/v10` prefix) and `json` is the parsed JSON body
    or, for multipart requests, the parsed `payload_json` part. `injected_status` is set when
    `fail_next` made the emulator answer this attempt with an error instead of handling it.
    """

    method: str
    path: str
    query: dict[str, str]
    json: Any
    time: float
    headers: dict[str, str] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    injected_status: int | None = None
    status: int | None = None
    response: Any = None

    def matches(self, method: str, path_regex: str) -> bool:
        """Whether this request has `method` (case-insensitive) and its path fully matches."""
        return (
            self.method.upper() == method.upper()
            and re.fullmatch(path_regex, self.path) is not None
        )


class _ApiError(Exception):
    """A Discord-style JSON error response raised from a route handler."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


def _invalid_form(errors: dict[str, tuple[str, str]]) -> _ApiError:
    """A 400 50035 "Invalid Form Body" in Discord's nested shape.

    `errors` maps a dotted field path ("embeds.0.title") to (error code, message); Discord
    nests them as {"embeds": {"0": {"title": {"_errors": [{"code", "message"}]}}}}, which
    discord.py flattens back to "In embeds.0.title: ...".
    """
    nested: dict[str, Any] = {}
    for path, (code, message) in errors.items():
        node = nested
        for part in path.split(".") if path else []:  # "" is the body itself
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return _ApiError(400, 50035, "Invalid Form Body", nested)


def _missing_permissions() -> _ApiError:
    return _ApiError(403, 50013, "Missing Permissions")


class EmulatorState:
    """The store shared by every part of the emulator; use it as `DiscordEmulator`."""

    # the fake guild, built at the end of __init__ by `_build_world` (_guild.py)
    application_id: int
    bot_user: dict[str, Any]
    guild_id: int
    owner_user: dict[str, Any]
    approximate_guild_count: int
    bot_role_id: int
    admin_role_id: int
    roles: list[dict[str, Any]]
    users: dict[int, dict[str, Any]]
    _member_roles: dict[int, list[int]]
    _member_joined: dict[int, str]
    member_user: dict[str, Any]
    channels: dict[int, dict[str, Any]]
    channel_ids: dict[str, int]
    thread_id: int

    def __init__(
        self,
        heartbeat_interval_ms: int = 41250,
        *,
        token: str | None = None,
        echo_bot_messages: bool = False,
        enforce_message_content_intent: bool = True,
        attachment_size_limit: int = 10 * 1024 * 1024,
        message_content_intent_enabled: bool = True,
    ) -> None:
        """Build the fake guild; nothing listens until `start()`.

        `echo_bot_messages` makes messages the bot posts through REST come back as
        MESSAGE_CREATE dispatches, as real Discord does (off by default to keep event logs small).
        With `enforce_message_content_intent`, message dispatches lose their content, embeds,
        attachments and components unless the client identified with the MESSAGE_CONTENT
        intent, the message mentions the bot, is the bot's own, or is a DM (Discord's rules).
        `message_content_intent_enabled` is the Developer Portal switch: when False, identifying
        with MESSAGE_CONTENT is closed with 4014 (Disallowed intents) and REST reads of messages
        are emptied by the same rules, as Discord does for apps without the intent.
        """
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.token = token or f"emu.{secrets.token_urlsafe(24)}"
        self.echo_bot_messages = echo_bot_messages
        self.enforce_message_content_intent = enforce_message_content_intent
        self.attachment_size_limit = attachment_size_limit
        self.message_content_intent_enabled = message_content_intent_enabled

        self._last_snowflake = 0

        # recorded traffic
        self.requests: list[RecordedRequest] = []
        self.unknown_requests: list[RecordedRequest] = []
        self.gateway_events_sent: list[dict[str, Any]] = []
        self.gateway_ops_received: list[dict[str, Any]] = []
        self.gateway_connections: list[dict[str, str]] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats_received = 0

        # REST-side state
        self.messages: dict[int, dict[str, Any]] = {}
        self.deleted_message_ids: list[int] = []
        self.pins: dict[int, list[int]] = {}
        self.reactions: list[dict[str, Any]] = []
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, dict[str, Any]] = {}
        self.modals: list[dict[str, Any]] = []
        self.autocomplete_results: list[dict[str, Any]] = []
        # every message known to the fake Discord, including ones users "sent"
        self._all_messages: dict[int, dict[str, Any]] = {}
        self._interactions_by_token: dict[str, dict[str, Any]] = {}
        self._consumed: set[int] = set()
        self._faults: list[_Fault] = []
        self._waiters: list[asyncio.Future[None]] = []
        # forum starters a member is still "uploading": the thread exists, its message not yet
        self._pending_starters: dict[int, dict[str, Any]] = {}
        # attachment id -> bytes, served at /attachments/... so Attachment.read() works
        self._attachment_data: dict[int, bytes] = {}
        # thread id -> {member's user id: join timestamp} (member_count; has the bot joined?)
        self._thread_members: dict[int, dict[int, str]] = {}
        self._past_ids: set[int] = set()

        # gateway state
        self._conn: _GatewayConnection | None = None
        self._gateway_open: asyncio.Event | None = None
        self._session_id: str | None = None
        self._seq = 0
        self._log: list[dict[str, Any]] = []
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self._sent_seq = 0
        self._ready_sent = 0

        self._runner: web.AppRunner | None = None
        self.port: int | None = None

        self._build_world()

    def _snowflake(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = ms << 22
        # several ids per millisecond must still be unique and increasing
        if value <= self._last_snowflake:
            value = self._last_snowflake + 1
        self._last_snowflake = value
        return value

    def _snowflake_at(self, unix_ms: int) -> int:
        """A unique id whose embedded time is `unix_ms` (for history seeded in the past)."""
        value = (unix_ms - DISCORD_EPOCH_MS) << 22
        while value in self._past_ids or value in self.channels or value in self._all_messages:
            value += 1
        self._past_ids.add(value)
        return value

    def _channel_id(self, channel: str | int | dict[str, Any]) -> int:
        if isinstance(channel, dict):
            return int(channel["id"])
        return self._resolve_channel(channel)

    def _resolve_channel(self, channel: str | int) -> int:
        if isinstance(channel, int):
            return channel
        if channel in self.channel_ids:
            return self.channel_ids[channel]
        if channel == "thread":
            return self.thread_id
        if channel.isdigit():
            return int(channel)
        raise KeyError(f"unknown channel {channel!r}; known: {sorted(self.channel_ids)}")

    def _channel(self, channel_id: str | int) -> dict[str, Any]:
        channel = self.channels.get(int(channel_id))
        if channel is None:
            raise _ApiError(404, 10003, "Unknown Channel")
        return channel

    def _message_or_404(self, message_id: str | int) -> dict[str, Any]:
        msg = self._all_messages.get(int(message_id))
        if msg is None:
            raise _ApiError(404, 10008, "Unknown Message")
        return msg
