r"""An in-process emulator of the Discord REST API and gateway, served on loopback.

The real discord.py client talks to it once `discord.http.Route.BASE` and
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` point at `api_base_url` and `gateway_url`.
It keeps one guild with two text channels and one thread (add forums and posts with the
drivers below), records every REST request and
gateway op, and lets tests inject user activity (messages, slash commands, button clicks,
modal submits) and faults (HTTP errors, rate limits, dropped gateway connections).

    async with DiscordEmulator(heartbeat_interval_ms=300) as emu:
        with discord_endpoints(emu):
            client = discord.Client(intents=..., guild_ready_timeout=0.05)
            async with running_client(client, emu):
                payload = emu.send_slash_command("ask", {"question": "how?"})
                rec = await emu.wait_for_request(("POST", r"/interactions/\d+/[^/]+/callback"))

Behaviours worth knowing: the first followup after a deferred ("thinking") response fills in
that original message, as on Discord; a second interaction callback gets 400 (code 40060);
followups before any callback get 404 (Unknown Webhook); content over 2000 characters, more
than 10 embeds or oversized embeds get 400 (code 50035).

Forum channels (type 15) hold posts: public threads whose starter message has the thread's id
(`add_forum_channel`, `member_create_post`, `seed_forum_posts`). The bot's REST calls are
checked against its permissions in the channel, computed from roles and the channel's
permission overwrites as Discord documents it (threads inherit their parent's): e.g. no
SEND_MESSAGES_IN_THREADS means 403 (50013) on posting in a thread, no VIEW_CHANNEL 403
(50001). Editing a thread follows Discord's rules for owners and MANAGE_THREADS, validates
`applied_tags` against the forum's tags and refuses archived or locked threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import mimetypes
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from aiohttp import WSMsgType, web

__all__ = ["DiscordEmulator", "RecordedRequest"]

T = TypeVar("T")

DISCORD_EPOCH_MS = 1420070400000
API_VERSION = 10

# Permission bits, spelled out so the emulator does not depend on discord.py internals.
_P_ADMINISTRATOR = 1 << 3
_P_MANAGE_CHANNELS = 1 << 4
_P_ADD_REACTIONS = 1 << 6
_P_VIEW_CHANNEL = 1 << 10
_P_SEND_MESSAGES = 1 << 11
_P_MANAGE_MESSAGES = 1 << 13
_P_EMBED_LINKS = 1 << 14
_P_ATTACH_FILES = 1 << 15
_P_READ_MESSAGE_HISTORY = 1 << 16
_P_USE_EXTERNAL_EMOJIS = 1 << 18
_P_CHANGE_NICKNAME = 1 << 26
_P_USE_APPLICATION_COMMANDS = 1 << 31
_P_MANAGE_THREADS = 1 << 34
_P_CREATE_PUBLIC_THREADS = 1 << 35
_P_CREATE_PRIVATE_THREADS = 1 << 36
_P_SEND_MESSAGES_IN_THREADS = 1 << 38
_P_PIN_MESSAGES = 1 << 51
ALL_PERMISSIONS = (1 << 52) - 1
EVERYONE_PERMISSIONS = (
    _P_ADD_REACTIONS
    | _P_VIEW_CHANNEL
    | _P_SEND_MESSAGES
    | _P_EMBED_LINKS
    | _P_ATTACH_FILES
    | _P_READ_MESSAGE_HISTORY
    | _P_USE_EXTERNAL_EMOJIS
    | _P_CHANGE_NICKNAME
    | _P_USE_APPLICATION_COMMANDS
    | _P_CREATE_PUBLIC_THREADS
    | _P_SEND_MESSAGES_IN_THREADS
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | _P_MANAGE_MESSAGES | _P_MANAGE_THREADS | _P_PIN_MESSAGES

_INTENT_MESSAGE_CONTENT = 1 << 15

# Channel types (Discord API docs, "Channel Types").
_THREAD_TYPES = frozenset({10, 11, 12})
_FORUM_TYPES = frozenset({15, 16})  # forum and media: channels that only hold threads ("posts")
_GUILD_CHANNEL_TYPES = frozenset({0, 2, 4, 5, 13, 15, 16})
_CHANNEL_FLAG_PINNED = 1 << 1  # a post pinned to the top of its forum
_CHANNEL_FLAG_REQUIRE_TAG = 1 << 4  # posts in this forum must carry a tag
_AUTO_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
MAX_APPLIED_TAGS = 5  # "applied_tags ... limited to 5" (Modify Channel, thread params)
MAX_AVAILABLE_TAGS = 20  # "available_tags ... limited to 20"
# Content limits for what members type: 2000 characters, 4000 with Nitro. Apps get 2000.
MEMBER_CONTENT_LIMIT = 2000
NITRO_CONTENT_LIMIT = 4000
# What a member does with a message over their limit (see `member_create_post`).
Overlong = Literal["error", "file", "split", "allow"]

# Message flags the emulator sets itself.
_FLAG_EPHEMERAL = 1 << 6
_FLAG_LOADING = 1 << 7

# Gateway opcodes.
_OP_DISPATCH = 0
_OP_HEARTBEAT = 1
_OP_IDENTIFY = 2
_OP_RESUME = 6
_OP_RECONNECT = 7
_OP_REQUEST_MEMBERS = 8
_OP_INVALID_SESSION = 9
_OP_HELLO = 10
_OP_HEARTBEAT_ACK = 11

# Interaction callback types.
_CB_PONG = 1
_CB_MESSAGE = 4
_CB_DEFERRED_MESSAGE = 5
_CB_DEFERRED_UPDATE = 6
_CB_UPDATE_MESSAGE = 7
_CB_AUTOCOMPLETE = 8
_CB_MODAL = 9


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _json_response(payload: Any, status: int, headers: dict[str, str]) -> web.Response:
    # discord.py parses a body as JSON only if Content-Type is exactly "application/json"
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={**headers, "Content-Type": "application/json"},
    )


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


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float | None
    body: Any


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


class _GatewayConnection:
    """One accepted gateway websocket with its ordered outbound queue."""

    def __init__(self, ws: web.WebSocketResponse, query: dict[str, str]) -> None:
        self.ws = ws
        self.query = query
        self.outbound: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        # live dispatches go to a connection only once it has IDENTIFYed or RESUMEd
        self.in_session = False
        self.closed = asyncio.Event()
        self.writer: asyncio.Task[None] | None = None

    def send(self, payload: dict[str, Any]) -> None:
        self.outbound.put_nowait(payload)


RequestMatcher = Callable[[RecordedRequest], bool] | tuple[str, str]


class DiscordEmulator:
    """A fake Discord (REST + gateway) on 127.0.0.1 for driving a real discord.py client.

    Use as `async with DiscordEmulator() as emu:` or call `start()` / `stop()`.
    """

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

    # ------------------------------------------------------------------ world

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

    def _build_world(self) -> None:
        self.application_id = self._snowflake()
        self.bot_user: dict[str, Any] = {
            "id": str(self.application_id),
            "username": "careerbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "system": False,
            "flags": 0,
            "public_flags": 0,
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
            "premium_type": 0,
        }
        self.guild_id = self._snowflake()
        self.owner_user = self._user_payload(self._snowflake(), "guildowner", bot=False)
        # what GET /oauth2/applications/@me reports (a sharding decision may depend on it)
        self.approximate_guild_count = 1
        self.bot_role_id = self._snowflake()
        self.admin_role_id = self._snowflake()
        self.roles: list[dict[str, Any]] = [
            self._role(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0),
            self._role(self.admin_role_id, "Admin", ALL_PERMISSIONS, position=1),
            self._role(
                self.bot_role_id,
                "careerbot",
                BOT_PERMISSIONS,
                position=2,
                managed=True,
                tags={"bot_id": str(self.application_id)},
            ),
        ]
        self.users: dict[int, dict[str, Any]] = {}
        self._member_roles: dict[int, list[int]] = {}
        self._member_joined: dict[int, str] = {}
        self._register_user(self.bot_user, [self.bot_role_id])
        self._register_user(self.owner_user, [self.admin_role_id])
        self.member_user = self.make_user(name="alice")

        self.channels: dict[int, dict[str, Any]] = {}
        self.channel_ids: dict[str, int] = {}
        for position, name in enumerate(("general", "career-help")):
            self.add_text_channel(name, position=position)
        self.thread_id = self._snowflake()
        self._store_thread(
            self._thread_payload(
                self.thread_id,
                parent_id=self.channel_ids["career-help"],
                name="resume-review",
                owner_id=int(self.owner_user["id"]),
            )
        )

    def _role(
        self,
        role_id: int,
        name: str,
        permissions: int,
        *,
        position: int,
        managed: bool = False,
        tags: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        role: dict[str, Any] = {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }
        if tags is not None:
            role["tags"] = tags
        return role

    def _user_payload(self, user_id: int, name: str, *, bot: bool) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "username": name,
            "discriminator": "0",
            "global_name": name.title(),
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }

    def _register_user(self, user: dict[str, Any], roles: list[int]) -> None:
        uid = int(user["id"])
        self.users[uid] = user
        self._member_roles[uid] = roles
        self._member_joined[uid] = _now_iso()

    def make_user(
        self, id: int | None = None, name: str = "user", bot: bool = False, *, admin: bool = False
    ) -> dict[str, Any]:
        """Create a guild member and return its user object.

        `admin=True` gives the member the Admin role (all permissions). Members created before
        the client connects appear in GUILD_CREATE; later ones are only known to interactions
        and messages that carry them.
        """
        user = self._user_payload(id or self._snowflake(), name, bot=bot)
        self._register_user(user, [self.admin_role_id] if admin else [])
        return user

    def add_text_channel(self, name: str, *, position: int | None = None) -> int:
        """Add a text channel (type 0); dispatches CHANNEL_CREATE if a session is live."""
        cid = self._snowflake()
        channel = {
            "id": str(cid),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": len(self.channel_ids) if position is None else position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "default_auto_archive_duration": 1440,
            "flags": 0,
        }
        self.channels[cid] = channel
        self.channel_ids[name] = cid
        if self._session_id is not None:
            self.dispatch("CHANNEL_CREATE", copy.deepcopy(channel))
        return cid

    def add_forum_channel(
        self,
        name: str,
        tags: Iterable[str | dict[str, Any]] = ("Solved", "Question"),
        *,
        require_tag: bool = False,
        topic: str | None = None,
        position: int | None = None,
        default_auto_archive_duration: int = 1440,
        default_thread_rate_limit_per_user: int = 0,
    ) -> int:
        """Add a forum channel (type 15) and return its id; CHANNEL_CREATE if a session is live.

        Each tag is a name or a dict with `name` and optionally `moderated` (only members with
        MANAGE_THREADS may add or remove it), `emoji_name` (a unicode emoji) or `emoji_id`.
        Tags get ids like on Discord; look them up with `tag_id(forum, name)`.
        `require_tag` sets the REQUIRE_TAG flag: a post must carry at least one tag.
        """
        cid = self._snowflake()
        available = [self._forum_tag(tag) for tag in tags]
        if len(available) > MAX_AVAILABLE_TAGS:
            raise ValueError(f"a forum has at most {MAX_AVAILABLE_TAGS} tags")
        channel: dict[str, Any] = {
            "id": str(cid),
            "type": 15,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": len(self.channel_ids) if position is None else position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": topic,
            "nsfw": False,
            # on a forum, slowmode limits how often a member may open posts
            "rate_limit_per_user": 0,
            # on a forum, the id of the most recently created post
            "last_message_id": None,
            "default_auto_archive_duration": default_auto_archive_duration,
            "default_thread_rate_limit_per_user": default_thread_rate_limit_per_user,
            "flags": _CHANNEL_FLAG_REQUIRE_TAG if require_tag else 0,
            "available_tags": available,
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
        }
        self.channels[cid] = channel
        self.channel_ids[name] = cid
        if self._session_id is not None:
            self.dispatch("CHANNEL_CREATE", copy.deepcopy(channel))
        return cid

    def _forum_tag(self, tag: str | dict[str, Any]) -> dict[str, Any]:
        spec = {"name": tag} if isinstance(tag, str) else dict(tag)
        if not 0 < len(spec["name"]) <= 20:
            raise ValueError(f"tag names are 1-20 characters: {spec['name']!r}")
        emoji_id = spec.get("emoji_id")
        return {
            "id": str(spec.get("id") or self._snowflake()),
            "name": spec["name"],
            "moderated": bool(spec.get("moderated", False)),
            "emoji_id": str(emoji_id) if emoji_id else None,
            "emoji_name": spec.get("emoji_name"),
        }

    def _forum(self, forum: str | int | dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(self._channel_id(forum))
        if channel["type"] not in _FORUM_TYPES:
            raise ValueError(f"channel {channel['id']} is not a forum (type {channel['type']})")
        return channel

    def tag_id(self, forum: str | int | dict[str, Any], name: str) -> int:
        """The id of the tag called `name` in `forum` (a name, id or channel dict)."""
        for tag in self._forum(forum)["available_tags"]:
            if tag["name"] == name:
                return int(tag["id"])
        raise KeyError(f"forum {forum!r} has no tag {name!r}")

    def applied_tag_names(self, thread: int | dict[str, Any]) -> list[str]:
        """Names of the tags currently applied to a forum post, in the order applied."""
        channel = self._channel(self._channel_id(thread))
        parent = self._channel(channel["parent_id"])
        names = {t["id"]: t["name"] for t in parent.get("available_tags", [])}
        return [names.get(tid, tid) for tid in channel.get("applied_tags", [])]

    def _thread_payload(
        self,
        thread_id: int,
        *,
        parent_id: int,
        name: str,
        owner_id: int,
        thread_type: int = 11,
        created_ms: int | None = None,
    ) -> dict[str, Any]:
        now = _now_iso() if created_ms is None else _iso_from_ms(created_ms)
        parent = self.channels.get(parent_id) or {}
        thread: dict[str, Any] = {
            "id": str(thread_id),
            "type": thread_type,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(owner_id),
            "name": name,
            "last_message_id": None,
            # message_count leaves out a forum post's starter message (Discord docs)
            "message_count": 0,
            "member_count": 0,
            "total_message_sent": 0,
            "rate_limit_per_user": parent.get("default_thread_rate_limit_per_user", 0),
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": parent.get("default_auto_archive_duration", 1440),
                "archive_timestamp": now,
                "locked": False,
                "invitable": True,
                "create_timestamp": now,
            },
        }
        if parent.get("type") in _FORUM_TYPES:
            # discord.py's Thread._update resets applied_tags to [] when the key is missing
            thread["applied_tags"] = []
        return thread

    def _store_thread(self, thread: dict[str, Any]) -> dict[str, Any]:
        tid = int(thread["id"])
        self.channels[tid] = thread
        self._thread_members.setdefault(tid, {})
        self._add_thread_member(
            thread,
            int(thread["owner_id"]),
            notify=False,
            when=thread["thread_metadata"]["create_timestamp"],
        )
        return thread

    def _add_thread_member(
        self, thread: dict[str, Any], user_id: int, *, notify: bool = True, when: str | None = None
    ) -> bool:
        """Record `user_id` as a member of `thread`; True if it was not one already.

        The bot's own membership is also kept as the channel's `member` field (what GET
        /channels/{id} and GUILD_CREATE carry) and, with `notify`, announced with
        THREAD_MEMBERS_UPDATE, which Discord always sends when the current user is added.
        """
        tid = int(thread["id"])
        members = self._thread_members.setdefault(tid, {})
        if user_id in members:
            return False
        members[user_id] = when or _now_iso()
        # member_count "stops counting at 50"
        thread["member_count"] = min(50, len(members))
        if user_id == self.application_id:
            thread["member"] = self._thread_member_object(tid, user_id)
            if notify:
                self.dispatch(
                    "THREAD_MEMBERS_UPDATE",
                    {
                        "id": str(tid),
                        "guild_id": str(self.guild_id),
                        "member_count": thread["member_count"],
                        "added_members": [thread["member"]],
                        "removed_member_ids": [],
                    },
                )
        return True

    def _thread_member_object(self, thread_id: int, user_id: int) -> dict[str, Any]:
        return {
            "id": str(thread_id),
            "user_id": str(user_id),
            "join_timestamp": self._thread_members[thread_id][user_id],
            "flags": 0,
        }

    def _bot_is_member(self, thread: dict[str, Any]) -> bool:
        return self.application_id in self._thread_members.get(int(thread["id"]), {})

    def _member_payload(self, user: dict[str, Any], *, with_user: bool = True) -> dict[str, Any]:
        uid = int(user["id"])
        member: dict[str, Any] = {
            "roles": [str(r) for r in self._member_roles.get(uid, [])],
            "joined_at": self._member_joined.get(uid, _now_iso()),
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            member["user"] = user
        return member

    def permissions_for(self, user: dict[str, Any]) -> int:
        """Guild-level permissions of a member: @everyone plus its roles (Admin means all)."""
        uid = int(user["id"])
        if uid == int(self.owner_user["id"]):
            return ALL_PERMISSIONS
        perms = EVERYONE_PERMISSIONS
        for role in self.roles:
            if int(role["id"]) in self._member_roles.get(uid, []):
                perms |= int(role["permissions"])
        if perms & _P_ADMINISTRATOR:  # ADMINISTRATOR implies everything
            return ALL_PERMISSIONS
        return perms

    def channel_permissions(self, user: dict[str, Any], channel: str | int | dict[str, Any]) -> int:
        """A member's permissions in a channel, computed the way Discord documents it.

        Guild permissions, then the channel's overwrites: @everyone deny/allow, the member's
        roles' deny/allow, the member's own deny/allow. A thread uses its parent's overwrites
        (threads inherit permissions). Without VIEW_CHANNEL nothing else applies.
        """
        target = self._channel(self._channel_id(channel))
        if "guild_id" not in target:
            return ALL_PERMISSIONS  # DMs have no permission overwrites
        base = self.permissions_for(user)
        if base == ALL_PERMISSIONS:
            return ALL_PERMISSIONS
        if target["type"] in _THREAD_TYPES:
            target = self._channel(target["parent_id"])
        overwrites = {int(o["id"]): o for o in target.get("permission_overwrites") or []}
        perms = base
        everyone = overwrites.get(self.guild_id)
        if everyone is not None:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for role_id in self._member_roles.get(int(user["id"]), []):
            role_overwrite = overwrites.get(role_id)
            if role_overwrite is not None:
                allow |= int(role_overwrite["allow"])
                deny |= int(role_overwrite["deny"])
        perms = (perms & ~deny) | allow
        own = overwrites.get(int(user["id"]))
        if own is not None:
            perms = (perms & ~int(own["deny"])) | int(own["allow"])
        if not perms & _P_VIEW_CHANNEL:
            return 0
        return perms

    def set_permission_overwrite(
        self,
        channel: str | int | dict[str, Any],
        target: int | dict[str, Any] | None = None,
        *,
        allow: int = 0,
        deny: int = 0,
    ) -> None:
        """Set a permission overwrite on a channel (dispatches CHANNEL_UPDATE if live).

        `target` is a role id, a user (dict or id) or None for the bot's own member. Bits are
        Discord's, e.g. `discord.Permissions(send_messages_in_threads=True).value`. Put
        overwrites on a forum to restrict its posts: threads inherit their parent's. A thread
        itself has no overwrites, as on Discord.
        """
        cid = self._channel_id(channel)
        ch = self._channel(cid)
        if ch["type"] in _THREAD_TYPES:
            raise ValueError("threads have no permission overwrites; set them on the parent")
        if target is None:
            target_id = self.application_id
        else:
            target_id = int(target["id"]) if isinstance(target, dict) else int(target)
        is_role = any(int(r["id"]) == target_id for r in self.roles)
        kept = [o for o in ch["permission_overwrites"] if int(o["id"]) != target_id]
        if allow or deny:
            kept.append(
                {
                    "id": str(target_id),
                    "type": 0 if is_role else 1,
                    "allow": str(allow),
                    "deny": str(deny),
                }
            )
        ch["permission_overwrites"] = kept
        if self._session_id is not None:
            self.dispatch("CHANNEL_UPDATE", copy.deepcopy(ch))

    def _bot_needs(self, channel: dict[str, Any], needed: int) -> int:
        """Raise Discord's 403 unless the bot holds `needed` in `channel`; return its perms."""
        perms = self.channel_permissions(self.bot_user, channel)
        if not perms & _P_VIEW_CHANNEL:
            raise _ApiError(403, 50001, "Missing Access")
        if perms & needed != needed:
            raise _missing_permissions()
        return perms

    def _bot_can_view(self, thread: dict[str, Any]) -> bool:
        perms = self.channel_permissions(self.bot_user, thread)
        if not perms & _P_VIEW_CHANNEL:
            return False
        # private threads are seen by their members and by moderators only
        return (
            thread["type"] != 12 or self._bot_is_member(thread) or bool(perms & _P_MANAGE_THREADS)
        )

    def guild_payload(self) -> dict[str, Any]:
        """The full GUILD_CREATE payload for the fake guild."""
        text_channels = [c for c in self.channels.values() if c["type"] in _GUILD_CHANNEL_TYPES]
        # only active threads the bot can see; archived ones are not synced up front
        threads = [
            c
            for c in self.channels.values()
            if c["type"] in _THREAD_TYPES
            and not c["thread_metadata"]["archived"]
            and self._bot_can_view(c)
        ]
        members = [self._member_payload(u) for u in self.users.values()]
        return copy.deepcopy(
            {
                "id": str(self.guild_id),
                "name": "Career Lab",
                "icon": None,
                "splash": None,
                "discovery_splash": None,
                "banner": None,
                "description": None,
                "owner_id": self.owner_user["id"],
                "region": "us-west",
                "afk_channel_id": None,
                "afk_timeout": 300,
                "verification_level": 1,
                "default_message_notifications": 1,
                "explicit_content_filter": 0,
                "roles": self.roles,
                "emojis": [],
                "stickers": [],
                "features": [],
                "mfa_level": 0,
                "application_id": None,
                "system_channel_id": str(self.channel_ids["general"]),
                "system_channel_flags": 0,
                "rules_channel_id": None,
                "public_updates_channel_id": None,
                "safety_alerts_channel_id": None,
                "vanity_url_code": None,
                "premium_tier": 0,
                "premium_subscription_count": 0,
                "premium_progress_bar_enabled": False,
                "preferred_locale": "en-US",
                "nsfw_level": 0,
                "max_members": 500000,
                "max_video_channel_users": 25,
                "max_stage_video_channel_users": 50,
                "joined_at": self._member_joined[self.application_id],
                "large": False,
                "unavailable": False,
                "member_count": len(members),
                "voice_states": [],
                "members": members,
                "channels": text_channels,
                "threads": threads,
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "lazy": True,
            }
        )

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

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        if self.port is None:
            raise RuntimeError("emulator not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        """The value for `discord.http.Route.BASE`."""
        return f"{self.base_url}/api/v{API_VERSION}"

    @property
    def gateway_url(self) -> str:
        """The value for `DiscordWebSocket.DEFAULT_GATEWAY` (also sent as resume_gateway_url)."""
        if self.port is None:
            raise RuntimeError("emulator not started")
        return f"ws://127.0.0.1:{self.port}/"

    async def start(self) -> DiscordEmulator:
        """Bind a free port on 127.0.0.1 and start serving."""
        self._gateway_open = asyncio.Event()
        self._gateway_open.set()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._handle_gateway)
        app.router.add_route("*", r"/api/v{version:\d+}/{tail:.*}", self._handle_rest)
        app.router.add_get(
            r"/attachments/{channel:\d+}/{attachment:\d+}/{filename}", self._handle_attachment
        )
        app.router.add_route("*", "/{tail:.*}", self._handle_unrouted)
        # shutdown_timeout: stopping does not wait a minute for the open gateway connection
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Close the gateway connection (1001) and shut the server down."""
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001), 2.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for fut in self._waiters:
            if not fut.done():
                fut.cancel()

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------- waiting

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def _wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fut, remaining)

    async def wait_ready(self, timeout: float = 5.0) -> None:
        """Wait until a client has IDENTIFYed and READY + GUILD_CREATE were written to it.

        discord.py fires `on_ready` only after `guild_ready_timeout` (2 s by default) with no
        further GUILD_CREATE; pass `guild_ready_timeout=0.1` to the Client and use
        `client.wait_until_ready()` to wait for the client side.
        """
        await self._wait_until(lambda: self._ready_sent > 0, timeout, "READY")

    async def wait_for_request(
        self,
        match: RequestMatcher,
        timeout: float = 5.0,
        *,
        include_failed: bool = False,
    ) -> RecordedRequest:
        """Return the oldest recorded request that matches and no earlier call returned.

        `match` is a predicate or a `(method, path_regex)` tuple (regex fully matched against
        the path without the /api/v10 prefix, e.g. r"/channels/\\d+/messages"). Requests
        recorded before this call count, so there is no race between triggering an action and
        waiting for its request; each request is handed out at most once across calls.
        Attempts answered by `fail_next` are skipped unless `include_failed`.
        """
        if isinstance(match, tuple):
            method, regex = match

            def predicate(r: RecordedRequest) -> bool:
                return r.matches(method, regex)
        else:
            predicate = match

        def check() -> RecordedRequest | None:
            for index, rec in enumerate(self.requests):
                if index in self._consumed or rec.status is None:
                    continue
                if rec.injected_status is not None and not include_failed:
                    continue
                if predicate(rec):
                    self._consumed.add(index)
                    return rec
            return None

        try:
            return await self._wait_until(check, timeout, f"request {match!r}")
        except TimeoutError as exc:
            seen = ", ".join(f"{r.method} {r.path}" for r in self.requests[-15:])
            raise TimeoutError(f"{exc}; last requests: {seen or 'none'}") from None

    def find_requests(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """All recorded requests (failed attempts included) matching method and path regex."""
        return [r for r in self.requests if r.matches(method, path_regex)]

    async def wait_for_gateway_op(
        self, op: int, timeout: float = 5.0, *, count: int = 1
    ) -> dict[str, Any]:
        """Wait until the client has sent `count` payloads with opcode `op`; return the last."""

        def check() -> dict[str, Any] | None:
            seen = [p for p in self.gateway_ops_received if p.get("op") == op]
            return seen[count - 1] if len(seen) >= count else None

        return await self._wait_until(check, timeout, f"gateway op {op} x{count}")

    async def wait_for_dispatch_sent(
        self, event: str, timeout: float = 5.0, *, count: int = 1
    ) -> dict[str, Any]:
        """Wait until `count` dispatches named `event` were written to a socket; return the last."""

        def check() -> dict[str, Any] | None:
            seen = [p for p in self.gateway_events_sent if p.get("t") == event]
            return seen[count - 1] if len(seen) >= count else None

        return await self._wait_until(check, timeout, f"dispatch {event} x{count}")

    def last_message(self, channel: str | int | None = None) -> dict[str, Any] | None:
        """The most recent message the bot created via REST (optionally in one channel)."""
        cid = None if channel is None else self._resolve_channel(channel)
        for msg in reversed(self.messages.values()):
            if cid is None or int(msg["channel_id"]) == cid:
                return msg
        return None

    # ------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` matching requests with `status` instead of handling them.

        429s carry the body and headers discord.py retries on (`retry_after`, default 0.1 s;
        a `Via` header, without which discord.py assumes a Cloudflare ban). Note discord.py
        sleeps 1 s, 3 s, ... before retrying a 500/502/504.
        """
        self._faults.append(
            _Fault(method.upper(), re.compile(path_regex), status, times, retry_after, body)
        )

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method == method and fault.pattern.fullmatch(path):
                fault.remaining -= 1
                return fault
        return None

    def _fault_response(self, fault: _Fault) -> tuple[int, Any, dict[str, str]]:
        headers: dict[str, str] = {}
        if fault.status == 429:
            retry_after = 0.1 if fault.retry_after is None else fault.retry_after
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": False,
            }
            headers = {
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": "user",
                "X-RateLimit-Global": "false",
                "Via": "1.1 google",
            }
            return 429, body, headers
        body = fault.body or {"message": f"{fault.status}: Emulated failure", "code": 0}
        return fault.status, body, headers

    # ----------------------------------------------------------------- REST

    async def _handle_attachment(self, request: web.Request) -> web.StreamResponse:
        """The bytes of an uploaded attachment, standing in for cdn.discordapp.com."""
        data = self._attachment_data.get(int(request.match_info["attachment"]))
        if data is None:
            return web.Response(status=404, text="Not Found")
        content_type = mimetypes.guess_type(request.match_info["filename"])[0]
        return web.Response(body=data, content_type=content_type or "application/octet-stream")

    async def _handle_unrouted(self, request: web.Request) -> web.StreamResponse:
        return _json_response({"message": "404: Not Found", "code": 0}, 404, {})

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
        if request.content_type == "multipart/form-data":
            payload: Any = None
            files: list[dict[str, Any]] = []
            reader = await request.multipart()
            async for part in reader:
                if not hasattr(part, "read"):
                    continue
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":
                    payload = json.loads(data.decode())
                else:
                    files.append(
                        {
                            "field": part.name,
                            "filename": part.filename,  # type: ignore[union-attr]
                            "content_type": part.headers.get("Content-Type"),
                            "size": len(data),
                            "data": bytes(data),
                        }
                    )
            return payload, files
        if not request.can_read_body:
            return None, []
        text = await request.text()
        if not text:
            return None, []
        try:
            return json.loads(text), []
        except ValueError:
            return text, []

    async def _handle_rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        body, files = await self._read_body(request)
        rec = RecordedRequest(
            method=method,
            path=path,
            query=dict(request.query),
            json=body,
            time=time.monotonic(),
            headers=dict(request.headers),
            files=files,
        )
        self.requests.append(rec)
        headers: dict[str, str] = {}
        fault = self._take_fault(method, path)
        if fault is not None:
            rec.injected_status = fault.status
            status, payload, headers = self._fault_response(fault)
        else:
            try:
                status, payload = self._route(rec, request.headers.get("Authorization"))
            except _ApiError as err:
                status, payload = err.status, err.body
        rec.status, rec.response = status, payload
        self._notify()
        if payload is None or status == 204:
            return web.Response(status=204, headers=headers)
        return _json_response(payload, status, headers)

    def _route(self, rec: RecordedRequest, authorization: str | None) -> tuple[int, Any]:
        for method, pattern, needs_auth, handler in self._routes():
            if method != rec.method:
                continue
            m = pattern.fullmatch(rec.path)
            if m is None:
                continue
            if needs_auth and authorization != f"Bot {self.token}":
                raise _ApiError(401, 0, "401: Unauthorized")
            return handler(rec, *m.groups())
        self.unknown_requests.append(rec)
        raise _ApiError(404, 0, "Unknown route")

    def _routes(self) -> list[tuple[str, re.Pattern[str], bool, Callable[..., tuple[int, Any]]]]:
        table: list[tuple[str, str, bool, Callable[..., tuple[int, Any]]]] = [
            ("GET", r"/users/@me", True, self._get_me),
            ("GET", r"/oauth2/applications/@me", True, self._get_app_info),
            ("GET", r"/applications/@me", True, self._get_app_info),
            ("GET", r"/gateway/bot", True, self._get_gateway_bot),
            ("GET", r"/gateway", False, self._get_gateway_bot),
            ("POST", r"/users/@me/channels", True, self._create_dm),
            ("GET", r"/users/(\d+)", True, self._get_user),
            # interactions and their webhooks authenticate with the token in the path
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", False, self._interaction_callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", False, self._webhook_execute),
            ("GET", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", False, self._webhook_get),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", False, self._webhook_edit),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", False, self._webhook_delete),
            ("POST", r"/channels/(\d+)/messages", True, self._create_message),
            ("GET", r"/channels/(\d+)/messages", True, self._list_messages),
            ("GET", r"/channels/(\d+)/messages/pins", True, self._list_pins_new),
            ("PUT", r"/channels/(\d+)/messages/pins/(\d+)", True, self._pin),
            ("DELETE", r"/channels/(\d+)/messages/pins/(\d+)", True, self._unpin),
            ("GET", r"/channels/(\d+)/pins", True, self._list_pins_legacy),
            ("PUT", r"/channels/(\d+)/pins/(\d+)", True, self._pin),
            ("DELETE", r"/channels/(\d+)/pins/(\d+)", True, self._unpin),
            ("GET", r"/channels/(\d+)/messages/(\d+)", True, self._get_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", True, self._edit_message),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", True, self._delete_message),
            (
                "PUT",
                r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me",
                True,
                self._add_reaction,
            ),
            (
                "DELETE",
                r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/([^/]+)",
                True,
                self._remove_reaction,
            ),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", True, self._thread_from_message),
            ("POST", r"/channels/(\d+)/threads", True, self._thread_without_message),
            ("PUT", r"/channels/(\d+)/thread-members/(@me|\d+)", True, self._join_thread),
            ("DELETE", r"/channels/(\d+)/thread-members/(@me|\d+)", True, self._leave_thread),
            ("GET", r"/channels/(\d+)/threads/archived/public", True, self._archived_public),
            ("GET", r"/channels/(\d+)/threads/archived/private", True, self._archived_private),
            (
                "GET",
                r"/channels/(\d+)/users/@me/threads/archived/private",
                True,
                self._archived_joined,
            ),
            ("POST", r"/channels/(\d+)/typing", True, self._typing),
            ("GET", r"/channels/(\d+)", True, self._get_channel),
            ("PATCH", r"/channels/(\d+)", True, self._edit_channel),
            ("DELETE", r"/channels/(\d+)", True, self._delete_channel),
            ("GET", r"/guilds/(\d+)/channels", True, self._guild_channels),
            ("GET", r"/guilds/(\d+)/members/(\d+)", True, self._guild_member),
            ("GET", r"/guilds/(\d+)/threads/active", True, self._active_threads),
            ("GET", r"/applications/(\d+)/commands", True, self._get_global_commands),
            ("PUT", r"/applications/(\d+)/commands", True, self._put_global_commands),
            ("POST", r"/applications/(\d+)/commands", True, self._post_global_command),
            ("GET", r"/applications/(\d+)/guilds/(\d+)/commands", True, self._get_guild_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", True, self._put_guild_commands),
        ]
        return [(m, re.compile(p), a, h) for m, p, a, h in table]

    # --- identity

    def _get_me(self, rec: RecordedRequest) -> tuple[int, Any]:
        return 200, self.bot_user

    def _get_app_info(self, rec: RecordedRequest) -> tuple[int, Any]:
        return 200, {
            "id": str(self.application_id),
            "name": "careerbot",
            "icon": None,
            "description": "Emulated application",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "bot": self.bot_user,
            "owner": self.owner_user,
            "team": None,
            "summary": "",
            "verify_key": secrets.token_hex(32),
            "flags": 0,
            "tags": [],
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "approximate_guild_count": self.approximate_guild_count,
        }

    def _get_gateway_bot(self, rec: RecordedRequest) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url.rstrip("/"),
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14400000,
                "max_concurrency": 1,
            },
        }

    def _get_user(self, rec: RecordedRequest, user_id: str) -> tuple[int, Any]:
        user = self.users.get(int(user_id))
        if user is None:
            raise _ApiError(404, 10013, "Unknown User")
        return 200, user

    def _create_dm(self, rec: RecordedRequest) -> tuple[int, Any]:
        recipient = int((rec.json or {}).get("recipient_id", 0))
        user = self.users.get(recipient)
        if user is None:
            raise _ApiError(404, 10013, "Unknown User")
        return 200, self.channels[self.dm_channel_id(user)]
        cid = self._snowflake()
        channel = {"id": str(cid), "type": 1, "recipients": [user], "last_message_id": None}
        self.channels[cid] = channel
        return 200, channel

    # --- messages

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

    def _validate_message(self, body: dict[str, Any], files: list[dict[str, Any]]) -> None:
        errors: dict[str, tuple[str, str]] = {}

        def too_long(limit: int) -> tuple[str, str]:
            return ("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

        content = body.get("content") or ""
        embeds = body.get("embeds") or []
        if len(content) > 2000:
            errors["content"] = too_long(2000)
        if len(embeds) > 10:
            errors["embeds"] = too_long(10)
        total = 0
        limits = {"title": 256, "description": 4096}
        for i, embed in enumerate(embeds):
            for key, limit in limits.items():
                value = embed.get(key) or ""
                total += len(value)
                if len(value) > limit:
                    errors[f"embeds.{i}.{key}"] = too_long(limit)
            fields = embed.get("fields") or []
            if len(fields) > 25:
                errors[f"embeds.{i}.fields"] = too_long(25)
            for j, fld in enumerate(fields):
                total += len(fld.get("name") or "") + len(fld.get("value") or "")
                if len(fld.get("name") or "") > 256:
                    errors[f"embeds.{i}.fields.{j}.name"] = too_long(256)
                if len(fld.get("value") or "") > 1024:
                    errors[f"embeds.{i}.fields.{j}.value"] = too_long(1024)
            total += len((embed.get("footer") or {}).get("text") or "")
            total += len((embed.get("author") or {}).get("name") or "")
        if total > 6000:
            errors["embeds"] = (
                "MAX_EMBED_SIZE_EXCEEDED",
                "Embed size exceeds maximum size of 6000",
            )
        components = body.get("components") or []
        is_v2 = bool((body.get("flags") or 0) & (1 << 15))
        if not is_v2 and len(components) > 5:
            errors["components"] = too_long(5)
        if errors:
            raise _invalid_form(errors)

    def _attachment_url(self, channel_id: int, attachment_id: int, filename: str) -> str:
        # served by the emulator itself once it listens, so Attachment.read() works offline
        base = self.base_url if self.port is not None else "https://cdn.discordapp.com"
        return f"{base}/attachments/{channel_id}/{attachment_id}/{filename}"

    def _attachments(self, channel_id: int, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for f in files:
            aid = self._snowflake()
            url = self._attachment_url(channel_id, aid, f["filename"])
            if "data" in f:
                self._attachment_data[aid] = f["data"]
            out.append(
                {
                    "id": str(aid),
                    "filename": f["filename"],
                    "size": f["size"],
                    "url": url,
                    "proxy_url": url,
                    "content_type": f["content_type"],
                }
            )
        return out

    def _build_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        *,
        author: dict[str, Any],
        files: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        message_id: int | None = None,
        created_ms: int | None = None,
    ) -> dict[str, Any]:
        channel = self._channel(channel_id)
        mid = message_id or self._snowflake()
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": 0,
            "channel_id": str(channel_id),
            "author": author,
            "content": body.get("content") or "",
            "timestamp": _now_iso() if created_ms is None else _iso_from_ms(created_ms),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel_id, files or []),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "flags": body.get("flags") or 0,
            "nonce": body.get("nonce"),
        }
        if "guild_id" in channel:
            msg["guild_id"] = str(self.guild_id)
            msg["member"] = self._member_payload(author, with_user=False)
        ref = body.get("message_reference")
        if ref:
            msg["type"] = 19
            ref_id = ref.get("message_id")
            msg["message_reference"] = {
                "type": ref.get("type", 0),
                "message_id": str(ref_id) if ref_id else None,
                "channel_id": str(ref.get("channel_id") or channel_id),
                "guild_id": msg.get("guild_id"),
            }
            if ref_id and int(ref_id) in self._all_messages:
                referenced = copy.deepcopy(self._all_messages[int(ref_id)])
                referenced.pop("referenced_message", None)
                msg["referenced_message"] = referenced
            elif ref.get("fail_if_not_exists", True) and ref_id:
                raise _invalid_form(
                    {"message_reference": ("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")}
                )
        if extra:
            msg.update(extra)
        if channel["type"] in _THREAD_TYPES:
            if mid == int(channel["id"]):
                # a forum post's starter: not counted in message_count (Discord docs)
                msg["position"] = 0
            else:
                channel["message_count"] += 1
                channel["total_message_sent"] += 1
                msg["position"] = channel["total_message_sent"]
        channel["last_message_id"] = str(mid)
        self._all_messages[mid] = msg
        return msg

    def _store_bot_message(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.messages[int(msg["id"])] = msg
        if self.echo_bot_messages and not (msg["flags"] & _FLAG_EPHEMERAL):
            self.dispatch("MESSAGE_CREATE", copy.deepcopy(msg))
        return msg

    def _apply_edit(self, msg: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]):
        for key in ("content", "embeds", "components"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        if "flags" in body and body["flags"] is not None:
            msg["flags"] = (msg["flags"] & _FLAG_EPHEMERAL) | body["flags"]
        if "attachments" in body:
            kept_ids = {str(a.get("id")) for a in body["attachments"] or []}
            kept = [a for a in msg["attachments"] if a["id"] in kept_ids]
            msg["attachments"] = kept + self._attachments(int(msg["channel_id"]), files)
        elif files:
            msg["attachments"] = msg["attachments"] + self._attachments(
                int(msg["channel_id"]), files
            )
        msg["flags"] &= ~_FLAG_LOADING
        msg["edited_timestamp"] = _now_iso()

    def _create_message(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        body = rec.json if isinstance(rec.json, dict) else {}
        channel = self._channel(channel_id)
        if "guild_id" in channel:
            self._bot_may_send(channel, body, rec.files)
        if not (
            body.get("content")
            or body.get("embeds")
            or rec.files
            or body.get("components")
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        self._validate_message(body, rec.files)
        if channel["type"] in _THREAD_TYPES:
            if channel["thread_metadata"]["archived"]:
                self._set_archived(channel, False)
            # "The API will helpfully automatically add users to a thread when sending"
            self._add_thread_member(channel, self.application_id)
        msg = self._build_message(int(channel_id), body, author=self.bot_user, files=rec.files)
        return 200, self._store_bot_message(msg)

    def _bot_may_send(
        self, channel: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> None:
        """Discord's checks before the bot posts in a guild channel or thread."""
        if channel["type"] in _FORUM_TYPES:
            raise _ApiError(400, 40058, "Cannot send a message in a forum channel")
        if channel["type"] not in _THREAD_TYPES:
            perms = self._bot_needs(channel, _P_SEND_MESSAGES)
        else:
            # SEND_MESSAGES is not inherited by threads; SEND_MESSAGES_IN_THREADS is needed
            perms = self._bot_needs(channel, _P_SEND_MESSAGES_IN_THREADS)
            if int(channel["id"]) in self._pending_starters:
                # seen on Discord when a bot answers a new post before its upload finished
                raise _ApiError(
                    403,
                    40058,
                    "Cannot message this thread until after the post author has sent an "
                    "initial message.",
                )
            if channel["thread_metadata"]["locked"] and not perms & _P_MANAGE_THREADS:
                raise _ApiError(403, 160005, "Thread is locked")
        if files and not perms & _P_ATTACH_FILES:
            raise _missing_permissions()
        if body.get("message_reference") and not perms & _P_READ_MESSAGE_HISTORY:
            raise _ApiError(403, 160002, "Cannot reply without permission to read message history")

    def _bot_may_read(self, channel: dict[str, Any]) -> None:
        if "guild_id" in channel:
            self._bot_needs(channel, _P_READ_MESSAGE_HISTORY)

    def _list_messages(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._bot_may_read(self._channel(channel_id))
        limit = int(rec.query.get("limit", 50))
        msgs = [m for m in self._all_messages.values() if m["channel_id"] == channel_id]
        if "before" in rec.query:
            msgs = [m for m in msgs if int(m["id"]) < int(rec.query["before"])]
        if "after" in rec.query:
            msgs = [m for m in msgs if int(m["id"]) > int(rec.query["after"])]
        msgs.sort(key=lambda m: int(m["id"]), reverse=True)
        return 200, [self._rest_message(m) for m in msgs[:limit]]

    def _get_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        self._bot_may_read(self._channel(channel_id))
        msg = self._message_or_404(message_id)
        if msg["channel_id"] != channel_id:
            raise _ApiError(404, 10008, "Unknown Message")
        return 200, self._rest_message(msg)

    def _refuse_in_archived_thread(self, channel_id: str | int) -> None:
        channel = self._channel(channel_id)
        if channel["type"] in _THREAD_TYPES and channel["thread_metadata"]["archived"]:
            raise _ApiError(400, 50083, "Thread is archived")

    def _edit_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        msg = self._message_or_404(message_id)
        if msg["author"]["id"] != self.bot_user["id"] and set(rec.json or {}) - {"flags"}:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        # "Users cannot edit messages, add reactions ... in archived threads"
        self._refuse_in_archived_thread(channel_id)
        body = rec.json if isinstance(rec.json, dict) else {}
        self._validate_message({**msg, **body}, rec.files)
        self._apply_edit(msg, body, rec.files)
        if self.echo_bot_messages and not msg["flags"] & _FLAG_EPHEMERAL:
            self.dispatch("MESSAGE_UPDATE", {**copy.deepcopy(msg), "tts": False})
        return 200, msg

    def _delete_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        msg = self._message_or_404(message_id)
        channel = self._channel(channel_id)
        if msg["author"]["id"] != self.bot_user["id"] and "guild_id" in channel:
            # deleting someone else's message takes MANAGE_MESSAGES
            self._bot_needs(channel, _P_MANAGE_MESSAGES)
        self._forget_message(int(message_id))
        self.dispatch(
            "MESSAGE_DELETE",
            {"id": message_id, "channel_id": channel_id, "guild_id": str(self.guild_id)},
        )
        return 204, None

    def _forget_message(self, message_id: int) -> None:
        msg = self._all_messages.pop(message_id, None)
        self.messages.pop(message_id, None)
        self.deleted_message_ids.append(message_id)
        channel = self.channels.get(int(msg["channel_id"])) if msg is not None else None
        # message_count drops on a delete, total_message_sent does not; a post's starter
        # was never counted, and deleting it leaves the post in place
        if (
            channel is not None
            and channel["type"] in _THREAD_TYPES
            and message_id != int(channel["id"])
        ):
            channel["message_count"] = max(0, channel["message_count"] - 1)

    def _pin(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(message_id)
        pins = self.pins.setdefault(int(channel_id), [])
        if int(message_id) not in pins:
            pins.insert(0, int(message_id))
        msg["pinned"] = True
        return 204, None

    def _unpin(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(message_id)
        pins = self.pins.setdefault(int(channel_id), [])
        if int(message_id) in pins:
            pins.remove(int(message_id))
        msg["pinned"] = False
        return 204, None

    def _pinned_messages(self, channel_id: str) -> list[dict[str, Any]]:
        self._channel(channel_id)
        ids = self.pins.get(int(channel_id), [])
        return [self._rest_message(self._all_messages[i]) for i in ids if i in self._all_messages]

    def _list_pins_new(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        items = [{"pinned_at": _now_iso(), "message": m} for m in self._pinned_messages(channel_id)]
        return 200, {"items": items, "has_more": False}

    def _list_pins_legacy(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return 200, self._pinned_messages(channel_id)

    def _add_reaction(self, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str):
        self._message_or_404(message_id)
        self._refuse_in_archived_thread(channel_id)
        self.reactions.append({"message_id": int(message_id), "emoji": emoji, "added": True})
        return 204, None

    def _remove_reaction(self, rec: RecordedRequest, channel_id: str, message_id: str, emoji, _u):
        self._message_or_404(message_id)
        self.reactions.append({"message_id": int(message_id), "emoji": emoji, "added": False})
        return 204, None

    def _typing(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._channel(channel_id)
        return 204, None

    # --- channels and threads

    def _get_channel(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        if "guild_id" in channel and not self.channel_permissions(self.bot_user, channel):
            raise _ApiError(403, 50001, "Missing Access")
        return 200, channel

    def _edit_channel(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        body = rec.json if isinstance(rec.json, dict) else {}
        if channel["type"] in _THREAD_TYPES:
            self._edit_thread(channel, body)
            self.dispatch("THREAD_UPDATE", copy.deepcopy(channel))
            return 200, channel
        # guild channels: "Requires the MANAGE_CHANNELS permission"
        self._bot_needs(channel, _P_MANAGE_CHANNELS)
        for key, value in body.items():
            if key in ("name", "topic", "rate_limit_per_user", "nsfw", "position", "flags"):
                channel[key] = value
            elif key == "available_tags" and channel["type"] in _FORUM_TYPES:
                if len(value) > MAX_AVAILABLE_TAGS:
                    raise _invalid_form(
                        {
                            "available_tags": (
                                "BASE_TYPE_MAX_LENGTH",
                                "Must be 20 or fewer in length.",
                            )
                        }
                    )
                known = {t["id"] for t in channel["available_tags"]}
                # tags that keep their id are edited; others are created with a new id
                channel["available_tags"] = [
                    self._forum_tag({**t, "id": t["id"] if str(t.get("id")) in known else None})
                    for t in value
                ]
        self.dispatch("CHANNEL_UPDATE", copy.deepcopy(channel))
        return 200, channel

    def _edit_thread(self, thread: dict[str, Any], body: dict[str, Any]) -> None:
        """PATCH /channels/{thread}: Discord's permission rules, validation, then the change.

        name, archived, auto_archive_duration and applied_tags: the thread's owner or
        MANAGE_THREADS; locked, rate_limit_per_user and flags: MANAGE_THREADS; unarchiving
        an unlocked thread: anyone who can see it. An archived thread only accepts a request
        that unarchives it; a locked one only a moderator's.
        """
        perms = self.channel_permissions(self.bot_user, thread)
        if not perms & _P_VIEW_CHANNEL:
            raise _ApiError(403, 50001, "Missing Access")
        moderator = bool(perms & _P_MANAGE_THREADS)
        owner = int(thread["owner_id"]) == self.application_id
        meta = thread["thread_metadata"]
        if meta["archived"] and body.get("archived") is not False:
            raise _ApiError(400, 50083, "Thread is archived")
        if meta["locked"] and not moderator:
            raise _ApiError(403, 160005, "Thread is locked")
        owner_or_moderator = {"name", "auto_archive_duration", "applied_tags"}
        if body.get("archived") is True:
            owner_or_moderator.add("archived")
        if set(body) & {"locked", "rate_limit_per_user", "flags", "invitable"} and not moderator:
            raise _missing_permissions()
        if set(body) & owner_or_moderator and not (owner or moderator):
            raise _missing_permissions()
        errors: dict[str, tuple[str, str]] = {}
        if "name" in body and not 1 <= len(body["name"] or "") <= 100:
            errors["name"] = ("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in _AUTO_ARCHIVE_DURATIONS:
            errors["auto_archive_duration"] = (
                "BASE_TYPE_CHOICES",
                "Value must be one of (60, 1440, 4320, 10080).",
            )
        if errors:
            raise _invalid_form(errors)
        tags: list[str] | None = None
        if "applied_tags" in body:
            parent = self._channel(thread["parent_id"])
            if parent["type"] not in _FORUM_TYPES:
                raise _ApiError(400, 50024, "Cannot execute action on this channel type")
            tags = self._check_applied_tags(
                parent, body["applied_tags"], old=thread["applied_tags"], moderator=moderator
            )
        if "name" in body:
            thread["name"] = body["name"]
        if tags is not None:
            thread["applied_tags"] = tags
        if "rate_limit_per_user" in body:
            thread["rate_limit_per_user"] = body["rate_limit_per_user"] or 0
        if "flags" in body:
            thread["flags"] = int(body["flags"])
        for key in ("locked", "invitable"):
            if key in body:
                meta[key] = bool(body[key])
        if duration is not None:
            meta["auto_archive_duration"] = duration
            meta["archive_timestamp"] = _now_iso()
        if "archived" in body and bool(body["archived"]) != meta["archived"]:
            meta["archived"] = bool(body["archived"])
            meta["archive_timestamp"] = _now_iso()
            if meta["archived"]:
                thread["flags"] &= ~_CHANNEL_FLAG_PINNED

    def _delete_channel(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        if channel["type"] in _THREAD_TYPES:
            # "Deleting a thread requires the MANAGE_THREADS permission"
            self._bot_needs(channel, _P_MANAGE_THREADS)
            return 200, self._remove_thread(channel)
        if "guild_id" not in channel:
            return 200, channel  # closing a DM
        self._bot_needs(channel, _P_MANAGE_CHANNELS)
        del self.channels[int(channel_id)]
        # its threads go with it; discord.py drops them on CHANNEL_DELETE by itself
        for thread in [c for c in self.channels.values() if c.get("parent_id") == channel_id]:
            if thread["type"] in _THREAD_TYPES:
                del self.channels[int(thread["id"])]
        self.channel_ids = {n: c for n, c in self.channel_ids.items() if c != int(channel_id)}
        self.dispatch("CHANNEL_DELETE", copy.deepcopy(channel))
        return 200, channel

    def _create_thread(
        self,
        parent_id: int,
        body: dict[str, Any],
        thread_id: int | None,
        thread_type: int,
        *,
        applied_tags: list[str] | None = None,
    ) -> dict[str, Any]:
        """A thread the bot creates: stored, the bot its owner and member, THREAD_CREATE sent."""
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise _invalid_form(
                {"name": ("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")}
            )
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in _AUTO_ARCHIVE_DURATIONS:
            raise _invalid_form(
                {
                    "auto_archive_duration": (
                        "BASE_TYPE_CHOICES",
                        "Value must be one of (60, 1440, 4320, 10080).",
                    )
                }
            )
        tid = thread_id or self._snowflake()
        if tid in self.channels:
            raise _ApiError(400, 160004, "A thread has already been created for this message")
        thread = self._thread_payload(
            tid,
            parent_id=parent_id,
            name=name,
            owner_id=self.application_id,
            thread_type=thread_type,
        )
        if duration:
            thread["thread_metadata"]["auto_archive_duration"] = duration
        if body.get("rate_limit_per_user"):
            thread["rate_limit_per_user"] = body["rate_limit_per_user"]
        if applied_tags is not None:
            thread["applied_tags"] = applied_tags
        self._store_thread(thread)
        self.dispatch("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        return thread

    def _thread_from_message(self, rec: RecordedRequest, channel_id: str, message_id: str):
        msg = self._message_or_404(message_id)
        parent = self._channel(channel_id)
        if parent["type"] not in (0, 5):
            # "Does not work on a GUILD_FORUM or a GUILD_MEDIA channel"
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        self._bot_needs(parent, _P_CREATE_PUBLIC_THREADS)
        body = rec.json if isinstance(rec.json, dict) else {}
        # Discord gives a thread started from a message the message's id
        thread = self._create_thread(int(channel_id), body, int(message_id), 11)
        msg["thread"] = copy.deepcopy(thread)
        msg["flags"] = msg.get("flags", 0) | (1 << 5)
        return 201, thread

    def _thread_without_message(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        body = rec.json if isinstance(rec.json, dict) else {}
        parent = self._channel(channel_id)
        if parent["type"] in _FORUM_TYPES:
            return self._start_forum_post(parent, body, rec.files)
        if parent["type"] not in (0, 5):
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        thread_type = int(body.get("type") or 12)  # Discord still defaults to PRIVATE_THREAD
        needed = _P_CREATE_PUBLIC_THREADS if thread_type != 12 else _P_CREATE_PRIVATE_THREADS
        self._bot_needs(parent, needed)
        return 201, self._create_thread(int(channel_id), body, None, thread_type)

    def _start_forum_post(
        self, forum: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> tuple[int, Any]:
        """POST /channels/{forum}/threads: "Start Thread in Forum or Media Channel".

        Needs SEND_MESSAGES only (CREATE_PUBLIC_THREADS is ignored); creates a public thread
        and its starter message with the thread's id; fires THREAD_CREATE and MESSAGE_CREATE
        (the latter only with `echo_bot_messages`, like every bot message here).
        """
        perms = self._bot_needs(forum, _P_SEND_MESSAGES)
        message = body.get("message")
        if not isinstance(message, dict):
            raise _invalid_form({"message": ("BASE_TYPE_REQUIRED", "This field is required")})
        if not (
            message.get("content")
            or message.get("embeds")
            or files
            or message.get("components")
            or message.get("sticker_ids")
        ):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        self._validate_message(message, files)
        tags = self._check_applied_tags(
            forum,
            body.get("applied_tags") or [],
            old=[],
            moderator=bool(perms & _P_MANAGE_THREADS),
        )
        if not tags and forum["flags"] & _CHANNEL_FLAG_REQUIRE_TAG:
            raise _ApiError(400, 40067, "A tag is required to create a forum post in this channel")
        thread = self._create_thread(int(forum["id"]), body, None, 11, applied_tags=tags)
        tid = int(thread["id"])
        forum["last_message_id"] = str(tid)
        starter = self._build_message(
            tid, message, author=self.bot_user, files=files, message_id=tid
        )
        thread["last_message_id"] = str(tid)
        self._store_bot_message(starter)
        return 201, {**thread, "message": starter}

    def _join_thread(self, rec: RecordedRequest, channel_id: str, user: str) -> tuple[int, Any]:
        thread = self._channel(channel_id)
        if thread["type"] not in _THREAD_TYPES:
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        self._refuse_in_archived_thread(channel_id)
        if user != "@me":
            self._bot_needs(thread, _P_SEND_MESSAGES_IN_THREADS)
            self._add_thread_member(thread, int(user))
            return 204, None
        if not self._bot_can_view(thread):
            raise _ApiError(403, 50001, "Missing Access")
        if not self._bot_is_member(thread):
            self._add_thread_member(thread, self.application_id, notify=False)
            # "Fires a Thread Members Update and a Thread Create Gateway event"
            self.dispatch("THREAD_CREATE", copy.deepcopy(thread))
            self.dispatch(
                "THREAD_MEMBERS_UPDATE",
                {
                    "id": channel_id,
                    "guild_id": str(self.guild_id),
                    "member_count": thread["member_count"],
                    "added_members": [thread["member"]],
                    "removed_member_ids": [],
                },
            )
        return 204, None

    def _leave_thread(self, rec: RecordedRequest, channel_id: str, user: str) -> tuple[int, Any]:
        thread = self._channel(channel_id)
        self._refuse_in_archived_thread(channel_id)
        uid = self.application_id if user == "@me" else int(user)
        if uid != self.application_id:
            self._bot_needs(thread, _P_MANAGE_THREADS)
        if self._thread_members.get(int(channel_id), {}).pop(uid, None) is None:
            return 204, None
        thread["member_count"] = min(50, len(self._thread_members[int(channel_id)]))
        if uid == self.application_id:
            thread.pop("member", None)
            self.dispatch(
                "THREAD_MEMBERS_UPDATE",
                {
                    "id": channel_id,
                    "guild_id": str(self.guild_id),
                    "member_count": thread["member_count"],
                    "added_members": [],
                    "removed_member_ids": [str(uid)],
                },
            )
        return 204, None

    def _guild_or_404(self, guild_id: str) -> None:
        if int(guild_id) != self.guild_id:
            raise _ApiError(404, 10004, "Unknown Guild")

    def _guild_channels(self, rec: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        self._guild_or_404(guild_id)
        return 200, [c for c in self.channels.values() if c["type"] in _GUILD_CHANNEL_TYPES]

    def _guild_member(self, rec: RecordedRequest, guild_id: str, user_id: str):
        self._guild_or_404(guild_id)
        user = self.users.get(int(user_id))
        if user is None:
            raise _ApiError(404, 10007, "Unknown Member")
        return 200, self._member_payload(user)

    def _thread_list(self, threads: list[dict[str, Any]]) -> dict[str, Any]:
        members = [
            self._thread_member_object(int(t["id"]), self.application_id)
            for t in threads
            if self._bot_is_member(t)
        ]
        return {"threads": threads, "members": members}

    def _active_threads(self, rec: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        """GET /guilds/{id}/threads/active: every active thread the bot can see, newest first."""
        self._guild_or_404(guild_id)
        threads = [
            c
            for c in self.channels.values()
            if c["type"] in _THREAD_TYPES
            and not c["thread_metadata"]["archived"]
            and self._bot_can_view(c)
        ]
        threads.sort(key=lambda t: int(t["id"]), reverse=True)
        return 200, self._thread_list(threads)

    def _archived_public(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return self._archived_threads(rec, channel_id, private=False, joined_only=False)

    def _archived_private(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return self._archived_threads(rec, channel_id, private=True, joined_only=False)

    def _archived_joined(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return self._archived_threads(rec, channel_id, private=True, joined_only=True)

    def _archived_threads(
        self, rec: RecordedRequest, channel_id: str, *, private: bool, joined_only: bool
    ) -> tuple[int, Any]:
        """The archived-thread listings: newest archive_timestamp first, `before` exclusive.

        Public: READ_MESSAGE_HISTORY; private: also MANAGE_THREADS unless only the bot's
        own (joined) threads are asked for. `before` is an ISO8601 timestamp (a snowflake
        for the joined listing, which is ordered by id); `limit` 2-100, default 50.
        """
        parent = self._channel(channel_id)
        if parent["type"] not in (0, 5, *_FORUM_TYPES) or (private and parent["type"] != 0):
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        needed = _P_READ_MESSAGE_HISTORY
        if private and not joined_only:
            needed |= _P_MANAGE_THREADS
        self._bot_needs(parent, needed)
        try:
            limit = int(rec.query.get("limit", 50))
        except ValueError:
            limit = -1
        if not 2 <= limit <= 100:
            # discord.py: "Currently the API doesn't let you request less than 2 threads"
            raise _invalid_form(
                {"limit": ("NUMBER_TYPE_MIN", "int value should be between 2 and 100.")}
            )
        threads = [
            c
            for c in self.channels.values()
            if c["type"] in _THREAD_TYPES
            and c.get("parent_id") == channel_id
            and c["thread_metadata"]["archived"]
            and (c["type"] == 12) == private
            and (not joined_only or self._bot_is_member(c))
        ]
        before = rec.query.get("before")
        if joined_only:
            threads.sort(key=lambda t: int(t["id"]), reverse=True)
            if before:
                threads = [t for t in threads if int(t["id"]) < int(before)]
        else:

            def archived_at(thread: dict[str, Any]) -> datetime:
                return _parse_time(thread["thread_metadata"]["archive_timestamp"])

            threads.sort(key=archived_at, reverse=True)
            if before:
                try:
                    cutoff = _parse_time(before)
                except ValueError:
                    raise _invalid_form(
                        {"before": ("DATE_TYPE_PARSE", "Could not parse the timestamp.")}
                    ) from None
                threads = [t for t in threads if archived_at(t) < cutoff]
        page = threads[:limit]
        return 200, {**self._thread_list(page), "has_more": len(threads) > limit}

    # --- application commands

    def _check_app(self, application_id: str) -> None:
        if int(application_id) != self.application_id:
            raise _ApiError(404, 10002, "Unknown Application")

    def _upsert_commands(
        self, existing: list[dict[str, Any]], body: Any, guild_id: int | None
    ) -> list[dict[str, Any]]:
        if not isinstance(body, list):
            raise _invalid_form({"": ("LIST_TYPE_CONVERT", "Must be an array.")})
        by_key = {(c["name"], c.get("type", 1)): c for c in existing}
        out = []
        for cmd in body:
            key = (cmd["name"], cmd.get("type", 1))
            old = by_key.get(key)
            stored = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "integration_types": [0],
                "contexts": None,
                "name_localizations": None,
                "description_localizations": None,
                **cmd,
                "id": old["id"] if old else str(self._snowflake()),
                "application_id": str(self.application_id),
                "version": str(self._snowflake()),
            }
            if guild_id is not None:
                stored["guild_id"] = str(guild_id)
            out.append(stored)
        return out

    def _get_global_commands(self, rec: RecordedRequest, application_id: str) -> tuple[int, Any]:
        self._check_app(application_id)
        return 200, self.global_commands

    def _put_global_commands(self, rec: RecordedRequest, application_id: str) -> tuple[int, Any]:
        self._check_app(application_id)
        self.global_commands = self._upsert_commands(self.global_commands, rec.json, None)
        return 200, self.global_commands

    def _post_global_command(self, rec: RecordedRequest, application_id: str) -> tuple[int, Any]:
        self._check_app(application_id)
        [cmd] = self._upsert_commands(self.global_commands, [rec.json], None)
        self.global_commands = [c for c in self.global_commands if c["id"] != cmd["id"]] + [cmd]
        return 201, cmd

    def _get_guild_commands(self, rec: RecordedRequest, application_id: str, guild_id: str):
        self._check_app(application_id)
        return 200, self.guild_commands.get(int(guild_id), [])

    def _put_guild_commands(self, rec: RecordedRequest, application_id: str, guild_id: str):
        self._check_app(application_id)
        self._guild_or_404(guild_id)
        existing = self.guild_commands.get(int(guild_id), [])
        self.guild_commands[int(guild_id)] = self._upsert_commands(
            existing, rec.json, int(guild_id)
        )
        return 200, self.guild_commands[int(guild_id)]

    # --- interactions

    def _interaction_or_404(self, interaction_id: str, token: str) -> dict[str, Any]:
        inter = self.interactions.get(int(interaction_id))
        if inter is None or inter["token"] != token:
            raise _ApiError(404, 10062, "Unknown interaction")
        return inter

    def _interaction_message(
        self, inter: dict[str, Any], body: dict[str, Any], files: list[dict[str, Any]]
    ) -> dict[str, Any]:
        extra = {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "interaction_metadata": {
                "id": str(inter["id"]),
                "type": inter["type"],
                "user": inter["user"],
                "authorizing_integration_owners": {"0": str(self.guild_id)},
            },
        }
        if inter["type"] == 2:
            extra["type"] = 20  # CHAT_INPUT_COMMAND
            extra["interaction_metadata"]["name"] = inter["payload"]["data"]["name"]
        msg = self._build_message(
            inter["channel_id"], body, author=self.bot_user, files=files, extra=extra
        )
        msg["flags"] = body.get("flags") or 0
        return msg

    def _interaction_callback(self, rec: RecordedRequest, interaction_id: str, token: str):
        inter = self._interaction_or_404(interaction_id, token)
        if inter["response_type"] is not None:
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = rec.json if isinstance(rec.json, dict) else {}
        cb_type = int(body.get("type", 0))
        data = body.get("data") or {}
        msg: dict[str, Any] | None = None
        if cb_type == _CB_MESSAGE:
            self._validate_message(data, rec.files)
            msg = self._store_bot_message(self._interaction_message(inter, data, rec.files))
        elif cb_type == _CB_DEFERRED_MESSAGE:
            loading = {"content": "", "flags": (data.get("flags") or 0) | _FLAG_LOADING}
            msg = self._store_bot_message(self._interaction_message(inter, loading, []))
        elif cb_type in (_CB_DEFERRED_UPDATE, _CB_UPDATE_MESSAGE):
            if inter["message_id"] is None:
                raise _invalid_form({"type": ("INTERACTION_TYPE_INVALID", "Not a component")})
            msg = self._all_messages.get(inter["message_id"])
            if msg is None:
                msg = copy.deepcopy(inter["payload"]["message"])
                self._all_messages[int(msg["id"])] = msg
            if cb_type == _CB_UPDATE_MESSAGE:
                self._validate_message({**msg, **data}, rec.files)
                self._apply_edit(msg, data, rec.files)
                self.dispatch("MESSAGE_UPDATE", copy.deepcopy(msg))
        elif cb_type == _CB_AUTOCOMPLETE:
            if len(data.get("choices") or []) > 25:
                raise _invalid_form(
                    {"data.choices": ("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")}
                )
            self.autocomplete_results.append({"interaction_id": inter["id"], **data})
        elif cb_type == _CB_MODAL:
            self.modals.append({"interaction_id": inter["id"], **data})
        elif cb_type != _CB_PONG:
            raise _invalid_form(
                {"type": ("BASE_TYPE_CHOICES", "Value must be one of (1, 4, 5, 6, 7, 8, 9).")}
            )
        inter["response_type"] = cb_type
        inter["response"] = body
        if msg is not None:
            inter["original_message_id"] = int(msg["id"])
        if not _truthy(rec.query.get("with_response")):
            return 204, None
        resource: dict[str, Any] = {"type": cb_type}
        if msg is not None:
            resource["message"] = msg
        return 200, {
            "interaction": {
                "id": str(inter["id"]),
                "type": inter["type"],
                "activity_instance_id": None,
                "response_message_id": msg["id"] if msg is not None else None,
                "response_message_loading": cb_type == _CB_DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(msg and msg["flags"] & _FLAG_EPHEMERAL),
            },
            "resource": resource,
        }

    def _webhook_interaction(self, webhook_id: str, token: str) -> dict[str, Any]:
        inter = self._interactions_by_token.get(token)
        if int(webhook_id) != self.application_id or inter is None:
            raise _ApiError(404, 10015, "Unknown Webhook")
        # Discord has no webhook message to act on until the interaction is acknowledged
        if inter["response_type"] is None:
            raise _ApiError(404, 10015, "Unknown Webhook")
        return inter

    def _webhook_target(self, inter: dict[str, Any], message_id: str) -> dict[str, Any]:
        if message_id == "@original":
            mid = inter["original_message_id"]
            if mid is None:
                raise _ApiError(404, 10008, "Unknown Message")
            return self._message_or_404(mid)
        return self._message_or_404(message_id)

    def _webhook_execute(self, rec: RecordedRequest, webhook_id: str, token: str):
        inter = self._webhook_interaction(webhook_id, token)
        body = rec.json if isinstance(rec.json, dict) else {}
        if not (body.get("content") or body.get("embeds") or rec.files or body.get("components")):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        self._validate_message(body, rec.files)
        if inter["response_type"] == _CB_DEFERRED_MESSAGE and not inter.get("original_consumed"):
            # the first followup after a deferral fills in the "thinking..." message
            inter["original_consumed"] = True
            msg = self._webhook_target(inter, "@original")
            self._apply_edit(msg, body, rec.files)
            msg["flags"] = (msg["flags"] & _FLAG_EPHEMERAL) | (body.get("flags") or 0)
        else:
            msg = self._store_bot_message(self._interaction_message(inter, body, rec.files))
            inter["followup_ids"].append(int(msg["id"]))
        return (200, msg) if _truthy(rec.query.get("wait")) else (204, None)

    def _webhook_get(self, rec: RecordedRequest, webhook_id: str, token: str, message_id: str):
        inter = self._webhook_interaction(webhook_id, token)
        return 200, self._webhook_target(inter, message_id)

    def _webhook_edit(self, rec: RecordedRequest, webhook_id: str, token: str, message_id: str):
        inter = self._webhook_interaction(webhook_id, token)
        msg = self._webhook_target(inter, message_id)
        body = rec.json if isinstance(rec.json, dict) else {}
        self._validate_message({**msg, **body}, rec.files)
        self._apply_edit(msg, body, rec.files)
        if message_id == "@original":
            inter["original_consumed"] = True
        return 200, msg

    def _webhook_delete(self, rec: RecordedRequest, webhook_id: str, token: str, message_id: str):
        inter = self._webhook_interaction(webhook_id, token)
        msg = self._webhook_target(inter, message_id)
        self._forget_message(int(msg["id"]))
        return 204, None

    # ------------------------------------------------------------- gateway

    async def _handle_gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _GatewayConnection(ws, dict(request.query))
        self.gateway_connections.append(conn.query)
        old, self._conn = self._conn, conn
        if old is not None and not old.ws.closed:
            await old.ws.close(code=4000)
        conn.writer = asyncio.create_task(self._writer(conn))
        try:
            assert self._gateway_open is not None
            # a held gateway keeps the client waiting for HELLO, i.e. "Discord is down"
            await self._gateway_open.wait()
            conn.send({"op": _OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_payload(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            conn.in_session = False
            if self._conn is conn:
                self._conn = None
            conn.outbound.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(conn.writer, 1.0)
            conn.closed.set()
            self._notify()
        return ws

    async def _writer(self, conn: _GatewayConnection) -> None:
        while True:
            payload = await conn.outbound.get()
            if payload is None or conn.ws.closed:
                return
            try:
                await conn.ws.send_str(json.dumps(payload))
            except (ConnectionError, RuntimeError):
                return
            self.gateway_events_sent.append(payload)
            seq = payload.get("s")
            if seq is not None:
                self._sent_seq = max(self._sent_seq, seq)
            if payload.get("t") == "GUILD_CREATE" and conn.in_session:
                self._ready_sent += 1
            self._notify()

    async def _on_gateway_payload(self, conn: _GatewayConnection, payload: dict[str, Any]) -> None:
        self.gateway_ops_received.append(payload)
        op = payload.get("op")
        data = payload.get("d")
        if op == _OP_HEARTBEAT:
            self.heartbeats_received += 1
            conn.send({"op": _OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == _OP_IDENTIFY:
            await self._on_identify(conn, data or {})
        elif op == _OP_RESUME:
            await self._on_resume(conn, data or {})
        elif op == _OP_REQUEST_MEMBERS:
            members = [self._member_payload(u) for u in self.users.values()]
            wanted = (data or {}).get("user_ids")
            if wanted:
                ids = {str(w) for w in (wanted if isinstance(wanted, list) else [wanted])}
                members = [m for m in members if m["user"]["id"] in ids]
            chunk = {
                "guild_id": str(self.guild_id),
                "members": members,
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "nonce": (data or {}).get("nonce"),
            }
            self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
        self._notify()

    async def _on_identify(self, conn: _GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if int(data.get("intents") or 0) & _INTENT_MESSAGE_CONTENT and not (
            self.message_content_intent_enabled
        ):
            # a privileged intent not switched on in the Developer Portal
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identify_count += 1
        self.identify_payloads.append(data)
        # events never written to any socket survive a fresh session
        leftovers = [(e["t"], e["d"]) for e in self._log if e["s"] > self._sent_seq]
        pending = leftovers + self._pending
        self._pending = []
        self._session_id = secrets.token_hex(16)
        self._seq = 0
        self._sent_seq = 0
        self._log = []
        conn.in_session = True
        ready: dict[str, Any] = {
            "v": API_VERSION,
            "user": self.bot_user,
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": self._session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-west"],
            "user_settings": {},
            "_trace": ["discord-emulator"],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        self.dispatch("READY", ready)
        self.dispatch("GUILD_CREATE", self.guild_payload())
        for event, event_data in pending:
            self.dispatch(event, event_data)

    async def _on_resume(self, conn: _GatewayConnection, data: dict[str, Any]) -> None:
        if (
            data.get("token") != self.token
            or self._session_id is None
            or data.get("session_id") != self._session_id
        ):
            conn.send({"op": _OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        self.resume_count += 1
        client_seq = data.get("seq") or 0
        for entry in self._log:
            if entry["s"] > client_seq:
                conn.send(entry)
        conn.in_session = True
        self.dispatch("RESUMED", {"_trace": ["discord-emulator"]})

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an op-0 dispatch to the client.

        Before the first IDENTIFY events are queued and delivered right after READY and
        GUILD_CREATE; while the socket is down they are kept with their sequence numbers and
        replayed on RESUME (or re-sent after a fresh IDENTIFY), so nothing is lost.
        Message and thread events of channels the bot cannot view are not sent at all, as
        Discord only tells a client about what it may see.
        """
        if not self._bot_may_see(event, data):
            return
        if self._session_id is None:
            self._pending.append((event, data))
            return
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            data = self._apply_content_intent(data)
            channel = self.channels.get(int(data["channel_id"]))
            if channel is not None and "guild_id" in channel:
                # an extra field of MESSAGE_CREATE / MESSAGE_UPDATE dispatches
                data = {**data, "channel_type": channel["type"]}
        self._seq += 1
        entry = {"op": _OP_DISPATCH, "t": event, "s": self._seq, "d": data}
        self._log.append(entry)
        conn = self._conn
        if conn is not None and conn.in_session:
            conn.send(entry)

    def _bot_may_see(self, event: str, data: dict[str, Any]) -> bool:
        if event.startswith("MESSAGE_"):
            channel = self.channels.get(int(data.get("channel_id") or 0))
        elif event in ("THREAD_CREATE", "THREAD_UPDATE", "THREAD_MEMBERS_UPDATE"):
            channel = self.channels.get(int(data["id"]))
        elif event == "THREAD_DELETE":
            channel = self.channels.get(int(data["parent_id"]))
        else:
            return True
        if channel is None or "guild_id" not in channel:
            return True
        if channel["type"] in _THREAD_TYPES:
            return self._bot_can_view(channel)
        return bool(self.channel_permissions(self.bot_user, channel) & _P_VIEW_CHANNEL)

    def _apply_content_intent(self, data: dict[str, Any]) -> dict[str, Any]:
        if not self.enforce_message_content_intent or not self.identify_payloads:
            return data
        intents = self.identify_payloads[-1].get("intents")
        if intents is None or intents & _INTENT_MESSAGE_CONTENT:
            return data
        return self._redact_content(data)

    def _redact_content(self, data: dict[str, Any]) -> dict[str, Any]:
        """Empty the content fields unless Discord's exemptions apply (own, DM, mention)."""
        bot_id = self.bot_user["id"]
        if (data.get("author") or {}).get("id") == bot_id or "guild_id" not in data:
            return data
        if any(m.get("id") == bot_id for m in data.get("mentions") or []):
            return data
        redacted = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        redacted.pop("poll", None)
        return redacted

    def _rest_message(self, msg: dict[str, Any]) -> dict[str, Any]:
        """A message as REST returns it: emptied for an app without the content intent."""
        return msg if self.message_content_intent_enabled else self._redact_content(msg)

    @property
    def gateway_connected(self) -> bool:
        """Whether a client currently holds an identified or resumed gateway session."""
        return self._conn is not None and self._conn.in_session

    async def drop_gateway(self, code: int = 4000, *, keep_down: bool = False) -> None:
        """Close the client's gateway socket with `code` and wait until it is gone.

        discord.py RESUMEs after most codes (4000 included) but not after 1000, 4004 and
        4010-4014. With `keep_down=True` new gateway connections get no HELLO until
        `allow_reconnect()`, so tests can dispatch events "while Discord is unreachable".
        """
        assert self._gateway_open is not None
        if keep_down:
            self._gateway_open.clear()
        conn = self._conn
        if conn is None:
            return
        conn.in_session = False
        await conn.ws.close(code=code, message=b"emulator dropped the connection")
        await asyncio.wait_for(conn.closed.wait(), 5.0)

    def allow_reconnect(self) -> None:
        """Let gateway connections held by `drop_gateway(keep_down=True)` proceed."""
        assert self._gateway_open is not None
        self._gateway_open.set()

    def send_reconnect(self) -> None:
        """Send op 7 RECONNECT, which makes discord.py close the socket and RESUME."""
        if self._conn is not None:
            self._conn.send({"op": _OP_RECONNECT, "d": None, "s": None, "t": None})

    # ------------------------------------------------------ user activity

    def send_message(
        self,
        content: str,
        *,
        channel: str | int | dict[str, Any] = "general",
        author: dict[str, Any] | None = None,
        mentions_bot: bool = False,
        mention_user_ids: Iterable[int] = (),
        in_thread: bool = False,
        reference: dict[str, Any] | int | None = None,
        attachments: Iterable[tuple[str, bytes]] = (),
        nitro: bool = False,
        overlong: Overlong = "error",
    ) -> dict[str, Any]:
        """Dispatch MESSAGE_CREATE for a user message and return it.

        `mentions_bot` prefixes `<@bot_id>` if the content lacks it and lists the bot in
        `mentions`; `in_thread` posts in the default thread; `channel` may be any thread or
        forum post id; `reference` (a message or id) makes it a reply; `attachments` are
        (filename, bytes) pairs. Posting in an archived thread unarchives it first
        (THREAD_UPDATE), as Discord does, unless it is locked. Over-long content is handled
        as `overlong` says (see `member_create_post`); with "split" the last message is returned.
        """
        author = author or self.member_user
        cid = self.thread_id if in_thread else self._channel_id(channel)
        target = self._channel(cid)
        if target["type"] in _FORUM_TYPES:
            raise ValueError("members cannot post in a forum itself; use member_create_post")
        if target["type"] in _THREAD_TYPES:
            self._member_may_post_in_thread(target, author)
        chunks, files = self._member_content(content, attachments, nitro=nitro, overlong=overlong)
        msg: dict[str, Any] = {}
        for index, chunk in enumerate(chunks):
            msg = self._member_message(
                cid,
                chunk,
                author=author,
                files=files if index == 0 else [],
                mentions_bot=mentions_bot,
                mention_user_ids=mention_user_ids,
                reference=reference if index == 0 else None,
            )
            self.dispatch("MESSAGE_CREATE", copy.deepcopy(msg))
        return msg

    def _member_may_post_in_thread(self, thread: dict[str, Any], author: dict[str, Any]) -> None:
        meta = thread["thread_metadata"]
        moderator = bool(self.channel_permissions(author, thread) & _P_MANAGE_THREADS)
        if meta["locked"] and not moderator:
            raise ValueError(f"thread {thread['id']} is locked: only moderators can post")
        if int(thread["id"]) in self._pending_starters:
            raise ValueError("the post's starter message has not been delivered yet")
        if meta["archived"]:
            # "Sending a message will automatically unarchive the thread"
            self._set_archived(thread, False)
        self._add_thread_member(thread, int(author["id"]))

    def _member_content(
        self,
        content: str,
        attachments: Iterable[tuple[str, bytes]],
        *,
        nitro: bool,
        overlong: Overlong,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Apply a member's content limit: the message texts to send and the files of the first."""
        files = [self._file(name, data) for name, data in attachments]
        limit = NITRO_CONTENT_LIMIT if nitro else MEMBER_CONTENT_LIMIT
        if len(content) <= limit or overlong == "allow":
            return [content], files
        if overlong == "file":
            # Discord's client offers to send an over-long message as a message.txt upload
            text = self._file("message.txt", content.encode(), "text/plain; charset=utf-8")
            return [""], [text, *files]
        if overlong == "split":
            # what a member does by hand: consecutive messages of at most `limit` characters
            return [content[i : i + limit] for i in range(0, len(content), limit)], files
        raise ValueError(
            f"{len(content)} characters is over a member's limit of {limit}; pass nitro=True "
            'or overlong="file" / "split" / "allow"'
        )

    @staticmethod
    def _file(filename: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        guessed = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return {
            "field": "files[0]",
            "filename": filename,
            "content_type": guessed,
            "size": len(data),
            "data": data,
        }

    def _member_message(
        self,
        channel_id: int,
        content: str,
        *,
        author: dict[str, Any],
        files: list[dict[str, Any]],
        mentions_bot: bool = False,
        mention_user_ids: Iterable[int] = (),
        reference: dict[str, Any] | int | None = None,
        message_id: int | None = None,
        created_ms: int | None = None,
    ) -> dict[str, Any]:
        bot_mention = f"<@{self.bot_user['id']}>"
        if (
            mentions_bot
            and bot_mention not in content
            and f"<@!{self.bot_user['id']}>" not in content
        ):
            content = f"{bot_mention} {content}"
        body: dict[str, Any] = {"content": content}
        if reference is not None:
            ref_id = reference["id"] if isinstance(reference, dict) else reference
            body["message_reference"] = {"message_id": str(ref_id), "channel_id": str(channel_id)}
        msg = self._build_message(
            channel_id,
            body,
            author=author,
            files=files,
            message_id=message_id,
            created_ms=created_ms,
        )
        msg.pop("nonce", None)
        mentioned = [self.bot_user] if mentions_bot else []
        mentioned += [self.users[int(u)] for u in mention_user_ids if int(u) in self.users]
        msg["mentions"] = [
            {**u, "member": self._member_payload(u, with_user=False)} for u in mentioned
        ]
        return msg

    # ------------------------------------------------------ forum posts

    def member_create_post(
        self,
        forum: str | int | dict[str, Any],
        title: str,
        content: str = "",
        *,
        author: dict[str, Any] | None = None,
        attachments: Iterable[tuple[str, bytes]] = (),
        applied_tags: Iterable[str | int] = (),
        mentions_bot: bool = False,
        nitro: bool = False,
        overlong: Overlong = "error",
        starter_delayed: bool = False,
    ) -> dict[str, Any]:
        """A member opens a post in `forum`; returns the thread with its starter as `message`.

        Dispatches, in Discord's order, THREAD_CREATE (a type 11 thread: parent_id the forum,
        owner_id the author, `newly_created: true`, `applied_tags`, message_count 0) and
        MESSAGE_CREATE of the starter message, whose id is the thread's id and whose
        channel_id is the thread. The starter's content obeys the Message Content intent like
        any message: a bot without the intent sees "" unless the post mentions it (the title,
        being the thread's name, is always visible). `applied_tags` are tag names or ids.

        Content over a member's limit (2000 characters, 4000 with `nitro`) is refused unless
        `overlong` is "file" (sent as a message.txt attachment, as Discord's client offers),
        "split" (the rest follows as replies from the author) or "allow" (the limit is
        bypassed: no real member can do this, but it tests handling of very long text).

        With `starter_delayed` only THREAD_CREATE is sent, as when the author's upload is
        still in progress: until `deliver_starter(post)` the starter is 404 (10008) and the bot
        gets 403 (40058) posting in the thread, both of which bots meet on Discord.
        """
        author = author or self.member_user
        parent = self._forum(forum)
        fid = int(parent["id"])
        if not 1 <= len(title) <= 100:
            raise ValueError("a post title is 1-100 characters")
        chunks, files = self._member_content(content, attachments, nitro=nitro, overlong=overlong)
        if not chunks[0] and not files:
            raise ValueError("a post needs content or an attachment (50006 on Discord)")
        if starter_delayed and len(chunks) > 1:
            raise ValueError("a delayed starter cannot be followed by split replies")
        moderator = bool(self.channel_permissions(author, parent) & _P_MANAGE_THREADS)
        try:
            tags = self._check_applied_tags(
                parent, self._tag_refs(parent, applied_tags), old=[], moderator=moderator
            )
        except _ApiError as err:
            raise ValueError(f"Discord would refuse these tags: {err.body}") from None
        if not tags and parent["flags"] & _CHANNEL_FLAG_REQUIRE_TAG:
            raise ValueError("this forum requires a tag (40067 on Discord)")
        tid = self._snowflake()
        thread = self._store_thread(
            self._thread_payload(tid, parent_id=fid, name=title, owner_id=int(author["id"]))
        )
        thread["applied_tags"] = tags
        thread["last_message_id"] = str(tid)
        parent["last_message_id"] = str(tid)
        self.dispatch("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        starter = self._member_message(
            tid,
            chunks[0],
            author=author,
            files=files,
            mentions_bot=mentions_bot,
            message_id=tid,
        )
        if starter_delayed:
            self._pending_starters[tid] = self._all_messages.pop(tid)
        else:
            self.dispatch("MESSAGE_CREATE", copy.deepcopy(starter))
        for chunk in chunks[1:]:
            self.send_message(chunk, channel=tid, author=author)
        return {**copy.deepcopy(thread), "message": copy.deepcopy(starter)}

    def deliver_starter(self, post: int | dict[str, Any]) -> dict[str, Any]:
        """Dispatch the MESSAGE_CREATE held back by `member_create_post(starter_delayed=True)`."""
        tid = self._channel_id(post)
        starter = self._pending_starters.pop(tid)
        self._all_messages[tid] = starter
        self.dispatch("MESSAGE_CREATE", copy.deepcopy(starter))
        return starter

    def _tag_refs(self, forum: dict[str, Any], tags: Iterable[str | int]) -> list[str]:
        by_name = {t["name"]: t["id"] for t in forum["available_tags"]}
        return [by_name.get(t, str(t)) if isinstance(t, str) else str(t) for t in tags]

    def _check_applied_tags(
        self, forum: dict[str, Any], tag_ids: Any, *, old: list[str], moderator: bool
    ) -> list[str]:
        """Validate `applied_tags` against the forum as Discord does; return them as strings.

        At most 5; every id must be one of the forum's `available_tags`; adding or removing a
        moderated tag needs MANAGE_THREADS. Duplicates are kept: the API does not dedupe them
        (discord/discord-api-docs#5408).
        """
        if not isinstance(tag_ids, list):
            raise _invalid_form({"applied_tags": ("LIST_TYPE_CONVERT", "Must be an array.")})
        if len(tag_ids) > MAX_APPLIED_TAGS:
            raise _invalid_form(
                {
                    "applied_tags": (
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {MAX_APPLIED_TAGS} or fewer in length.",
                    )
                }
            )
        available = {t["id"]: t for t in forum.get("available_tags", [])}
        unknown = {
            f"applied_tags.{i}": ("TAG_INVALID", f"Unknown tag {tag}")
            for i, tag in enumerate(tag_ids)
            if str(tag) not in available
        }
        if unknown:
            raise _invalid_form(unknown)
        new = [str(t) for t in tag_ids]
        changed = set(new) ^ set(old)
        if not moderator and any(available[t]["moderated"] for t in changed if t in available):
            raise _missing_permissions()
        return new

    def member_edit_post(
        self,
        post: int | dict[str, Any],
        *,
        name: str | None = None,
        applied_tags: Iterable[str | int] | None = None,
        by: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The post's author (or a moderator `by`) renames it or changes its tags: THREAD_UPDATE.

        E.g. the author marks the question solved with `applied_tags=["Solved"]`.
        """
        thread = self._channel(self._channel_id(post))
        parent = self._forum(thread["parent_id"])
        by = by or self.users[int(thread["owner_id"])]
        moderator = bool(self.channel_permissions(by, thread) & _P_MANAGE_THREADS)
        if by["id"] != thread["owner_id"] and not moderator:
            raise ValueError("only the post's author or a moderator can edit it")
        if thread["thread_metadata"]["archived"]:
            raise ValueError("archived posts cannot be edited (50083 on Discord)")
        if name is not None:
            if not 1 <= len(name) <= 100:
                raise ValueError("a post title is 1-100 characters")
            thread["name"] = name
        if applied_tags is not None:
            thread["applied_tags"] = self._check_applied_tags(
                parent,
                self._tag_refs(parent, applied_tags),
                old=thread["applied_tags"],
                moderator=moderator,
            )
        self.dispatch("THREAD_UPDATE", copy.deepcopy(thread))
        return thread

    def edit_message(
        self,
        message: int | dict[str, Any],
        content: str,
        *,
        nitro: bool = False,
    ) -> dict[str, Any]:
        """The author edits their message: MESSAGE_UPDATE with the whole edited message.

        Discord sends the full message object (with `edited_timestamp`) on an edit; its
        content obeys the Message Content intent like MESSAGE_CREATE. Messages in archived
        threads cannot be edited.
        """
        msg = self._message_or_404(message["id"] if isinstance(message, dict) else message)
        channel = self._channel(msg["channel_id"])
        if channel["type"] in _THREAD_TYPES and channel["thread_metadata"]["archived"]:
            raise ValueError("messages in archived threads cannot be edited (50083 on Discord)")
        limit = NITRO_CONTENT_LIMIT if nitro else MEMBER_CONTENT_LIMIT
        if len(content) > limit:
            raise ValueError(f"{len(content)} characters is over the limit of {limit}")
        msg["content"] = content
        msg["edited_timestamp"] = _now_iso()
        # Discord always sends tts false in message updates
        self.dispatch("MESSAGE_UPDATE", {**copy.deepcopy(msg), "tts": False})
        return msg

    def archive_thread(self, thread: int | dict[str, Any], *, locked: bool = False) -> None:
        """Archive a thread (a moderator, its owner, or inactivity did it): THREAD_UPDATE.

        Archiving unpins a pinned post. discord.py drops archived threads from its cache.
        A member's message (`send_message`) unarchives it again unless it is `locked`.
        """
        channel = self._channel(self._channel_id(thread))
        channel["thread_metadata"]["locked"] = locked
        self._set_archived(channel, True)

    def _set_archived(self, thread: dict[str, Any], archived: bool) -> None:
        meta = thread["thread_metadata"]
        meta["archived"] = archived
        # "archive_timestamp is changed when creating, archiving, or unarchiving a thread"
        meta["archive_timestamp"] = _now_iso()
        if archived:
            thread["flags"] &= ~_CHANNEL_FLAG_PINNED
        self.dispatch("THREAD_UPDATE", copy.deepcopy(thread))

    def delete_thread(self, thread: int | dict[str, Any]) -> None:
        """A moderator deletes a thread or post: THREAD_DELETE (id, guild_id, parent_id, type).

        Its messages go with it; Discord sends no MESSAGE_DELETE for them.
        """
        self._remove_thread(self._channel(self._channel_id(thread)))

    def _remove_thread(self, thread: dict[str, Any]) -> dict[str, Any]:
        tid = int(thread["id"])
        del self.channels[tid]
        self._thread_members.pop(tid, None)
        self._pending_starters.pop(tid, None)
        for mid in [m for m, msg in self._all_messages.items() if int(msg["channel_id"]) == tid]:
            self._all_messages.pop(mid, None)
            self.messages.pop(mid, None)
        self.dispatch(
            "THREAD_DELETE",
            {
                "id": str(tid),
                "guild_id": str(self.guild_id),
                "parent_id": thread["parent_id"],
                "type": thread["type"],
            },
        )
        return thread

    def seed_forum_posts(
        self,
        forum: str | int | dict[str, Any],
        count: int,
        *,
        archived: int = 0,
        replies: int = 0,
        author: dict[str, Any] | None = None,
        applied_tags: Iterable[str | int] = (),
        title: str = "Question {n}",
        content: str = "How do I get started with topic {n}?",
        days_ago: float = 30.0,
    ) -> list[dict[str, Any]]:
        """Create `count` posts that existed before the test, without dispatching anything.

        Posts are spread over the last `days_ago` days (ids, timestamps and
        archive_timestamps in the past, oldest first); the oldest `archived` of them are
        archived. Each has its starter (id == thread id) and `replies` replies, so GET
        /channels/{post}/messages[/{id}] work. Active ones appear in GUILD_CREATE if seeded
        before the client connects and in GET /guilds/{id}/threads/active; archived ones in
        GET /channels/{forum}/threads/archived/public. `title` and `content` may use {n}
        (1-based). Returns the threads, each with its starter as `message`, oldest first.
        """
        if not 0 <= archived <= count:
            raise ValueError("archived must be between 0 and count")
        author = author or self.member_user
        parent = self._forum(forum)
        tags = self._check_applied_tags(
            parent, self._tag_refs(parent, applied_tags), old=[], moderator=True
        )
        now_ms = int(time.time() * 1000)
        # end an hour ago so no seeded id can reach the live ids the emulator hands out
        span_ms = max(int(days_ago * 86_400_000) - 3_600_000, count)
        step = span_ms // max(count, 1)
        posts = []
        for index in range(count):
            created = now_ms - 3_600_000 - span_ms + index * step
            tid = self._snowflake_at(created)
            thread = self._store_thread(
                self._thread_payload(
                    tid,
                    parent_id=int(parent["id"]),
                    name=title.format(n=index + 1),
                    owner_id=int(author["id"]),
                    created_ms=created,
                )
            )
            thread["applied_tags"] = list(tags)
            starter = self._member_message(
                tid,
                content.format(n=index + 1),
                author=author,
                files=[],
                message_id=tid,
                created_ms=created,
            )
            last = tid
            for r in range(replies):
                reply_ms = created + (r + 1) * 60_000
                last = self._snowflake_at(reply_ms)
                self._member_message(
                    tid,
                    f"Reply {r + 1} to post {index + 1}",
                    author=author,
                    files=[],
                    message_id=last,
                    created_ms=reply_ms,
                )
            thread["last_message_id"] = str(last)
            if index < archived:
                meta = thread["thread_metadata"]
                meta["archived"] = True
                # distinct, increasing with age: pagination by archive_timestamp is stable
                meta["archive_timestamp"] = _iso_from_ms(created + step // 2)
            posts.append({**copy.deepcopy(thread), "message": copy.deepcopy(starter)})
        if posts:
            parent["last_message_id"] = posts[-1]["id"]
        return posts

    def dm_channel_id(self, user: dict[str, Any] | None = None) -> int:
        """The id of the DM channel between the bot and `user` (created on first use)."""
        user = user or self.member_user
        for cid, channel in self.channels.items():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == user["id"]:
                return cid
        cid = self._snowflake()
        self.channels[cid] = {
            "id": str(cid),
            "type": 1,
            "recipients": [user],
            "last_message_id": None,
        }
        return cid

    def _new_interaction(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        user: dict[str, Any] | None,
        channel: str | int,
        guild: bool,
        locale: str,
        message: dict[str, Any] | None = None,
        permissions: int | None = None,
    ) -> dict[str, Any]:
        user = user or self.member_user
        iid = self._snowflake()
        token = f"aW50ZXJhY3Rpb24{secrets.token_urlsafe(48)}"
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": str(BOT_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": self.attachment_size_limit,
        }
        if guild:
            cid = self._resolve_channel(channel)
            # both are the permissions in the channel, overwrites included
            perms = self.channel_permissions(user, cid) if permissions is None else permissions
            payload["app_permissions"] = str(self.channel_permissions(self.bot_user, cid))
            payload.update(
                guild_id=str(self.guild_id),
                guild={"id": str(self.guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=str(cid),
                channel=copy.deepcopy(self._channel(cid)),
                member={**self._member_payload(user), "permissions": str(perms)},
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=0,
            )
        else:
            cid = self.dm_channel_id(user)
            dm = copy.deepcopy(self.channels[cid])
            payload.update(
                channel_id=str(cid),
                channel=dm,
                user=user,
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=1,
            )
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        record = {
            "id": iid,
            "token": token,
            "type": itype,
            "user": user,
            "channel_id": cid,
            "message_id": int(message["id"]) if message is not None else None,
            "payload": payload,
            "response_type": None,
            "response": None,
            "original_message_id": None,
            "followup_ids": [],
        }
        self.interactions[iid] = record
        self._interactions_by_token[token] = record
        self.dispatch("INTERACTION_CREATE", payload)
        return payload

    @staticmethod
    def _option(name: str, value: Any, option_types: dict[str, int] | None) -> dict[str, Any]:
        if option_types and name in option_types:
            otype = option_types[name]
        elif isinstance(value, bool):
            otype = 5
        elif isinstance(value, int):
            otype = 4
        elif isinstance(value, float):
            otype = 10
        else:
            otype = 3
        return {"name": name, "type": otype, "value": value}

    def _command_data(
        self, name: str, options: dict[str, Any], option_types: dict[str, int] | None
    ) -> dict[str, Any]:
        # "group sub" / "group subgroup sub" nest the options the way Discord does
        root, *path = name.split()
        opts = [self._option(k, v, option_types) for k, v in options.items()]
        for index, part in reversed(list(enumerate(path))):
            kind = 1 if index == len(path) - 1 else 2
            opts = [{"name": part, "type": kind, "options": opts}]
        data: dict[str, Any] = {"name": root, "type": 1, "options": opts}
        registered = next(
            (c for c in self.guild_commands.get(self.guild_id, []) if c["name"] == root), None
        )
        if registered is not None:
            data["id"] = registered["id"]
            data["guild_id"] = str(self.guild_id)
        else:
            glob = next((c for c in self.global_commands if c["name"] == root), None)
            data["id"] = glob["id"] if glob else str(self._snowflake())
        return data

    def send_slash_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: dict[str, Any] | None = None,
        channel: str | int = "general",
        guild: bool = True,
        locale: str = "en-US",
        option_types: dict[str, int] | None = None,
        permissions: int | None = None,
    ) -> dict[str, Any]:
        """Dispatch an APPLICATION_COMMAND interaction and return its payload.

        Option types are inferred (str 3, int 4, bool 5, float 10) unless `option_types`
        overrides them. `name` may be "group sub". If the command was synced to the guild,
        `data.guild_id` is set so discord.py's CommandTree finds the guild command.
        """
        data = self._command_data(name, options or {}, option_types)
        return self._new_interaction(
            2,
            data,
            user=user,
            channel=channel,
            guild=guild,
            locale=locale,
            permissions=permissions,
        )

    def delete_message(self, message: dict[str, Any] | int) -> None:
        """A member (or moderator) deletes a message: it is gone, MESSAGE_DELETE is sent."""
        message_id = int(message["id"]) if isinstance(message, dict) else message
        stored = self._message_or_404(message_id)
        self._forget_message(message_id)
        self.dispatch(
            "MESSAGE_DELETE",
            {
                "id": str(message_id),
                "channel_id": str(stored["channel_id"]),
                "guild_id": str(self.guild_id),
            },
        )

    def send_message_command(
        self,
        name: str,
        message: dict[str, Any] | int,
        *,
        user: dict[str, Any] | None = None,
        locale: str = "en-US",
        permissions: int | None = None,
    ) -> dict[str, Any]:
        """Dispatch a message context-menu command (type 3) `name` on `message`.

        The interaction is in the message's channel (a thread or forum post included) and
        `data.resolved.messages` carries the message with its content, which Discord sends
        whatever the app's intents. A command synced to the guild gets its id and `guild_id`,
        which discord.py needs to find a guild context menu.
        """
        if isinstance(message, int):
            message = self._message_or_404(message)
        # the message as stored: context-menu targets carry content whatever the intents
        target = copy.deepcopy(self._all_messages.get(int(message["id"]), message))
        data: dict[str, Any] = {
            "id": str(self._snowflake()),
            "name": name,
            "type": 3,
            "target_id": str(target["id"]),
            "resolved": {"messages": {str(target["id"]): target}},
        }
        registered = next(
            (
                c
                for c in self.guild_commands.get(self.guild_id, [])
                if c["name"] == name and c.get("type") == 3
            ),
            None,
        )
        if registered is not None:
            # discord.py finds a guild context menu by (name, guild_id, type)
            data.update(id=registered["id"], guild_id=str(self.guild_id))
        else:
            glob = next(
                (c for c in self.global_commands if c["name"] == name and c.get("type") == 3),
                None,
            )
            if glob is not None:
                data["id"] = glob["id"]
        return self._new_interaction(
            2,
            data,
            user=user,
            channel=int(target["channel_id"]),
            guild=True,
            locale=locale,
            permissions=permissions,
        )

    def send_autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: dict[str, Any] | None = None,
        channel: str | int = "general",
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Dispatch an APPLICATION_COMMAND_AUTOCOMPLETE interaction for option `focused`."""
        data = self._command_data(name, options, None)
        inner = data["options"]
        while inner and inner[0]["type"] in (1, 2):
            inner = inner[0]["options"]
        for opt in inner:
            if opt["name"] == focused:
                opt["focused"] = True
                # Discord sends the partial text of the focused option as a string
                opt["type"] = 3 if isinstance(opt["value"], str) else opt["type"]
        return self._new_interaction(4, data, user=user, channel=channel, guild=True, locale=locale)

    def click_button(
        self,
        message: dict[str, Any] | int,
        custom_id: str,
        *,
        user: dict[str, Any] | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Dispatch a MESSAGE_COMPONENT interaction for `custom_id` on `message`.

        `message` is a message dict (e.g. from `emu.messages`) or its id. For select menus
        pass `component_type` (3 string select) and `values`.
        """
        if isinstance(message, int):
            message = self._message_or_404(message)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return self._new_interaction(
            3,
            data,
            user=user,
            channel=int(message["channel_id"]),
            guild=True,
            locale=locale,
            message=message,
        )

    def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        user: dict[str, Any] | None = None,
        *,
        channel: str | int = "general",
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Dispatch a MODAL_SUBMIT interaction; `values` maps text-input custom_id to text."""
        rows = [
            {
                "type": 1,
                "id": i * 2 + 1,
                "components": [{"type": 4, "id": i * 2 + 2, "custom_id": k, "value": v}],
            }
            for i, (k, v) in enumerate(values.items())
        ]
        data = {"custom_id": custom_id, "components": rows}
        return self._new_interaction(5, data, user=user, channel=channel, guild=True, locale=locale)

    def interaction_record(self, interaction: dict[str, Any] | int) -> dict[str, Any]:
        """The emulator's bookkeeping for an interaction (payload dict or id).

        Keys: response_type (callback type or None), response (callback body),
        original_message_id, followup_ids, message_id (component message).
        """
        iid = int(interaction["id"]) if isinstance(interaction, dict) else interaction
        return self.interactions[iid]
