"""Login attempts remember the device they came from (a hash of its `custody_device`
cookie), so that a correct password from a known device is not held back by a stranger's
guesses from the same address; and the two heads (credentials, web) meet again.

Revision ID: 0007_login_devices
Revises: 0005_credentials, 0006_notices
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_login_devices"
down_revision = ("0005_credentials", "0006_notices")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_login_attempts") as table:
        table.add_column(sa.Column("device", sa.String(64), nullable=True))
    op.create_index("ix_api_login_attempts_device", "api_login_attempts", ["username", "device"])


def downgrade() -> None:
    op.drop_index("ix_api_login_attempts_device", "api_login_attempts")
    with op.batch_alter_table("api_login_attempts") as table:
        table.drop_column("device")
