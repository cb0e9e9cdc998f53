"""A device token issued on the administrator's page waits here, sealed, until the page after
the form shows it once (post/redirect/get: reloading that page issues nothing).

Revision ID: 0009_issued_tokens
Revises: 0008_one_head
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_issued_tokens"
down_revision = "0008_one_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_issued_tokens",
        sa.Column("session", sa.String(64), primary_key=True),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_issued_tokens")
