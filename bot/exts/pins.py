"""Moderator curation on Discord: the 📌 Pin button, "Pin as answer", `/pins`, `/stats`.

Thin adapters over `bot.curation.Curation`. Who may curate is checked here, locally, on every
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

from bot.curation import NotModerator
from bot.db.database import MAX_PIN_ANSWER_CHARS, CurationError, Pin, Stats
from bot.discord_render import EMBED_DESCRIPTION, FIELD_VALUE, answer_text_of
from bot.formatting import clip, excerpt
from bot.i18n import Language, language_of_locale, t
from index.query import detect_language

if TYPE_CHECKING:
    from bot.app import CareerBot

log = logging.getLogger(__name__)

PINS_PAGE_SIZE = 5
STATS_DAYS = 7  # "/stats": questions this week
MODAL_QUESTIONS_CHARS = 1500  # a few questions, one per line
MODAL_ANSWER_CHARS = MAX_PIN_ANSWER_CHARS


def _bot(interaction: discord.Interaction) -> CareerBot:
    return interaction.client  # type: ignore[return-value]


def _is_moderator(interaction: discord.Interaction) -> bool:
    return _bot(interaction).curation.is_moderator(interaction.user, interaction.permissions)


def _language(interaction: discord.Interaction, text: str | None = None) -> Language:
    return detect_language(text) if text else language_of_locale(interaction.locale)


async def _reply(interaction: discord.Interaction, message: str, **options: object) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(message, ephemeral=True, **options)  # type: ignore[arg-type]
    else:
        await interaction.response.send_message(message, ephemeral=True, **options)  # type: ignore[arg-type]


class MessageGone(Exception):
    """The message to pin was deleted meanwhile."""


async def _pin_in_channel(message: discord.Message) -> bool:
    """Discord's own pin of the message: False when Discord refuses (permissions, the 50-pin
    limit), MessageGone when the message no longer exists."""
    try:
        await message.pin(reason="careerbot: pinned as answer")
    except discord.NotFound:
        raise MessageGone() from None
    except discord.HTTPException as exc:
        log.warning("could not pin message %s: %s", message.id, exc)
        return False
    return True


async def _pin_message(
    interaction: discord.Interaction,
    language: Language,
    message: discord.Message | None,
    questions: list[str],
    answer: str,
) -> None:
    """Check, pin the message in its channel, store the pin, tell the moderator.

    Bad input or a deleted message is refused before anything is written; the moderator is only
    told "pinned" once the pin is committed to the database.
    """
    assert interaction.guild_id is not None
    curation = _bot(interaction).curation
    try:
        questions = curation.check(questions, answer)
        pinned_in_channel = True
        if message is not None:
            pinned_in_channel = await _pin_in_channel(message)
        pin = await curation.pin(
            interaction.guild_id,
            questions,
            answer,
            interaction.user.id,
            source_channel_id=message.channel.id if message else None,
            source_message_id=message.id if message else None,
        )
    except CurationError as exc:
        await _reply(interaction, t("pin.invalid", language, reason=str(exc)))
        return
    except MessageGone:
        await _reply(interaction, t("pin.message_gone", language))
        return
    text = t("pin.done", language, id=pin.id)
    if not pinned_in_channel:
        text += "\n" + t("pin.discord_pin_failed", language)
    await _reply(interaction, text)


class PinButton(discord.ui.DynamicItem[discord.ui.Button], template=r"careerbot:pin"):
    """📌 under every answer: visible to all, usable by moderators; stores question + answer."""

    def __init__(self, language: Language = "en"):
        super().__init__(
            discord.ui.Button(
                emoji="📌",
                label=t("button.pin", language),
                style=discord.ButtonStyle.secondary,
                custom_id="careerbot:pin",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PinButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        message = interaction.message
        question = message.embeds[0].title if message and message.embeds else None
        language = _language(interaction, question)
        if not _is_moderator(interaction):
            await _reply(interaction, t("pin.not_moderator", language))
            return
        answer = answer_text_of(message) if message else ""
        if message is None or not question or not answer or interaction.guild_id is None:
            await _reply(interaction, t("pin.nothing", language))
            return
        await _pin_message(interaction, language, message, [question], answer)


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
        if not _is_moderator(interaction) or interaction.guild_id is None:
            await _reply(interaction, t("pin.not_moderator", language))
            return
        questions = [line for line in self.questions.value.splitlines() if line.strip()]
        answer = self.answer.value
        if self.pin_id is None:
            await _pin_message(interaction, language, self.message, questions, answer)
            return
        try:
            pin = await _bot(interaction).curation.edit(
                self.pin_id,
                interaction.guild_id,
                interaction.user.id,
                questions=questions,
                answer=answer,
            )
            text = t("pins.edited", language, id=pin.id)
        except CurationError as exc:
            await _reply(interaction, t("pin.invalid", language, reason=str(exc)))
            return
        await _reply(interaction, text)


@app_commands.guild_only()
async def pin_message_as_answer(interaction: discord.Interaction, message: discord.Message) -> None:
    """Message context menu "Pin as answer": a modal asks which questions the message answers."""
    language = _language(interaction)
    if not _is_moderator(interaction):
        raise NotModerator()
    answer = answer_text_of(message)
    if not answer:
        await _reply(interaction, t("pin.nothing", language))
        return
    await interaction.response.send_modal(PinModal(language, answer=answer, message=message))


def _pin_embed(pin: Pin, language: Language) -> discord.Embed:
    embed = discord.Embed(
        title=f"📌 #{pin.id}",
        description=clip(pin.answer, EMBED_DESCRIPTION),
        colour=discord.Colour.gold(),
    )
    questions = "\n".join(f"• {question}" for question in pin.questions)
    embed.add_field(name=t("pins.questions", language), value=clip(questions, FIELD_VALUE))
    embed.set_footer(text=_pin_line(pin, language))
    return embed


def _pin_line(pin: Pin, language: Language) -> str:
    return t(
        "pins.entry",
        language,
        by=f"<@{pin.created_by}>",
        at=pin.created_at.strftime("%Y-%m-%d"),
        uses=pin.uses,
    )


def pins_page_embed(pins: list[Pin], page: int, pages: int, language: Language) -> discord.Embed:
    """One page of `/pins list`."""
    embed = discord.Embed(title=t("pins.title", language), colour=discord.Colour.gold())
    if not pins:
        embed.description = t("pins.none", language)
    for pin in pins:
        questions = " / ".join(pin.questions)
        embed.add_field(
            name=clip(f"#{pin.id} · {questions}", 256),
            value=clip(f"{_pin_line(pin, language)}\n{excerpt(pin.answer, 200)}", FIELD_VALUE),
            inline=False,
        )
    embed.set_footer(text=t("page", language, page=page + 1, pages=max(pages, 1)))
    return embed


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
        language = _language(interaction)
        if not _is_moderator(interaction) or interaction.guild_id is None:
            await _reply(interaction, t("pin.not_moderator", language))
            return
        embed, view = await _pins_page(interaction, self.page, language)
        await interaction.response.edit_message(embed=embed, view=view)


async def _pins_page(
    interaction: discord.Interaction, page: int, language: Language
) -> tuple[discord.Embed, discord.ui.View]:
    assert interaction.guild_id is not None
    database = _bot(interaction).curation.database
    pins, total = await database.list_pins(
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
        if not _is_moderator(interaction):
            raise NotModerator()
        return True

    @app_commands.command(
        name="list", description=locale_str("List the pinned answers", key="command.pins.list")
    )
    async def list_pins(self, interaction: discord.Interaction) -> None:
        embed, view = await _pins_page(interaction, 0, _language(interaction))
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(
        name="show", description=locale_str("Show one pinned answer", key="command.pins.show")
    )
    @app_commands.describe(pin_id=locale_str("Number of the pinned answer", key="command.pins.id"))
    @app_commands.rename(pin_id="id")
    async def show(self, interaction: discord.Interaction, pin_id: int) -> None:
        language = _language(interaction)
        pin = await self._pin(interaction, pin_id, language)
        if pin is not None:
            await interaction.response.send_message(embed=_pin_embed(pin, language), ephemeral=True)

    @app_commands.command(
        name="edit", description=locale_str("Edit a pinned answer", key="command.pins.edit")
    )
    @app_commands.describe(pin_id=locale_str("Number of the pinned answer", key="command.pins.id"))
    @app_commands.rename(pin_id="id")
    async def edit(self, interaction: discord.Interaction, pin_id: int) -> None:
        language = _language(interaction)
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
        language = _language(interaction)
        assert interaction.guild_id is not None
        try:
            await _bot(interaction).curation.remove(
                pin_id, interaction.guild_id, interaction.user.id
            )
        except CurationError:
            await _reply(interaction, t("pins.unknown", language, id=pin_id))
            return
        await _reply(interaction, t("pins.removed", language, id=pin_id))

    @app_commands.command(
        name="export",
        description=locale_str("Export the pinned answers (YAML)", key="command.pins.export"),
    )
    async def export(self, interaction: discord.Interaction) -> None:
        language = _language(interaction)
        records = await _bot(interaction).curation.database.export_pins(interaction.guild_id)
        text = yaml.safe_dump(records, allow_unicode=True, sort_keys=False)
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename="pins.yaml")
        await _reply(interaction, t("pins.export", language, count=len(records)), file=file)

    async def _pin(
        self, interaction: discord.Interaction, pin_id: int, language: Language
    ) -> Pin | None:
        assert interaction.guild_id is not None
        pin = await _bot(interaction).curation.database.get_pin(pin_id, interaction.guild_id)
        if pin is None:
            await _reply(interaction, t("pins.unknown", language, id=pin_id))
        return pin


def _share(part: float) -> str:
    return f"{part:.0%}"


def stats_embed(stats: Stats, days: int, language: Language) -> discord.Embed:
    """`/stats`: questions, unanswered share, 👍 share, top and top unanswered questions."""
    embed = discord.Embed(title=t("stats.title", language, days=days), colour=discord.Colour.teal())
    embed.description = t(
        "stats.summary",
        language,
        questions=stats.questions,
        unanswered_share=_share(stats.unanswered_share),
        votes=stats.votes_up + stats.votes_down,
        up_share=_share(stats.up_share),
    )
    for key, rows in (
        ("stats.top", stats.top_questions),
        ("stats.top_unanswered", stats.top_unanswered),
    ):
        lines = "\n".join(f"{count}× {clip(question, 150)}" for question, count in rows)
        embed.add_field(
            name=t(key, language), value=clip(lines or t("stats.nothing", language), FIELD_VALUE)
        )
    return embed


class CurationCog(commands.Cog):
    """Pins and statistics for moderators."""

    def __init__(self, bot: CareerBot):
        self.bot = bot
        self.menu = app_commands.ContextMenu(
            name=locale_str("Pin as answer", key="command.pin_message"),
            callback=pin_message_as_answer,
        )

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
        if not _is_moderator(interaction):
            raise NotModerator()
        since = datetime.now(UTC) - timedelta(days=STATS_DAYS)
        stats = await self.bot.curation.database.stats(interaction.guild_id, since)
        await interaction.response.send_message(
            embed=stats_embed(stats, STATS_DAYS, _language(interaction)), ephemeral=True
        )


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    bot.add_dynamic_items(PinButton, PinsPageButton)
    await bot.add_cog(CurationCog(bot))
