"""The database every store test runs against: SQLite always, and PostgreSQL when
CAREERBOT_TEST_POSTGRES_URL is set (`.ci/run` starts a server on loopback and sets it)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.helpers import fresh_sqlite_url

POSTGRES_URL = os.environ.get("CAREERBOT_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh database of each kind, at the newest schema."""
    if request.param == "sqlite":
        yield fresh_sqlite_url(tmp_path / "db")
        return
    if not POSTGRES_URL:
        pytest.skip("set CAREERBOT_TEST_POSTGRES_URL to run against PostgreSQL")
    name = f"careerbot_test_{uuid.uuid4().hex[:12]}"
    admin_url = POSTGRES_URL

    async def run(statement: str) -> None:
        engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base, _, _ = POSTGRES_URL.rpartition("/")
    yield f"{base}/{name}"
    asyncio.run(run(f'DROP DATABASE "{name}" WITH (FORCE)'))
