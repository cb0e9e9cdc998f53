"""Who opened each discrepancy and diversion suspicion (`opened_by`, the actor of the entry
that opened it), so that its resolution by another account can be checked (separation of
duties, workflows.access). Existing rows get it from their opening entry, so that `custody
verify` finds them as the fold now makes them; a discrepancy an inventory count or a
transfer's close opened keeps none, as the fold gives it none.

Revision ID: 0007_opened_by
Revises: 0006_one_head
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007_opened_by"
down_revision = "0006_one_head"
branch_labels = None
depends_on = None

# The entries whose actor the fold records as the opener (workflows.fold).
_OPENING = ("discrepancy_recorded", "diversion_suspected")


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, data FROM wf_discrepancies")).fetchall()
    for discrepancy_id, data in rows:
        document = json.loads(data)
        if document.get("opened_by") is not None or document.get("opened_seq") is None:
            continue
        body = conn.execute(
            sa.text("SELECT body FROM ledger_entries WHERE seq = :seq"),
            {"seq": document["opened_seq"]},
        ).scalar()
        entry = json.loads(bytes(body)) if body is not None else {}
        if entry.get("kind") not in _OPENING:
            continue
        document["opened_by"] = entry["actor"]
        conn.execute(
            sa.text("UPDATE wf_discrepancies SET data = :data WHERE id = :id"),
            {"data": json.dumps(document, ensure_ascii=False), "id": discrepancy_id},
        )


def downgrade() -> None:
    pass  # the field stays: a fold before this one ignores it
