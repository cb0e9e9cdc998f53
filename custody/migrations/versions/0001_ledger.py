"""The ledger: entries, Merkle nodes, head, checkpoints, key registry, recorded acts.

Revision ID: 0001_ledger
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_ledger"
down_revision = None
branch_labels = ("custody",)
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.Column("sig", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("item", sa.String(128), nullable=True),
    )
    op.create_index("ix_ledger_entries_item_seq", "ledger_entries", ["item", "seq"])
    # SQLite: WITHOUT ROWID keeps one B-tree, ordered by the key, instead of a table plus an
    # index; every append writes here (ignored by PostgreSQL).
    op.create_table(
        "merkle_nodes",
        sa.Column("level", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sqlite_with_rowid=False,
    )
    head = op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("peaks", sa.LargeBinary(), nullable=False),
        sa.Column("last_leaf", sa.LargeBinary(), nullable=True),
        sa.Column("last_time", sa.String(27), nullable=True),
        sa.Column("origin", sa.String(255), nullable=True),
        sa.Column("ledger_key_id", sa.String(8), nullable=True),
        sa.CheckConstraint("id = 1", name="ck_ledger_head_single_row"),
    )
    op.bulk_insert(head, [{"id": 1, "size": 0, "peaks": b""}])
    op.create_table(
        "checkpoints",
        sa.Column("size", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("issued_at", sa.String(27), nullable=False),
    )
    op.create_table(
        "ledger_keys",
        sa.Column("key_id", sa.String(8), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("added_seq", sa.BigInteger(), nullable=False),
        sa.Column("valid_from_seq", sa.BigInteger(), nullable=False),
        sa.Column("rotated_at_seq", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at_seq", sa.BigInteger(), nullable=True),
        sa.Column("replaced_by", sa.String(8), nullable=True),
    )
    op.create_index("ix_ledger_keys_owner", "ledger_keys", ["owner"])
    op.create_table(
        "ledger_acts",
        sa.Column("digest", sa.LargeBinary(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in ("ledger_acts", "ledger_keys", "checkpoints", "ledger_head", "merkle_nodes"):
        op.drop_table(table)
    op.drop_index("ix_ledger_entries_item_seq", table_name="ledger_entries")
    op.drop_table("ledger_entries")
