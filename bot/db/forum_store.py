"""Help-forum posts as stored: the question of each post, its vector for the similar-thread
index, whether the bot answered it, and its solution once marked. Persistence only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select

from bot.db._time import utc_now
from bot.db.database import Database
from bot.db.models import ForumPostRow


@dataclass(frozen=True)
class StoredPost:
    """A forum post as stored (its author only as a pseudonym)."""

    thread_id: int
    guild_id: int
    forum_id: int
    author_hash: str
    title: str
    content: str
    language: str
    vector: np.ndarray
    embedder_id: str
    answered: bool
    solution_message_id: int | None
    solution: str | None

    @property
    def solved(self) -> bool:
        """Whether a solution was marked."""
        return self.solution_message_id is not None


def _post(row: ForumPostRow) -> StoredPost:
    return StoredPost(
        thread_id=row.thread_id,
        guild_id=row.guild_id,
        forum_id=row.forum_id,
        author_hash=row.author_hash,
        title=row.title,
        content=row.content,
        language=row.language,
        vector=np.frombuffer(row.vector, dtype="<f4").copy(),
        embedder_id=row.embedder_id,
        answered=row.answered,
        solution_message_id=row.solution_message_id,
        solution=row.solution,
    )


class ForumStore:
    """The `forum_posts` table."""

    def __init__(self, database: Database):
        self.database = database

    async def put(self, post: StoredPost) -> None:
        """Store a post, or replace the stored one of the same thread (keeping its creation
        time)."""
        now = utc_now()
        async with self.database.session() as session, session.begin():
            row = await session.get(ForumPostRow, post.thread_id)
            if row is None:
                row = ForumPostRow(thread_id=post.thread_id, created_at=now)
                session.add(row)
            row.guild_id = post.guild_id
            row.forum_id = post.forum_id
            row.author_hash = post.author_hash
            row.title = post.title
            row.content = post.content
            row.language = post.language
            row.vector = np.asarray(post.vector, dtype="<f4").tobytes()
            row.embedder_id = post.embedder_id
            row.answered = post.answered
            row.solution_message_id = post.solution_message_id
            row.solution = post.solution
            row.updated_at = now

    async def get(self, thread_id: int) -> StoredPost | None:
        """The stored post of a thread, or None."""
        async with self.database.session() as session:
            row = await session.get(ForumPostRow, thread_id)
            return _post(row) if row is not None else None

    async def known(self, thread_ids: list[int]) -> set[int]:
        """Which of these threads are stored already."""
        if not thread_ids:
            return set()
        async with self.database.session() as session:
            rows = await session.scalars(
                select(ForumPostRow.thread_id).where(ForumPostRow.thread_id.in_(thread_ids))
            )
            return set(rows)

    async def all(self) -> list[StoredPost]:
        """Every stored post, oldest first."""
        async with self.database.session() as session:
            rows = await session.scalars(select(ForumPostRow).order_by(ForumPostRow.created_at))
            return [_post(row) for row in rows]

    async def delete(self, thread_id: int) -> bool:
        """Forget a post; True if it was stored."""
        async with self.database.session() as session, session.begin():
            result = await session.execute(
                delete(ForumPostRow).where(ForumPostRow.thread_id == thread_id)
            )
            return bool(result.rowcount)
