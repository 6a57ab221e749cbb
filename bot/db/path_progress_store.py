"""`PathProgressStore`: the learning-path stages members marked done, per server.

Persistence only: members arrive as the pseudonym of `bot.services.feedback.hash_user_id`, and
which stages a menu may set is the `bot.services.path_progress` service's business. `/forget-me`
deletes these rows with the member's other data (`bot.db.members_store`).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.db._time import utc_now
from bot.db.models import PathProgressRow


class PathProgressStore:
    """The `path_progress` table over the bot's database engine."""

    def __init__(self, engine: AsyncEngine):
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def done(self, guild_id: int, user_hash: str) -> frozenset[str]:
        """The stages the member marked done in the server."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(PathProgressRow.stage_id).where(
                    PathProgressRow.guild_id == guild_id, PathProgressRow.user_hash == user_hash
                )
            )
            return frozenset(rows)

    async def set_done(
        self, guild_id: int, user_hash: str, stage_ids: Collection[str], done: Collection[str]
    ) -> frozenset[str]:
        """Of `stage_ids`, mark those in `done` done and the others not (stages outside
        `stage_ids` keep their mark), in one transaction; returns every stage now done. A stage
        marked again keeps the time it was first marked."""
        wanted = set(done) & set(stage_ids)
        for attempt in range(2):
            try:
                async with self._sessions() as session, session.begin():
                    mine = (PathProgressRow.guild_id == guild_id) & (
                        PathProgressRow.user_hash == user_hash
                    )
                    await session.execute(
                        delete(PathProgressRow).where(
                            mine,
                            PathProgressRow.stage_id.in_(set(stage_ids) - wanted),
                        )
                    )
                    present = set(
                        await session.scalars(
                            select(PathProgressRow.stage_id).where(
                                mine, PathProgressRow.stage_id.in_(wanted)
                            )
                        )
                    )
                    now = utc_now()
                    session.add_all(
                        PathProgressRow(
                            guild_id=guild_id, user_hash=user_hash, stage_id=stage, done_at=now
                        )
                        for stage in sorted(wanted - present)
                    )
                    await session.flush()
                    return frozenset(
                        await session.scalars(select(PathProgressRow.stage_id).where(mine))
                    )
            except IntegrityError:
                # the member's other click marked the same stage between our read and our
                # insert: read again (a second collision is a real error)
                if attempt:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
