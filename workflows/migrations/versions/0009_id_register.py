"""The id register by folded id (`wf_ids`, workflows.subjects): `KZ-7001`, `kz-7001` and
`ΚΖ-7001` (Greek) read alike, so they are one id, held by the first written (issue 12,
finding 3). Filled here from the ids the state tables hold, in the register's order of
kinds; an existing pair of look-alike ids is left for `custody verify` to name (its replay
refuses the second as the live check now does).

Revision ID: 0009_id_register
Revises: 0008_dual_control
Create Date: 2026-11-30
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from workflows.subjects import KINDS, folded

revision = "0009_id_register"
down_revision = "0008_dual_control"
branch_labels = None
depends_on = None

_FOLDED = 512
_TABLES = {
    "items": "wf_items",
    "batches": "wf_batches",
    "locations": "wf_locations",
    "commissions": "wf_commissions",
    "transfers": "wf_transfers",
    "discrepancies": "wf_discrepancies",
    "accounts": "wf_accounts",
    "devices": "wf_devices",
    "campaigns": "wf_campaigns",
    "payments": "wf_payments",
}


def upgrade() -> None:
    op.create_table(
        "wf_ids",
        sa.Column("folded", sa.String(_FOLDED), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
    )
    conn = op.get_bind()
    held: set[str] = set()
    for kind in KINDS:
        listed = f"SELECT id FROM {_TABLES[kind]} ORDER BY id"  # noqa: S608 (our table names)
        for (subject,) in conn.execute(sa.text(listed)):
            key = folded(subject)
            if key in held:
                continue
            held.add(key)
            document = {"folded": key, "id": subject, "kind": kind}
            conn.execute(
                sa.text("INSERT INTO wf_ids (folded, data) VALUES (:folded, :data)"),
                {"folded": key, "data": json.dumps(document, ensure_ascii=False)},
            )


def downgrade() -> None:
    op.drop_table("wf_ids")
