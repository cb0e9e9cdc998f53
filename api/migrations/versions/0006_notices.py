"""Notices of due and overdue deadlines (an outbox), and people's e-mail addresses.

The deadline rows themselves are a cache of the fold: a database made before R1 was counted
by the law's days gets them with `custody deadlines --rebuild` (docs/process.md).

Revision ID: 0006_notices
Revises: 0005_web
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_notices"
down_revision = "0005_web"
branch_labels = None
depends_on = None

_NAME = 128


def upgrade() -> None:
    op.create_table(
        "api_contacts",
        sa.Column("username", sa.String(_NAME), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "api_notices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("item", sa.String(_NAME), nullable=False),
        sa.Column("rule", sa.String(8), nullable=False),
        sa.Column("due_at", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("person", sa.String(_NAME), nullable=False),
        sa.Column("place", sa.String(_NAME), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.String(32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.String(32), nullable=True),
        sa.Column("acknowledged_at", sa.String(32), nullable=True),
        sa.Column("acknowledged_by", sa.String(_NAME), nullable=True),
    )
    op.create_index(
        "ux_api_notices_once",
        "api_notices",
        ["item", "rule", "due_at", "kind", "level", "person"],
        unique=True,
    )
    op.create_index("ix_api_notices_unsent", "api_notices", ["sent_at", "lease_until"])
    op.create_index("ix_api_notices_person", "api_notices", ["person"])


def downgrade() -> None:
    op.drop_table("api_notices")
    op.drop_table("api_contacts")
