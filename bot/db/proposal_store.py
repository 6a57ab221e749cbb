"""Solved posts proposed as pinned answers, waiting for a moderator. Persistence only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select

from bot.db.database import Database
from bot.db.models import PinProposalRow

ProposalStatus = Literal["pending", "approved", "rejected"]


@dataclass(frozen=True)
class Proposal:
    """A proposed pinned answer as stored."""

    id: int
    guild_id: int
    thread_id: int
    question: str
    answer: str
    review_message_id: int | None
    status: ProposalStatus
    decided_by: int | None
    pin_id: int | None


def _proposal(row: PinProposalRow) -> Proposal:
    status: ProposalStatus = (
        "approved"
        if row.status == "approved"
        else "rejected"
        if row.status == "rejected"
        else "pending"
    )
    return Proposal(
        id=row.id,
        guild_id=row.guild_id,
        thread_id=row.thread_id,
        question=row.question,
        answer=row.answer,
        review_message_id=row.review_message_id,
        status=status,
        decided_by=row.decided_by,
        pin_id=row.pin_id,
    )


class ProposalStore:
    """The `pin_proposals` table."""

    def __init__(self, database: Database):
        self.database = database

    async def add(self, guild_id: int, thread_id: int, question: str, answer: str) -> Proposal:
        """Store a pending proposal."""
        async with self.database.session() as session, session.begin():
            row = PinProposalRow(
                guild_id=guild_id,
                thread_id=thread_id,
                question=question,
                answer=answer,
                status="pending",
                created_at=datetime.now(UTC),
            )
            session.add(row)
            await session.flush()
            return _proposal(row)

    async def set_review_message(self, proposal_id: int, message_id: int) -> None:
        """Remember the review-channel message that shows the proposal."""
        async with self.database.session() as session, session.begin():
            row = await session.get(PinProposalRow, proposal_id)
            if row is not None:
                row.review_message_id = message_id

    async def get(self, proposal_id: int, guild_id: int) -> Proposal | None:
        """A proposal of `guild_id`, or None."""
        async with self.database.session() as session:
            row = await session.scalar(
                select(PinProposalRow).where(
                    PinProposalRow.id == proposal_id, PinProposalRow.guild_id == guild_id
                )
            )
            return _proposal(row) if row is not None else None

    async def decide(
        self,
        proposal_id: int,
        guild_id: int,
        status: ProposalStatus,
        actor_id: int,
        *,
        pin_id: int | None = None,
    ) -> Proposal | None:
        """Record a moderator's decision on a pending proposal; None if it is unknown or was
        decided already (a second click changes nothing)."""
        async with self.database.session() as session, session.begin():
            row = await session.scalar(
                select(PinProposalRow).where(
                    PinProposalRow.id == proposal_id,
                    PinProposalRow.guild_id == guild_id,
                    PinProposalRow.status == "pending",
                )
            )
            if row is None:
                return None
            row.status = status
            row.decided_by = actor_id
            row.decided_at = datetime.now(UTC)
            row.pin_id = pin_id
            await session.flush()
            return _proposal(row)
