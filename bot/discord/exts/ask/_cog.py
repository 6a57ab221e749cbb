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

from bot.discord.answering.render import answer_embed, shown_hits
from bot.discord.answering.views import answer_view
from bot.discord.errors import ShuttingDown
from bot.discord.reply import respond
from bot.formatting import clip
from bot.i18n import Language, language_of_locale, t
from bot.services.answers import Answer
from bot.services.curation import AnswerSource
from bot.services.logs import request_scope
from bot.services.worker import WorkerBusy
from index.query import InvalidQuestion, detect_language, normalize_question

if TYPE_CHECKING:
    from bot.discord.app import CareerBot

log = logging.getLogger(__name__)

# Discord drops an interaction not answered within 3 s; past this the answer is deferred.
DEFER_AFTER_SECONDS = 1.5
THREAD_NAME_CHARS = 100  # Discord's limit for a thread name


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
        cooldown = self.bot.server_settings.for_guild(guild_id).cooldown_seconds
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
        outcome.value = "answered" if answer.answered else "unanswered"
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
        search = asyncio.ensure_future(
            self.bot.answers.answer(text, guild_id, user_id=interaction.user.id)
        )
        done, _ = await asyncio.wait({search}, timeout=DEFER_AFTER_SECONDS)
        if not done:
            await interaction.response.defer(thinking=True)
        try:
            answer = await search
        except WorkerBusy:
            outcome.value = "busy"
            self._asked_at.pop(interaction.user.id, None)  # a refused question costs no cooldown
            await respond(interaction, t("busy", detect_language(text)))
            return
        embed, view = self._rendered(answer, guild_id)
        sent = await respond(interaction, embed=embed, view=view, ephemeral=False)
        self._record_answer(outcome, answer)
        if sent is not None:
            self._record_delivered(answer, sent, interaction.user.id, "slash")

    def _rendered(
        self, answer: Answer, guild_id: int | None
    ) -> tuple[discord.Embed, discord.ui.View]:
        """The answer's embed (with the server's similar threads) and its buttons."""
        embed = answer_embed(answer.result, pinned=answer.pin, similar=answer.similar)
        return embed, answer_view(
            answer.result,
            similar_button=guild_id is not None,
            plan_button=self.bot.path_planner is not None,
        )

    def _record_delivered(
        self, answer: Answer, message: discord.Message, user_id: int, source: AnswerSource
    ) -> None:
        """Record what this message shows, for its buttons (written behind the reply; a failed
        record costs the buttons the full question, they fall back to the title, and never
        turns the answer the member already has into an error)."""
        try:
            self.bot.curation.record_delivered(
                answer,
                message_id=message.id,
                channel_id=message.channel.id,
                guild_id=message.guild.id if message.guild else None,
                user_id=user_id,
                source=source,
                shown_hit_ids=[hit.id for hit in shown_hits(answer.result, answer.pin)],
            )
        except Exception:
            log.exception("could not record the answer in message %s", message.id)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer messages that mention the bot, in enabled channels."""
        me = self.bot.user
        if message.author.bot or me is None or message.guild is None:
            return
        if me not in message.mentions:
            return
        guild = self.bot.server_settings.for_guild(message.guild.id)
        channel = message.channel
        home_id = channel.parent_id if isinstance(channel, discord.Thread) else channel.id
        starter = isinstance(channel, discord.Thread) and message.id == channel.id
        if starter and home_id in guild.forum_channels:
            return  # a new help-forum post: the forum extension answers it
        enabled = [*guild.enabled_channels, *guild.forum_channels]
        if guild.enabled_channels and home_id not in enabled:
            return
        question = re.sub(rf"<@!?{me.id}>", " ", message.content)
        fallback = guild.language or "en"
        try:
            with self._observed("mention") as outcome:
                async with self.bot.answering():
                    try:
                        text = self._check(question, message.author.id, message.guild.id, fallback)
                        answer = await self.bot.answers.answer(
                            text, message.guild.id, user_id=message.author.id
                        )
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
                    sent = await self._deliver(message, text, answer, guild.thread_channels)
                    self._record_answer(outcome, answer)
                    self._record_delivered(answer, sent, message.author.id, "mention")
        except ShuttingDown:
            await message.reply(t("shutting_down", detect_language(question)), mention_author=False)

    async def _deliver(
        self, message: discord.Message, text: str, answer: Answer, thread_channels: list[int]
    ) -> discord.Message:
        embed, view = self._rendered(answer, message.guild.id if message.guild else None)
        channel = message.channel
        if not isinstance(channel, discord.Thread) and channel.id in thread_channels:
            thread = await message.create_thread(name=clip(text, THREAD_NAME_CHARS))
            return await thread.send(embed=embed, view=view)
        # In a thread, message.reply answers inside that thread.
        return await message.reply(embed=embed, view=view, mention_author=False)
