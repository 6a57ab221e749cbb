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
than 10 embeds, oversized embeds or components Discord refuses (rows, buttons, select menus
and their options, as `_components` lists) get 400 (code 50035). A click is on the message as
it is now, and only what a member's client can send: a component on it, enabled, and for a
select menu values among its options, within min_values..max_values.

Forum channels (type 15) hold posts: public threads whose starter message has the thread's id
(`add_forum_channel`, `member_create_post`, `seed_forum_posts`). The bot's REST calls are
checked against its permissions in the channel, computed from roles and the channel's
permission overwrites as Discord documents it (threads inherit their parent's): e.g. no
SEND_MESSAGES_IN_THREADS means 403 (50013) on posting in a thread, no VIEW_CHANNEL 403
(50001). Editing a thread follows Discord's rules for owners and MANAGE_THREADS, validates
`applied_tags` against the forum's tags and refuses archived or locked threads.

The emulator is one class composed of a mixin per concern over one shared state
(`_state.EmulatorState`): `_http` (REST entry, routing, faults), `_gateway` (websocket,
sessions, dispatch, content intent), `_waiting` (waiting for requests and events), `_guild`
(users, members, channels), `_permissions`, `_messages` (its components checked by
`_components`) and `_member_messages`, `_threads`, `_thread_members` and `_forums`,
`_commands` and `_interactions`. This module composes them and runs the server.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web
from discord_emulator._commands import CommandsMixin
from discord_emulator._constants import (  # noqa: F401  (this module's constants before the split)
    ALL_PERMISSIONS,
    API_VERSION,
    BOT_PERMISSIONS,
    DISCORD_EPOCH_MS,
    EVERYONE_PERMISSIONS,
    MAX_APPLIED_TAGS,
    MAX_AVAILABLE_TAGS,
    MEMBER_CONTENT_LIMIT,
    NITRO_CONTENT_LIMIT,
    Overlong,
)
from discord_emulator._forums import ForumsMixin
from discord_emulator._gateway import GatewayMixin
from discord_emulator._guild import GuildMixin
from discord_emulator._http import HttpMixin
from discord_emulator._interactions import InteractionsMixin
from discord_emulator._member_messages import MemberMessagesMixin
from discord_emulator._messages import MessagesMixin
from discord_emulator._permissions import PermissionsMixin
from discord_emulator._state import RecordedRequest
from discord_emulator._thread_members import ThreadMembersMixin
from discord_emulator._threads import ThreadsMixin
from discord_emulator._waiting import (
    RequestMatcher,  # noqa: F401
    WaitingMixin,
)

__all__ = ["DiscordEmulator", "RecordedRequest"]


class DiscordEmulator(
    HttpMixin,
    GatewayMixin,
    WaitingMixin,
    GuildMixin,
    PermissionsMixin,
    MessagesMixin,
    MemberMessagesMixin,
    ThreadsMixin,
    ThreadMembersMixin,
    ForumsMixin,
    CommandsMixin,
    InteractionsMixin,
):
    """A fake Discord (REST + gateway) on 127.0.0.1 for driving a real discord.py client.

    Use as `async with DiscordEmulator() as emu:` or call `start()` / `stop()`.
    """

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
