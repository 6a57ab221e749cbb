"""The buttons under an answer (feedback, More, Sources, the related card, similar threads,
📌 Pin, "Make me a plan") and the pin flow they share with the moderators' commands.

Every button is persistent (`timeout=None`, a namespaced `custom_id` matched by a template), so it
keeps working after a restart; the application registers them once (`ANSWER_BUTTONS`).
"""

from __future__ import annotations

import logging
import re

import discord

from bot.db.answer_log_store import DeliveredAnswer
from bot.discord.answering.plan_button import PlanButton
from bot.discord.answering.render import (
    MAX_PASSAGES_SHOWN,
    answer_embed,
    answer_text_of,
    more_embed,
    shown_hits,
    similar_embed,
    sources_embed,
)
from bot.discord.checks import is_moderator
from bot.discord.embeds import BUTTON_LABEL
from bot.discord.reply import careerbot_of, language_of, respond
from bot.formatting import clip
from bot.i18n import Language, t
from bot.services.path_requests import plan_request
from bot.services.pin_rules import CurationError
from bot.services.worker import SearchOptions, WorkerBusy
from index.query import InvalidQuestion, chinese_script, in_script
from index.results import SearchResult

log = logging.getLogger(__name__)

MORE_PAGES = 3  # "More" pages after the answer: beyond 12 passages the ranking is noise


def answer_view(
    result: SearchResult, *, similar_button: bool = False, plan_button: bool = True
) -> discord.ui.View:
    """The buttons under an answer: feedback and 📌 Pin always, More and Sources when passages
    are shown.

    Their custom_ids carry no state: a click finds the answer's record by the message's id
    (the question in full, the hits shown), so the buttons keep working after a restart
    (persistent, `timeout=None`). Answers sent before answers were recorded fall back to the
    embed's title.
    """
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton("up"))
    view.add_item(FeedbackButton("down"))
    if result.answered and len(result.passages) > 0:
        view.add_item(MoreButton(1, result.language))
        view.add_item(SourcesButton(result.language))
    view.add_item(PinButton(result.language))
    if similar_button:
        view.add_item(SimilarThreadsButton(result.language))
    if result.related_card is not None:
        question = in_script(result.related_card.question(result.language), result.script)
        view.add_item(RelatedCardButton(result.related_card.id, question, result.language))
    request = plan_request(result.question) if plan_button else None
    if request is not None:
        view.add_item(PlanButton(request.goal, request.start, result.reply_language, result.script))
    return view


async def delivered_answer(interaction: discord.Interaction) -> DeliveredAnswer | None:
    """The record of the answer the clicked message shows, if it was recorded."""
    message = interaction.message
    if message is None:
        return None
    return await careerbot_of(interaction).curation.delivered(message.id)


async def question_of(interaction: discord.Interaction) -> str | None:
    """The question the clicked answer was for: in full from its record, else (answers sent
    before records) the embed's title, which Discord clips at 256 characters."""
    record = await delivered_answer(interaction)
    if record is not None:
        return record.question
    message = interaction.message
    if message is None or not message.embeds or not message.embeds[0].title:
        return None
    return message.embeds[0].title


async def _search_again(interaction: discord.Interaction, k: int) -> SearchResult | None:
    """Re-run the answer's question (deterministic on one index), or explain why not."""
    bot = careerbot_of(interaction)
    question = await question_of(interaction)
    language = language_of(interaction, question)
    if question is None:
        await respond(interaction, t("error.stale_answer", language))
        return None
    try:
        answer = await bot.answers.answer(
            question, interaction.guild_id, record=False, options=SearchOptions(k=k)
        )
        return answer.result
    except WorkerBusy:
        await respond(interaction, t("busy", language))
    except InvalidQuestion:
        await respond(interaction, t("error.stale_answer", language))
    return None


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"careerbot:feedback:(?P<vote>up|down)"
):
    """👍 / 👎 under an answer: recorded in the feedback log, thanked ephemerally."""

    def __init__(self, vote: str):
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"careerbot:feedback:{vote}",
            )
        )
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FeedbackButton:
        return cls(match["vote"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = careerbot_of(interaction)
        record = await delivered_answer(interaction)
        if record is not None:  # exactly what this message showed
            question, language, hit_ids = record.question, record.language, record.hit_ids
        else:  # an answer from before the records: what the same search shows now
            result = await _search_again(interaction, MAX_PASSAGES_SHOWN)
            if result is None:
                return
            question, language = result.question, result.language
            hit_ids = [hit.id for hit in shown_hits(result)]
        await bot.curation.vote(
            interaction.guild_id,
            interaction.message.id if interaction.message else 0,
            interaction.user.id,
            "up" if self.vote == "up" else "down",
            question,
            hit_ids,
        )
        bot.metrics.record_vote(self.vote == "up")
        key = "feedback.thanks_up" if self.vote == "up" else "feedback.thanks_down"
        await respond(interaction, t(key, "zh" if language == "zh" else "en"))


class MoreButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"careerbot:more:(?P<page>\d+)"
):
    """The next passages for the answer's question, ephemeral, with a further "More"."""

    def __init__(self, page: int, language: Language = "en"):
        super().__init__(
            discord.ui.Button(
                label=t("button.more", language),
                style=discord.ButtonStyle.primary,
                custom_id=f"careerbot:more:{page}",
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> MoreButton:
        return cls(min(int(match["page"]), MORE_PAGES))

    async def callback(self, interaction: discord.Interaction) -> None:
        wanted = (self.page + 1) * MAX_PASSAGES_SHOWN
        result = await _search_again(interaction, wanted + 1)  # one extra: is there a next page?
        if result is None:
            return
        view = discord.ui.View(timeout=None)
        if len(result.passages) > wanted and self.page < MORE_PAGES:
            view.add_item(MoreButton(self.page + 1, result.language))
        await interaction.response.send_message(
            embed=more_embed(result, self.page), view=view, ephemeral=True
        )


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button], template=r"careerbot:sources"):
    """Every article the answer quotes, with links, ephemeral."""

    def __init__(self, language: Language = "en"):
        super().__init__(
            discord.ui.Button(
                label=t("button.sources", language),
                style=discord.ButtonStyle.secondary,
                custom_id="careerbot:sources",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> SourcesButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        result = await _search_again(interaction, MAX_PASSAGES_SHOWN)
        if result is None:
            return
        await interaction.response.send_message(embed=sources_embed(result), ephemeral=True)


class RelatedCardButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"careerbot:card:(?P<card>[a-z0-9]+(?:-[a-z0-9]+)*)",
):
    """ "Related question: …" under a card's answer: that card's answer, ephemeral."""

    def __init__(self, card_id: str, question: str = "", language: Language = "en"):
        label = t("button.related", language, question=question) if question else card_id
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL),
                style=discord.ButtonStyle.secondary,
                custom_id=f"careerbot:card:{card_id}",
            )
        )
        self.card_id = card_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> RelatedCardButton:
        return cls(match["card"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = careerbot_of(interaction)
        question = await question_of(interaction)
        language = language_of(interaction, question)
        script = chinese_script(question) if question else "simplified"
        card_id = self.card_id
        result = await bot.worker.call(
            lambda retriever: retriever.card_answer(card_id, language, script)
        )
        if result is None:  # the card is gone from the index since the answer was sent
            await respond(interaction, t("error.stale_answer", language))
            return
        await respond(interaction, embed=answer_embed(result), ephemeral=True)


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


async def pin_message(
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
    curation = careerbot_of(interaction).curation
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
        await respond(interaction, t("pin.invalid", language, reason=str(exc)))
        return
    except MessageGone:
        await respond(interaction, t("pin.message_gone", language))
        return
    text = t("pin.done", language, id=pin.id)
    if not pinned_in_channel:
        text += "\n" + t("pin.discord_pin_failed", language)
    await respond(interaction, text)


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
        question = await question_of(interaction)
        language = language_of(interaction, question)
        if not is_moderator(interaction):
            await respond(interaction, t("pin.not_moderator", language))
            return
        answer = answer_text_of(message) if message else ""
        if message is None or not question or not answer or interaction.guild_id is None:
            await respond(interaction, t("pin.nothing", language))
            return
        await pin_message(interaction, language, message, [question], answer)


class SimilarThreadsButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"careerbot:similar"
):
    """Earlier posts of this server that asked something similar, ephemeral."""

    def __init__(self, language: Language = "en"):
        super().__init__(
            discord.ui.Button(
                label=t("button.similar", language),
                style=discord.ButtonStyle.secondary,
                custom_id="careerbot:similar",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> SimilarThreadsButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = careerbot_of(interaction)
        question = await question_of(interaction)
        language = language_of(interaction, question)
        if question is None:
            await respond(interaction, t("error.stale_answer", language))
            return
        try:
            vector = (await bot.forum.encode([question]))[0]
        except (InvalidQuestion, WorkerBusy):
            await respond(interaction, t("busy", language))
            return
        channel = interaction.channel
        here = channel.id if isinstance(channel, discord.Thread) else None
        threads = bot.forum.similar(interaction.guild_id, vector, language, exclude=here)
        await respond(interaction, embed=similar_embed(threads, language))


ANSWER_BUTTONS = (
    FeedbackButton,
    MoreButton,
    SourcesButton,
    PinButton,
    SimilarThreadsButton,
    RelatedCardButton,
    PlanButton,
)
