"""Delivered answers, server settings with their audit trail, help-forum posts, pin proposals;
the asker's pseudonym on logged questions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("questions", sa.Column("user_hash", sa.String(64), nullable=True))
    op.create_index("ix_questions_user_hash", "questions", ["user_hash"])

    op.create_table(
        "answers",
        sa.Column("message_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("user_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("hit_ids", sa.Text(), nullable=False),
        sa.Column("generation", sa.String(100), nullable=False),
        sa.Column("pin_id", sa.Integer(), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_answers_guild_id", "answers", ["guild_id"])
    op.create_index("ix_answers_user_hash", "answers", ["user_hash"])
    op.create_index("ix_answers_created_at", "answers", ["created_at"])

    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "setting_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_setting_events_guild_id", "setting_events", ["guild_id"])

    op.create_table(
        "forum_posts",
        sa.Column("thread_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("forum_id", sa.BigInteger(), nullable=False),
        sa.Column("author_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("embedder_id", sa.String(200), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("solution_message_id", sa.BigInteger(), nullable=True),
        sa.Column("solution", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_forum_posts_guild_id", "forum_posts", ["guild_id"])
    op.create_index("ix_forum_posts_author_hash", "forum_posts", ["author_hash"])

    op.create_table(
        "pin_proposals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("review_message_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pin_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pin_proposals_guild_id", "pin_proposals", ["guild_id"])
    op.create_index("ix_pin_proposals_thread_id", "pin_proposals", ["thread_id"])


def downgrade() -> None:
    op.drop_table("pin_proposals")
    op.drop_table("forum_posts")
    op.drop_table("setting_events")
    op.drop_table("guild_settings")
    op.drop_table("answers")
    op.drop_index("ix_questions_user_hash", table_name="questions")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("user_hash")
