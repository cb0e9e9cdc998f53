"""Diversion signals: each item's marking identity (workflows.markings.fold) and campaign,
indexed; surrender campaigns and compensation payments (R11-R15).

Existing items get their marking's identity and the new fields of their document (no
suspicion, no campaign, no payment), so that `custody verify` finds them as the fold makes
them.

Revision ID: 0005_diversion
Revises: 0004_accounts
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from workflows.markings import fold_or_none

revision = "0005_diversion"
down_revision = "0004_accounts"
branch_labels = None
depends_on = None

_ID = 128
_NEW_FIELDS: dict[str, object] = {
    "diversion": None,
    "diversion_cleared": [],
    "diversion_found": None,
    "campaign": None,
    "compensation": None,
}


def upgrade() -> None:
    with op.batch_alter_table("wf_items") as batch:
        batch.add_column(sa.Column("marking_folded", sa.String(_ID), nullable=True))
        batch.add_column(sa.Column("campaign", sa.String(_ID), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, marking, data FROM wf_items")).fetchall()
    for item_id, marking, data in rows:
        document = json.loads(data)
        for name, value in _NEW_FIELDS.items():
            document.setdefault(name, value)
        conn.execute(
            sa.text("UPDATE wf_items SET marking_folded = :folded, data = :data WHERE id = :id"),
            {
                "folded": fold_or_none(marking),
                "data": json.dumps(document, ensure_ascii=False),
                "id": item_id,
            },
        )
    op.create_index("ix_wf_items_marking_folded", "wf_items", ["marking_folded"])
    op.create_index("ix_wf_items_campaign", "wf_items", ["campaign"])
    op.create_table(
        "wf_campaigns",
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_table(
        "wf_payments",
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("item", sa.String(_ID), nullable=False),
        sa.Column("marking_folded", sa.String(_ID), nullable=True),
        sa.Column("campaign", sa.String(_ID), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index("ix_wf_payments_item", "wf_payments", ["item"])
    op.create_index("ix_wf_payments_marking_folded", "wf_payments", ["marking_folded"])
    op.create_index("ix_wf_payments_campaign", "wf_payments", ["campaign"])


def downgrade() -> None:
    for name in ("campaign", "marking_folded", "item"):
        op.drop_index(f"ix_wf_payments_{name}", "wf_payments")
    op.drop_table("wf_payments")
    op.drop_table("wf_campaigns")
    op.drop_index("ix_wf_items_campaign", "wf_items")
    op.drop_index("ix_wf_items_marking_folded", "wf_items")
    with op.batch_alter_table("wf_items") as batch:
        batch.drop_column("campaign")
        batch.drop_column("marking_folded")
