"""The pin modal (moderators write or edit a pinned answer) and the `/pins list` pages with
their persistent Previous/Next buttons."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord

from bot.discord.answering.views import pin_message
from bot.discord.checks import is_moderator
from bot.discord.exts.pins._render import pins_page_embed
from bot.discord.reply import careerbot_of, language_of, respond
from bot.formatting import clip
from bot.i18n import Language, t
from bot.services.pin_rules import MAX_PIN_ANSWER_CHARS, CurationError

if TYPE_CHECKING:
    pass
if TYPE_CHECKING:
    pass

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


PINS_PAGE_SIZE = 5


async def _pins_page(
    interaction: discord.Interaction, page: int, language: Language
) -> tuple[discord.Embed, discord.ui.View]:
    assert interaction.guild_id is not None
    curation = careerbot_of(interaction).curation
    await curation.journal.written()  # the uses of the answers just given count
    pins, total = await curation.database.pins.list_pins(
        interaction.guild_id, offset=page * PINS_PAGE_SIZE, limit=PINS_PAGE_SIZE
    )
    pages = max(1, -(-total // PINS_PAGE_SIZE))
    view = discord.ui.View(timeout=None)
    if page > 0:
        view.add_item(PinsPageButton(page - 1, t("button.previous", language)))
    if page + 1 < pages:
        view.add_item(PinsPageButton(page + 1, t("button.next", language)))
    return pins_page_embed(pins, page, pages, language), view
