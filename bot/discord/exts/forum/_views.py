"""The review buttons and modal of a proposal made from a solved forum thread (approve, edit,
reject): persistent, registered by the forum extension."""

from __future__ import annotations

import re
from typing import ClassVar

import discord

from bot.db.proposal_store import Proposal
from bot.discord.checks import is_moderator
from bot.discord.embeds import MODAL_TEXT_CHARS
from bot.discord.exts.forum._render import review_embed
from bot.discord.reply import careerbot_of, language_of, respond
from bot.i18n import Language, t
from bot.services.pin_rules import MAX_PIN_QUESTION_CHARS, CurationError, ProposalDecided


class ProposalButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"careerbot:proposal:(?P<action>approve|edit|reject):(?P<id>\d+)",
):
    """Approve / Edit / Reject under a proposed pinned answer in the review channel
    (moderators only, checked on every click)."""

    STYLES: ClassVar[dict[str, discord.ButtonStyle]] = {
        "approve": discord.ButtonStyle.success,
        "edit": discord.ButtonStyle.secondary,
        "reject": discord.ButtonStyle.danger,
    }

    def __init__(self, action: str, proposal_id: int, language: Language = "en"):
        super().__init__(
            discord.ui.Button(
                label=t(f"button.{action}", language),
                style=self.STYLES[action],
                custom_id=f"careerbot:proposal:{action}:{proposal_id}",
            )
        )
        self.action = action
        self.proposal_id = proposal_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ProposalButton:
        return cls(match["action"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        language = language_of(interaction)
        if not is_moderator(interaction) or interaction.guild_id is None:
            await respond(interaction, t("pin.not_moderator", language))
            return
        curation = careerbot_of(interaction).curation
        proposal = await curation.proposals.get(self.proposal_id, interaction.guild_id)
        if proposal is None:
            await respond(interaction, t("review.unknown", language))
            return
        if proposal.status != "pending":
            await respond(interaction, t("review.decided", language))
            return
        if self.action == "edit":
            await interaction.response.send_modal(ProposalModal(language, proposal))
            return
        if self.action == "reject":
            try:
                await curation.reject(proposal.id, interaction.guild_id, interaction.user.id)
            except CurationError:
                await respond(interaction, t("review.decided", language))
                return
            status = t("review.rejected", language, by=interaction.user.mention)
            await _show_decision(interaction, proposal, status, language)
            return
        await approve_proposal(interaction, proposal, language)


async def approve_proposal(
    interaction: discord.Interaction,
    proposal: Proposal,
    language: Language,
    *,
    question: str | None = None,
    answer: str | None = None,
) -> None:
    """Make the proposal a pin and show the decision in the review message."""
    assert interaction.guild_id is not None
    curation = careerbot_of(interaction).curation
    try:
        decided, pin = await curation.approve(
            proposal.id, interaction.guild_id, interaction.user.id, question=question, answer=answer
        )
    except ProposalDecided:
        await respond(interaction, t("review.decided", language))
        return
    except CurationError as exc:
        await respond(interaction, t("pin.invalid", language, reason=str(exc)))
        return
    status = t("review.approved", language, by=interaction.user.mention, id=pin.id)
    await _show_decision(interaction, decided, status, language)


async def _show_decision(
    interaction: discord.Interaction, proposal: Proposal, status: str, language: Language
) -> None:
    """The review message without its buttons, with the decision; the moderator is told too."""
    embed = review_embed(proposal.question, proposal.answer, proposal.thread_id, language, status)
    if interaction.message is not None and not interaction.response.is_done():
        await interaction.response.edit_message(embed=embed, view=None)
    else:
        await respond(interaction, status)


def review_view(proposal_id: int, language: Language) -> discord.ui.View:
    """Approve / Edit / Reject for a proposal."""
    view = discord.ui.View(timeout=None)
    for action in ("approve", "edit", "reject"):
        view.add_item(ProposalButton(action, proposal_id, language))
    return view


class ProposalModal(discord.ui.Modal):
    """Edit a proposal's question and answer, then approve it."""

    def __init__(self, language: Language, proposal: Proposal):
        super().__init__(title=t("review.title", language), timeout=600)
        self.language = language
        self.proposal = proposal
        self.question = discord.ui.TextInput(
            label=t("review.question", language),
            style=discord.TextStyle.paragraph,
            default=proposal.question[:MAX_PIN_QUESTION_CHARS],
            max_length=MAX_PIN_QUESTION_CHARS,
        )
        self.answer = discord.ui.TextInput(
            label=t("review.answer", language),
            style=discord.TextStyle.paragraph,
            default=proposal.answer[:MODAL_TEXT_CHARS],
            max_length=MODAL_TEXT_CHARS,
        )
        self.add_item(self.question)
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not is_moderator(interaction):
            await respond(interaction, t("pin.not_moderator", self.language))
            return
        await approve_proposal(
            interaction,
            self.proposal,
            self.language,
            question=self.question.value,
            answer=self.answer.value,
        )


REVIEW_BUTTONS = (ProposalButton,)
