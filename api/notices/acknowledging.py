"""Acknowledging a notice: by the person it was written to, once (the first stands). The one
way to do it, for the API (POST /notices/{id}/ack) and the web pages' home page alike."""

from __future__ import annotations

from typing import Any

from api.access.tokens import Principal
from api.errors import Forbidden
from api.notices import outbox
from api.system import System
from custody.clock import format_time
from workflows.errors import UnknownObject

MAX_ID = 2**63 - 1
"""The largest id a notice may have: a signed 64-bit integer (SQLite's and PostgreSQL's)."""


def acknowledge_own(system: System, caller: Principal, notice_id: int) -> dict[str, Any]:
    """The notice's row (outbox.listed's shape) after `caller` acknowledged it.

    Raises UnknownObject for no such notice (an id outside a database's 64-bit integers
    included: no notice has it, and a driver would overflow), Forbidden for a notice to
    someone else (each person acknowledges their own: issue 19). Blocking: call it off the
    event loop."""
    if not 1 <= notice_id <= MAX_ID:
        raise UnknownObject("no such notice")
    with system.ledger.database.read() as conn:
        found = outbox.listed(conn, "id = :id", {"id": notice_id})
    if not found:
        raise UnknownObject(f"no notice {notice_id}")
    if found[0]["person"] != caller.username:
        raise Forbidden(caller.role, f"acknowledge a notice to {found[0]['person']}")
    # On SQLite a write may wait for another process's lock.
    with system.ledger.database.write() as conn:
        row = outbox.acknowledge(conn, notice_id, caller.username, format_time(system.clock()))
    assert row is not None
    return row
