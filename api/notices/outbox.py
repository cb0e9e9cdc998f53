"""The notices table as an outbox: notices written once, claimed with a lease, marked sent,
acknowledged. Plain SQL through SQLAlchemy Core, the same on SQLite and PostgreSQL.

Sending once with several servers and restarts: a notice's row is written (unique per item,
rule, due time, kind, level and person: a second writer's copy is dropped), then claimed by
one worker with `UPDATE ... WHERE` its lease is free (both databases let only one UPDATE of
a row win), sent, and marked sent by that worker in its own commit. A batch is claimed for a
short lease, and each notice of it is claimed again, alone, right before it is sent
(`claim_one`: only while the lease is still the worker's or free), for as long as one message
may take: a worker that a slow mail server kept past its batch's lease finds the notices
another worker took since and leaves them to it (issue 19, H1: two workers had mailed 11
messages for 6 notices). The address is the person's at that moment (`claim_one`), not the
one they had when the notice was written. A worker killed after
claiming leaves the lease to run out, and the next pass of any worker sends it. A worker
killed between the mail server's "250 OK" and its commit would send again: the message's
Message-ID is the notice's, so a mail system can drop the copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from email.utils import parseaddr
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from workflows.escalation import Notice

# A notice that is no deadline's: a key registered in the person's name (api.key_requests);
# its item is the key id, its rule KEY, its due time the registration's.
KEY_REGISTERED = "key_registered"

_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"
_COLUMNS_IN = "item, rule, due_at, kind, level, person, place, email, created_at, attempts"
_ONCE = " ON CONFLICT (item, rule, due_at, kind, level, person) DO NOTHING"
# Rows per INSERT: a statement of many rows costs half the driver's time that one statement
# per row does (10,000 of them in a pass, bench/deadlines.py); 500 rows are 4,500
# parameters, well under either database's limit.
_ROWS = 500


def _insert_sql(rows: int, postgres: bool) -> str:
    values = ", ".join([_ROW] * rows)
    sql = f"INSERT INTO api_notices ({_COLUMNS_IN}) VALUES {values}{_ONCE}"  # noqa: S608
    return sql.replace("?", "%s") if postgres else sql


@dataclass(frozen=True)
class Outgoing:
    """A claimed notice, with what the message needs."""

    id: int
    item: str
    rule: str
    due_at: str
    kind: str
    level: str
    person: str
    place: str
    email: str


def written_for(conn: Connection, horizon: str) -> list[Notice]:
    """The notices already written for the due times of open deadlines before `horizon`,
    and every notice of an open deadline whose clock is stopped (the climb of a due time it
    had run past goes on: workflows.escalation.escalating_due)."""
    rows = conn.execute(
        text(
            "SELECT n.item, n.rule, n.due_at, n.kind, n.level, n.person, n.place, "
            "n.created_at, n.acknowledged_at FROM api_notices n JOIN wf_deadlines d "
            "ON d.item = n.item AND d.rule = n.rule "
            "WHERE d.closed IS NULL AND (d.due_at = n.due_at AND d.due_at <= :horizon "
            "OR d.due_at IS NULL)"
        ),
        {"horizon": horizon},
    )
    return [Notice(*row) for row in rows]


def addresses(conn: Connection, people: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(people))
    if not wanted:
        return {}
    query = text("SELECT username, email FROM api_contacts WHERE username IN :names")
    rows = conn.execute(query.bindparams(bindparam("names", expanding=True)), {"names": wanted})
    return {name: email for name, email in rows}


def write(conn: Connection, notices: Sequence[Notice], emails: dict[str, str], now: str) -> None:
    """Write new notices; one written already (by another server) is left as it is."""
    insert(conn, [(*n.key, n.place) for n in notices], emails, now)


# A notice to write as a row: (item, rule, due_at, kind, level, person, place).
Planned = tuple[str, str, str, str, str, str, str]


def insert(conn: Connection, planned: Sequence[Planned], emails: dict[str, str], now: str) -> None:
    """`write` of notices given as rows (the notice worker plans 10,000 of them in a pass
    without making an object of each)."""
    if not planned:
        return
    raw: Any = conn.connection.driver_connection
    postgres = conn.dialect.name == "postgresql"
    full = _insert_sql(_ROWS, postgres)
    for start in range(0, len(planned), _ROWS):
        chunk = planned[start : start + _ROWS]
        values = [v for p in chunk for v in (*p, emails.get(p[5]), now)]
        raw.execute(full if len(chunk) == _ROWS else _insert_sql(len(chunk), postgres), values)


# A notice with an address to go to: the one stored when it was written, or one its person
# has been given since (api_contacts; looked up again at sending, `claim_one`).
_ADDRESSED = "(email IS NOT NULL OR person IN (SELECT username FROM api_contacts))"
# The accounts the ledger has disabled (wf_accounts, the fold's cache: its `disabled`), by
# database: the accounts are a few hundred rows, read by the JSON functions of each.
_DISABLED = {
    "sqlite": "SELECT id FROM wf_accounts WHERE json_extract(data, '$.disabled') = 1",
    "postgresql": "SELECT id FROM wf_accounts WHERE CAST(data AS json) ->> 'disabled' = 'true'",
}


def _sendable(conn: Connection) -> str:
    """The SQL condition of a notice that may be claimed to be sent: with an address, and
    to a person whose account is not disabled. A notice to a disabled account is left
    alone while it is (issue 19, L: it had been claimed and withheld again every pass);
    `withhold_disabled` records why, once; enabled again, it goes."""
    return f"{_ADDRESSED} AND person NOT IN ({_DISABLED[conn.dialect.name]})"


def withhold_disabled(conn: Connection) -> int:
    """Record, once, why the unsent notices to disabled accounts are not sent (`last_error`,
    as `withhold` words it), in one UPDATE of those not recorded yet; returns how many."""
    done = conn.execute(
        text(
            "UPDATE api_notices SET last_error = "  # noqa: S608
            "'not sent: the account ' || person || ' is disabled' "
            f"WHERE sent_at IS NULL AND person IN ({_DISABLED[conn.dialect.name]}) "
            "AND (last_error IS NULL OR last_error NOT LIKE 'not sent: the account %')"
        )
    )
    return int(done.rowcount or 0)


def claim(conn: Connection, owner: str, now: str, until: str, limit: int) -> list[Outgoing]:
    """Take the lease of up to `limit` unsent notices with an address whose lease is free.
    The address is the one the person has now (`_ADDRESSED`): a notice written while its
    person had none goes once one is added (issue 19 re-attack, H2); one whose person still
    has none waits, unclaimed, as does one to a disabled account (`_sendable`)."""
    sendable = _sendable(conn)
    free = f"sent_at IS NULL AND {sendable} AND (lease_until IS NULL OR lease_until < :now)"
    conn.execute(
        text(
            f"UPDATE api_notices SET lease_owner = :owner, lease_until = :until "  # noqa: S608
            f"WHERE {free} AND id IN (SELECT id FROM api_notices WHERE {free} "
            f"ORDER BY id LIMIT :limit)"
        ),
        {"owner": owner, "until": until, "now": now, "limit": limit},
    )
    rows = conn.execute(
        text(
            "SELECT id, item, rule, due_at, kind, level, person, place, email FROM api_notices "
            "WHERE lease_owner = :owner AND lease_until = :until AND sent_at IS NULL ORDER BY id"
        ),
        {"owner": owner, "until": until},
    )
    return [Outgoing(*row) for row in rows]


def claim_one(
    conn: Connection, notice: Outgoing, owner: str, now: str, until: str
) -> Outgoing | None:
    """Take (or keep) the lease of one unsent notice until `until`, in one UPDATE that wins
    only while its lease is still `owner`'s or has run out (no other worker holds it), right
    before sending it. None when another worker holds it or it was sent meanwhile: it is not
    the caller's to send. The notice comes back with the person's address now, in the row
    too (api_contacts; `email` None: no address to send to, see `withhold`)."""
    taken = conn.execute(
        text(
            "UPDATE api_notices SET lease_owner = :owner, lease_until = :until "  # noqa: S608
            f"WHERE id = :id AND sent_at IS NULL AND {_sendable(conn)} "
            "AND (lease_owner = :owner OR lease_until IS NULL OR lease_until < :now)"
        ),
        {"owner": owner, "until": until, "now": now, "id": notice.id},
    )
    if not taken.rowcount:
        return None
    email = addresses(conn, [notice.person]).get(notice.person)
    if email is not None and email != notice.email:
        conn.execute(
            text("UPDATE api_notices SET email = :email WHERE id = :id"),
            {"email": email, "id": notice.id},
        )
    return replace(notice, email=email or "")


def withhold(conn: Connection, notice_id: int, owner: str, why: str) -> None:
    """A notice that is not to be sent (no address now): kept unsent with no address, and
    why in `last_error`. It waits: claimed again once its person has an address
    (`_ADDRESSED`) and its lease has run out. (One to a disabled account is not claimed at
    all: `_sendable`, `withhold_disabled`.)"""
    conn.execute(
        text(
            "UPDATE api_notices SET email = NULL, last_error = :why "
            "WHERE id = :id AND lease_owner = :owner AND sent_at IS NULL"
        ),
        {"why": why[:2000], "id": notice_id, "owner": owner},
    )


def mark_sent(conn: Connection, notice_id: int, owner: str, now: str) -> bool:
    """Record the sending, if this worker still holds the lease."""
    done = conn.execute(
        text(
            "UPDATE api_notices SET sent_at = :now, attempts = attempts + 1 "
            "WHERE id = :id AND lease_owner = :owner AND sent_at IS NULL"
        ),
        {"now": now, "id": notice_id, "owner": owner},
    )
    return bool(done.rowcount)


def release(conn: Connection, notice_ids: Iterable[int], owner: str) -> None:
    """Give back this worker's leases of notices it did not send (the mail server refused
    the connection): the next pass of any worker takes them at once, not after the lease
    (issue 19 re-attack: a re-run said "0 written, 0 sent, 0 not sent" and did nothing)."""
    wanted = sorted(set(notice_ids))
    if not wanted:
        return
    conn.execute(
        text(
            "UPDATE api_notices SET lease_owner = NULL, lease_until = NULL "
            "WHERE lease_owner = :owner AND sent_at IS NULL AND id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"owner": owner, "ids": wanted},
    )


def mark_failed(conn: Connection, notice_id: int, owner: str, error: str, retry_at: str) -> None:
    """A failed sending: tried again once the lease, moved to `retry_at`, runs out."""
    conn.execute(
        text(
            "UPDATE api_notices SET attempts = attempts + 1, last_error = :error, "
            "lease_until = :retry WHERE id = :id AND lease_owner = :owner AND sent_at IS NULL"
        ),
        {"error": error[:2000], "retry": retry_at, "id": notice_id, "owner": owner},
    )


def acknowledge(conn: Connection, notice_id: int, person: str, now: str) -> dict[str, Any] | None:
    """`person` has read notice `notice_id`; the first acknowledgement stands. None for a
    notice that does not exist."""
    conn.execute(
        text(
            "UPDATE api_notices SET acknowledged_at = :now, acknowledged_by = :person "
            "WHERE id = :id AND acknowledged_at IS NULL"
        ),
        {"now": now, "person": person, "id": notice_id},
    )
    found = listed(conn, "id = :id", {"id": notice_id})
    return found[0] if found else None


_COLUMNS = (
    "id, item, rule, due_at, kind, level, person, place, email, created_at, attempts, "
    "last_error, sent_at, acknowledged_at, acknowledged_by"
)


def unsent(conn: Connection) -> tuple[int, int]:
    """How many notices are not sent: (with an e-mail address now, without one)."""
    row = conn.execute(
        text(
            f"SELECT COUNT(*) FILTER (WHERE {_ADDRESSED}), "  # noqa: S608
            f"COUNT(*) FILTER (WHERE NOT {_ADDRESSED}) FROM api_notices WHERE sent_at IS NULL"
        )
    ).one()
    return int(row[0]), int(row[1])


def listed(
    conn: Connection, where: str = "1 = 1", params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Notices as dicts (columns by name), newest first."""
    rows = conn.execute(
        text(f"SELECT {_COLUMNS} FROM api_notices WHERE {where} ORDER BY id DESC"),  # noqa: S608
        params or {},
    )
    return [dict(row) for row in rows.mappings()]


def of_deadlines(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The notices of these deadlines (item, rule), oldest first."""
    wanted = set(keys)
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if not wanted:
        return found
    for row in reversed(listed(conn)):
        key = (row["item"], row["rule"])
        if key in wanted:
            found.setdefault(key, []).append(row)
    return found


# An address mail servers take (RFC 5321 §4.5.3.1: 64-octet local part, 254 in all): ASCII,
# a dot-atom local part, a domain of LDH labels and a letters-only top label. No quotes,
# comments, spaces or line breaks: it goes into a To header as it is.
EMAIL_MOST = 254
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"(?=[^@]{{1,64}}@){_LOCAL}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")


def check_email(email: str) -> str:
    """`email` if it is an address notices can go to (at most 254 characters, the grammar
    above, and read back whole by email.utils.parseaddr); ValueError saying why otherwise."""
    if len(email) > EMAIL_MOST:
        raise ValueError(f"an e-mail address is at most {EMAIL_MOST} characters")
    if not _EMAIL.fullmatch(email) or parseaddr(email) != ("", email):
        raise ValueError(f"{email!r} is not an e-mail address (name@example.kz)")
    return email


def set_contact(conn: Connection, username: str, email: str, now: str) -> None:
    conn.execute(text("DELETE FROM api_contacts WHERE username = :u"), {"u": username})
    conn.execute(
        text("INSERT INTO api_contacts (username, email, updated_at) VALUES (:u, :e, :t)"),
        {"u": username, "e": email, "t": now},
    )
