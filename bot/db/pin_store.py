"""Pinned answers as stored: a pin, its questions (with their vectors) and its audit events,
written together in one transaction or not at all. Persistence only: the rules are in
`bot/services/curation.py`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncSession,
)
from sqlalchemy.orm import selectinload

from bot.db._time import as_utc, utc_now
from bot.db.models import (
    PinEventRow,
    PinQuestionRow,
    PinRow,
)

PinAction = Literal["created", "edited", "removed", "imported"]

if TYPE_CHECKING:
    from bot.db.database import Database


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


def _pin(row: PinRow) -> Pin:
    return Pin(
        id=row.id,
        guild_id=row.guild_id,
        answer=row.answer,
        questions=[question.question for question in row.questions],
        source_channel_id=row.source_channel_id,
        source_message_id=row.source_message_id,
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
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


class PinStore:
    """Pinned answers of each server: their questions and vectors, edits and removals with an audit
    event each, export. Every write is one transaction."""

    def __init__(self, database: Database):
        self._database = database

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
        now = utc_now()
        async with self._database.session() as session, session.begin():
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
        now = utc_now()
        async with self._database.session() as session, session.begin():
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
        now = utc_now()
        async with self._database.session() as session, session.begin():
            row = await self._active_pin(session, pin_id, guild_id)
            row.removed_at = now
            row.updated_at = now
            session.add(PinEventRow(pin_id=pin_id, action="removed", actor_id=actor_id, at=now))
            await session.flush()
            return _pin(row)

    async def get_pin(self, pin_id: int, guild_id: int) -> Pin | None:
        """A pin of `guild_id` that is being served, else None."""
        async with self._database.session() as session:
            try:
                return _pin(await self._active_pin(session, pin_id, guild_id))
            except PinNotFound:
                return None

    async def list_pins(
        self, guild_id: int, offset: int = 0, limit: int = 10
    ) -> tuple[list[Pin], int]:
        """A page of the guild's served pins, newest first, and how many there are."""
        served = (PinRow.guild_id == guild_id, PinRow.removed_at.is_(None))
        async with self._database.session() as session:
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
        async with self._database.session() as session:
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
        async with self._database.session() as session:
            rows = await session.scalars(
                select(PinEventRow).where(PinEventRow.pin_id == pin_id).order_by(PinEventRow.id)
            )
            return [
                PinEvent(
                    row.pin_id,
                    row.action,
                    row.actor_id,
                    as_utc(row.at),
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
        async with self._database.session() as session:
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
