"""The store against SQLite always, and against PostgreSQL when CAREERBOT_TEST_POSTGRES_URL is
set (`.ci/run` starts a server on loopback and sets it)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.db.answer_log_store import AskedQuestion
from bot.db.database import Database
from bot.db.models import Base
from bot.db.pin_store import PinNotFound, PinQuestion
from tests.helpers import answer_record, run_with_database


def _questions(*texts: str) -> list[PinQuestion]:
    return [PinQuestion(q, np.full(4, i + 1, dtype=np.float32)) for i, q in enumerate(texts)]


def test_migrations_create_the_schema_the_models_describe_and_reopen_is_idempotent(database_url):
    async def scenario(database: Database) -> None:
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert differences == []

    run_with_database(database_url, scenario)
    run_with_database(database_url, scenario)  # upgrading an up-to-date database changes nothing


def test_pins_are_added_listed_edited_removed_with_an_audit_trail(database_url):
    async def scenario(database: Database) -> None:
        first = await database.pins.add_pin(
            5, "Learn Python first.", _questions("q1", "q2"), "e5", 11
        )
        assert (first.answer, first.questions, first.created_by) == (
            "Learn Python first.",
            ["q1", "q2"],
            11,
        )
        second = await database.pins.add_pin(
            5,
            "Docker helps.",
            _questions("docker?"),
            "e5",
            12,
            source_channel_id=7,
            source_message_id=8,
        )
        await database.pins.add_pin(6, "other guild", _questions("q1"), "e5", 11)
        pins, total = await database.pins.list_pins(5, limit=1)
        assert total == 2 and [pin.id for pin in pins] == [second.id]  # newest first
        assert (await database.pins.list_pins(5, offset=1, limit=1))[0][0].id == first.id

        edited = await database.pins.edit_pin(
            first.id,
            5,
            13,
            answer="Python, then math.",
            questions=_questions("q3"),
            embedder_id="e5",
        )
        assert edited.questions == ["q3"] and edited.answer == "Python, then math."
        assert await database.pins.get_pin(first.id, 6) is None  # another guild's view
        with pytest.raises(PinNotFound, match="no pinned answer"):
            await database.pins.edit_pin(first.id, 6, 13, answer="x")

        # a question served a pin is a use of it; two in one write count two
        await database.answer_log.record_question(5, "q2", "en", True, 0.9, pin_id=second.id)
        asked = AskedQuestion(5, "q2 again", "en", True, 0.9, second.id, None, datetime.now(UTC))
        await database.answer_log.record_log([asked], [])
        assert (await database.pins.get_pin(second.id, 5)).uses == 2
        await database.answer_log.record_log([asked, asked], [])
        assert (await database.pins.get_pin(second.id, 5)).uses == 4
        removed = await database.pins.remove_pin(second.id, 5, 14)
        assert removed.removed and removed.uses == 4
        assert await database.pins.get_pin(second.id, 5) is None
        with pytest.raises(PinNotFound):
            await database.pins.remove_pin(second.id, 5, 14)
        assert (await database.pins.list_pins(5))[1] == 1

        events = await database.pins.pin_events(first.id)
        assert [(e.action, e.actor_id) for e in events] == [("created", 11), ("edited", 13)]
        assert events[1].detail == {"changed": ["answer", "questions"]}
        assert [(e.action, e.actor_id) for e in await database.pins.pin_events(second.id)] == [
            ("created", 12),
            ("removed", 14),
        ]
        vectors = await database.pins.pin_vectors()
        assert sorted((v.pin_id, v.guild_id, v.question) for v in vectors) == [
            (first.id, 5, "q3"),
            (3, 6, "q1"),
        ]
        assert all(v.vector.dtype == np.float32 and v.vector.shape == (4,) for v in vectors)
        exported = await database.pins.export_pins(5)
        assert exported == [
            {
                "guild_id": 5,
                "questions": ["q3"],
                "answer": "Python, then math.",
                "created_by": 11,
                "created_at": first.created_at.isoformat(),
                "source_channel_id": None,
                "source_message_id": None,
            }
        ]

    run_with_database(database_url, scenario)


def test_a_pin_with_a_malformed_vector_is_refused_and_writes_nothing(database_url):
    async def scenario(database: Database) -> None:
        flat = [PinQuestion("q", np.zeros((2, 2), dtype=np.float32))]
        with pytest.raises(ValueError, match="1-d"):
            await database.pins.add_pin(5, "answer", flat, "e5", 1)
        assert (await database.pins.list_pins(5))[
            1
        ] == 0 and await database.pins.pin_vectors() == []
        pin = await database.pins.add_pin(5, "ok", _questions("q"), "e5", 1)
        with pytest.raises(ValueError, match="1-d"):
            await database.pins.edit_pin(
                pin.id, 5, 2, answer="new", questions=flat, embedder_id="e5"
            )
        unchanged = await database.pins.get_pin(pin.id, 5)
        assert unchanged.questions == ["q"] and unchanged.answer == "ok"
        assert len(await database.pins.pin_events(pin.id)) == 1

    run_with_database(database_url, scenario)


def test_an_edit_that_changes_nothing_records_nothing(database_url):
    async def scenario(database: Database) -> None:
        pin = await database.pins.add_pin(5, "ok", _questions("q1", "q2"), "e5", 1)
        same = await database.pins.edit_pin(
            pin.id, 5, 2, answer="ok", questions=_questions("q1", "q2"), embedder_id="e5"
        )
        assert same.updated_at == pin.updated_at
        assert [e.action for e in await database.pins.pin_events(pin.id)] == ["created"]
        # the same questions encoded by another embedder: new vectors, recorded
        await database.pins.edit_pin(
            pin.id, 5, None, questions=_questions("q1", "q2"), embedder_id="st"
        )
        events = await database.pins.pin_events(pin.id)
        assert [(e.action, e.actor_id, e.detail) for e in events[1:]] == [
            ("edited", None, {"changed": ["questions"]})
        ]
        assert {v.embedder_id for v in await database.pins.pin_vectors()} == {"st"}
        with pytest.raises(ValueError, match="1-d"):
            await database.pins.add_pin(
                5, "ok", [PinQuestion("q", np.ones((2, 4), dtype=np.float32))], "e5", 1
            )
        assert (await database.pins.list_pins(5))[1] == 1

    run_with_database(database_url, scenario)


def test_since_in_another_time_zone_is_compared_as_the_same_instant(database_url):
    async def scenario(database: Database) -> None:
        await database.answer_log.record_question(5, "q", "en", False, 0.1)
        now = datetime.now(UTC)
        east, west = timezone(timedelta(hours=8)), timezone(timedelta(hours=-8))
        half_hour_ago = (now - timedelta(minutes=30)).astimezone(east)
        in_half_an_hour = (now + timedelta(minutes=30)).astimezone(west)
        assert (await database.answer_log.stats(5, half_hour_ago)).questions == 1
        assert await database.answer_log.unanswered_questions(5, half_hour_ago) == ["q"]
        assert (await database.answer_log.stats(5, in_half_an_hour)).questions == 0
        assert await database.answer_log.unanswered_questions(5, in_half_an_hour) == []
        naive_hour_ago = (now - timedelta(hours=1)).replace(tzinfo=None)  # taken as UTC
        assert (await database.answer_log.stats(5, naive_hour_ago)).questions == 1

    run_with_database(database_url, scenario)


def test_sql_metacharacters_are_stored_verbatim(database_url):
    nasty = "'; DROP TABLE pins; -- \" \\ % _ ` $1 ?"

    async def scenario(database: Database) -> None:
        pin = await database.pins.add_pin(5, nasty, _questions(nasty), "e5", 1)
        await database.answer_log.record_question(5, nasty, "en", False, 0.1)
        await database.answer_log.record_vote(5, 1, nasty, "up", nasty, [nasty])
        stored = await database.pins.get_pin(pin.id, 5)
        assert stored.answer == nasty and stored.questions == [nasty]
        assert await database.answer_log.unanswered_questions(
            5, datetime.now(UTC) - timedelta(hours=1)
        ) == [nasty]
        assert (await database.answer_log.votes(1))[0].hit_ids == [nasty]

    run_with_database(database_url, scenario)


def test_pins_survive_a_restart(database_url):
    async def write(database: Database) -> None:
        await database.pins.add_pin(5, "kept", _questions("q"), "e5", 1)

    async def read(database: Database) -> None:
        pins, total = await database.pins.list_pins(5)
        assert total == 1 and pins[0].answer == "kept"
        (vector,) = await database.pins.pin_vectors()
        assert vector.vector.tolist() == [1.0, 1.0, 1.0, 1.0] and vector.embedder_id == "e5"

    run_with_database(database_url, write)
    run_with_database(database_url, read)


def test_a_second_vote_replaces_the_first_and_stats_count_it_once(database_url):
    async def scenario(database: Database) -> None:
        assert (
            await database.answer_log.record_vote(5, 100, "alice", "down", "q", ["a", "b"]) is False
        )
        assert await database.answer_log.record_vote(5, 100, "alice", "up", "q", ["a"]) is True
        assert await database.answer_log.record_vote(5, 100, "bob", "down", "q", ["a"]) is False
        assert await database.answer_log.record_vote(5, 101, "alice", "up", "q2", []) is False
        assert (
            await database.answer_log.record_vote(6, 102, "carol", "up", "other guild", []) is False
        )
        votes = await database.answer_log.votes(100)
        assert [(v.user_hash, v.vote, v.hit_ids) for v in votes] == [
            ("alice", "up", ["a"]),
            ("bob", "down", ["a"]),
        ]
        for question, answered in [
            ("math?", True),
            ("math?", True),
            ("pizza?", False),
            ("laptop?", False),
            ("pizza?", False),
        ]:
            await database.answer_log.record_question(5, question, "en", answered, 0.5)
        await database.answer_log.record_question(6, "elsewhere", "en", False, 0.5)
        since = datetime.now(UTC) - timedelta(days=7)
        stats = await database.answer_log.stats(5, since, top=2)
        assert (stats.questions, stats.unanswered, stats.votes_up, stats.votes_down) == (5, 3, 2, 1)
        assert stats.unanswered_share == pytest.approx(0.6) and stats.up_share == pytest.approx(
            2 / 3
        )
        assert stats.top_questions == [("math?", 2), ("pizza?", 2)]
        assert stats.top_unanswered == [("pizza?", 2), ("laptop?", 1)]
        everywhere = await database.answer_log.stats(None, since)
        assert (everywhere.questions, everywhere.votes_up) == (6, 3)
        assert await database.answer_log.unanswered_questions(5, since) == [
            "pizza?",
            "laptop?",
            "pizza?",
        ]
        later = await database.answer_log.stats(5, datetime.now(UTC) + timedelta(minutes=1))
        assert (later.questions, later.unanswered_share, later.up_share) == (0, 0.0, 0.0)

    run_with_database(database_url, scenario)


def test_concurrent_first_votes_of_one_member_leave_one_row(database_url):
    async def scenario(database: Database) -> None:
        await asyncio.gather(
            *[
                database.answer_log.record_vote(5, 200, "dana", "up" if i % 2 else "down", "q", [])
                for i in range(6)
            ]
        )
        assert len(await database.answer_log.votes(200)) == 1

    run_with_database(database_url, scenario)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    async def scenario(database: Database) -> None:
        async with database.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1

    run_with_database(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'dir' / 'careerbot.db'}", scenario)
    assert (tmp_path / "new" / "dir" / "careerbot.db").exists()


def test_the_log_writes_questions_and_answer_records_together_the_last_record_winning(
    database_url,
):
    async def scenario(database: Database) -> None:
        now = datetime.now(UTC)
        asked = [
            AskedQuestion(5, f"问题 {i}", "zh", i % 2 == 0, 0.5, None, "h", now) for i in range(4)
        ]
        answers = [
            answer_record(10**17 + i, f"问题 {i}", hit_ids=[f"p{i}", "r1"], language="zh")
            for i in range(4)
        ]
        # message 10**17 is recorded twice in one write, and again in a later one
        await database.answer_log.record_log(
            asked, [*answers, answer_record(10**17, "second", hit_ids=["p9"], language="zh")]
        )
        stats = await database.answer_log.stats(5, now - timedelta(minutes=1))
        assert stats.questions == 4 and stats.unanswered == 2
        assert (await database.answer_log.get_answer(10**17)).hit_ids == ["p9"]
        assert (await database.answer_log.get_answer(10**17 + 3)).question == "问题 3"
        await database.answer_log.record_log(
            [], [answer_record(10**17, "third", hit_ids=["p1", "p2"], language="zh")]
        )
        third = await database.answer_log.get_answer(10**17)
        assert third.question == "third" and third.hit_ids == ["p1", "p2"]
        await database.answer_log.record_log([], [])  # nothing to write: no error

    run_with_database(database_url, scenario)


def test_down_votes_since_a_date_per_guild(database_url):
    async def scenario(database: Database) -> None:
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        await database.answer_log.record_vote(
            5, 300, "alice", "down", "too vague", ["card:c1", "p1"]
        )
        await database.answer_log.record_vote(5, 301, "bob", "up", "fine", ["p2"])
        await database.answer_log.record_vote(5, 302, "carol", "up", "changed my mind", ["p3"])
        await database.answer_log.record_vote(5, 302, "carol", "down", "changed my mind", ["p3"])
        await database.answer_log.record_vote(6, 303, "dana", "down", "other guild", [])
        votes = await database.answer_log.down_votes(5, hour_ago)
        assert [(v.question, v.hit_ids) for v in votes] == [
            ("too vague", ["card:c1", "p1"]),
            ("changed my mind", ["p3"]),
        ]
        assert len(await database.answer_log.down_votes(None, hour_ago)) == 3
        assert await database.answer_log.down_votes(5, datetime.now(UTC) + timedelta(hours=1)) == []

    run_with_database(database_url, scenario)
