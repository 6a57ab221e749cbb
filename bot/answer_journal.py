"""The answer journal: the question log and the records of delivered answers, written behind
the replies instead of before them.

A reply used to wait for its question's row to be committed, and each answer cost two
transactions (the question, then the delivered answer). Under a burst of 50 the commits queued
behind one another: a reply waited 95 ms for its row at the median and 450 ms at the p99
(bench/bench_bot.py), and the two transactions took ~9 ms of CPU per answer from the event loop
and the database thread, CPU the encoder then lacked. Now a handler adds its rows here and
goes on; one writer task writes what has come in, in one transaction, and what comes in
meanwhile goes into the next: a quiet bot writes each answer at once, a burst in a few commits.

Whoever reads these rows (`/stats`, the buttons' answer records, `/forget-me`, retention)
awaits `written()` first, so a read sees every answer already given, as before.
"""

from __future__ import annotations

import asyncio
import logging

from bot.db.database import AskedQuestion, Database, DeliveredAnswer

log = logging.getLogger(__name__)


class AnswerJournal:
    """Rows waiting to be written, and the one task writing them (event-loop only)."""

    def __init__(self, database: Database):
        self._database = database
        self._questions: list[AskedQuestion] = []
        self._answers: list[DeliveredAnswer] = []
        self._writer: asyncio.Task[None] | None = None

    def add_question(self, asked: AskedQuestion) -> None:
        """Log a question (written soon; see `written`)."""
        self._questions.append(asked)
        self._write_soon()

    def add_answer(self, answer: DeliveredAnswer) -> None:
        """Record a delivered answer (written soon; see `written`)."""
        self._answers.append(answer)
        self._write_soon()

    @property
    def pending(self) -> int:
        """Rows not written yet."""
        return len(self._questions) + len(self._answers)

    async def written(self) -> None:
        """Return once every row added so far is written (or failed and was logged)."""
        while self._writer is not None and not self._writer.done():
            # a reader cancelled while waiting must not cancel the write
            await asyncio.shield(self._writer)

    def _write_soon(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(
                self._write_pending(), name="careerbot-answer-journal"
            )

    async def _write_pending(self) -> None:
        while self._questions or self._answers:
            questions, self._questions = self._questions, []
            answers, self._answers = self._answers, []
            try:
                await self._database.record_log(questions, answers)
            except Exception:
                # the members have their answers; what is lost is the log of them, said here
                log.exception(
                    "could not write %d questions and %d answer records to the database",
                    len(questions),
                    len(answers),
                )
