"""Why each deadline is where it is, as `custody deadlines --json` and GET /deadlines give
it: its row and status, the dated facts that moved it (late entries marked, by
CUSTODY_LATE_ENTRY_DAYS), the sentences `custody deadlines --why` prints, and the notices
sent about it with their acknowledgement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import DBAPIError

from api.notices import outbox
from custody.db import Database
from workflows.deadlines import explain, is_late
from workflows.model import Deadline


def reasons(
    deadline: Deadline, now: dt.datetime, late_after: int, notices: list[dict[str, Any]]
) -> dict[str, Any]:
    """A deadline as the CLI's --json and GET /deadlines give it: its row, its status, and
    why it is where it is (facts with the late ones marked, the notices and their
    acknowledgement)."""
    facts = [f | {"entered_late": is_late(f, late_after)} for f in deadline.facts]
    return deadline.to_json() | {
        "status": deadline.status(now),
        "facts": facts,
        "late_entries": [f for f in facts if f["entered_late"]],
        # Days the term stood overdue until a late entry dated inside it (issue 19, H1).
        "overdue_until_late_entry": [
            f["overdue_until_late_entry"] for f in deadline.overdue_until_late_entry()
        ],
        "why": explain(deadline, late_after),
        "notices": [_notice_json(n) for n in notices],
    }


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
