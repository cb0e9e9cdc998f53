"""The audit started from the auditor's page: one row, the running audit or the last one.

Revision ID: 0007_auditadmin
Revises: 0006_notices
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_auditadmin"
down_revision = "0006_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_audit_job",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(128), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("heartbeat_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("id = 1", name="ck_web_audit_job_single_row"),
    )


def downgrade() -> None:
    op.drop_table("web_audit_job")
