"""Alembic environment: migrations run on a connection handed over by `Database.open`."""

from __future__ import annotations

from alembic import context

from bot.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.db.database.Database.open (or upgrade_sync)")
# batch mode: SQLite cannot ALTER most things in place; Alembic rebuilds the table instead
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
