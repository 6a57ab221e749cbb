"""`/ask` and @mentions: a thin adapter from Discord to the search worker and the embed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.app import ShuttingDown
from bot.curation import Answer
from bot.discord_render import MAX_PASSAGES_SHOWN, answer_embed, more_embed, sources_embed
from bot.exts.pins import PinButton
from bot.formatting import clip
from bot.i18n import Language, language_of_locale, t
from bot.observability import request_scope
from bot.worker import WorkerBusy
from index.query import InvalidQuestion, detect_language, normalize_question
from index.retriever import SearchResult

if TYPE_CHECKING:
    from bot.app import CareerBot

log = logging.getLogger(__name__)

# Discord drops an interaction not answered within 3 s; past this the answer is deferred.
DEFER_AFTER_SECONDS = 1.5
THREAD_NAME_CHARS = 100  # Discord's limit for a thread name
MORE_PAGES = 3  # "More" pages after the answer: beyond 12 passages the ranking is noise


class QuestionRefused(Exception):
    """A question that gets a short explanation instead of an answer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class _Outcome:
    """What became of one question, for the metrics and the log line (see `Ask._observed`)."""

    value: str = "error"  # stays so when the handler raises
    language: str = "-"


class Ask(commands.Cog):
    """Answers career questions asked with /ask or by mentioning the bot."""

    def __init__(self, bot: CareerBot):
        self.bot = bot
        self._asked_at: dict[int, float] = {}  # user id -> time of the last accepted question

    def _check(self, question: str, user_id: int, guild_id: int | None, fallback: Language) -> str:
        """The normalized question, or QuestionRefused with a message in the right language."""
        limit = self.bot.settings.discord.max_question_chars
        try:
            text = normalize_question(question, limit)
        except InvalidQuestion as exc:
            if exc.reason == "too_long":
                language = detect_language(question)
                raise QuestionRefused(
                    t("error.too_long", language, length=len(question.strip()), limit=limit)
                ) from None
            raise QuestionRefused(t("usage", fallback)) from None
        cooldown = self.bot.settings.discord.guild(guild_id).cooldown_seconds
        now = time.monotonic()
        waited = now - self._asked_at.get(user_id, -cooldown)
        if waited < cooldown:
            seconds = max(1, round(cooldown - waited))
            raise QuestionRefused(t("cooldown", detect_language(text), seconds=seconds))
        self._asked_at[user_id] = now
        return text

    @contextlib.contextmanager
    def _observed(self, source: str) -> Iterator[_Outcome]:
        """One question's request scope: a request id on every log line of the block (and of the
        search thread), then one log line and the metrics with the outcome the block set."""
        with request_scope():
            started = time.perf_counter()
            outcome = _Outcome()
            try:
                yield outcome
            except ShuttingDown:
                outcome.value = "refused"
                raise
            finally:
                seconds = time.perf_counter() - started
                self.bot.metrics.observe_question(source, outcome.value, seconds)
                log.info(
                    "question via %s: %s in %.0f ms (language %s)",
                    source,
                    outcome.value,
                    seconds * 1000,
                    outcome.language,
                )

    def _record_answer(self, outcome: _Outcome, answer: Answer) -> None:
        outcome.value = "answered" if answer.result.answered or answer.pin else "unanswered"
        outcome.language = answer.result.language
        if answer.pin:
            self.bot.metrics.record_pin_served()

    @app_commands.command(
        name="ask",
        description=locale_str("Ask a machine-learning career question", key="command.ask"),
    )
    @app_commands.describe(
        question=locale_str("Your question, in English or Chinese", key="command.ask.question")
    )
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        """Slash command: the answer embed, or an ephemeral explanation."""
        with self._observed("slash") as outcome:
            async with self.bot.answering():  # ShuttingDown: the error handler explains
                await self._answer_interaction(interaction, question, outcome)

    async def _answer_interaction(
        self, interaction: discord.Interaction, question: str, outcome: _Outcome
    ) -> None:
        fallback = language_of_locale(interaction.locale)
        guild_id = interaction.guild_id
        try:
            text = self._check(question, interaction.user.id, guild_id, fallback)
        except QuestionRefused as refused:
            outcome.value = "refused"
            await interaction.response.send_message(refused.message, ephemeral=True)
            return
        search = asyncio.ensure_future(self.bot.curation.answer(text, guild_id))
        done, _ = await asyncio.wait({search}, timeout=DEFER_AFTER_SECONDS)
        if not done:
            await interaction.response.defer(thinking=True)
        try:
            answer = await search
        except WorkerBusy:
            outcome.value = "busy"
            self._asked_at.pop(interaction.user.id, None)  # a refused question costs no cooldown
            message = t("busy", detect_language(text))
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
            return
        embed = answer_embed(answer.result, pinned=answer.pin)
        view = answer_view(answer.result)
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view)
        self._record_answer(outcome, answer)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer messages that mention the bot, in enabled channels."""
        me = self.bot.user
        if message.author.bot or me is None or message.guild is None:
            return
        if me not in message.mentions:
            return
        guild = self.bot.settings.discord.guild(message.guild.id)
        channel = message.channel
        home_id = channel.parent_id if isinstance(channel, discord.Thread) else channel.id
        if guild.enabled_channels and home_id not in guild.enabled_channels:
            return
        question = re.sub(rf"<@!?{me.id}>", " ", message.content)
        fallback = guild.language or "en"
        try:
            with self._observed("mention") as outcome:
                async with self.bot.answering():
                    try:
                        text = self._check(question, message.author.id, message.guild.id, fallback)
                        answer = await self.bot.curation.answer(text, message.guild.id)
                    except QuestionRefused as refused:
                        outcome.value = "refused"
                        await message.reply(refused.message, mention_author=False)
                        return
                    except WorkerBusy:
                        outcome.value = "busy"
                        self._asked_at.pop(message.author.id, None)
                        busy = t("busy", detect_language(question))
                        await message.reply(busy, mention_author=False)
                        return
                    await self._deliver(message, text, answer, guild.thread_channels)
                    self._record_answer(outcome, answer)
        except ShuttingDown:
            await message.reply(t("shutting_down", detect_language(question)), mention_author=False)

    async def _deliver(
        self, message: discord.Message, text: str, answer: Answer, thread_channels: list[int]
    ) -> None:
        embed = answer_embed(answer.result, pinned=answer.pin)
        view = answer_view(answer.result)
        channel = message.channel
        if not isinstance(channel, discord.Thread) and channel.id in thread_channels:
            thread = await message.create_thread(name=clip(text, THREAD_NAME_CHARS))
            await thread.send(embed=embed, view=view)
        else:
            # In a thread, message.reply answers inside that thread.
            await message.reply(embed=embed, view=view, mention_author=False)


def answer_view(result: SearchResult) -> discord.ui.View:
    """The buttons under an answer: feedback and 📌 Pin always, More and Sources when passages
    are shown.

    Their custom_ids carry no state: the question is the embed's title, read back on a click,
    so the buttons keep working after a restart (persistent, `timeout=None`).
    """
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton("up"))
    view.add_item(FeedbackButton("down"))
    if result.answered and len(result.passages) > 0:
        view.add_item(MoreButton(1, result.language))
        view.add_item(SourcesButton(result.language))
    view.add_item(PinButton(result.language))
    return view


def _question_of(interaction: discord.Interaction) -> str | None:
    """The question an answer message was for: its embed's title."""
    message = interaction.message
    if message is None or not message.embeds or not message.embeds[0].title:
        return None
    return message.embeds[0].title


async def _search_again(interaction: discord.Interaction, k: int) -> SearchResult | None:
    """Re-run the answer's question (deterministic on one index), or explain why not."""
    bot: CareerBot = interaction.client  # type: ignore[assignment]
    question = _question_of(interaction)
    language = detect_language(question) if question else language_of_locale(interaction.locale)
    if question is None:
        await interaction.response.send_message(t("error.stale_answer", language), ephemeral=True)
        return None
    try:
        answer = await bot.curation.answer(question, interaction.guild_id, record=False, k=k)
        return answer.result
    except WorkerBusy:
        await interaction.response.send_message(t("busy", language), ephemeral=True)
    except InvalidQuestion:
        await interaction.response.send_message(t("error.stale_answer", language), ephemeral=True)
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
        bot: CareerBot = interaction.client  # type: ignore[assignment]
        result = await _search_again(interaction, MAX_PASSAGES_SHOWN)
        if result is None:
            return
        shown = [*result.passages[:MAX_PASSAGES_SHOWN], *result.resources]
        await bot.curation.vote(
            interaction.guild_id,
            interaction.message.id if interaction.message else 0,
            interaction.user.id,
            "up" if self.vote == "up" else "down",
            result.question,
            [hit.id for hit in shown],
        )
        bot.metrics.record_vote(self.vote == "up")
        key = "feedback.thanks_up" if self.vote == "up" else "feedback.thanks_down"
        await interaction.response.send_message(t(key, result.language), ephemeral=True)


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


async def setup(bot: CareerBot) -> None:
    """discord.py extension entry point."""
    bot.add_dynamic_items(FeedbackButton, MoreButton, SourcesButton)
    await bot.add_cog(Ask(bot))
