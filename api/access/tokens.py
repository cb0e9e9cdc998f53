"""Bearer tokens: random, kept only as their SHA-256, short-lived for a login and lasting for
a device (a barcode scanner, a script), bound to one account and its role, and revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, update
from sqlalchemy.engine import Connection

from api.tables import TokenRow
from custody.clock import format_time

LOGIN, DEVICE = "login", "device"
_TOKENS = TokenRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Principal:
    """Who a request comes from."""

    username: str
    role: str
    kind: str  # login | device
    token_hash: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    conn: Connection,
    username: str,
    role: str,
    kind: str,
    now: dt.datetime,
    lifetime: dt.timedelta | None,
    label: str | None = None,
) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(
        _TOKENS.insert().values(
            token_hash=digest(token),
            username=username,
            role=role,
            kind=kind,
            label=label,
            created_at=format_time(now),
            expires_at=format_time(now + lifetime) if lifetime is not None else None,
            revoked_at=None,
        )
    )
    return token


# Plain SQL on the driver: this runs on every request, and building the statement through
# SQLAlchemy cost more than the lookup itself (bench/api.py).
_RESOLVE = (
    "SELECT t.username, t.role, t.kind, t.expires_at FROM api_tokens t "
    "JOIN api_users u ON u.username = t.username "
    "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = ? AND u.role = t.role"
)


def resolve(conn: Connection, token_hash: str, now: str) -> tuple[Principal, str | None] | None:
    """The principal of a token that is known, unexpired, unrevoked, of an enabled account
    whose role has not changed since it was issued, with its expiry; None otherwise."""
    postgres = conn.dialect.name == "postgresql"
    sql = _RESOLVE.replace("?", "%s") if postgres else _RESOLVE
    raw = conn.connection.driver_connection
    row = raw.execute(sql, (token_hash, False)).fetchone()  # type: ignore[union-attr]
    if row is None:
        return None
    username, role, kind, expires_at = row
    if expires_at is not None and expires_at <= now:
        return None
    return Principal(username, role, kind, token_hash), expires_at


def revoke(conn: Connection, token_hash: str, now: dt.datetime) -> None:
    conn.execute(
        update(_TOKENS)
        .where(and_(_TOKENS.c.token_hash == token_hash, _TOKENS.c.revoked_at.is_(None)))
        .values(revoked_at=format_time(now))
    )


def revoke_all(conn: Connection, username: str, now: dt.datetime) -> int:
    result = conn.execute(
        update(_TOKENS)
        .where(and_(_TOKENS.c.username == username, _TOKENS.c.revoked_at.is_(None)))
        .values(revoked_at=format_time(now))
    )
    return int(result.rowcount)
