"""Acknowledging a notice: by the person it was written to, once (the first stands). The one
way to do it, for the API (POST /notices/{id}/ack), the web pages' home page and the command
line (`custody notices ack N --by PERSON`) alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.access import accounts
from api.access.tokens import Principal
from api.errors import NotYours
from api.notices import outbox
from api.system import System
from custody.clock import format_time
from workflows.errors import UnknownObject

MAX_ID = 2**63 - 1
"""The largest id a notice may have: a signed 64-bit integer (SQLite's and PostgreSQL's)."""


def acknowledge_own(system: System, caller: Principal, notice_id: int) -> dict[str, Any]:
    """The notice's row (outbox.listed's shape) after `caller` acknowledged it
    (`acknowledge_as` with the caller's account and role)."""
    return acknowledge_as(system, caller.username, notice_id, [caller.role])


def acknowledge_as(
    system: System, username: str, notice_id: int, roles: Sequence[str] | None = None
) -> dict[str, Any]:
    """The notice's row (outbox.listed's shape) after `username` acknowledged it: the one
    rule for the API, the web pages and `custody notices ack --by`.

    Raises UnknownObject for no such notice (an id outside a database's 64-bit integers
    included: no notice has it, and a driver would overflow), or for a `username` that is no
    account of the ledger (or a disabled one); NotYours (a Forbidden) for a notice to someone
    else (each person acknowledges their own: issue 19; an acknowledgement says that person
    read it).
    `roles`: the roles the refusal names (the account's own when not given). Blocking: call
    it off the event loop."""
    if not 1 <= notice_id <= MAX_ID:
        raise UnknownObject("no such notice")
    with system.ledger.database.read() as conn:
        account = accounts.find(conn, username)
        found = outbox.listed(conn, "id = :id", {"id": notice_id})
    if account is None or account[0].disabled:
        raise UnknownObject(f"there is no account {username!r} in the ledger")
    if not found:
        raise UnknownObject(f"no notice {notice_id}")
    if found[0]["person"] != username:
        held = list(account[0].roles) if roles is None else list(roles)
        # Whose it is is not said: the notice's person is theirs to know (issue 19).
        raise NotYours(held)
    # On SQLite a write may wait for another process's lock.
    with system.ledger.database.write() as conn:
        row = outbox.acknowledge(conn, notice_id, username, format_time(system.clock()))
    assert row is not None
    return row
