"""Login attempts kept for audit, a lock row per account and address, and alerts.

The failures recorded so far become attempts from unknown addresses that failed.

Revision ID: 0004_login_attempts
Revises: 0003_api
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_login_attempts"
down_revision = "0003_api"
branch_labels = None
depends_on = None

_NAME = 128


def upgrade() -> None:
    op.create_table(
        "api_login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(_NAME), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
    )
    op.create_index("ix_api_login_attempts_username", "api_login_attempts", ["username", "at"])
    op.create_index("ix_api_login_attempts_address", "api_login_attempts", ["address", "at"])
    op.execute(
        "INSERT INTO api_login_attempts (username, address, at, known, outcome) "
        "SELECT username, address, at, false, 'failure' FROM api_login_failures ORDER BY id"
    )
    op.drop_table("api_login_failures")
    op.create_table(
        "api_login_locks",
        sa.Column("key", sa.String(_NAME + 16), primary_key=True),
        sa.Column("attempts", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "api_login_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("username", sa.String(_NAME), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.create_table(
        "api_login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(_NAME), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )
    op.create_index("ix_api_login_failures_username", "api_login_failures", ["username", "at"])
    op.create_index("ix_api_login_failures_address", "api_login_failures", ["address", "at"])
    op.execute(
        "INSERT INTO api_login_failures (username, address, at) SELECT username, address, at "
        "FROM api_login_attempts WHERE outcome IN ('failure', 'checking') ORDER BY id"
    )
    for table in ("api_login_alerts", "api_login_locks", "api_login_attempts"):
        op.drop_table(table)
