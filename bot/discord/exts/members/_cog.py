"""Members' data on Discord: `/forget-me` (after a confirmation) and the retention schedule.

A thin adapter over `bot.services.members.MemberData`: it asks the member to confirm, calls the service
and says what was deleted; the retention purge runs here on a timer (at start-up, then every
`RETENTION_CHECK_SECONDS`), the service decides what is old enough.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands, tasks

from bot.discord.reply import language_of, respond
from bot.i18n import t

if TYPE_CHECKING:
    from bot.discord.app import CareerBot
from bot.discord.exts.members._views import (
    ForgetCancelButton,
    ForgetConfirmButton,
    _counts,
    _members,
)

log = logging.getLogger(__name__)


def _localized(key: str) -> locale_str:
    """A command's text for Discord: the English string of `key` as sent, the key for the
    Chinese translation (`bot.discord.app.StringsTranslator`)."""
    return locale_str(t(key, "en"), key=key)


# Retention is counted in days: checking every hour keeps rows at most an hour past it.
RETENTION_CHECK_SECONDS = 3600


class Members(commands.Cog):
    """`/forget-me`, and deleting members' old questions on a schedule."""

    def __init__(self, bot: CareerBot):
        self.bot = bot

    async def cog_load(self) -> None:
        members = self.bot.members
        if members is not None and members.retention is not None:
            self.purge_expired.start()  # the first run is now, at start-up

    async def cog_unload(self) -> None:
        self.purge_expired.cancel()

    @tasks.loop(seconds=RETENTION_CHECK_SECONDS)
    async def purge_expired(self) -> None:
        """Delete what is older than the retention; a failure waits for the next run."""
        members = self.bot.members
        if members is None:
            return
        try:
            await members.purge_expired()
        except Exception:
            # a database hiccup must not end the schedule: the next run deletes what this
            # one could not
            log.exception(
                "the retention purge failed; trying again in %d s", RETENTION_CHECK_SECONDS
            )

    @app_commands.command(
        name="forget-me",
        description=_localized("command.forget_me"),
    )
    @app_commands.guild_only()
    async def forget_me(self, interaction: discord.Interaction) -> None:
        """Say what the bot keeps about the member here and ask them to confirm deleting it."""
        language = language_of(interaction)
        assert interaction.guild_id is not None  # guild_only
        held = await _members(interaction).held(interaction.guild_id, interaction.user.id)
        if not held.total:
            await respond(interaction, t("members.nothing", language))
            return
        view = discord.ui.View(timeout=None)
        view.add_item(
            ForgetConfirmButton(interaction.user.id, t("button.forget_confirm", language))
        )
        view.add_item(ForgetCancelButton(t("button.cancel", language)))
        await respond(interaction, _counts("members.confirm", held, language), view=view)
