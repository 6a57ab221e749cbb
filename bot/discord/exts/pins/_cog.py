"""Moderator curation on Discord: the 📌 Pin button, "Pin as answer", `/pins`, `/stats`.

Thin adapters over `bot.services.curation.Curation`. Who may curate is checked here, locally, on every
command, button and modal (Discord's `default_permissions` is only a hint to clients).
"""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord
import yaml
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.db.database import Pin
from bot.discord.render import answer_text_of, pin_embed, pins_page_embed, stats_embed
from bot.discord.ui import (
    careerbot_of,
    is_moderator,
    language_of,
    require_moderator,
    respond,
)
from bot.discord.views import pin_message
from bot.formatting import clip
from bot.i18n import Language, t
from bot.services.curation import MAX_PIN_ANSWER_CHARS, CurationError

if TYPE_CHECKING:
    from bot.discord.app import CareerBot

log = logging.getLogger(__name__)

PINS_PAGE_SIZE = 5
STATS_DAYS = 7  # "/stats": questions this week
MODAL_QUESTIONS_CHARS = 1500  # a few questions, one per line
MODAL_ANSWER_CHARS = MAX_PIN_ANSWER_CHARS


class PinModal(discord.ui.Modal):
    """The questions a message answers (and the answer, editable), for "Pin as answer" and
    `/pins edit`."""

    def __init__(
        self,
        language: Language,
        *,
        answer: str,
        questions: str = "",
        message: discord.Message | None = None,
        pin_id: int | None = None,
    ):
        super().__init__(title=t("pin.modal_title", language), timeout=600)
        self.language = language
        self.message = message
        self.pin_id = pin_id
        self.questions = discord.ui.TextInput(
            label=t("pin.modal_questions", language),
            style=discord.TextStyle.paragraph,
            default=questions or None,
            max_length=MODAL_QUESTIONS_CHARS,
        )
        self.answer = discord.ui.TextInput(
            label=t("pin.modal_answer", language),
            style=discord.TextStyle.paragraph,
            default=clip(answer, MODAL_ANSWER_CHARS) or None,
            max_length=MODAL_ANSWER_CHARS,
        )
        self.add_item(self.questions)
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        language = self.language
        if not is_moderator(interaction) or interaction.guild_id is None:
            await respond(interaction, t("pin.not_moderator", language))
            return
        questions = [line for line in self.questions.value.splitlines() if line.strip()]
        answer = self.answer.value
        if self.pin_id is None:
            await pin_message(interaction, language, self.message, questions, answer)
            return
        try:
            pin = await careerbot_of(interaction).curation.edit(
                self.pin_id,
                interaction.guild_id,
                interaction.user.id,
                questions=questions,
                answer=answer,
            )
            text = t("pins.edited", language, id=pin.id)
        except CurationError as exc:
            await respond(interaction, t("pin.invalid", language, reason=str(exc)))
            return
        await respond(interaction, text)


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


class PinsPageButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"careerbot:pins:(?P<page>\d+)"
):
    """Previous/next page of `/pins list` (moderators only)."""

    def __init__(self, page: int, label: str):
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"careerbot:pins:{page}",
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PinsPageButton:
        return cls(int(match["page"]), item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        language = language_of(interaction)
        if not is_moderator(interaction) or interaction.guild_id is None:
            await respond(interaction, t("pin.not_moderator", language))
            return
        embed, view = await _pins_page(interaction, self.page, language)
        await interaction.response.edit_message(embed=embed, view=view)


async def _pins_page(
    interaction: discord.Interaction, page: int, language: Language
) -> tuple[discord.Embed, discord.ui.View]:
    assert interaction.guild_id is not None
    curation = careerbot_of(interaction).curation
    await curation.journal.written()  # the uses of the answers just given count
    pins, total = await curation.database.list_pins(
        interaction.guild_id, offset=page * PINS_PAGE_SIZE, limit=PINS_PAGE_SIZE
    )
    pages = max(1, -(-total // PINS_PAGE_SIZE))
    view = discord.ui.View(timeout=None)
    if page > 0:
        view.add_item(PinsPageButton(page - 1, t("button.previous", language)))
    if page + 1 < pages:
        view.add_item(PinsPageButton(page + 1, t("button.next", language)))
    return pins_page_embed(pins, page, pages, language), view


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
        records = await curation.database.export_pins(interaction.guild_id)
        text = yaml.safe_dump(records, allow_unicode=True, sort_keys=False)
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename="pins.yaml")
        await respond(interaction, t("pins.export", language, count=len(records)), file=file)

    async def _pin(
        self, interaction: discord.Interaction, pin_id: int, language: Language
    ) -> Pin | None:
        assert interaction.guild_id is not None
        curation = careerbot_of(interaction).curation
        await curation.journal.written()  # the uses of the answers just given count
        pin = await curation.database.get_pin(pin_id, interaction.guild_id)
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
