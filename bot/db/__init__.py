"""The bot's database: pinned answers and their audit trail, votes, asked questions.

SQLAlchemy (async) over SQLite by default or PostgreSQL, with Alembic migrations.
"""
