"""The service's accounts, tokens, failed logins and idempotent answers.

Revision ID: 0003_api
Revises: 0002_workflows
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_api"
down_revision = "0002_workflows"
branch_labels = None
depends_on = None

_NAME = 128


def upgrade() -> None:
    op.create_table(
        "api_users",
        sa.Column("username", sa.String(_NAME), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(_NAME), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(256), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=True),
        sa.Column("revoked_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_api_tokens_username", "api_tokens", ["username"])
    op.create_table(
        "api_login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(_NAME), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )
    op.create_index("ix_api_login_failures_username", "api_login_failures", ["username", "at"])
    op.create_index("ix_api_login_failures_address", "api_login_failures", ["address", "at"])
    op.create_table(
        "api_idempotency",
        sa.Column("username", sa.String(_NAME), primary_key=True),
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=True),
    )


def downgrade() -> None:
    for table in ("api_idempotency", "api_login_failures", "api_tokens", "api_users"):
        op.drop_table(table)
