"""Accounts and device tokens as the ledger says they are (a cache of the fold, like every
state table): roles, places, disabled; a device token's account, role, place and expiry.

Revision ID: 0004_accounts
Revises: 0002_workflows
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_accounts"
down_revision = "0002_workflows"
branch_labels = None
depends_on = None

_ID = 128


def upgrade() -> None:
    op.create_table(
        "wf_accounts",
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_table(
        "wf_devices",
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("account", sa.String(_ID), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index("ix_wf_devices_account", "wf_devices", ["account"])


def downgrade() -> None:
    op.drop_index("ix_wf_devices_account", "wf_devices")
    op.drop_table("wf_devices")
    op.drop_table("wf_accounts")
