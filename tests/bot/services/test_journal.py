"""The answer journal: rows written behind the replies, a burst in few transactions, reads
that see every row added before them, failures logged and not raised."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from bot.db.answer_log_store import AskedQuestion
from bot.db.database import Database
from bot.services.journal import AnswerJournal
from tests.helpers import answer_record, fresh_sqlite_url, run_with_database


def _asked(text: str, guild_id: int = 5) -> AskedQuestion:
    return AskedQuestion(guild_id, text, "en", False, 0.1, None, "hash", datetime.now(UTC))


def _since() -> datetime:
    return datetime(2000, 1, 1, tzinfo=UTC)


class _CountingLog:
    """Counts `record_log` calls on a real answer log."""

    def __init__(self, database: Database):
        self.database = database
        self.writes: list[tuple[int, int]] = []

    async def record_log(self, questions, answers) -> None:
        self.writes.append((len(questions), len(answers)))
        await self.database.answer_log.record_log(questions, answers)


def test_a_burst_is_written_in_few_transactions_and_reads_see_it_all(tmp_path):
    async def scenario(database: Database) -> None:
        counting = _CountingLog(database)
        journal = AnswerJournal(counting)  # type: ignore[arg-type]
        for i in range(30):
            journal.add_question(_asked(f"q{i}"))
            journal.add_answer(answer_record(1000 + i, f"q{i}"))
        assert journal.pending == 60  # nothing was awaited: nothing is written yet
        await journal.written()
        assert journal.pending == 0
        # the first write took what was there when it started; the rest waited for one more
        assert sum(q for q, _ in counting.writes) == 30 and len(counting.writes) <= 2
        stats = await database.answer_log.stats(5, _since())
        assert stats.questions == 30 and stats.unanswered == 30
        assert (await database.answer_log.get_answer(1029)).question == "q29"
        # a second record of a message replaces the first, in one write or across writes
        journal.add_answer(answer_record(1000, "first"))
        journal.add_answer(answer_record(1000, "second"))
        await journal.written()
        assert (await database.answer_log.get_answer(1000)).question == "second"
        await journal.written()  # nothing pending: returns at once

    run_with_database(fresh_sqlite_url(tmp_path), scenario)


def test_rows_added_while_a_write_runs_are_written_before_written_returns(tmp_path):
    async def scenario(database: Database) -> None:
        journal = AnswerJournal(database.answer_log)
        journal.add_question(_asked("first"))
        await asyncio.sleep(0)  # the writer has started on "first"
        journal.add_question(_asked("second"))
        await journal.written()
        assert (await database.answer_log.stats(5, _since())).questions == 2

    run_with_database(fresh_sqlite_url(tmp_path), scenario)


def test_a_failed_write_is_logged_and_the_next_rows_are_still_written(tmp_path, caplog):
    class _FailingOnce(_CountingLog):
        async def record_log(self, questions, answers) -> None:
            if not self.writes:
                self.writes.append((len(questions), len(answers)))
                raise OSError("disk full")
            await super().record_log(questions, answers)

    async def scenario(database: Database) -> None:
        journal = AnswerJournal(_FailingOnce(database))  # type: ignore[arg-type]
        with caplog.at_level(logging.ERROR, logger="bot.services.journal"):
            journal.add_question(_asked("lost"))
            await journal.written()  # does not raise
        assert "could not write a row of the question log" in caplog.text
        journal.add_question(_asked("kept"))
        await journal.written()
        assert (await database.answer_log.stats(5, _since())).questions == 1

    run_with_database(fresh_sqlite_url(tmp_path), scenario)


def test_a_batch_that_fails_is_written_row_by_row_and_only_bad_rows_are_lost(tmp_path, caplog):
    class _OneBadRow(_CountingLog):
        async def record_log(self, questions, answers) -> None:
            self.writes.append((len(questions), len(answers)))
            if any(asked.question == "bad" for asked in questions):
                raise OSError("a row the database refuses")
            await self.database.answer_log.record_log(questions, answers)

    async def scenario(database: Database) -> None:
        counting = _OneBadRow(database)
        journal = AnswerJournal(counting)  # type: ignore[arg-type]
        for text in ["q1", "bad", "q2"]:
            journal.add_question(_asked(text))
        journal.add_answer(answer_record(7, "q1"))
        with caplog.at_level(logging.WARNING, logger="bot.services.journal"):
            await journal.written()
        assert counting.writes[0] == (3, 1)  # the batch, then each row alone
        assert len(counting.writes) == 5
        assert "1 rows of the question log or answer records were not written" in caplog.text
        assert (await database.answer_log.stats(5, _since())).questions == 2
        assert (await database.answer_log.get_answer(7)).question == "q1"

    run_with_database(fresh_sqlite_url(tmp_path), scenario)


def test_a_reader_waits_for_the_rows_before_it_not_for_those_after(tmp_path):
    class _Slow(_CountingLog):
        async def record_log(self, questions, answers) -> None:
            await asyncio.sleep(0.05)
            await super().record_log(questions, answers)

    async def scenario(database: Database) -> None:
        counting = _Slow(database)
        journal = AnswerJournal(counting)  # type: ignore[arg-type]
        journal.add_question(_asked("before"))
        reader = asyncio.ensure_future(journal.written())
        # rows keep coming while the reader waits: it must not wait for them
        for i in range(5):
            await asyncio.sleep(0.01)
            journal.add_question(_asked(f"after {i}"))
        await asyncio.wait_for(reader, 1)
        assert counting.writes[0] == (1, 0) and journal.pending > 0
        await journal.written()
        assert journal.pending == 0

    run_with_database(fresh_sqlite_url(tmp_path), scenario)


def test_rows_after_close_are_logged_and_not_written(tmp_path, caplog):
    async def scenario(database: Database) -> None:
        journal = AnswerJournal(database.answer_log)
        journal.add_question(_asked("in time"))
        await journal.close()
        with caplog.at_level(logging.WARNING, logger="bot.services.journal"):
            journal.add_question(_asked("too late"))
        assert "came after the database closed" in caplog.text
        assert journal.pending == 0
        await journal.written()
        assert (await database.answer_log.stats(5, _since())).questions == 1

    run_with_database(fresh_sqlite_url(tmp_path), scenario)


def test_a_reader_cancelled_while_waiting_does_not_cancel_the_write(tmp_path):
    async def scenario(database: Database) -> None:
        journal = AnswerJournal(database.answer_log)
        for i in range(20):
            journal.add_question(_asked(f"q{i}"))
        reader = asyncio.ensure_future(journal.written())
        await asyncio.sleep(0)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        await journal.written()
        assert (await database.answer_log.stats(5, _since())).questions == 20

    run_with_database(fresh_sqlite_url(tmp_path), scenario)
