"""The state tables of the destruction process (a cache of the fold of the ledger).

Revision ID: 0002_workflows
Revises: 0001_ledger
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_workflows"
down_revision = "0001_ledger"
branch_labels = None
depends_on = None

_ID = 128


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(_ID), primary_key=True)


def _data() -> sa.Column[str]:
    return sa.Column("data", sa.Text(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "wf_items",
        _id(),
        sa.Column("workflow", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("location", sa.String(_ID), nullable=False),
        sa.Column("marking", sa.String(_ID), nullable=True),
        sa.Column("batch", sa.String(_ID), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        _data(),
    )
    op.create_index("ix_wf_items_state", "wf_items", ["state"])
    op.create_index("ix_wf_items_location", "wf_items", ["location"])
    op.create_index("ix_wf_items_marking", "wf_items", ["marking"])
    op.create_table(
        "wf_locations", _id(), sa.Column("kind", sa.String(16), nullable=False), _data()
    )
    op.create_table("wf_commissions", _id(), _data())
    op.create_table(
        "wf_transfers", _id(), sa.Column("state", sa.String(16), nullable=False), _data()
    )
    op.create_table(
        "wf_batches",
        _id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _data(),
    )
    op.create_table(
        "wf_deadlines",
        sa.Column("item", sa.String(_ID), primary_key=True),
        sa.Column("rule", sa.String(8), primary_key=True),
        sa.Column("due_at", sa.String(27), nullable=True),
        sa.Column("closed", sa.String(27), nullable=True),
        _data(),
    )
    op.create_index("ix_wf_deadlines_due_at", "wf_deadlines", ["due_at"])
    op.create_table(
        "wf_discrepancies",
        _id(),
        sa.Column("subject", sa.String(_ID), nullable=False),
        sa.Column("resolved_at", sa.String(27), nullable=True),
        _data(),
    )
    op.create_index("ix_wf_discrepancies_subject", "wf_discrepancies", ["subject"])


def downgrade() -> None:
    for table in (
        "wf_discrepancies",
        "wf_deadlines",
        "wf_batches",
        "wf_transfers",
        "wf_commissions",
        "wf_locations",
        "wf_items",
    ):
        op.drop_table(table)
