"""`Database`: the engine and sessions over SQLAlchemy async (SQLite or PostgreSQL), migrated on
open; its stores `pins` and `answer_log` (the other tables' stores take the database).

Every write is one transaction: a pin, its questions and its audit event are stored together or
not at all. Only ORM/Core expressions are used, so every value is a bound parameter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.answer_log_store import (
    AnswerLogStore,
)
from bot.db.pin_store import (
    PinStore,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000  # a second writer waits this long for the lock instead of failing


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
        self.pins = PinStore(self)
        self.answer_log = AnswerLogStore(self)

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
