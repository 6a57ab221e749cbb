"""The one app-command error handler: expected failures get a friendly ephemeral reply in the
member's language, unexpected ones an apology and `log.exception`."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.discord.checks import NotModerator, NotServerManager
from bot.discord.reply import respond
from bot.i18n import language_of_locale, t
from bot.services.pin_rules import CurationError
from bot.services.worker import WorkerBusy

log = logging.getLogger(__name__)


class ShuttingDown(Exception):
    """The bot is stopping: new questions are declined, in-flight ones finish."""


async def reply_to_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """Reply to a failed app command: a known failure is explained, anything else apologised for
    and logged with its traceback."""
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
