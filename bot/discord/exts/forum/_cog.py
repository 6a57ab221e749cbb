"""Help forums: answer a new post in its thread, keep the server's posts for "similar threads"
(created, edited, solved, deleted; read back at start-up), and "Mark as solution".

A thin adapter over `bot.services.forum.Forum` and `bot.services.curation.Curation`: gateway events and the
context menu become service calls; every failure Discord can return is one log line or one
ephemeral message, and nothing is recorded for a step that did not happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.discord.answering.render import answer_embed, answer_text_of, shown_hits
from bot.discord.answering.views import answer_view
from bot.discord.checks import is_moderator
from bot.discord.errors import ShuttingDown
from bot.discord.exts.forum._render import review_embed
from bot.discord.exts.forum._tags import apply_solved_tag
from bot.discord.exts.forum._views import review_view
from bot.discord.reply import careerbot_of, language_of, respond
from bot.i18n import t
from bot.services.answers import Answer
from bot.services.logs import request_scope
from bot.services.pin_rules import CurationError
from bot.services.worker import WorkerBusy
from index.query import InvalidQuestion, detect_language

if TYPE_CHECKING:
    from bot.discord.app import CareerBot

log = logging.getLogger(__name__)

BACKFILL_BATCH = 16  # posts encoded per call on the search worker: questions wait at most one


class ForumAssistant(commands.Cog):
    """Answers new help-forum posts and links earlier ones."""

    def __init__(self, bot: CareerBot):
        self.bot = bot
        self.backfill_batch = BACKFILL_BATCH
        self._backfill: asyncio.Task[None] | None = None
        self.menu = app_commands.ContextMenu(
            name=locale_str("Mark as solution", key="command.mark_solution"),
            callback=self.mark_as_solution,
        )
        self.menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        if self._backfill is not None:
            self._backfill.cancel()

    # --- new posts ------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A post's starter message (its id is the thread's) in a help forum: answer it."""
        thread = message.channel
        if message.guild is None or message.author.bot or not isinstance(thread, discord.Thread):
            return
        if message.id != thread.id or not self.bot.forum.is_help_forum(
            message.guild.id, thread.parent_id
        ):
            return
        try:
            async with self.bot.answering():
                await self._answer_post(thread, message)
        except ShuttingDown:
            log.info("post %s not answered: stopping", thread.id)

    async def _answer_post(self, thread: discord.Thread, starter: discord.Message) -> None:
        guild_id = starter.guild.id if starter.guild else 0
        question = self.bot.forum.question_of(thread.name, starter.content)
        started = time.perf_counter()
        outcome = "error"
        with request_scope():
            try:
                try:
                    answer = await self.bot.answers.answer(
                        question, guild_id, user_id=starter.author.id, exclude_thread=thread.id
                    )
                except InvalidQuestion as exc:
                    outcome = "refused"
                    log.info("post %s not answered: %s", thread.id, exc)
                    return
                except WorkerBusy:
                    outcome = "busy"
                    log.warning("post %s not answered: the search queue is full", thread.id)
                    return
                result = answer.result
                confident = answer.answered
                outcome = "answered" if confident else "unanswered"
                await self.bot.forum.record(
                    guild_id=guild_id,
                    forum_id=thread.parent_id or 0,
                    thread_id=thread.id,
                    author_id=starter.author.id,
                    title=thread.name,
                    content=starter.content,
                    vector=result.query_vector,
                )
                settings = self.bot.server_settings.for_guild(guild_id)
                if not confident and not settings.reply_when_unsure:
                    return  # stays silent; the question is logged as unanswered
                await self._reply(thread, starter, answer)
            finally:
                seconds = time.perf_counter() - started
                self.bot.metrics.observe_question("forum", outcome, seconds)
                log.info("forum post %s: %s in %.0f ms", thread.id, outcome, seconds * 1000)

    async def _reply(
        self, thread: discord.Thread, starter: discord.Message, answer: Answer
    ) -> None:
        embed = answer_embed(
            answer.result, pinned=answer.pin, similar=answer.similar, suggestion=True
        )
        view = answer_view(
            answer.result, similar_button=True, plan_button=self.bot.path_planner is not None
        )
        try:
            sent = await thread.send(embed=embed, view=view)
        except discord.Forbidden:
            log.warning(
                "cannot answer post %s: no permission to send messages in threads of forum %s",
                thread.id,
                thread.parent_id,
            )
            return
        except discord.NotFound:
            log.info("post %s was deleted before the answer", thread.id)
            return
        await self.bot.forum.answered(thread.id)
        try:
            self.bot.curation.record_delivered(
                answer,
                message_id=sent.id,
                channel_id=thread.id,
                guild_id=starter.guild.id if starter.guild else None,
                user_id=starter.author.id,
                source="forum",
                shown_hit_ids=[hit.id for hit in shown_hits(answer.result, answer.pin)],
            )
        except Exception:  # the post has its answer; only the buttons' record is missing
            log.exception("could not record the answer in message %s", sent.id)

    # --- what becomes of a post -----------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """The starter message was edited: its question is encoded again (not re-answered)."""
        if payload.message_id != payload.channel_id or payload.guild_id is None:
            return
        content = payload.data.get("content")
        if content is None:
            return
        with contextlib.suppress(InvalidQuestion, WorkerBusy):
            await self.bot.forum.edited(payload.channel_id, title=None, content=content)

    @commands.Cog.listener()
    async def on_thread_update(self, before: discord.Thread, after: discord.Thread) -> None:
        """A post's title changed: its question is encoded again."""
        if before.name != after.name and self.bot.forum.is_help_forum(
            after.guild.id, after.parent_id
        ):
            with contextlib.suppress(InvalidQuestion, WorkerBusy):
                await self.bot.forum.edited(after.id, title=after.name, content=None)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A post was deleted: it is no longer listed as a similar thread."""
        await self.bot.forum.deleted(payload.thread_id)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A post's starter message was deleted: the post no longer asks anything."""
        if payload.message_id == payload.channel_id:
            await self.bot.forum.deleted(payload.channel_id)

    # --- backfill -------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Read the help forums' posts once per start, in the background."""
        if self._backfill is None:
            self._backfill = asyncio.create_task(self._read_forums())

    async def _read_forums(self) -> None:
        for guild in self.bot.guilds:
            for forum_id in self.bot.server_settings.for_guild(guild.id).forum_channels:
                forum = guild.get_channel(forum_id)
                if not isinstance(forum, discord.ForumChannel):
                    log.warning(
                        "forum_channels: %s is not a forum of server %s", forum_id, guild.id
                    )
                    continue
                try:
                    await self._read_forum(forum)
                except discord.HTTPException as exc:
                    log.warning("could not read forum %s: %s", forum.id, exc)

    async def _read_forum(self, forum: discord.ForumChannel) -> None:
        """Store the newest posts of a forum not stored yet (never answering them)."""
        limit = self.bot.settings.forum.backfill_limit
        threads = sorted(forum.threads, key=lambda thread: thread.id, reverse=True)[:limit]
        if len(threads) < limit:
            async for thread in forum.archived_threads(limit=limit - len(threads)):
                threads.append(thread)
        known = await self.bot.forum.store.known([thread.id for thread in threads])
        new = [thread for thread in threads if thread.id not in known]
        solved_tag = self.bot.server_settings.for_guild(forum.guild.id).solved_tag
        log.info("forum %s: reading %d posts (%d known)", forum.id, len(new), len(known))
        for start in range(0, len(new), self.backfill_batch):
            batch = new[start : start + self.backfill_batch]
            posts = [(thread, await self._starter_text(thread)) for thread in batch]
            questions = [self.bot.forum.question_of(thread.name, text) for thread, text in posts]
            try:
                vectors = await self.bot.forum.encode(questions)
            except InvalidQuestion:
                vectors = None  # one unsearchable post: encode them one by one below
            for number, (thread, text) in enumerate(posts):
                if vectors is not None:
                    vector = vectors[number]
                else:
                    try:
                        vector = (await self.bot.forum.encode([questions[number]]))[0]
                    except InvalidQuestion:
                        continue
                solved = any(
                    tag.name.casefold() == solved_tag.casefold() for tag in thread.applied_tags
                )
                await self.bot.forum.record(
                    guild_id=forum.guild.id,
                    forum_id=forum.id,
                    thread_id=thread.id,
                    author_id=thread.owner_id or 0,
                    title=thread.name,
                    content=text,
                    vector=vector,
                    # solved by its tag before the bot knew the post: which message, unknown
                    solution_message_id=0 if solved else None,
                )
            log.info(
                "forum %s: %d/%d posts read", forum.id, min(start + len(batch), len(new)), len(new)
            )

    @staticmethod
    async def _starter_text(thread: discord.Thread) -> str:
        if thread.starter_message is not None:
            return thread.starter_message.content
        try:
            return (await thread.fetch_message(thread.id)).content
        except discord.HTTPException:
            return ""  # deleted starter: the title alone

    # --- Mark as solution -----------------------------------------------------------------

    async def mark_as_solution(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Message context menu: the post's author or a moderator marks the message that
        solved the post; the solved tag is applied, the member thanked, and the solution
        proposed to the moderators as a pinned answer (not the bot's own answer when a pin or
        an answer card gave it: curated already)."""
        language = language_of(interaction)
        bot = careerbot_of(interaction)
        thread = message.channel
        if not isinstance(thread, discord.Thread) or not bot.forum.is_help_forum(
            interaction.guild_id, thread.parent_id
        ):
            await respond(interaction, t("solution.not_forum", language))
            return
        if interaction.user.id != thread.owner_id and not is_moderator(interaction):
            await respond(interaction, t("solution.not_allowed", language))
            return
        solution, curated = message.content.strip(), False
        if not solution and message.embeds and bot.user and message.author.id == bot.user.id:
            await interaction.response.defer(ephemeral=True, thinking=True)
            solution, curated = await self._answer_shown(message)
            if not solution:
                await respond(interaction, t("solution.no_answer", language))
                return
        if not solution:
            await respond(interaction, t("solution.empty", language))
            return
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        settings = bot.server_settings.for_guild(interaction.guild_id)
        problem = await apply_solved_tag(thread, settings.solved_tag, language)
        if problem is not None:
            await respond(interaction, problem)
            return
        post = await bot.forum.solved(thread.id, message.id, solution)
        if post is None:  # a post the bot never read (before it joined, beyond the backfill)
            starter = await self._starter_text(thread)
            question = bot.forum.question_of(thread.name, starter)
            with contextlib.suppress(InvalidQuestion, WorkerBusy):
                vector = (await bot.forum.encode([question]))[0]
                await bot.forum.record(
                    guild_id=thread.guild.id,
                    forum_id=thread.parent_id or 0,
                    thread_id=thread.id,
                    author_id=thread.owner_id or 0,
                    title=thread.name,
                    content=starter,
                    vector=vector,
                    solution_message_id=message.id,
                    solution=solution,
                )
        await respond(interaction, t("solution.thanks", language))
        with contextlib.suppress(discord.HTTPException):  # the notice is a courtesy
            await thread.send(
                t(
                    "solution.notice",
                    detect_language(solution),
                    member=interaction.user.mention,
                    link=message.jump_url,
                )
            )
        if settings.review_channel is not None and not curated:
            starter = post.content if post is not None else await self._starter_text(thread)
            await self._propose(thread, bot.forum.question_of(thread.name, starter), solution)

    async def _answer_shown(self, message: discord.Message) -> tuple[str, bool]:
        """The answer one of the bot's messages gave, by its record, and whether it was curated
        already (a pin or an answer card: no moderator need approve it again). A "no good
        answer" reply gives no text; an answer made of passages its lead and passages, as shown."""
        record = await self.bot.curation.delivered(message.id)
        if record is not None and not record.answered and record.pin_id is None:
            return "", False
        if record is not None and (curated := await self.bot.curation.curated_answer(record)):
            return curated, True
        return answer_text_of(message), False

    async def _propose(self, thread: discord.Thread, question: str, solution: str) -> None:
        """Post the solved question to the review channel with Approve / Edit / Reject."""
        guild_id = thread.guild.id
        review_id = self.bot.server_settings.for_guild(guild_id).review_channel
        channel = thread.guild.get_channel(review_id) if review_id else None
        if not isinstance(channel, discord.TextChannel):
            log.warning("review_channel %s of server %s is not a text channel", review_id, guild_id)
            return
        try:
            proposal = await self.bot.curation.propose(guild_id, thread.id, question, solution)
        except CurationError as exc:
            log.info("post %s not proposed as a pin: %s", thread.id, exc)
            return
        language = detect_language(question)
        try:
            sent = await channel.send(
                embed=review_embed(proposal.question, proposal.answer, thread.id, language),
                view=review_view(proposal.id, language),
            )
        except discord.HTTPException as exc:
            log.warning("cannot post to review channel %s: %s", channel.id, exc)
            await self.bot.curation.reject(
                proposal.id, guild_id, self.bot.user.id if self.bot.user else 0
            )
            return
        await self.bot.curation.proposals.set_review_message(proposal.id, sent.id)
