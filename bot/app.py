"""The discord.py application: client set-up, endpoints, translations, shared error handling."""

from __future__ import annotations

import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.curation import Curation, NotModerator
from bot.db.database import CurationError, Database
from bot.i18n import _STRINGS, language_of_locale, t
from bot.reload import IndexReloader
from bot.worker import SearchWorker, WorkerBusy
from index.embedders import make_embedder
from index.retriever import Retriever

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.ask",
    "bot.exts.resources",
    "bot.exts.about",
    "bot.exts.pins",
    "bot.exts.admin",
)


def use_endpoints(api_base_url: str, gateway_url: str) -> None:
    """Point discord.py's REST and gateway at the given URLs (Discord's, or the test emulator).

    A non-sharded client connects to `DEFAULT_GATEWAY`, not to the URL `GET /gateway/bot`
    returns, and webhooks and interaction callbacks use `Route.BASE` too: both must be set.
    """
    discord.http.Route.BASE = api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def minimal_intents() -> discord.Intents:
    """Guilds and guild messages only. Messages that mention the bot carry their content
    without the privileged message_content intent, so the bot does not ask for it."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
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


class CareerBot(commands.Bot):
    """careerbot on Discord. Heavy work (model, index) loads in `setup_hook` on the worker."""

    def __init__(
        self,
        settings: Settings,
        worker: SearchWorker | None = None,
        *,
        load_search: bool = True,
        **client_options: Any,
    ):
        """`client_options` go to discord.py's client (tests shorten `guild_ready_timeout`)."""
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=minimal_intents(),
            allowed_mentions=discord.AllowedMentions.none(),  # never ping from echoed text
            help_command=None,
            **client_options,
        )
        self.settings = settings
        self._load_search = load_search  # False for `careerbot sync`: commands only, no model
        self.worker = worker or SearchWorker(
            lambda: open_retriever(settings), settings.discord.max_pending
        )
        self._curation: Curation | None = None
        self._reloader: IndexReloader | None = None

    @property
    def curation(self) -> Curation:
        """Pins, votes and the question log (after `setup_hook`)."""
        if self._curation is None:
            raise RuntimeError("the bot has not been set up")
        return self._curation

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
            self._curation = Curation(self.settings, self.worker, database)
            pinned = await self._curation.load_pins()
            log.info("serving %d pinned questions", pinned)
        await self.tree.set_translator(StringsTranslator())
        self.tree.on_error = self.on_app_command_error
        for extension in EXTENSIONS:
            await self.load_extension(extension)

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
        elif isinstance(original, NotModerator):
            message = t("pin.not_moderator", language)
        elif isinstance(original, CurationError):
            message = t("pin.invalid", language, reason=str(original))
        else:
            log.exception("command failed", exc_info=original)
            message = t("error.unexpected", language)
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)

    async def close(self) -> None:
        if self._reloader is not None:
            await self._reloader.stop()
        await super().close()
        self.worker.close()
        if self._curation is not None:
            await self._curation.database.close()


def open_retriever(settings: Settings) -> Retriever:
    """The embedder and the served index (runs on the worker thread)."""
    embedder = make_embedder(settings.embedder)
    return Retriever.open(settings.index_root, embedder, settings.retrieval)


async def run_bot(settings: Settings, token: str) -> int:
    """Run until closed; 0 on a clean stop, 1 when Discord refuses the login or intents."""
    discord.utils.setup_logging(level=logging.INFO)
    use_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    bot = CareerBot(settings)
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        log.error("Discord refused the token: check CAREERBOT_DISCORD__TOKEN")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(
            "Discord refused a privileged intent: enable it for the bot in the developer portal "
            "(Bot > Privileged Gateway Intents) or remove it from the configuration"
        )
        return 1
    return 0


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
