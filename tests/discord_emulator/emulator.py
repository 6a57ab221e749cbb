r"""An in-process emulator of the Discord REST API and gateway, served on loopback.

The real discord.py client talks to it once `discord.http.Route.BASE` and
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` point at `api_base_url` and `gateway_url`.
It keeps one guild with two text channels and one thread, records every REST request and
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
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

__all__ = ["DiscordEmulator", "RecordedRequest"]

T = TypeVar("T")

DISCORD_EPOCH_MS = 1420070400000
API_VERSION = 10

# Permission bits, spelled out so the emulator does not depend on discord.py internals.
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
    ) -> None:
        """Build the fake guild; nothing listens until `start()`.

        `echo_bot_messages` makes messages the bot posts through REST come back as
        MESSAGE_CREATE dispatches, as real Discord does (off by default to keep event logs small).
        With `enforce_message_content_intent`, message dispatches lose their content, embeds,
        attachments and components unless the client identified with the MESSAGE_CONTENT
        intent, the message mentions the bot, is the bot's own, or is a DM (Discord's rules).
        """
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.token = token or f"emu.{secrets.token_urlsafe(24)}"
        self.echo_bot_messages = echo_bot_messages
        self.enforce_message_content_intent = enforce_message_content_intent
        self.attachment_size_limit = attachment_size_limit

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
        self.channels[self.thread_id] = self._thread_payload(
            self.thread_id,
            parent_id=self.channel_ids["career-help"],
            name="resume-review",
            owner_id=int(self.owner_user["id"]),
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

    def _thread_payload(
        self, thread_id: int, *, parent_id: int, name: str, owner_id: int, thread_type: int = 11
    ) -> dict[str, Any]:
        now = _now_iso()
        return {
            "id": str(thread_id),
            "type": thread_type,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(owner_id),
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": now,
                "locked": False,
                "invitable": True,
                "create_timestamp": now,
            },
        }

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
        if perms & 8:  # ADMINISTRATOR implies everything
            return ALL_PERMISSIONS
        return perms

    def guild_payload(self) -> dict[str, Any]:
        """The full GUILD_CREATE payload for the fake guild."""
        text_channels = [c for c in self.channels.values() if c["type"] in (0, 2, 4, 5, 13, 15)]
        threads = [c for c in self.channels.values() if c["type"] in (10, 11, 12)]
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
            ("PUT", r"/channels/(\d+)/thread-members/(@me|\d+)", True, self._no_content),
            ("DELETE", r"/channels/(\d+)/thread-members/(@me|\d+)", True, self._no_content),
            ("POST", r"/channels/(\d+)/typing", True, self._typing),
            ("GET", r"/channels/(\d+)", True, self._get_channel),
            ("PATCH", r"/channels/(\d+)", True, self._edit_channel),
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
        errors: dict[str, Any] = {}
        content = body.get("content") or ""
        embeds = body.get("embeds") or []
        if len(content) > 2000:
            errors["content"] = "Must be 2000 or fewer in length."
        if len(embeds) > 10:
            errors["embeds"] = "Must be 10 or fewer in length."
        total = 0
        limits = {"title": 256, "description": 4096}
        for i, embed in enumerate(embeds):
            for key, limit in limits.items():
                value = embed.get(key) or ""
                total += len(value)
                if len(value) > limit:
                    errors[f"embeds.{i}.{key}"] = f"Must be {limit} or fewer in length."
            fields = embed.get("fields") or []
            if len(fields) > 25:
                errors[f"embeds.{i}.fields"] = "Must be 25 or fewer in length."
            for j, fld in enumerate(fields):
                total += len(fld.get("name") or "") + len(fld.get("value") or "")
                if len(fld.get("name") or "") > 256:
                    errors[f"embeds.{i}.fields.{j}.name"] = "Must be 256 or fewer in length."
                if len(fld.get("value") or "") > 1024:
                    errors[f"embeds.{i}.fields.{j}.value"] = "Must be 1024 or fewer in length."
            total += len((embed.get("footer") or {}).get("text") or "")
            total += len((embed.get("author") or {}).get("name") or "")
        if total > 6000:
            errors["embeds"] = "Embed size exceeds maximum size of 6000"
        components = body.get("components") or []
        is_v2 = bool((body.get("flags") or 0) & (1 << 15))
        if not is_v2 and len(components) > 5:
            errors["components"] = "Must be 5 or fewer in length."
        if errors:
            raise _ApiError(400, 50035, "Invalid Form Body", errors)

    def _attachments(self, channel_id: int, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for f in files:
            aid = self._snowflake()
            url = f"https://cdn.discordapp.com/attachments/{channel_id}/{aid}/{f['filename']}"
            out.append(
                {
                    "id": str(aid),
                    "filename": f["filename"],
                    "size": f["size"],
                    "url": url,
                    "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
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
    ) -> dict[str, Any]:
        channel = self._channel(channel_id)
        mid = self._snowflake()
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": 0,
            "channel_id": str(channel_id),
            "author": author,
            "content": body.get("content") or "",
            "timestamp": _now_iso(),
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
                raise _ApiError(
                    400, 50035, "Invalid Form Body", {"message_reference": "Unknown message"}
                )
        if extra:
            msg.update(extra)
        if channel["type"] in (10, 11, 12):
            channel["message_count"] += 1
            channel["total_message_sent"] += 1
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
        msg = self._build_message(int(channel_id), body, author=self.bot_user, files=rec.files)
        return 200, self._store_bot_message(msg)

    def _list_messages(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._channel(channel_id)
        limit = int(rec.query.get("limit", 50))
        msgs = [m for m in self._all_messages.values() if m["channel_id"] == channel_id]
        if "before" in rec.query:
            msgs = [m for m in msgs if int(m["id"]) < int(rec.query["before"])]
        if "after" in rec.query:
            msgs = [m for m in msgs if int(m["id"]) > int(rec.query["after"])]
        msgs.sort(key=lambda m: int(m["id"]), reverse=True)
        return 200, msgs[:limit]

    def _get_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        msg = self._message_or_404(message_id)
        if msg["channel_id"] != channel_id:
            raise _ApiError(404, 10008, "Unknown Message")
        return 200, msg

    def _edit_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        msg = self._message_or_404(message_id)
        if msg["author"]["id"] != self.bot_user["id"] and set(rec.json or {}) - {"flags"}:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        body = rec.json if isinstance(rec.json, dict) else {}
        self._validate_message({**msg, **body}, rec.files)
        self._apply_edit(msg, body, rec.files)
        return 200, msg

    def _delete_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> tuple:
        self._message_or_404(message_id)
        self._forget_message(int(message_id))
        self.dispatch(
            "MESSAGE_DELETE",
            {"id": message_id, "channel_id": channel_id, "guild_id": str(self.guild_id)},
        )
        return 204, None

    def _forget_message(self, message_id: int) -> None:
        self._all_messages.pop(message_id, None)
        self.messages.pop(message_id, None)
        self.deleted_message_ids.append(message_id)

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
        return [self._all_messages[i] for i in ids if i in self._all_messages]

    def _list_pins_new(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        items = [{"pinned_at": _now_iso(), "message": m} for m in self._pinned_messages(channel_id)]
        return 200, {"items": items, "has_more": False}

    def _list_pins_legacy(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return 200, self._pinned_messages(channel_id)

    def _add_reaction(self, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str):
        self._message_or_404(message_id)
        self.reactions.append({"message_id": int(message_id), "emoji": emoji, "added": True})
        return 204, None

    def _remove_reaction(self, rec: RecordedRequest, channel_id: str, message_id: str, emoji, _u):
        self._message_or_404(message_id)
        self.reactions.append({"message_id": int(message_id), "emoji": emoji, "added": False})
        return 204, None

    def _typing(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        self._channel(channel_id)
        return 204, None

    def _no_content(self, rec: RecordedRequest, *_: str) -> tuple[int, Any]:
        return 204, None

    # --- channels and threads

    def _get_channel(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        return 200, self._channel(channel_id)

    def _edit_channel(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        channel = self._channel(channel_id)
        body = rec.json if isinstance(rec.json, dict) else {}
        is_thread = channel["type"] in (10, 11, 12)
        for key, value in body.items():
            if is_thread and key in ("archived", "locked", "auto_archive_duration", "invitable"):
                channel["thread_metadata"][key] = value
                if key == "archived":
                    channel["thread_metadata"]["archive_timestamp"] = _now_iso()
            elif key in ("name", "topic", "rate_limit_per_user", "nsfw", "position", "flags"):
                channel[key] = value
        self.dispatch("THREAD_UPDATE" if is_thread else "CHANNEL_UPDATE", copy.deepcopy(channel))
        return 200, channel

    def _create_thread(
        self, parent_id: int, body: dict[str, Any], thread_id: int | None, thread_type: int
    ) -> dict[str, Any]:
        parent = self._channel(parent_id)
        if parent["type"] not in (0, 5, 15):
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise _ApiError(
                400, 50035, "Invalid Form Body", {"name": "Must be between 1 and 100 in length."}
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
        if body.get("auto_archive_duration"):
            thread["thread_metadata"]["auto_archive_duration"] = body["auto_archive_duration"]
        if body.get("rate_limit_per_user"):
            thread["rate_limit_per_user"] = body["rate_limit_per_user"]
        thread["member"] = {
            "id": str(tid),
            "user_id": self.bot_user["id"],
            "join_timestamp": _now_iso(),
            "flags": 0,
        }
        self.channels[tid] = thread
        self.dispatch("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        return thread

    def _thread_from_message(self, rec: RecordedRequest, channel_id: str, message_id: str):
        msg = self._message_or_404(message_id)
        body = rec.json if isinstance(rec.json, dict) else {}
        # Discord gives a thread started from a message the message's id
        thread = self._create_thread(int(channel_id), body, int(message_id), 11)
        msg["thread"] = copy.deepcopy(thread)
        msg["flags"] = msg.get("flags", 0) | (1 << 5)
        return 201, thread

    def _thread_without_message(self, rec: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        body = rec.json if isinstance(rec.json, dict) else {}
        thread = self._create_thread(int(channel_id), body, None, int(body.get("type") or 11))
        if "message" in body:
            starter = self._build_message(
                int(thread["id"]), body["message"], author=self.bot_user, files=rec.files
            )
            self._store_bot_message(starter)
            return 201, {**thread, "message": starter}
        return 201, thread

    def _guild_or_404(self, guild_id: str) -> None:
        if int(guild_id) != self.guild_id:
            raise _ApiError(404, 10004, "Unknown Guild")

    def _guild_channels(self, rec: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        self._guild_or_404(guild_id)
        return 200, [c for c in self.channels.values() if c["type"] in (0, 2, 4, 5, 13, 15)]

    def _guild_member(self, rec: RecordedRequest, guild_id: str, user_id: str):
        self._guild_or_404(guild_id)
        user = self.users.get(int(user_id))
        if user is None:
            raise _ApiError(404, 10007, "Unknown Member")
        return 200, self._member_payload(user)

    def _active_threads(self, rec: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        self._guild_or_404(guild_id)
        threads = [
            c
            for c in self.channels.values()
            if c["type"] in (10, 11, 12) and not c["thread_metadata"]["archived"]
        ]
        return 200, {"threads": threads, "members": []}

    # --- application commands

    def _check_app(self, application_id: str) -> None:
        if int(application_id) != self.application_id:
            raise _ApiError(404, 10002, "Unknown Application")

    def _upsert_commands(
        self, existing: list[dict[str, Any]], body: Any, guild_id: int | None
    ) -> list[dict[str, Any]]:
        if not isinstance(body, list):
            raise _ApiError(400, 50035, "Invalid Form Body", {"_errors": "Must be an array"})
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
                raise _ApiError(400, 50035, "Invalid Form Body", {"type": "Not a component"})
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
                raise _ApiError(
                    400, 50035, "Invalid Form Body", {"choices": "Must be 25 or fewer in length."}
                )
            self.autocomplete_results.append({"interaction_id": inter["id"], **data})
        elif cb_type == _CB_MODAL:
            self.modals.append({"interaction_id": inter["id"], **data})
        elif cb_type != _CB_PONG:
            raise _ApiError(400, 50035, "Invalid Form Body", {"type": f"bad type {cb_type}"})
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
        """
        if self._session_id is None:
            self._pending.append((event, data))
            return
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            data = self._apply_content_intent(data)
        self._seq += 1
        entry = {"op": _OP_DISPATCH, "t": event, "s": self._seq, "d": data}
        self._log.append(entry)
        conn = self._conn
        if conn is not None and conn.in_session:
            conn.send(entry)

    def _apply_content_intent(self, data: dict[str, Any]) -> dict[str, Any]:
        if not self.enforce_message_content_intent or not self.identify_payloads:
            return data
        intents = self.identify_payloads[-1].get("intents")
        if intents is None or intents & _INTENT_MESSAGE_CONTENT:
            return data
        bot_id = self.bot_user["id"]
        if (data.get("author") or {}).get("id") == bot_id or "guild_id" not in data:
            return data
        if any(m.get("id") == bot_id for m in data.get("mentions") or []):
            return data
        redacted = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        redacted.pop("poll", None)
        return redacted

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
        channel: str | int = "general",
        author: dict[str, Any] | None = None,
        mentions_bot: bool = False,
        mention_user_ids: Iterable[int] = (),
        in_thread: bool = False,
        reference: dict[str, Any] | int | None = None,
    ) -> dict[str, Any]:
        """Dispatch MESSAGE_CREATE for a user message and return it.

        `mentions_bot` prefixes `<@bot_id>` if the content lacks it and lists the bot in
        `mentions`; `in_thread` posts in the default thread; `reference` (a message or id)
        makes it a reply.
        """
        author = author or self.member_user
        cid = self.thread_id if in_thread else self._resolve_channel(channel)
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
            body["message_reference"] = {"message_id": str(ref_id), "channel_id": str(cid)}
        msg = self._build_message(cid, body, author=author)
        msg.pop("nonce", None)
        mentioned = [self.bot_user] if mentions_bot else []
        mentioned += [self.users[int(u)] for u in mention_user_ids if int(u) in self.users]
        msg["mentions"] = [
            {**u, "member": self._member_payload(u, with_user=False)} for u in mentioned
        ]
        self.dispatch("MESSAGE_CREATE", copy.deepcopy(msg))
        return msg

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
            perms = self.permissions_for(user) if permissions is None else permissions
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
        """Dispatch a message context-menu command (type 3) `name` on `message`."""
        if isinstance(message, int):
            message = self._message_or_404(message)
        target = copy.deepcopy(message)
        data: dict[str, Any] = {
            "id": str(self._snowflake()),
            "name": name,
            "type": 3,
            "target_id": str(target["id"]),
            "resolved": {"messages": {str(target["id"]): target}},
        }
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
