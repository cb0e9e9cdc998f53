"""The deadlines' due-time index also orders their ties by item and rule, so the list of open
deadlines (overdue first, then by due time, then by item) is read in the index's order
without sorting 100,000 rows (workflows.repository.open_deadlines); the notice worker's
`due_at <= ?` uses it as before.

Revision ID: 0005_folds
Revises: 0004_accounts
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0005_folds"
down_revision = "0004_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_wf_deadlines_due_at", "wf_deadlines")
    op.create_index("ix_wf_deadlines_due_at_item", "wf_deadlines", ["due_at", "item", "rule"])


def downgrade() -> None:
    op.drop_index("ix_wf_deadlines_due_at_item", "wf_deadlines")
    op.create_index("ix_wf_deadlines_due_at", "wf_deadlines", ["due_at"])
