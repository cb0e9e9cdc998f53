"""A key request a newer one of the same person superseded is kept, marked, so that an
administrator who registers or confirms it is told why it cannot serve (issue 16), rather
than "no such challenge" for a row deleted under them.

Revision ID: 0010_key_request_superseded
Revises: 0009_issued_tokens
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_key_request_superseded"
down_revision = "0009_issued_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_key_requests") as table:
        table.add_column(sa.Column("superseded_at", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_key_requests") as table:
        table.drop_column("superseded_at")
