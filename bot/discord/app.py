"""The discord.py application: client set-up, endpoints, translations, shared error handling."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.db.database import Database
from bot.db.forum_store import ForumStore
from bot.db.members_store import MembersStore
from bot.db.settings_store import SettingsStore
from bot.discord.ui import NotModerator, NotServerManager, respond
from bot.i18n import _STRINGS, language_of_locale, t
from bot.services import reindex
from bot.services.answers import AnsweringService
from bot.services.curation import Curation, CurationError
from bot.services.forum import Forum
from bot.services.journal import AnswerJournal
from bot.services.members import MemberData
from bot.services.observability import (
    HealthServer,
    HealthServerError,
    HealthStatus,
    Metrics,
    configure_logging,
)
from bot.services.reload import IndexReloader
from bot.services.settings import ServerSettings, any_forum_channels_configured
from bot.services.worker import SearchWorker, WorkerBusy

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.discord.exts.ask",
    "bot.discord.exts.resources",
    "bot.discord.exts.about",
    "bot.discord.exts.pins",
    "bot.discord.exts.admin",
    "bot.discord.exts.forum",
    "bot.discord.exts.settings",
    "bot.discord.exts.members",
)


def use_endpoints(api_base_url: str, gateway_url: str) -> None:
    """Point discord.py's REST and gateway at the given URLs (Discord's, or the test emulator).

    A non-sharded client connects to `DEFAULT_GATEWAY`, not to the URL `GET /gateway/bot`
    returns, and webhooks and interaction callbacks use `Route.BASE` too: both must be set.
    """
    discord.http.Route.BASE = api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def minimal_intents(read_message_content: bool = False) -> discord.Intents:
    """Guilds and guild messages, and the privileged Message Content intent only when asked.

    Messages that mention the bot carry their content without it; a new forum post does not,
    so the intent is asked for only when some server has a help forum configured.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = read_message_content
    return intents


class StringsTranslator(app_commands.Translator):
    """Command and option descriptions in Chinese from bot/i18n.py (keys in `extras`)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if key in _STRINGS and language_of_locale(locale) == "zh":
            return _STRINGS[key]["zh"]
        return None


class ShuttingDown(Exception):
    """The bot is stopping and takes no new questions."""


class CareerBot(commands.Bot):
    """careerbot on Discord. Heavy work (model, index) loads in `setup_hook` on the worker."""

    def __init__(
        self,
        settings: Settings,
        worker: SearchWorker | None = None,
        *,
        load_search: bool = True,
        read_message_content: bool | None = None,
        **client_options: Any,
    ):
        """`client_options` go to discord.py's client (tests shorten `guild_ready_timeout`).
        `read_message_content`: ask for the Message Content intent; by default when the YAML
        configures a help forum (`run_bot` also counts forums set from Discord)."""
        # The bot has no voice: discord.py's start-up warnings about missing voice libraries
        # (PyNaCl, davey) would only worry whoever reads the logs.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        server_settings = ServerSettings(settings)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=minimal_intents(
                server_settings.any_forum_channels()
                if read_message_content is None
                else read_message_content
            ),
            allowed_mentions=discord.AllowedMentions.none(),  # never ping from echoed text
            help_command=None,
            **client_options,
        )
        self.settings = settings
        self.server_settings = server_settings
        self.members: MemberData | None = None  # members' data and retention (setup_hook)
        self._load_search = load_search  # False for `careerbot sync`: commands only, no model
        self.worker = worker or SearchWorker(
            lambda: reindex.open_retriever(settings), settings.discord.max_pending
        )
        self._curation: Curation | None = None
        self._forum: Forum | None = None
        self._answers: AnsweringService | None = None
        self._reloader: IndexReloader | None = None
        self._closing: asyncio.Future[None] | None = None
        self.metrics = Metrics(self.health_status)
        self.accepting_questions = True
        self.connection_task: asyncio.Future[None] | None = None  # the gateway (run_bot)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def curation(self) -> Curation:
        """Pins, votes and the question log (after `setup_hook`)."""
        if self._curation is None:
            raise RuntimeError("the bot has not been set up")
        return self._curation

    @property
    def answers(self) -> AnsweringService:
        """Answers questions: pins, cards, passages, similar threads (after `setup_hook`)."""
        if self._answers is None:
            raise RuntimeError("the bot has not been set up")
        return self._answers

    @property
    def forum(self) -> Forum:
        """Help-forum posts and their similar-thread index (after `setup_hook`)."""
        if self._forum is None:
            raise RuntimeError("the bot has not been set up")
        return self._forum

    @property
    def reloader(self) -> IndexReloader:
        """Keeps the served index on the published generation (after `setup_hook`)."""
        if self._reloader is None:
            raise RuntimeError("the bot has not been set up")
        return self._reloader

    async def setup_hook(self) -> None:
        if self._load_search:
            await self.worker.start()
            self._reloader = IndexReloader(self.worker, self.settings.index_root)
            self._reloader.start_polling(self.settings.index.watch_seconds)
            database = await Database.open(self.settings.resolved_database_url)
            changed = await self.server_settings.load(SettingsStore(database.engine))
            log.info("%d server settings changed from Discord", changed)
            journal = AnswerJournal(database)
            self.members = MemberData(self.settings, MembersStore(database.engine), journal)
            self._curation = Curation(
                self.settings, self.worker, database, self.server_settings, journal
            )
            pinned = await self._curation.load_pins()
            log.info("serving %d pinned questions", pinned)
            self._forum = Forum(
                self.settings, self.worker, ForumStore(database), self.server_settings
            )
            posts = await self._forum.load()
            log.info("similar threads: %d forum posts", posts)
            self._answers = AnsweringService(self.worker, self._curation, self._forum, journal)
        await self.tree.set_translator(StringsTranslator())
        self.tree.on_error = self.on_app_command_error
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # What start-up loaded (modules, the index's records, pins: ~150k objects) lives as
        # long as the bot. Left to the collector, every full collection walks it all on the
        # event loop (95-130 ms each on this machine); frozen, it is never walked again, and
        # a full collection walks the ~12k objects of the running bot (under 10 ms). Frozen
        # objects are still freed by reference counting once unused (a reloaded index's); the
        # garbage already there is collected first, so that none of it is frozen for good.
        gc.collect()
        gc.freeze()

    def gateway_connected(self) -> bool:
        """Whether the bot is ready and its gateway connection(s) open."""
        if not self.is_ready() or self.is_closed():
            return False
        if isinstance(self, discord.AutoShardedClient):
            return bool(self.shards) and all(not s.is_closed() for s in self.shards.values())
        return self.ws is not None and self.ws.open

    def health_status(self) -> HealthStatus:
        """What /healthz and /metrics report; cheap attribute reads only (runs on the loop)."""
        loaded = self.worker.loaded
        index = self.worker.retriever.index if loaded else None
        return HealthStatus(
            gateway_connected=self.gateway_connected(),
            index_loaded=loaded,
            generation=index.directory.name if index is not None else None,
            passages=len(index.passages) if index is not None else None,
            queue_depth=self.worker.pending,
            shutting_down=not self.accepting_questions,
        )

    @property
    def questions_in_flight(self) -> int:
        """Questions accepted and not yet answered."""
        return self._in_flight

    @contextlib.asynccontextmanager
    async def answering(self) -> AsyncIterator[None]:
        """Count a question from acceptance to delivered answer; ShuttingDown once stopping."""
        if not self.accepting_questions:
            raise ShuttingDown
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def shutdown(self, grace_seconds: float) -> None:
        """Stop taking questions, let those in flight finish (up to `grace_seconds`), close."""
        if not self.accepting_questions:
            return
        self.accepting_questions = False
        log.info("stopping: %d questions in flight", self._in_flight)
        try:
            await asyncio.wait_for(self._idle.wait(), grace_seconds)
        except TimeoutError:
            log.warning(
                "stopping with %d questions unanswered after %.0fs", self._in_flight, grace_seconds
            )
        await self.close()

    async def on_message(self, message: discord.Message) -> None:
        """No text commands: mentions are handled by the ask extension's listener."""

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Expected failures get a friendly ephemeral reply, unexpected ones an apology."""
        language = language_of_locale(interaction.locale)
        original = getattr(error, "original", error)
        if isinstance(original, WorkerBusy):
            message = t("busy", language)
        elif isinstance(original, ShuttingDown):
            message = t("shutting_down", language)
        elif isinstance(original, NotModerator):
            message = t("pin.not_moderator", language)
        elif isinstance(original, NotServerManager):
            message = t("settings.not_manager", language)
        elif isinstance(original, CurationError):
            message = t("pin.invalid", language, reason=str(original))
        else:
            log.exception("command failed", exc_info=original)
            message = t("error.unexpected", language)
        await respond(interaction, message)

    async def close(self) -> None:
        """Close the gateway, the search thread and the database, once: a signal-driven
        shutdown and the `async with` around `start` may both ask."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._closing)

    async def _close_once(self) -> None:
        if self._reloader is not None:
            await self._reloader.stop()
        await super().close()
        connecting = self.connection_task
        if (
            connecting is not None
            and not connecting.done()
            and connecting is not asyncio.current_task()
        ):
            connecting.cancel()  # e.g. asleep in discord.py's reconnect backoff
        self.worker.close()
        if self._curation is not None:
            await self._curation.journal.close()  # the last answers' rows, then close
            await self._curation.database.close()
        # what `setup_hook` froze is the collector's again: a process that starts bots one
        # after another (the tests) would otherwise keep every closed one, cycles and all
        gc.unfreeze()


class ShardedCareerBot(CareerBot, discord.AutoShardedClient):
    """careerbot over several gateway shards in one process (discord.py's AutoShardedBot is
    `BotBase` + `AutoShardedClient` in the same way)."""


def make_bot(
    settings: Settings, guild_count: int | None = None, **client_options: Any
) -> CareerBot:
    """The bot for the configured sharding: explicit shards, automatic sharding above
    `shard_above_guilds` guilds (Discord recommends the shard count), else one connection."""
    discord_settings = settings.discord
    if discord_settings.shard_count is not None:
        return ShardedCareerBot(
            settings,
            shard_count=discord_settings.shard_count,
            shard_ids=discord_settings.shard_ids,
            **client_options,
        )
    threshold = discord_settings.shard_above_guilds
    if guild_count is not None and threshold and guild_count > threshold:
        return ShardedCareerBot(settings, **client_options)
    return CareerBot(settings, **client_options)


async def approximate_guild_count(settings: Settings, token: str) -> int | None:
    """How many guilds the application is in (GET /oauth2/applications/@me), or None if it
    cannot be told; LoginFailure for a refused token."""
    url = f"{settings.discord.api_base_url.rstrip('/')}/oauth2/applications/@me"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.get(url, headers={"Authorization": f"Bot {token}"}) as response,
        ):
            if response.status == 401:
                raise discord.LoginFailure("Improper token has been passed.")
            if response.status != 200:
                log.warning(
                    "cannot count guilds (HTTP %d): starting without sharding", response.status
                )
                return None
            count = (await response.json()).get("approximate_guild_count")
            return int(count) if count is not None else None
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("cannot count guilds (%s): starting without sharding", type(exc).__name__)
        return None


# Retrying an unreachable Discord: the first retry after a second, then doubling up to a minute.
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


class DiscordUnreachable(Exception):
    """Discord's API cannot be reached (DNS failure, connection refused, timeout)."""


def _reason(error: BaseException) -> str:
    """A short reason for a connection failure ("connection refused", "DNS lookup failed")."""
    cause = getattr(error, "os_error", None) or error
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, aiohttp.ClientConnectorDNSError) or "Name or service" in str(cause):
        return "DNS lookup failed"
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(cause) or type(error).__name__


async def check_reachable(settings: Settings, token: str) -> None:
    """One request to Discord's API (any HTTP answer counts); DiscordUnreachable otherwise."""
    url = f"{settings.discord.api_base_url.rstrip('/')}/users/@me"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.get(url, headers={"Authorization": f"Bot {token}"}),
        ):
            return
    except (aiohttp.ClientConnectionError, TimeoutError, OSError) as exc:
        raise DiscordUnreachable(
            f"cannot reach Discord at {settings.discord.api_base_url} ({_reason(exc)})"
        ) from None


async def _wait_until_reachable(settings: Settings, token: str, bot: CareerBot) -> bool:
    """Retry with backoff until Discord answers; False when the bot was stopped meanwhile
    (SIGTERM). One log line per attempt; /healthz says 503 all along (not connected)."""
    delay = RETRY_FIRST_SECONDS
    while not bot.is_closed() and bot.accepting_questions:
        try:
            await check_reachable(settings, token)
            return True
        except DiscordUnreachable as exc:
            log.warning("%s: retrying in %.0f s", exc, delay)
        deadline = asyncio.get_running_loop().time() + delay
        while asyncio.get_running_loop().time() < deadline:
            if bot.is_closed() or not bot.accepting_questions:
                return False
            await asyncio.sleep(0.1)
        delay = min(delay * 2, RETRY_MAX_SECONDS)
    return False


async def run_bot(settings: Settings, token: str) -> int:
    """Run until closed; 0 on a clean stop, 1 when Discord refuses the login or intents."""
    configure_logging(settings.ops.log_format, settings.ops.log_level)
    use_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    health: HealthServer | None = None
    try:
        guild_count = None
        if settings.discord.shard_count is None and settings.discord.shard_above_guilds:
            guild_count = await approximate_guild_count(settings, token)
        # intents are fixed once the client exists: forums set from Discord count too
        read_content = await any_forum_channels_configured(settings)
        bot = make_bot(settings, guild_count, read_message_content=read_content)
        if isinstance(bot, ShardedCareerBot):
            log.info(
                "sharding: %s shards, running %s",
                bot.shard_count or "recommended",
                bot.shard_ids or "all",
            )
        signal_tasks = _handle_signals(bot, settings.ops.shutdown_grace_seconds)
        if settings.ops.health_port:
            # up before the gateway: /healthz says 503 while the bot is starting
            health = HealthServer(
                settings.ops.health_host, settings.ops.health_port, bot.health_status, bot.metrics
            )
            await health.start()
        if await _wait_until_reachable(settings, token, bot):
            async with bot:
                await bot.login(token)
                # A task of its own: a stop while discord.py waits to reconnect (its backoff
                # reaches minutes) cancels it rather than waiting it out.
                bot.connection_task = asyncio.ensure_future(bot.connect(reconnect=True))
                with contextlib.suppress(asyncio.CancelledError):
                    await bot.connection_task
        else:
            await bot.close()
        await asyncio.gather(*signal_tasks, return_exceptions=True)
    except HealthServerError as exc:
        log.error("%s", exc)
        return 1
    except discord.LoginFailure:
        log.error("Discord refused the token: check CAREERBOT_DISCORD__TOKEN")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(
            "Discord refused the Message Content intent, which reading help-forum posts needs "
            "(forum_channels is set): enable it in the developer portal (Applications > your "
            "bot > Bot > Privileged Gateway Intents > Message Content Intent) or remove "
            "forum_channels from the configuration"
        )
        return 1
    finally:
        if health is not None:
            await health.stop()
    return 0


def _handle_signals(bot: CareerBot, grace_seconds: float) -> set[asyncio.Task[Any]]:
    """SIGTERM/SIGINT: stop gracefully; SIGHUP: serve a newly published index generation.

    Returns the set of tasks the signals start, to be awaited before the loop ends.
    """
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[Any]] = set()  # keep references until done

    def spawn(coroutine: Any) -> None:
        task = loop.create_task(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def reload() -> None:
        if bot._reloader is not None:
            log.info("SIGHUP: checking for a new index generation")
            spawn(bot._reloader.check())

    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, lambda: spawn(bot.shutdown(grace_seconds)))
    loop.add_signal_handler(signal.SIGHUP, reload)
    return tasks


async def sync_commands(settings: Settings, token: str, guild_id: int | None) -> list[str]:
    """Register the slash commands, globally or for one guild; returns their names."""
    use_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    async with CareerBot(settings, load_search=False) as bot:
        await bot.login(token)
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
    return [command.name for command in synced]
