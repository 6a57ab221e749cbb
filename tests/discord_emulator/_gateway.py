"""The gateway: the websocket, IDENTIFY and RESUME, sessions, dispatches, content intent.

One client connection at a time. Dispatches are numbered and logged per session, so a
RESUME replays what the client missed and a fresh IDENTIFY re-sends what never reached a
socket. What a dispatch carries obeys the bot's view of the guild (channels it cannot see
send nothing) and the Message Content intent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web
from discord_emulator._constants import (
    _INTENT_MESSAGE_CONTENT,
    _OP_DISPATCH,
    _OP_HEARTBEAT,
    _OP_HEARTBEAT_ACK,
    _OP_HELLO,
    _OP_IDENTIFY,
    _OP_INVALID_SESSION,
    _OP_RECONNECT,
    _OP_REQUEST_MEMBERS,
    _OP_RESUME,
    _P_VIEW_CHANNEL,
    _THREAD_TYPES,
    API_VERSION,
)
from discord_emulator._state import EmulatorState, RecordedRequest


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


class GatewayMixin(EmulatorState):
    """The gateway websocket and everything dispatched over it."""

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
