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
    # the asker, pseudonymised, so /forget-me can delete their questions (None: asked before
    # migration 0002, or from the CLI)
    user_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class AnswerRow(Base):
    """An answer the bot delivered: the question as asked and exactly what was shown, so the
    buttons under it act on this record (not on the embed's clipped title)."""

    __tablename__ = "answers"

    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    user_hash: Mapped[str] = mapped_column(String(64), index=True)  # the asker, pseudonymised
    source: Mapped[str] = mapped_column(String(10))  # slash, mention, forum
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    # JSON list: `card:<id>` first when an answer card answered, then passages and resources
    hit_ids: Mapped[str] = mapped_column(Text)
    generation: Mapped[str] = mapped_column(String(100))
    pin_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answered: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class GuildSettingRow(Base):
    """One server setting changed from Discord; absent settings take the YAML value."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SettingEventRow(Base):
    """Who changed a server setting, when, from what to what (values as JSON; None: default)."""

    __tablename__ = "setting_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(50))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ForumPostRow(Base):
    """A post (thread) of a help forum: its question, the vector the similar-thread index
    searches, whether the bot answered it, and its solution once marked."""

    __tablename__ = "forum_posts"

    thread_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    forum_id: Mapped[int] = mapped_column(BigInteger)
    author_hash: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    embedder_id: Mapped[str] = mapped_column(String(200))
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    solution_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    solution: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PinProposalRow(Base):
    """A solved post proposed as a pinned answer, waiting for a moderator in the review
    channel; approved proposals become pins."""

    __tablename__ = "pin_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    thread_id: Mapped[int] = mapped_column(BigInteger, index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    review_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # pending, approved, rejected
    decided_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    pin_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PathProgressRow(Base):
    """A learning-path stage one member marked done in one server (`/path`'s menu); the row's
    presence is the mark. Stage ids are those of `corpus/paths.yaml`, shared by every route."""

    __tablename__ = "path_progress"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    stage_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
