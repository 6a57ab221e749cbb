"""What was asked and answered, as stored: the question log, the answer records (what each bot
message said, so its buttons and votes know), members' votes, and the statistics over them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.db._time import as_utc, utc_now
from bot.db.models import (
    AnswerRow,
    FeedbackRow,
    PinRow,
    QuestionRow,
)


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


if TYPE_CHECKING:
    from bot.db.database import Database


class AnswerLogStore:
    """What was asked and answered: the question log, the delivered answers (what each bot message
    was), members' votes, and the statistics over them."""

    def __init__(self, database: Database):
        self._database = database

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
            now = utc_now()
            try:
                async with self._database.session() as session, session.begin():
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
        async with self._database.session() as session:
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
            FeedbackRow.vote == "down", FeedbackRow.updated_at >= as_utc(since)
        )
        if guild_id is not None:
            query = query.where(FeedbackRow.guild_id == guild_id)
        async with self._database.session() as session:
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
            guild_id, question, language, answered, relevance, pin_id, user_hash, utc_now()
        )
        await self.record_log([asked], [])

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
        async with self._database.session() as session, session.begin():
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
                            "asked_at": as_utc(asked.asked_at),
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
                            "created_at": as_utc(answer.created_at),
                        }
                        for answer in latest.values()
                    ],
                )

    async def get_answer(self, message_id: int) -> DeliveredAnswer | None:
        """The delivered answer behind a bot message, or None (sent before answers were
        recorded, or deleted since)."""
        async with self._database.session() as session:
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
                created_at=as_utc(row.created_at),
            )

    async def stats(self, guild_id: int | None, since: datetime, top: int = 5) -> Stats:
        """Questions, unanswered, votes and the most asked (unanswered) questions since `since`.

        `guild_id` None counts every guild; a naive `since` is taken as UTC.
        """
        since = as_utc(since)
        asked = [QuestionRow.asked_at >= since]
        voted = [FeedbackRow.updated_at >= since]
        if guild_id is not None:
            asked.append(QuestionRow.guild_id == guild_id)
            voted.append(FeedbackRow.guild_id == guild_id)
        count = func.count().label("count")
        async with self._database.session() as session:
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
        since = as_utc(since)
        query = select(QuestionRow.question).where(
            QuestionRow.asked_at >= since, QuestionRow.answered.is_(False)
        )
        if guild_id is not None:
            query = query.where(QuestionRow.guild_id == guild_id)
        async with self._database.session() as session:
            return list(await session.scalars(query.order_by(QuestionRow.id)))
