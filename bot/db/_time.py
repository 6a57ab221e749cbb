"""Timestamps as the stores write and read them: aware UTC, whatever the database returns."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken as UTC (SQLite hands them back naive).

    SQLite stores datetimes as text without their offset, so every value compared against a
    stored one must be converted to UTC first or the comparison is off by the offset.
    """
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
