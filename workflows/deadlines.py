"""The legal time limits of the process, as data with due times (never timers).

The counting rules, exactly (docs/process.md repeats them):

R1  At the unit, after a decision: 10 days, counted as 10 x 24 hours of elapsed time from
    the moment the `decision_recorded` entry is written (the ledger can vouch for when the
    decision reached the system, not for a date typed in; the decision's own date stays in
    the entry for reports). A `decision_appealed` or `decision_suspended` entry stops the
    clock. The `decision_final` entry that follows starts it again with a full 10 x 24 hours
    from its own time ("runs again from that date"). It is met by the `transfer_sent` entry
    that takes the item from the unit, and cancelled by `decision_reversed` (the item goes
    back to its owner).
R2  At the warehouse, for rifled firearms that were confiscated, surrendered or found (not
    state surplus, not smoothbore): 48 hours from the `transfer_received` entry (or from
    intake, for an item registered at the warehouse), met by the `forensic_sent` entry.

A deadline is due at an instant in UTC; it is overdue once that instant has passed without
being met. Missing it blocks nothing: it is reported, and a late meeting stays on the record.
An item that is lost has its running deadlines cancelled.
"""

from __future__ import annotations

import datetime as dt

from custody.clock import format_time, parse_time
from workflows.model import Deadline

R1, R2 = "R1", "R2"
LIMITS = {R1: dt.timedelta(days=10), R2: dt.timedelta(hours=48)}


def _due(at: str, rule: str) -> str:
    return format_time(parse_time(at) + LIMITS[rule])


def start(item: str, rule: str, at: str) -> Deadline:
    return Deadline(item=item, rule=rule, started_at=at, due_at=_due(at, rule))


def pause(deadline: Deadline, at: str) -> None:
    if deadline.met_at is None and deadline.cancelled_at is None and deadline.due_at is not None:
        deadline.paused_at, deadline.due_at = at, None


def restart(deadline: Deadline, at: str) -> None:
    """After a pause, the full time again from `at`; a running clock is left alone."""
    if deadline.due_at is None and deadline.met_at is None and deadline.cancelled_at is None:
        deadline.started_at, deadline.due_at, deadline.paused_at = at, _due(at, deadline.rule), None


def meet(deadline: Deadline, at: str) -> None:
    if deadline.met_at is None and deadline.cancelled_at is None:
        deadline.met_at = at


def cancel(deadline: Deadline, at: str) -> None:
    if deadline.met_at is None and deadline.cancelled_at is None:
        deadline.cancelled_at = at
