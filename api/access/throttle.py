"""Failed logins, throttled in the database so that every server of one database counts the
same, and so that counting and admitting an attempt are one step.

An attempt is first admitted: in one write transaction that locks its account's (and, from an
unknown address, its address's) row in `api_login_locks`, the attempts are counted and the
new one is written as `checking`, which counts as a failure until its password has been
checked. Thirty guesses sent at once therefore meet the count of those before them, on SQLite
(BEGIN IMMEDIATE) and on PostgreSQL (the row locks) alike; no two are admitted on one count.
The attempt is then settled as `failure` or `success`. Nothing is ever deleted: the counters
are counts since the last success of their scope within the window, so a success resets them
by time, and the records stay for audit.

Three counters (scopes), so that a stranger cannot keep a member out:

    known     attempts from a device that has logged in to this account before
              (CUSTODY_LOGIN_KNOWN_DAYS): the member's own budget, which nobody else's
              failures touch; limit CUSTODY_LOGIN_FAILURES_PER_ACCOUNT. A device is known by
              the `custody_device` cookie given at its first success (only its SHA-256 is
              kept), so a stranger behind the member's own address (one NAT for a whole
              building) does not share it; a client that sends no cookie is known by its
              address, as before.
    account   attempts on the account from any other address; same limit
    address   attempts from an unknown address on any account; CUSTODY_LOGIN_FAILURES_PER_ADDRESS

At the limit a scope is not locked for good: each further attempt waits a delay that doubles
with every failure beyond the limit, from CUSTODY_LOGIN_DELAY_SECONDS up to the window. The
attempt that reaches a limit writes an alert that administrators list (`GET /auth/alerts`,
`custody user alerts`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from api.config import ApiConfig
from api.tables import LoginAlertRow, LoginAttemptRow, LoginLockRow
from custody.clock import format_time, parse_time

_ATTEMPTS = LoginAttemptRow.__table__  # type: ignore[attr-defined]
_LOCKS = LoginLockRow.__table__  # type: ignore[attr-defined]
_ALERTS = LoginAlertRow.__table__  # type: ignore[attr-defined]

CHECKING, FAILURE, SUCCESS, REFUSED = "checking", "failure", "success", "refused"
KNOWN, ACCOUNT, ADDRESS = "known", "account", "address"
DEVICE_COOKIE = "custody_device"
DEVICE_COOKIE_CHARS = 43


# -- the rule, as plain data and functions ----------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """The failures (settled or being checked) of one scope since its last reset."""

    scope: str
    failures: int
    last: dt.datetime | None


def wait_seconds(tally: Tally, limit: int, now: dt.datetime, config: ApiConfig) -> float:
    """How long an attempt in this scope must still wait: 0 below the limit; at and beyond
    it, delay × 2^(failures − limit) after the last failure, at most the window."""
    if tally.failures < limit or tally.last is None:
        return 0.0
    window = config.login_window_minutes * 60.0
    delay = min(window, config.login_delay_seconds * 2.0 ** (tally.failures - limit))
    return max(0.0, (tally.last - now).total_seconds() + delay)


def limit_of(scope: str, config: ApiConfig) -> int:
    if scope == ADDRESS:
        return config.login_failures_per_address
    return config.login_failures_per_account


@dataclass(frozen=True)
class Admission:
    """An attempt admitted (`retry_after` 0, its password may be checked) or refused."""

    attempt: int
    username: str
    address: str
    known: bool
    retry_after: int
    device: str | None = None  # SHA-256 hex of the device cookie, if one was sent


# -- in the database --------------------------------------------------------------------------


def admit(
    conn: Connection,
    username: str,
    address: str,
    now: dt.datetime,
    config: ApiConfig,
    device: str | None = None,
) -> Admission:
    """Count and record an attempt in one step (call inside a write transaction): refused
    and recorded as `refused` when a scope it falls under must still wait. `device`: the
    SHA-256 hex of the login device's cookie (`device_digest`), or None."""
    known = _lock_and_know(conn, username, address, device, now, config)
    tallies = _tallies(conn, username, address, device, known, now, config)
    wait = max(wait_seconds(t, limit_of(t.scope, config), now, config) for t in tallies)
    outcome = REFUSED if wait > 0 else CHECKING
    attempt = conn.execute(
        _ATTEMPTS.insert()
        .values(
            username=username,
            address=address,
            device=device,
            at=format_time(now),
            known=known,
            outcome=outcome,
        )
        .returning(_ATTEMPTS.c.id)
    ).scalar_one()
    retry = math.ceil(wait) if wait else 0
    return Admission(int(attempt), username, address, known, retry, device)


def settle(
    conn: Connection,
    admission: Admission,
    ok: bool,
    now: dt.datetime,
    config: ApiConfig,
    given_device: str | None = None,
) -> None:
    """The checked attempt's outcome; a failure that brings a scope to its limit writes an
    alert for the administrators. Never deletes: a success resets the counts by time.
    `given_device`: the digest of a device cookie given with this success (the device is
    known from now on)."""
    _lock(conn, admission.username, admission.address, admission.known)
    values: dict[str, Any] = {"outcome": SUCCESS if ok else FAILURE}
    if ok and given_device is not None:
        values["device"] = given_device
    conn.execute(update(_ATTEMPTS).where(_ATTEMPTS.c.id == admission.attempt).values(**values))
    if ok:
        return
    a = admission
    for tally in _tallies(
        conn, a.username, a.address, a.device, a.known, now, config, settled=True
    ):
        if tally.failures == limit_of(tally.scope, config):
            conn.execute(
                _ALERTS.insert().values(
                    at=format_time(now),
                    scope=tally.scope,
                    username=admission.username,
                    address=admission.address,
                    failures=tally.failures,
                )
            )


@dataclass(frozen=True)
class Alert:
    at: str
    scope: str
    username: str
    address: str
    failures: int

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "scope": self.scope,
            "username": self.username,
            "address": self.address,
            "failures": self.failures,
        }


def alerts(conn: Connection, limit: int = 100) -> list[Alert]:
    """The newest alerts first."""
    rows = conn.execute(
        select(
            _ALERTS.c.at, _ALERTS.c.scope, _ALERTS.c.username, _ALERTS.c.address, _ALERTS.c.failures
        )
        .order_by(_ALERTS.c.id.desc())
        .limit(limit)
    ).all()
    return [Alert(*row) for row in rows]


def _lock(conn: Connection, username: str, address: str, known: bool) -> None:
    """Lock the account's row, then (unknown addresses) the address's: always in this order,
    so two attempts never wait for each other in a circle."""
    keys = [f"account:{username}"] + ([] if known else [f"address:{address}"])
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for key in keys:
        statement = insert(_LOCKS).values(key=key, attempts=1)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[_LOCKS.c.key], set_={"attempts": _LOCKS.c.attempts + 1}
            )
        )


def _origin(username: str, address: str, device: str | None) -> Any:
    """Where an attempt comes from, as a condition on the attempts: its device if it sent
    one, otherwise its address."""
    a = _ATTEMPTS.c
    if device is not None:
        return and_(a.username == username, a.device == device)
    return and_(a.username == username, a.address == address)


def _lock_and_know(
    conn: Connection,
    username: str,
    address: str,
    device: str | None,
    now: dt.datetime,
    config: ApiConfig,
) -> bool:
    # Whether the origin is known changes only by a success on this account, which takes
    # the account's lock too: so it is read under that lock, and the address locked after.
    _lock(conn, username, address, known=True)
    since = format_time(now - dt.timedelta(days=config.login_known_days))
    known = conn.execute(
        select(_ATTEMPTS.c.id)
        .where(
            _origin(username, address, device),
            _ATTEMPTS.c.outcome == SUCCESS,
            _ATTEMPTS.c.at > since,
        )
        .limit(1)
    ).first()
    if known is None:
        _lock(conn, username, address, known=False)
    return known is not None


def _tallies(
    conn: Connection,
    username: str,
    address: str,
    device: str | None,
    known: bool,
    now: dt.datetime,
    config: ApiConfig,
    settled: bool = False,
) -> list[Tally]:
    since = format_time(now - dt.timedelta(minutes=config.login_window_minutes))
    counted = [FAILURE] if settled else [FAILURE, CHECKING]
    a = _ATTEMPTS.c
    if known:
        # without a cookie, only cookieless attempts: a browser's own budget stays its own
        origin = _origin(username, address, device)
        if device is None:
            origin = and_(origin, a.device.is_(None))
        scopes = {KNOWN: and_(origin, a.known)}
    else:
        scopes = {
            ACCOUNT: and_(a.username == username, ~a.known),
            ADDRESS: and_(a.address == address, ~a.known),
        }
    tallies = []
    for scope, where in scopes.items():
        # An account's counters start again after a success in the same scope; an address's
        # only by time, or one account of one's own would reset it for spraying the others.
        reset = since
        if scope != ADDRESS:
            last_success = conn.execute(
                select(func.max(a.at)).where(where, a.outcome == SUCCESS)
            ).scalar_one()
            reset = max(since, last_success or since)
        count, last = conn.execute(
            select(func.count(), func.max(a.at)).where(
                where, a.at > reset, or_(*(a.outcome == outcome for outcome in counted))
            )
        ).one()
        tallies.append(Tally(scope, int(count), parse_time(last) if last else None))
    return tallies


def device_digest(cookie: str | None) -> str | None:
    """The SHA-256 hex kept for a `custody_device` cookie's value (None without one, or for a
    value that no success of ours could have given: the cookie is 43 URL-safe characters)."""
    if cookie is None or len(cookie) != DEVICE_COOKIE_CHARS or not cookie.isascii():
        return None
    return hashlib.sha256(cookie.encode()).hexdigest()


def new_device_cookie() -> str:
    """A fresh `custody_device` value: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)
