"""Moderator curation on Discord: the 📌 Pin button, "Pin as answer", `/pins`, `/stats`.

Thin adapters over `bot.services.curation.Curation`. Who may curate is checked here, locally, on every
command, button and modal (Discord's `default_permissions` is only a hint to clients).
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord
import yaml
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.db.pin_store import Pin
from bot.discord.answering.render import answer_text_of
from bot.discord.checks import require_moderator
from bot.discord.exts.pins._render import pin_embed, stats_embed
from bot.discord.reply import careerbot_of, language_of, respond
from bot.i18n import Language, t
from bot.services.pin_rules import CurationError

if TYPE_CHECKING:
    from bot.discord.app import CareerBot
from bot.discord.exts.pins._views import PinModal, _pins_page

log = logging.getLogger(__name__)

STATS_DAYS = 7  # "/stats": questions this week


@app_commands.guild_only()
@app_commands.check(require_moderator)
async def pin_message_as_answer(interaction: discord.Interaction, message: discord.Message) -> None:
    """Message context menu "Pin as answer": a modal asks which questions the message answers."""
    language = language_of(interaction)
    answer = answer_text_of(message)
    if not answer:
        await respond(interaction, t("pin.nothing", language))
        return
    await interaction.response.send_modal(PinModal(language, answer=answer, message=message))


class PinsGroup(app_commands.Group):
    """`/pins …`: every subcommand is for moderators, checked once here."""

    def __init__(self) -> None:
        super().__init__(
            name="pins",
            description=locale_str("Manage pinned answers (moderators)", key="command.pins"),
            guild_only=True,
        )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_moderator(interaction)

    @app_commands.command(
        name="list", description=locale_str("List the pinned answers", key="command.pins.list")
    )
    async def list_pins(self, interaction: discord.Interaction) -> None:
        embed, view = await _pins_page(interaction, 0, language_of(interaction))
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(
        name="show", description=locale_str("Show one pinned answer", key="command.pins.show")
    )
    @app_commands.describe(pin_id=locale_str("Number of the pinned answer", key="command.pins.id"))
    @app_commands.rename(pin_id="id")
    async def show(self, interaction: discord.Interaction, pin_id: int) -> None:
        language = language_of(interaction)
        pin = await self._pin(interaction, pin_id, language)
        if pin is not None:
            await interaction.response.send_message(embed=pin_embed(pin, language), ephemeral=True)

    @app_commands.command(
        name="edit", description=locale_str("Edit a pinned answer", key="command.pins.edit")
    )
    @app_commands.describe(pin_id=locale_str("Number of the pinned answer", key="command.pins.id"))
    @app_commands.rename(pin_id="id")
    async def edit(self, interaction: discord.Interaction, pin_id: int) -> None:
        language = language_of(interaction)
        pin = await self._pin(interaction, pin_id, language)
        if pin is not None:
            modal = PinModal(
                language, answer=pin.answer, questions="\n".join(pin.questions), pin_id=pin.id
            )
            await interaction.response.send_modal(modal)

    @app_commands.command(
        name="remove", description=locale_str("Remove a pinned answer", key="command.pins.remove")
    )
    @app_commands.describe(pin_id=locale_str("Number of the pinned answer", key="command.pins.id"))
    @app_commands.rename(pin_id="id")
    async def remove(self, interaction: discord.Interaction, pin_id: int) -> None:
        language = language_of(interaction)
        assert interaction.guild_id is not None
        try:
            await careerbot_of(interaction).curation.remove(
                pin_id, interaction.guild_id, interaction.user.id
            )
        except CurationError:
            await respond(interaction, t("pins.unknown", language, id=pin_id))
            return
        await respond(interaction, t("pins.removed", language, id=pin_id))

    @app_commands.command(
        name="export",
        description=locale_str("Export the pinned answers (YAML)", key="command.pins.export"),
    )
    async def export(self, interaction: discord.Interaction) -> None:
        language = language_of(interaction)
        curation = careerbot_of(interaction).curation
        await curation.journal.written()  # the uses of the answers just given count
        records = await curation.database.pins.export_pins(interaction.guild_id)
        text = yaml.safe_dump(records, allow_unicode=True, sort_keys=False)
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename="pins.yaml")
        await respond(interaction, t("pins.export", language, count=len(records)), file=file)

    async def _pin(
        self, interaction: discord.Interaction, pin_id: int, language: Language
    ) -> Pin | None:
        assert interaction.guild_id is not None
        curation = careerbot_of(interaction).curation
        await curation.journal.written()  # the uses of the answers just given count
        pin = await curation.database.pins.get_pin(pin_id, interaction.guild_id)
        if pin is None:
            await respond(interaction, t("pins.unknown", language, id=pin_id))
        return pin


class CurationCog(commands.Cog):
    """Pins and statistics for moderators."""

    def __init__(self, bot: CareerBot):
        self.bot = bot
        self.menu = app_commands.ContextMenu(
            name=locale_str("Pin as answer", key="command.pin_message"),
            callback=pin_message_as_answer,
        )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        """Every app command of this cog is for moderators: checked once, here."""
        return require_moderator(interaction)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(PinsGroup())
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command("pins")
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(
        name="stats",
        description=locale_str("Questions and feedback (moderators)", key="command.stats"),
    )
    @app_commands.guild_only()
    async def stats(self, interaction: discord.Interaction) -> None:
        """Questions of the last week, unanswered share, 👍 share, top (unanswered) questions."""
        since = datetime.now(UTC) - timedelta(days=STATS_DAYS)
        stats = await self.bot.curation.stats(interaction.guild_id, since)
        await interaction.response.send_message(
            embed=stats_embed(stats, STATS_DAYS, language_of(interaction)), ephemeral=True
        )
