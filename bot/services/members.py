"""Members' data: what the bot keeps about a member, deleting it on request (`/forget-me`),
and deleting questions, answer records and votes once they are older than the configured
retention (`curation.question_retention_days`).

A service: the Discord extension asks and confirms, this module decides whose rows and which
cut-off; `bot.db.members_store` deletes them. Members are known to the database only by the
pseudonym of `bot.services.feedback.hash_user_id`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.db.members_store import MemberDataCounts, MembersStore, PurgeCounts
from bot.services.feedback import hash_user_id
from bot.services.journal import AnswerJournal

log = logging.getLogger(__name__)

__all__ = ["MemberData", "MemberDataCounts", "PurgeCounts"]


class MemberData:
    """Members' questions, votes, answer records, forum posts and learning-path progress, per
    server."""

    def __init__(
        self, settings: Settings, store: MembersStore, journal: AnswerJournal | None = None
    ):
        self.settings = settings
        self.store = store
        # rows of answers just given, still being written: counted and deleted like the rest
        self.journal = journal

    async def held(self, guild_id: int, user_id: int) -> MemberDataCounts:
        """How many rows of each kind the bot keeps about the member in the server."""
        await self._written()
        return await self.store.count(guild_id, hash_user_id(user_id))

    async def _written(self) -> None:
        if self.journal is not None:
            await self.journal.written()

    async def forget(self, guild_id: int, user_id: int) -> MemberDataCounts:
        """Delete what the bot keeps about the member in the server; how many of each kind.

        Pinned answers stay: moderators wrote them for everyone (and can remove them).
        """
        await self._written()
        deleted = await self.store.delete_member(guild_id, hash_user_id(user_id))
        # the counts only: the member is not named in the log
        log.info(
            "forget-me: deleted %d questions, %d votes, %d answer records, %d forum posts, "
            "%d learning-path stages",
            deleted.questions,
            deleted.votes,
            deleted.answers,
            deleted.forum_posts,
            deleted.path_stages,
        )
        return deleted

    @property
    def retention(self) -> timedelta | None:
        """How long questions, answer records and votes are kept; None: until deleted."""
        days = self.settings.curation.question_retention_days
        return timedelta(days=days) if days is not None else None

    async def purge_expired(self, now: datetime | None = None) -> PurgeCounts | None:
        """Delete questions, answer records and votes older than the retention (every
        server); None when they are kept without limit."""
        retention = self.retention
        if retention is None:
            return None
        cutoff = (now or datetime.now(UTC)) - retention
        await self._written()
        purged = await self.store.delete_older_than(cutoff)
        log.info(
            "retention (%d days): deleted %d questions, %d answer records, %d votes",
            retention.days,
            purged.questions,
            purged.answers,
            purged.votes,
        )
        return purged
