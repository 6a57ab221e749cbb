"""`SettingsStore`: server settings changed from Discord and their audit trail.

Persistence only: values arrive and leave as JSON text; what a setting may hold, and what its
value means, is the `bot.services.settings` service's business. A change and its audit event are
written in one transaction, so the trail never misses a change nor records one that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.db._time import as_utc
from bot.db.models import GuildSettingRow, SettingEventRow


@dataclass(frozen=True)
class StoredSetting:
    """One setting a server changed from Discord (`value` is JSON text)."""

    guild_id: int
    name: str
    value: str
    updated_by: int | None
    updated_at: datetime


@dataclass(frozen=True)
class StoredSettingEvent:
    """One change in the audit trail; `old`/`new` are JSON text, None where the setting had
    (or went back to) its configured default."""

    id: int
    guild_id: int
    name: str
    old: str | None
    new: str | None
    actor_id: int | None
    at: datetime


def _event(row: SettingEventRow) -> StoredSettingEvent:
    return StoredSettingEvent(
        id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        old=row.old,
        new=row.new,
        actor_id=row.actor_id,
        at=as_utc(row.at),
    )


class SettingsStore:
    """The `guild_settings` and `setting_events` tables over the bot's database engine."""

    def __init__(self, engine: AsyncEngine):
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def all(self) -> list[StoredSetting]:
        """Every stored setting of every server (read once at start-up)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(GuildSettingRow).order_by(GuildSettingRow.guild_id, GuildSettingRow.name)
            )
            return [
                StoredSetting(
                    row.guild_id, row.name, row.value, row.updated_by, as_utc(row.updated_at)
                )
                for row in rows
            ]

    async def put(
        self, guild_id: int, name: str, value: str | None, actor_id: int | None
    ) -> StoredSettingEvent | None:
        """Store `value` (JSON text) for the setting, or remove it when `value` is None, and
        record who did it with the value it replaced. None when the stored value was already
        that (nothing written, nothing audited)."""
        for attempt in range(2):
            now = datetime.now(UTC)
            try:
                async with self._sessions() as session, session.begin():
                    row = await session.get(GuildSettingRow, (guild_id, name))
                    old = row.value if row is not None else None
                    if old == value:
                        return None
                    if value is None:
                        await session.execute(
                            delete(GuildSettingRow).where(
                                GuildSettingRow.guild_id == guild_id, GuildSettingRow.name == name
                            )
                        )
                    elif row is None:
                        session.add(
                            GuildSettingRow(
                                guild_id=guild_id,
                                name=name,
                                value=value,
                                updated_by=actor_id,
                                updated_at=now,
                            )
                        )
                    else:
                        row.value, row.updated_by, row.updated_at = value, actor_id, now
                    event = SettingEventRow(
                        guild_id=guild_id, name=name, old=old, new=value, actor_id=actor_id, at=now
                    )
                    session.add(event)
                    await session.flush()
                    return _event(event)
            except IntegrityError:
                # another process inserted the same setting between our read and our insert:
                # read it again and update it (a second collision is a real error)
                if attempt:
                    raise
        return None  # pragma: no cover - the loop returns or raises

    async def events(
        self, guild_id: int, limit: int = 10, offset: int = 0
    ) -> tuple[list[StoredSettingEvent], int]:
        """A page of the server's audit trail, newest first, and how many events there are."""
        async with self._sessions() as session:
            total = await session.scalar(
                select(func.count())
                .select_from(SettingEventRow)
                .where(SettingEventRow.guild_id == guild_id)
            )
            rows = await session.scalars(
                select(SettingEventRow)
                .where(SettingEventRow.guild_id == guild_id)
                .order_by(SettingEventRow.id.desc())
                .offset(offset)
                .limit(limit)
            )
            return [_event(row) for row in rows], int(total or 0)
