"""Why each deadline is where it is, as `custody deadlines --json` and GET /deadlines give
it: its row and status, the dated facts that moved it (late entries marked as the ledger
stores them: workflows.deadlines.is_late), the sentences `custody deadlines --why` prints,
and the notices sent about it with their acknowledgement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Set
from typing import Any

from sqlalchemy.exc import DBAPIError

from api.notices import outbox
from custody.clock import format_time
from custody.db import Database
from workflows.deadlines import explain, is_late, paused_days, paused_so_far
from workflows.escalation import attended, escalating_due
from workflows.model import Deadline, Location


def reasons(
    deadline: Deadline,
    now: dt.datetime,
    notices: list[dict[str, Any]],
    unattended: Collection[str] = (),
    long_pause_after: int = 60,
) -> dict[str, Any]:
    """A deadline as the CLI's --json and GET /deadlines give it: its row, its status, and
    why it is where it is (facts with the late ones marked as the ledger has them, the
    notices and their acknowledgement, and "nobody to notify at <place>" for an overdue one
    whose place is one of `unattended`: `unattended_places`); a stopped clock with the whole
    days it has stood stopped (`paused_days`, None when it runs) and, past `long_pause_after`
    days (CUSTODY_LONG_PAUSE_DAYS), said so (fix19f M3)."""
    facts = [f | {"entered_late": is_late(f)} for f in deadline.facts]
    at = format_time(now)
    return deadline.to_json() | {
        "status": deadline.status(now),
        "facts": facts,
        "late_entries": [f for f in facts if f["entered_late"]],
        # Days the term stood overdue until a late entry dated inside it (issue 19, H1).
        "overdue_until_late_entry": [
            f["overdue_until_late_entry"] for f in deadline.overdue_until_late_entry()
        ],
        "paused_days": paused_days(deadline, at),
        "why": explain(deadline)
        + paused_so_far(deadline, at, long_pause_after)
        + nobody_to_notify(deadline, now, unattended),
        "notices": [_notice_json(n) for n in notices],
    }


def nobody_to_notify(
    deadline: Deadline, now: dt.datetime, unattended: Collection[str]
) -> list[str]:
    """["nobody to notify at <place> ..."] for a deadline overdue for its notices
    (escalation.escalating_due) at a place with nobody on duty at any level, else []: its
    notices go to no one (issue 19 fix: a place with nobody failed silently)."""
    due = escalating_due(deadline)
    if deadline.place not in unattended or due is None or format_time(now) <= due:
        return []
    return [
        f"nobody to notify at {deadline.place}: no staff, supervisor or regional head is "
        "assigned there (supervisor_assigned) with an account not disabled, so no notice of "
        "this deadline goes to anyone"
    ]


def unattended_places(places: Iterable[Location], disabled: Set[str] = frozenset()) -> set[str]:
    """The ids of the places with nobody on duty at any level, the `disabled` accounts
    (usernames) counting as nobody (escalation.attended)."""
    return {place.id for place in places if not attended(place, disabled)}


def _notice_json(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "kind", "level", "person", "created_at", "sent_at", "acknowledged_at")
    return {k: row[k] for k in (*keep, "acknowledged_by")}


def notices_of(
    database: Database, found: list[Deadline]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The notices of these deadlines, by (item, rule), oldest first."""
    try:
        with database.read() as conn:
            return outbox.of_deadlines(conn, [(d.item, d.rule) for d in found])
    except DBAPIError:  # a database not migrated to the notices yet: none to show
        return {}
