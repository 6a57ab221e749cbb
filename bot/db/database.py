"""`Database`: pins, votes and asked questions, over SQLAlchemy async (SQLite or PostgreSQL).

Every write is one transaction: a pin, its questions and its audit event are stored together or
not at all. Only ORM/Core expressions are used, so every value is a bound parameter.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypedDict

import numpy as np
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, delete, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import selectinload

from bot.db.models import (
    AnswerRow,
    FeedbackRow,
    PinEventRow,
    PinQuestionRow,
    PinRow,
    QuestionRow,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000  # a second writer waits this long for the lock instead of failing

PinAction = Literal["created", "edited", "removed", "imported"]


class PinNotFound(LookupError):
    """No pin of that number is served in that guild (unknown, removed or another guild's)."""

    def __init__(self, pin_id: int):
        super().__init__(f"There is no pinned answer #{pin_id}.")
        self.pin_id = pin_id


@dataclass(frozen=True)
class PinQuestion:
    """A question a pin answers and its query vector."""

    question: str
    vector: np.ndarray


@dataclass(frozen=True)
class Pin:
    """A pinned answer as stored."""

    id: int
    guild_id: int
    answer: str
    questions: list[str]
    source_channel_id: int | None
    source_message_id: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    uses: int
    removed: bool


class ExportedPin(TypedDict):
    """A served pin as an export file holds it (YAML, no vectors); `careerbot pins import`
    reads it back."""

    guild_id: int
    questions: list[str]
    answer: str
    created_by: int | None
    created_at: str  # ISO 8601
    source_channel_id: int | None
    source_message_id: int | None


@dataclass(frozen=True)
class PinEvent:
    """One entry of a pin's audit trail."""

    pin_id: int
    action: str
    actor_id: int | None
    at: datetime
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class StoredPinVector:
    """A pin question with its stored vector, for rebuilding the pin index at start."""

    pin_id: int
    guild_id: int
    question: str
    vector: np.ndarray
    embedder_id: str


@dataclass(frozen=True)
class StoredVote:
    """A member's vote on an answer, as stored (the member only as a hash)."""

    message_id: int
    user_hash: str
    vote: str
    question: str
    hit_ids: list[str]


@dataclass(frozen=True)
class AskedQuestion:
    """A question as logged: asked with /ask, a mention or a forum post."""

    guild_id: int | None
    question: str
    language: str
    answered: bool  # confidently, or by a pin
    relevance: float
    pin_id: int | None  # the pin served first, counted as one more use of it
    user_hash: str | None  # the asker, pseudonymised
    asked_at: datetime


@dataclass(frozen=True)
class DeliveredAnswer:
    """An answer the bot delivered, as recorded: the question in full and what was shown."""

    message_id: int
    guild_id: int | None
    channel_id: int
    user_hash: str  # the asker, pseudonymised (bot.feedback.hash_user_id)
    source: str  # slash, mention, forum
    question: str
    language: str
    # `card:<id>` when an answer card answered, then the passages and resources as shown
    hit_ids: list[str]
    generation: str  # the index generation that answered
    pin_id: int | None
    answered: bool
    created_at: datetime


@dataclass(frozen=True)
class Stats:
    """Questions and votes since a date."""

    since: datetime
    questions: int
    unanswered: int
    votes_up: int
    votes_down: int
    top_questions: list[tuple[str, int]]
    top_unanswered: list[tuple[str, int]]

    @property
    def unanswered_share(self) -> float:
        """Share of questions nothing answered (0 when none was asked)."""
        return self.unanswered / self.questions if self.questions else 0.0

    @property
    def up_share(self) -> float:
        """Share of 👍 among the votes (0 when there was none)."""
        votes = self.votes_up + self.votes_down
        return self.votes_up / votes if votes else 0.0


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken as UTC (SQLite hands them back naive).

    SQLite stores datetimes as text without their offset, so every value compared against a
    stored one must be converted to UTC first or the comparison is off by the offset.
    """
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _pin(row: PinRow) -> Pin:
    return Pin(
        id=row.id,
        guild_id=row.guild_id,
        answer=row.answer,
        questions=[question.question for question in row.questions],
        source_channel_id=row.source_channel_id,
        source_message_id=row.source_message_id,
        created_by=row.created_by,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        uses=row.uses,
        removed=row.removed_at is not None,
    )


def _check_vectors(questions: Sequence[PinQuestion]) -> None:
    for question in questions:
        vector = np.asarray(question.vector)
        if vector.ndim != 1 or vector.size == 0:  # the caller's bug, not the moderator's input
            raise ValueError(f"a pin question's vector must be 1-d, got shape {vector.shape}")


def _question_rows(questions: Sequence[PinQuestion], embedder_id: str) -> list[PinQuestionRow]:
    return [
        PinQuestionRow(
            question=question.question,
            vector=np.asarray(question.vector, dtype="<f4").tobytes(),
            embedder_id=embedder_id,
        )
        for question in questions
    ]


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """The bot's store; open with `await Database.open(url)`, close with `await db.close()`."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> Database:
        """Connect and bring the schema to the newest migration.

        `url` is an SQLAlchemy async URL: `sqlite+aiosqlite:///path/careerbot.db` (the parent
        folder is created) or `postgresql+asyncpg://user:password@host/db`.
        """
        engine = create_async_engine(url)
        if engine.dialect.name == "sqlite":
            database = engine.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
        return cls(engine)

    async def close(self) -> None:
        """Release the connections."""
        await self.engine.dispose()

    def _session(self) -> AsyncSession:
        return self._sessions()

    def session(self) -> AsyncSession:
        """A new session, for the stores of other tables (`bot/db/*_store.py`)."""
        return self._sessions()

    # --- pins -----------------------------------------------------------------------------

    async def add_pin(
        self,
        guild_id: int,
        answer: str,
        questions: Sequence[PinQuestion],
        embedder_id: str,
        actor_id: int | None,
        *,
        source_channel_id: int | None = None,
        source_message_id: int | None = None,
        action: PinAction = "created",
    ) -> Pin:
        """Store a pin with its questions and a "created" (or "imported") audit event.

        The texts are stored as given: what a pin may hold is curation's rule
        (`bot.services.curation.check_pin_text`), checked before anything is encoded or written.
        """
        _check_vectors(questions)
        now = _now()
        async with self._session() as session, session.begin():
            row = PinRow(
                guild_id=guild_id,
                answer=answer,
                source_channel_id=source_channel_id,
                source_message_id=source_message_id,
                created_by=actor_id,
                created_at=now,
                updated_at=now,
                uses=0,
                questions=_question_rows(questions, embedder_id),
            )
            session.add(row)
            await session.flush()
            session.add(PinEventRow(pin_id=row.id, action=action, actor_id=actor_id, at=now))
            return _pin(row)

    async def _active_pin(self, session: AsyncSession, pin_id: int, guild_id: int) -> PinRow:
        row = await session.scalar(
            select(PinRow)
            .options(selectinload(PinRow.questions))
            .where(PinRow.id == pin_id, PinRow.guild_id == guild_id, PinRow.removed_at.is_(None))
        )
        if row is None:
            raise PinNotFound(pin_id)
        return row

    async def edit_pin(
        self,
        pin_id: int,
        guild_id: int,
        actor_id: int | None,
        *,
        answer: str | None = None,
        questions: Sequence[PinQuestion] | None = None,
        embedder_id: str | None = None,
    ) -> Pin:
        """Replace a pin's answer and/or questions, with an "edited" audit event.

        An edit that changes nothing writes nothing. PinNotFound when the pin is unknown,
        removed or another guild's.
        """
        if questions is not None:
            _check_vectors(questions)
            if embedder_id is None:
                raise ValueError("new questions need the embedder_id of their vectors")
        now = _now()
        async with self._session() as session, session.begin():
            row = await self._active_pin(session, pin_id, guild_id)
            changed = []
            if answer is not None and answer != row.answer:
                row.answer = answer
                changed.append("answer")
            if questions is not None and embedder_id is not None:
                old = [(question.question, question.embedder_id) for question in row.questions]
                new = [(question.question, embedder_id) for question in questions]
                if new != old:  # same texts from the same embedder: the same vectors
                    row.questions = _question_rows(questions, embedder_id)
                    changed.append("questions")
            if not changed:  # nothing to record in the audit trail
                return _pin(row)
            row.updated_at = now
            detail = json.dumps({"changed": changed})
            session.add(
                PinEventRow(
                    pin_id=pin_id, action="edited", actor_id=actor_id, at=now, detail=detail
                )
            )
            await session.flush()
            return _pin(row)

    async def remove_pin(self, pin_id: int, guild_id: int, actor_id: int | None) -> Pin:
        """Stop serving a pin; it stays in the database for the audit trail."""
        now = _now()
        async with self._session() as session, session.begin():
            row = await self._active_pin(session, pin_id, guild_id)
            row.removed_at = now
            row.updated_at = now
            session.add(PinEventRow(pin_id=pin_id, action="removed", actor_id=actor_id, at=now))
            await session.flush()
            return _pin(row)

    async def get_pin(self, pin_id: int, guild_id: int) -> Pin | None:
        """A pin of `guild_id` that is being served, else None."""
        async with self._session() as session:
            try:
                return _pin(await self._active_pin(session, pin_id, guild_id))
            except PinNotFound:
                return None

    async def list_pins(
        self, guild_id: int, offset: int = 0, limit: int = 10
    ) -> tuple[list[Pin], int]:
        """A page of the guild's served pins, newest first, and how many there are."""
        served = (PinRow.guild_id == guild_id, PinRow.removed_at.is_(None))
        async with self._session() as session:
            total = await session.scalar(select(func.count()).select_from(PinRow).where(*served))
            rows = await session.scalars(
                select(PinRow)
                .options(selectinload(PinRow.questions))
                .where(*served)
                .order_by(PinRow.id.desc())
                .offset(offset)
                .limit(limit)
            )
            return [_pin(row) for row in rows], int(total or 0)

    async def pin_vectors(self) -> list[StoredPinVector]:
        """Every served pin question with its vector, all guilds."""
        async with self._session() as session:
            rows = await session.execute(
                select(PinQuestionRow, PinRow.guild_id)
                .join(PinRow, PinQuestionRow.pin_id == PinRow.id)
                .where(PinRow.removed_at.is_(None))
                .order_by(PinQuestionRow.id)
            )
            return [
                StoredPinVector(
                    pin_id=question.pin_id,
                    guild_id=guild_id,
                    question=question.question,
                    vector=np.frombuffer(question.vector, dtype="<f4").astype(np.float32),
                    embedder_id=question.embedder_id,
                )
                for question, guild_id in rows
            ]

    async def pin_events(self, pin_id: int) -> list[PinEvent]:
        """The pin's audit trail, oldest first."""
        async with self._session() as session:
            rows = await session.scalars(
                select(PinEventRow).where(PinEventRow.pin_id == pin_id).order_by(PinEventRow.id)
            )
            return [
                PinEvent(
                    row.pin_id,
                    row.action,
                    row.actor_id,
                    _utc(row.at),
                    json.loads(row.detail) if row.detail else None,
                )
                for row in rows
            ]

    async def export_pins(self, guild_id: int | None = None) -> list[ExportedPin]:
        """Served pins as plain data (no vectors) for a YAML file, oldest first."""
        query = select(PinRow).options(selectinload(PinRow.questions))
        query = query.where(PinRow.removed_at.is_(None)).order_by(PinRow.id)
        if guild_id is not None:
            query = query.where(PinRow.guild_id == guild_id)
        async with self._session() as session:
            pins = [_pin(row) for row in await session.scalars(query)]
        return [
            {
                "guild_id": pin.guild_id,
                "questions": pin.questions,
                "answer": pin.answer,
                "created_by": pin.created_by,
                "created_at": pin.created_at.isoformat(),
                "source_channel_id": pin.source_channel_id,
                "source_message_id": pin.source_message_id,
            }
            for pin in pins
        ]

    # --- votes and questions --------------------------------------------------------------

    async def record_vote(
        self,
        guild_id: int,
        message_id: int,
        user_hash: str,
        vote: Literal["up", "down"],
        question: str,
        hit_ids: Sequence[str],
    ) -> bool:
        """Store a vote; one per user per answer. True if it replaced the user's earlier vote."""
        for attempt in range(2):
            now = _now()
            try:
                async with self._session() as session, session.begin():
                    row = await session.scalar(
                        select(FeedbackRow).where(
                            FeedbackRow.message_id == message_id,
                            FeedbackRow.user_hash == user_hash,
                        )
                    )
                    if row is not None:
                        row.vote, row.updated_at = vote, now
                        row.question, row.hit_ids = question, json.dumps(list(hit_ids))
                        return True
                    session.add(
                        FeedbackRow(
                            guild_id=guild_id,
                            message_id=message_id,
                            user_hash=user_hash,
                            vote=vote,
                            question=question,
                            hit_ids=json.dumps(list(hit_ids)),
                            created_at=now,
                            updated_at=now,
                        )
                    )
                return False
            except IntegrityError:
                if attempt:  # a concurrent first vote won the insert: update it instead
                    raise
        return False

    async def votes(self, message_id: int) -> list[StoredVote]:
        """The votes on one answer message."""
        async with self._session() as session:
            rows = await session.scalars(
                select(FeedbackRow)
                .where(FeedbackRow.message_id == message_id)
                .order_by(FeedbackRow.id)
            )
            return [
                StoredVote(
                    row.message_id, row.user_hash, row.vote, row.question, json.loads(row.hit_ids)
                )
                for row in rows
            ]

    async def down_votes(self, guild_id: int | None, since: datetime) -> list[StoredVote]:
        """Every 👎 cast (or changed to 👎) since `since`, oldest first; `guild_id` None: all."""
        query = select(FeedbackRow).where(
            FeedbackRow.vote == "down", FeedbackRow.updated_at >= _utc(since)
        )
        if guild_id is not None:
            query = query.where(FeedbackRow.guild_id == guild_id)
        async with self._session() as session:
            rows = await session.scalars(query.order_by(FeedbackRow.updated_at, FeedbackRow.id))
            return [
                StoredVote(
                    row.message_id, row.user_hash, row.vote, row.question, json.loads(row.hit_ids)
                )
                for row in rows
            ]

    async def record_question(
        self,
        guild_id: int | None,
        question: str,
        language: str,
        answered: bool,
        relevance: float,
        pin_id: int | None = None,
        user_hash: str | None = None,
    ) -> None:
        """Log one question asked now (`pin_id`: the pin served, counted as a use)."""
        asked = AskedQuestion(
            guild_id, question, language, answered, relevance, pin_id, user_hash, _now()
        )
        await self.record_log([asked], [])

    # --- the question log and delivered answers, written together (bot.answer_journal) ------

    async def record_log(
        self, questions: Sequence[AskedQuestion], answers: Sequence[DeliveredAnswer]
    ) -> None:
        """Log questions (counting the uses of the pins they were served) and store delivered
        answers, all in one transaction: a burst's rows cost one commit, not two per answer.
        An answer record replaces an earlier one of the same message."""
        pin_uses: dict[int, int] = {}
        for asked in questions:
            if asked.pin_id is not None:
                pin_uses[asked.pin_id] = pin_uses.get(asked.pin_id, 0) + 1
        async with self._session() as session, session.begin():
            if questions:
                await session.execute(
                    insert(QuestionRow),
                    [
                        {
                            "guild_id": asked.guild_id,
                            "question": asked.question,
                            "language": asked.language,
                            "answered": asked.answered,
                            "relevance": asked.relevance,
                            "pin_id": asked.pin_id,
                            "asked_at": _utc(asked.asked_at),
                            "user_hash": asked.user_hash,
                        }
                        for asked in questions
                    ],
                )
            for pin_id, uses in pin_uses.items():
                await session.execute(
                    update(PinRow).where(PinRow.id == pin_id).values(uses=PinRow.uses + uses)
                )
            if answers:
                # the last record of a message wins, as one at a time would
                latest = {answer.message_id: answer for answer in answers}
                await session.execute(delete(AnswerRow).where(AnswerRow.message_id.in_(latest)))
                await session.execute(
                    insert(AnswerRow),
                    [
                        {
                            "message_id": answer.message_id,
                            "guild_id": answer.guild_id,
                            "channel_id": answer.channel_id,
                            "user_hash": answer.user_hash,
                            "source": answer.source,
                            "question": answer.question,
                            "language": answer.language,
                            "hit_ids": json.dumps(answer.hit_ids),
                            "generation": answer.generation,
                            "pin_id": answer.pin_id,
                            "answered": answer.answered,
                            "created_at": _utc(answer.created_at),
                        }
                        for answer in latest.values()
                    ],
                )

    async def get_answer(self, message_id: int) -> DeliveredAnswer | None:
        """The delivered answer behind a bot message, or None (sent before answers were
        recorded, or deleted since)."""
        async with self._session() as session:
            row = await session.get(AnswerRow, message_id)
            if row is None:
                return None
            return DeliveredAnswer(
                message_id=row.message_id,
                guild_id=row.guild_id,
                channel_id=row.channel_id,
                user_hash=row.user_hash,
                source=row.source,
                question=row.question,
                language=row.language,
                hit_ids=list(json.loads(row.hit_ids)),
                generation=row.generation,
                pin_id=row.pin_id,
                answered=row.answered,
                created_at=_utc(row.created_at),
            )

    async def stats(self, guild_id: int | None, since: datetime, top: int = 5) -> Stats:
        """Questions, unanswered, votes and the most asked (unanswered) questions since `since`.

        `guild_id` None counts every guild; a naive `since` is taken as UTC.
        """
        since = _utc(since)
        asked = [QuestionRow.asked_at >= since]
        voted = [FeedbackRow.updated_at >= since]
        if guild_id is not None:
            asked.append(QuestionRow.guild_id == guild_id)
            voted.append(FeedbackRow.guild_id == guild_id)
        count = func.count().label("count")
        async with self._session() as session:
            questions = await session.scalar(select(func.count()).where(*asked))
            unanswered = await session.scalar(
                select(func.count()).where(*asked, QuestionRow.answered.is_(False))
            )
            by_vote = select(FeedbackRow.vote, count).where(*voted).group_by(FeedbackRow.vote)
            votes = {vote: int(n) for vote, n in (await session.execute(by_vote)).all()}

            async def most_asked(*conditions: Any) -> list[tuple[str, int]]:
                rows = await session.execute(
                    select(QuestionRow.question, count)
                    .where(*asked, *conditions)
                    .group_by(QuestionRow.question)
                    .order_by(count.desc(), QuestionRow.question)
                    .limit(top)
                )
                return [(question, int(n)) for question, n in rows.all()]

            return Stats(
                since=since,
                questions=int(questions or 0),
                unanswered=int(unanswered or 0),
                votes_up=int(votes.get("up", 0)),
                votes_down=int(votes.get("down", 0)),
                top_questions=await most_asked(),
                top_unanswered=await most_asked(QuestionRow.answered.is_(False)),
            )

    async def unanswered_questions(self, guild_id: int | None, since: datetime) -> list[str]:
        """Every unanswered question since `since` (repeats kept), oldest first.

        `guild_id` None lists every guild's; a naive `since` is taken as UTC.
        """
        since = _utc(since)
        query = select(QuestionRow.question).where(
            QuestionRow.asked_at >= since, QuestionRow.answered.is_(False)
        )
        if guild_id is not None:
            query = query.where(QuestionRow.guild_id == guild_id)
        async with self._session() as session:
            return list(await session.scalars(query.order_by(QuestionRow.id)))
