"""The web pages' preferences of each account: language and time zone.

Revision ID: 0005_web
Revises: 0004_login_attempts
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_web"
down_revision = "0004_login_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_preferences",
        sa.Column("username", sa.String(128), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_preferences")
