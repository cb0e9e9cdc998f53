"""People's key requests: the challenge given, the key made and its proof of possession,
until an administrator registers it (api.key_requests).

Revision ID: 0007_commission_keys
Revises: 0006_notices
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_commission_keys"
down_revision = "0006_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_key_requests",
        sa.Column("challenge", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=True),
        sa.Column("sig", sa.String(100), nullable=True),
        sa.Column("label", sa.String(128), nullable=True),
        sa.Column("submitted_at", sa.String(32), nullable=True),
        sa.Column("key_id", sa.String(8), nullable=True),
    )
    op.create_index("ix_web_key_requests_owner", "web_key_requests", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_web_key_requests_owner", table_name="web_key_requests")
    op.drop_table("web_key_requests")
