"""The workflows' two branches of this session (diversion signals, the deadlines' index) meet
again: one head, so that the next migration has one place to start from.

Revision ID: 0006_one_head
Revises: 0005_diversion, 0005_folds
Create Date: 2026-11-30
"""

from __future__ import annotations

revision = "0006_one_head"
down_revision = ("0005_diversion", "0005_folds")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
