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
awaits `written()` first: it returns once the rows added before the call are written, so a
read sees every answer already given, as before, without waiting for the answers given after.
"""

from __future__ import annotations

import asyncio
import logging

from bot.db.answer_log_store import AnswerLogStore, AskedQuestion, DeliveredAnswer

log = logging.getLogger(__name__)


class AnswerJournal:
    """Rows waiting to be written, and the one task writing them (event-loop only)."""

    def __init__(self, answer_log: AnswerLogStore):
        self._answer_log = answer_log
        self._questions: list[AskedQuestion] = []
        self._answers: list[DeliveredAnswer] = []
        self._writer: asyncio.Task[None] | None = None
        self._added = 0  # rows ever added
        self._done = 0  # rows ever written, or given up on (and logged)
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []  # (rows, woken when done)
        self._closed = False

    def add_question(self, asked: AskedQuestion) -> None:
        """Log a question (written soon; see `written`)."""
        if self._refused("question"):
            return
        self._questions.append(asked)
        self._write_soon()

    def add_answer(self, answer: DeliveredAnswer) -> None:
        """Record a delivered answer (written soon; see `written`)."""
        if self._refused("answer record"):
            return
        self._answers.append(answer)
        self._write_soon()

    @property
    def pending(self) -> int:
        """Rows not written yet."""
        return self._added - self._done

    async def written(self) -> None:
        """Return once every row added before this call is written (or failed and was
        logged); rows added while waiting are not waited for."""
        if self._done >= self._added:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append((self._added, waiter))
        # a reader cancelled while waiting must not cancel the write
        await asyncio.shield(waiter)

    async def close(self) -> None:
        """Write what is pending; rows added afterwards are logged as lost, not written."""
        await self.written()
        self._closed = True

    def _refused(self, kind: str) -> bool:
        if self._closed:
            log.warning("an %s came after the database closed: not written", kind)
        return self._closed

    def _write_soon(self) -> None:
        self._added += 1
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(
                self._write_pending(), name="careerbot-answer-journal"
            )

    async def _write_pending(self) -> None:
        while self._questions or self._answers:
            questions, self._questions = self._questions, []
            answers, self._answers = self._answers, []
            try:
                await self._write(questions, answers)
            except asyncio.CancelledError:
                log.error(
                    "stopped before writing %d questions and %d answer records",
                    len(questions),
                    len(answers),
                )
                raise
            finally:
                self._done += len(questions) + len(answers)
                self._wake_readers()

    async def _write(self, questions: list[AskedQuestion], answers: list[DeliveredAnswer]) -> None:
        """One transaction for them all; if it fails (a lock held too long, a dropped
        connection, one bad row), each row alone, so one bad row costs only itself."""
        try:
            await self._answer_log.record_log(questions, answers)
            return
        except Exception:
            if len(questions) + len(answers) == 1:
                log.exception("could not write a row of the question log or answer records")
                return
            log.warning(
                "could not write %d questions and %d answer records at once: one by one",
                len(questions),
                len(answers),
                exc_info=True,
            )
        lost = 0
        for asked in questions:
            lost += not await self._write_one([asked], [])
        for answer in answers:
            lost += not await self._write_one([], [answer])
        if lost:
            log.error("%d rows of the question log or answer records were not written", lost)

    async def _write_one(
        self, questions: list[AskedQuestion], answers: list[DeliveredAnswer]
    ) -> bool:
        try:
            await self._answer_log.record_log(questions, answers)
        except Exception:
            log.exception("could not write a row of the question log or answer records")
            return False
        return True

    def _wake_readers(self) -> None:
        still_waiting = []
        for rows, waiter in self._waiters:
            if rows <= self._done:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                still_waiting.append((rows, waiter))
        self._waiters = still_waiting
