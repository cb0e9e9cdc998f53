"""`custody verify`: a full audit of a ledger database that trusts only `ledger_entries`.

The steps live in `custody.verification`, one module per numbered step; this module is the
name the other layers import.
"""

from __future__ import annotations

from custody.verification.audit import CHUNK, PARALLEL_FROM, STEPS, Audit, ExtraStep, verify
from custody.verification.checkpoint_step import AuditorCheckpoint
from custody.verification.report import Report, StepResult, first_failure
from custody.verification.rows import Checked, Row, check_row

__all__ = [
    "CHUNK",
    "PARALLEL_FROM",
    "STEPS",
    "Audit",
    "AuditorCheckpoint",
    "Checked",
    "ExtraStep",
    "Report",
    "Row",
    "StepResult",
    "check_row",
    "first_failure",
    "verify",
]
