"""Tables. Change them only together with a new migration in `bot/db/migrations/versions/`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every table."""


class PinRow(Base):
    """A canonical answer a moderator pinned; removed pins stay for the audit trail."""

    __tablename__ = "pins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    answer: Mapped[str] = mapped_column(Text)
    source_channel_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    source_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    uses: Mapped[int] = mapped_column(Integer, default=0)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    questions: Mapped[list[PinQuestionRow]] = relationship(
        back_populates="pin", cascade="all, delete-orphan", order_by="PinQuestionRow.id"
    )


class PinQuestionRow(Base):
    """A question a pin answers, with its query vector (float32 bytes) and the embedder's id."""

    __tablename__ = "pin_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pin_id: Mapped[int] = mapped_column(ForeignKey("pins.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    embedder_id: Mapped[str] = mapped_column(String(200))

    pin: Mapped[PinRow] = relationship(back_populates="questions")


class PinEventRow(Base):
    """Who created, edited, removed or imported a pin, and when."""

    __tablename__ = "pin_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pin_id: Mapped[int] = mapped_column(ForeignKey("pins.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


class FeedbackRow(Base):
    """One member's 👍/👎 on one answer message (a second vote replaces the first)."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("message_id", "user_hash", name="uq_feedback_vote"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    message_id: Mapped[int] = mapped_column(BigInteger)
    user_hash: Mapped[str] = mapped_column(String(64))
    vote: Mapped[str] = mapped_column(String(4))
    question: Mapped[str] = mapped_column(Text)
    hit_ids: Mapped[str] = mapped_column(Text)  # JSON list
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class QuestionRow(Base):
    """A question asked with /ask or a mention, and whether anything answered it."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    answered: Mapped[bool] = mapped_column(Boolean)
    relevance: Mapped[float] = mapped_column(Float)
    pin_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
