"""A fresh database of each kind for the store tests: SQLite always, PostgreSQL when
CAREERBOT_TEST_POSTGRES_URL is set (`.ci/run` starts a server on loopback and sets it)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

POSTGRES_URL = os.environ.get("CAREERBOT_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database of each kind (a test module may define its own)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'db' / 'careerbot.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("set CAREERBOT_TEST_POSTGRES_URL to run against PostgreSQL")
    name = f"careerbot_test_{uuid.uuid4().hex[:12]}"

    async def run(statement: str) -> None:
        engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base, _, _ = POSTGRES_URL.rpartition("/")
    yield f"{base}/{name}"
    asyncio.run(run(f'DROP DATABASE "{name}" WITH (FORCE)'))
