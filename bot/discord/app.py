"""The discord.py application: client set-up, endpoints, translations, the services it holds and
the extensions it loads."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.db.database import Database
from bot.db.forum_store import ForumStore
from bot.db.members_store import MembersStore
from bot.db.path_progress_store import PathProgressStore
from bot.db.settings_store import SettingsStore
from bot.discord.answering.views import ANSWER_BUTTONS
from bot.discord.errors import ShuttingDown, reply_to_command_error
from bot.i18n import _STRINGS, language_of_locale, traditional_locale
from bot.services import reindex
from bot.services.answers import AnsweringService
from bot.services.curation import Curation
from bot.services.forum import Forum
from bot.services.journal import AnswerJournal
from bot.services.members import MemberData
from bot.services.observability import HealthStatus, Metrics
from bot.services.path_planner import PathPlanner
from bot.services.path_progress import PathProgress
from bot.services.reload import IndexReloader
from bot.services.settings import ServerSettings
from bot.services.worker import SearchWorker
from index.query import in_script

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
    "bot.discord.exts.paths",
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
            text = _STRINGS[key]["zh"]
            return in_script(text, "traditional") if traditional_locale(locale) else text
        return None


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
        self.path_planner: PathPlanner | None = None  # learning plans (setup_hook)
        self.path_progress: PathProgress | None = None  # members' places in them (setup_hook)
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
            journal = AnswerJournal(database.answer_log)
            self.members = MemberData(self.settings, MembersStore(database.engine), journal)
            if (self.settings.corpus_dir / "paths.yaml").is_file():
                self.path_planner = await asyncio.to_thread(
                    PathPlanner.load, self.settings.corpus_dir, self.settings.max_article_bytes
                )
            else:  # an older corpus: everything but /path works, which says so
                log.info("no learning paths: %s has no paths.yaml", self.settings.corpus_dir)
            self.path_progress = PathProgress(PathProgressStore(database.engine))
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
        # The answer's buttons belong to no one extension: /ask, mentions and forum replies share them.
        self.add_dynamic_items(*ANSWER_BUTTONS)
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
        """The tree's error handler (see `bot.discord.errors`)."""
        await reply_to_command_error(interaction, error)

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
