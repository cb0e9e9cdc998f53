"""Accounts move into the ledger (workflows 0004_accounts): the service keeps only what must
not be in it, each account's password hash, and its tokens; a device token names its id in
the ledger and the place it is bound to.

Revision ID: 0005_credentials
Revises: 0004_login_attempts
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_credentials"
down_revision = "0004_login_attempts"
branch_labels = None
depends_on = ("0004_accounts",)


def upgrade() -> None:
    with op.batch_alter_table("api_users") as users:
        users.drop_column("name")
        users.drop_column("role")
        users.drop_column("disabled")
    with op.batch_alter_table("api_tokens") as tokens:
        tokens.add_column(sa.Column("device", sa.String(32), nullable=True))
        tokens.add_column(sa.Column("place", sa.String(128), nullable=True))
        tokens.create_index("ix_api_tokens_device", ["device"])


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as tokens:
        tokens.drop_index("ix_api_tokens_device")
        tokens.drop_column("place")
        tokens.drop_column("device")
    with op.batch_alter_table("api_users") as users:
        users.add_column(sa.Column("disabled", sa.Boolean(), nullable=False, server_default="0"))
        users.add_column(sa.Column("role", sa.String(32), nullable=False, server_default=""))
        users.add_column(sa.Column("name", sa.String(256), nullable=False, server_default=""))
