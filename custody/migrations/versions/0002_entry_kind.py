"""The entry's kind as a column of `ledger_entries`, repeating `body.kind` as `item` repeats
`body.item`, with an index (kind, seq): a fold that needs a few kinds (the deadlines'
rederive, workflows.deadline_replay) reads only those rows, in seq order, and parses only
their bodies. `custody verify` checks the column against the body (step 4), as it checks
`item`.

Rows written before it get the kind of their body: on SQLite by its JSON functions, on
PostgreSQL by the last `,"kind":"` of the canonical bytes (the top-level member: in RFC 8785
order `data` comes before `kind`, and `prev`, `seq`, `time` after it hold no such text), as
workflows.reports.recompute.kind_of finds it. A body that is not JSON (only a tampered one,
which step 2 of verify fails) gets NULL rather than stopping the migration, so that the
database can still be brought up and verified.

Revision ID: 0002_entry_kind
Revises: 0001_ledger
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_entry_kind"
down_revision = "0001_ledger"
branch_labels = None
depends_on = None

_FILL = {
    "sqlite": (
        "UPDATE ledger_entries SET kind = CASE WHEN json_valid(CAST(body AS TEXT)) "
        "AND json_type(CAST(body AS TEXT), '$.kind') = 'text' "
        "THEN json_extract(CAST(body AS TEXT), '$.kind') END"
    ),
    # encode(..., 'escape') never fails, whatever the bytes; a kind is [a-z_] (DESIGN §5).
    "postgresql": (
        "UPDATE ledger_entries SET kind = "
        "substring(encode(body, 'escape') from '.*,\"kind\":\"([a-z_]{1,64})\"')"
    ),
}


def upgrade() -> None:
    op.add_column("ledger_entries", sa.Column("kind", sa.String(64), nullable=True))
    conn = op.get_bind()
    conn.exec_driver_sql(_FILL[conn.dialect.name])
    op.create_index("ix_ledger_entries_kind_seq", "ledger_entries", ["kind", "seq"])


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_kind_seq", table_name="ledger_entries")
    op.drop_column("ledger_entries", "kind")
