"""The notice worker reads the ledger's appeals and suspensions from a high-water mark, and
keeps those it may still owe notices for, rather than reading every one ever written on
every pass (fix19j). A database made before this has no mark: its first pass reads them all
once, as every pass did, and goes on from there.

Revision ID: 0011_notice_marks
Revises: 0010_key_request_superseded
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_notice_marks"
down_revision = "0010_key_request_superseded"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_notice_marks",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "api_notice_appeals",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("item", sa.String(128), nullable=False),
        sa.Column("entered_at", sa.String(32), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_notice_appeals")
    op.drop_table("api_notice_marks")
