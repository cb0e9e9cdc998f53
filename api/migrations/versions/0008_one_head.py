"""The api's three branches of this session (login devices, commission keys, audit jobs)
meet again: one head, so that the next migration has one place to start from.

Revision ID: 0008_one_head
Revises: 0007_auditadmin, 0007_commission_keys, 0007_login_devices
Create Date: 2026-11-30
"""

from __future__ import annotations

revision = "0008_one_head"
down_revision = ("0007_auditadmin", "0007_commission_keys", "0007_login_devices")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
