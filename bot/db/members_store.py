"""`MembersStore`: what the database holds about one member, and deleting it.

Persistence only: which member and which cut-off come from the `bot.services.members` service. Every
deletion is one transaction, so a member's data is gone entirely or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db._time import as_utc
from bot.db.models import AnswerRow, FeedbackRow, ForumPostRow, PathProgressRow, QuestionRow


@dataclass(frozen=True)
class MemberDataCounts:
    """How many rows of each kind one member has in one server (held or deleted)."""

    questions: int
    votes: int
    answers: int
    forum_posts: int
    path_stages: int = 0  # learning-path stages marked done

    @property
    def total(self) -> int:
        """All rows together."""
        return self.questions + self.votes + self.answers + self.forum_posts + self.path_stages


@dataclass(frozen=True)
class PurgeCounts:
    """How many rows a retention purge deleted."""

    questions: int
    answers: int
    votes: int

    @property
    def total(self) -> int:
        """All rows together."""
        return self.questions + self.answers + self.votes


def _member_conditions(guild_id: int, user_hash: str) -> tuple[ColumnElement[bool], ...]:
    """The member's rows in the server: questions, votes, answer records, forum posts,
    learning-path stages marked done."""
    return (
        (QuestionRow.guild_id == guild_id) & (QuestionRow.user_hash == user_hash),
        (FeedbackRow.guild_id == guild_id) & (FeedbackRow.user_hash == user_hash),
        (AnswerRow.guild_id == guild_id) & (AnswerRow.user_hash == user_hash),
        (ForumPostRow.guild_id == guild_id) & (ForumPostRow.author_hash == user_hash),
        (PathProgressRow.guild_id == guild_id) & (PathProgressRow.user_hash == user_hash),
    )


async def _count(session: AsyncSession, table: type, condition: ColumnElement[bool]) -> int:
    return int(await session.scalar(select(func.count()).select_from(table).where(condition)) or 0)


async def _delete(session: AsyncSession, table: type, condition: ColumnElement[bool]) -> int:
    result = await session.execute(delete(table).where(condition))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class MembersStore:
    """Members' rows in `questions`, `feedback`, `answers`, `forum_posts` and
    `path_progress`."""

    def __init__(self, engine: AsyncEngine):
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def count(self, guild_id: int, user_hash: str) -> MemberDataCounts:
        """What the member (by pseudonym) has in the server."""
        questions, votes, answers, posts, stages = _member_conditions(guild_id, user_hash)
        async with self._sessions() as session:
            return MemberDataCounts(
                questions=await _count(session, QuestionRow, questions),
                votes=await _count(session, FeedbackRow, votes),
                answers=await _count(session, AnswerRow, answers),
                forum_posts=await _count(session, ForumPostRow, posts),
                path_stages=await _count(session, PathProgressRow, stages),
            )

    async def delete_member(self, guild_id: int, user_hash: str) -> MemberDataCounts:
        """Delete the member's questions, votes, answer records, forum posts and learning-path
        progress in the server, in one transaction; returns how many of each were deleted.

        Other members' votes on the member's answers are kept (they are the voters' data) but
        lose the copy of the member's question they carry.
        """
        questions, votes, answers, posts, stages = _member_conditions(guild_id, user_hash)
        their_answers = select(AnswerRow.message_id).where(answers)
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(FeedbackRow)
                .where(
                    FeedbackRow.message_id.in_(their_answers),
                    FeedbackRow.user_hash != user_hash,
                )
                .values(question="")
            )
            return MemberDataCounts(
                questions=await _delete(session, QuestionRow, questions),
                votes=await _delete(session, FeedbackRow, votes),
                answers=await _delete(session, AnswerRow, answers),
                forum_posts=await _delete(session, ForumPostRow, posts),
                path_stages=await _delete(session, PathProgressRow, stages),
            )

    async def delete_older_than(self, cutoff: datetime) -> PurgeCounts:
        """Delete questions, answer records and votes (by their last change) from before
        `cutoff`, every server; a naive `cutoff` is taken as UTC."""
        cutoff = as_utc(cutoff)
        async with self._sessions() as session, session.begin():
            return PurgeCounts(
                questions=await _delete(session, QuestionRow, QuestionRow.asked_at < cutoff),
                answers=await _delete(session, AnswerRow, AnswerRow.created_at < cutoff),
                votes=await _delete(session, FeedbackRow, FeedbackRow.updated_at < cutoff),
            )
