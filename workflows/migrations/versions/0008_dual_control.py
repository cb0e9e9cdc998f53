"""Dual control (four eyes) of what makes a signer or an administrator (workflows.dual): the
register of proposed changes (`wf_proposals`, the fold of `change_proposed`,
`change_confirmed` and `change_declined`), and who made each account (`created_by`, the
actor of its `account_created`), so that the one who confirms a change about an account is
never the one who made it. Existing accounts get it from their creating entry, so that
`custody verify` finds them as the fold now makes them.

Revision ID: 0008_dual_control
Revises: 0007_opened_by
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0008_dual_control"
down_revision = "0007_opened_by"
branch_labels = None
depends_on = None

_ID = 128


def upgrade() -> None:
    op.create_table(
        "wf_proposals",
        sa.Column("id", sa.String(_ID), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index("ix_wf_proposals_state", "wf_proposals", ["state"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, data FROM wf_accounts")).fetchall()
    for username, data in rows:
        document = json.loads(data)
        if "created_by" in document:
            continue
        made = conn.execute(
            sa.text("SELECT body FROM ledger_entries WHERE item = :item ORDER BY seq LIMIT 50"),
            {"item": username},
        ).fetchall()
        document["created_by"] = None
        for (body,) in made:
            entry = json.loads(bytes(body))
            if entry.get("kind") == "account_created":
                document["created_by"] = entry["actor"]
                break
        conn.execute(
            sa.text("UPDATE wf_accounts SET data = :data WHERE id = :id"),
            {"data": json.dumps(document, ensure_ascii=False), "id": username},
        )


def downgrade() -> None:
    op.drop_index("ix_wf_proposals_state", table_name="wf_proposals")
    op.drop_table("wf_proposals")
