"""`/reindex` (bot owner only): rebuild the index from the corpus on disk and serve it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.formatting import clip
from bot.i18n import Language, language_of_locale, t
from bot.services import reindex
from corpus.problems import CorpusError
from index.build import BuildReport
from index.manifest import IndexStoreError, PublishRefused
from index.quality import GateReport
from index.retriever import Retriever

if TYPE_CHECKING:
    from bot.discord.app import CareerBot

log = logging.getLogger(__name__)

# Editing a message more often than this runs into Discord's rate limits for nothing.
PROGRESS_EDIT_SECONDS = 2.0
MESSAGE_CHARS = 2000  # Discord's limit for message content
WORSE_SHOWN = 5  # questions that got worse listed in a refusal


@dataclass
class _Progress:
    """The latest progress of the build, updated on the loop from the search thread's reports."""

    stage: str = ""
    done: int = 0
    total: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    def update(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total
        self.changed.set()

    def finish(self) -> None:
        self.finished.set()
        self.changed.set()


def _reason_of(error: Exception) -> str:
    if isinstance(error, CorpusError):
        return "; ".join(str(problem) for problem in error.problems[:5])
    return str(error)


class Admin(commands.Cog):
    """Maintenance commands for the bot's owner."""

    def __init__(self, bot: CareerBot):
        self.bot = bot
        self._running = asyncio.Lock()
        self.progress_edit_seconds = PROGRESS_EDIT_SECONDS

    @app_commands.command(
        name="reindex",
        description=locale_str(
            "Rebuild the index and serve it (bot owner only)", key="command.reindex"
        ),
    )
    @app_commands.default_permissions(administrator=True)  # a hint; the owner check decides
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Build on the search worker, report progress in the channel, serve the result."""
        language = language_of_locale(interaction.locale)
        if not await self.bot.is_owner(interaction.user):
            await interaction.response.send_message(
                t("reindex.not_owner", language), ephemeral=True
            )
            return
        await interaction.response.send_message(t("reindex.started", language))
        progress = _Progress()
        async with self._running:
            reporter = asyncio.create_task(self._report_progress(interaction, progress, language))
            try:
                outcome = await self._build(progress)
            except (CorpusError, IndexStoreError) as error:
                outcome = error
            finally:
                # The reporter sends what it has not shown yet and stops: the summary below is
                # always the last edit, and a build that reported progress always showed some.
                progress.finish()
                await reporter
            await interaction.edit_original_response(content=await self._summary(outcome, language))

    async def _build(self, progress: _Progress) -> BuildReport:
        """Run the build on the search worker: the embedder lives on that one thread, and the
        cache makes a typical rebuild (one changed article) take seconds, during which
        questions wait in the queue."""
        settings = self.bot.settings
        loop = asyncio.get_running_loop()

        def on_progress(stage: str, done: int, total: int) -> None:
            loop.call_soon_threadsafe(progress.update, stage, done, total)

        def build(retriever: Retriever) -> BuildReport:
            return reindex.rebuild(
                settings,
                retriever.embedder,
                gate=settings.index.quality_gate,
                progress=on_progress,
            )

        return await self.bot.worker.call(build)

    async def _report_progress(
        self, interaction: discord.Interaction, progress: _Progress, language: Language
    ) -> None:
        """Edit the progress into the message at once, then at most every
        `progress_edit_seconds`, until the build has finished."""
        shown = None
        while True:
            await progress.changed.wait()
            progress.changed.clear()
            current = (progress.stage, progress.done, progress.total)
            if progress.stage and current != shown and not progress.finished.is_set():
                shown = current
                with contextlib.suppress(discord.HTTPException):  # progress is best effort
                    await interaction.edit_original_response(
                        content=t(
                            "reindex.progress",
                            language,
                            stage=progress.stage,
                            done=progress.done,
                            total=progress.total,
                        )
                    )
            if progress.finished.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(progress.finished.wait(), self.progress_edit_seconds)

    async def _summary(self, outcome: BuildReport | Exception, language: Language) -> str:
        if isinstance(outcome, PublishRefused):
            text = t("reindex.refused", language, reason=str(outcome))
            report = outcome.details
            if report is not None:
                for change in report.worse[:WORSE_SHOWN]:
                    text += (
                        f"\n- {clip(change.question, 120)}: "
                        f"{change.served_rank or '-'} → {change.new_rank or '>10'}"
                    )
            return clip(text, MESSAGE_CHARS)
        if isinstance(outcome, Exception):
            log.warning("/reindex failed: %s", outcome)
            return clip(t("reindex.failed", language, reason=_reason_of(outcome)), MESSAGE_CHARS)
        manifest = outcome.manifest
        if outcome.skipped:
            return t(
                "reindex.up_to_date",
                language,
                generation=self.bot.reloader.generation,
                passages=manifest.passage_count,
            )
        reloaded = await self.bot.reloader.check()
        if reloaded.error is not None:
            return clip(t("reindex.not_served", language, reason=reloaded.error), MESSAGE_CHARS)
        return t(
            "reindex.published",
            language,
            generation=outcome.generation,
            passages=manifest.passage_count,
            embedded=outcome.embedded,
            seconds=outcome.seconds,
            quality=_quality_text(outcome.quality, language),
        )


def _quality_text(quality: GateReport | None, language: Language) -> str:
    if quality is None:
        return ""
    served = "-" if quality.served_mrr is None else f"{quality.served_mrr:.3f}"
    return t("reindex.quality", language, new=f"{quality.new_mrr:.3f}", served=served)
