"""Bearer tokens: random, kept only as their SHA-256. A login's is short-lived and acts with
the account's roles and places as the ledger says them now; a device's (a barcode scanner, a
script) is issued by an administrator, bound to one account, one of its roles and one of its
places, until it expires (its id, not the token, is in the ledger: workflows.accounts)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import orjson
from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection

from api.tables import TokenRow
from custody.clock import format_time, parse_time

LOGIN, DEVICE = "login", "device"
_TOKENS = TokenRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Principal:
    """Who a request comes from: the roles and places it acts with (a device token's one
    role and place, or the account's), and the device token's id in the ledger."""

    username: str
    roles: tuple[str, ...]
    places: tuple[str, ...]
    kind: str  # login | device
    token_hash: str
    device: str | None = None

    @property
    def role(self) -> str:
        """The role shown for it: a device's, or the account's first."""
        return self.roles[0] if self.roles else ""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    conn: Connection,
    username: str,
    kind: str,
    now: dt.datetime,
    expires_at: str,
    *,
    role: str = "",
    place: str | None = None,
    device: str | None = None,
    label: str | None = None,
) -> str:
    """A new token, of `kind` (login, or device with its role, place and ledger id)."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        _TOKENS.insert().values(
            token_hash=digest(token),
            username=username,
            role=role,
            kind=kind,
            label=label,
            created_at=format_time(now),
            expires_at=expires_at,
            revoked_at=None,
            device=device,
            place=place,
        )
    )
    return token


def new_device_id() -> str:
    """A device token's id in the ledger: random, so that it says nothing of the token."""
    return f"DEV-{secrets.token_hex(8).upper()}"


# Plain SQL on the driver: this runs on every request, and building the statement through
# SQLAlchemy cost more than the lookup itself (bench/api.py).
_RESOLVE = (
    "SELECT t.username, t.role, t.kind, t.expires_at, t.device, t.place, a.data "
    "FROM api_tokens t JOIN wf_accounts a ON a.id = t.username "
    "WHERE t.token_hash = ? AND t.revoked_at IS NULL"
)


def resolve(conn: Connection, token_hash: str, now: str) -> tuple[Principal, str | None] | None:
    """The principal of a token that is known, unexpired, unrevoked, of an account the
    ledger has enabled; a device token's only while its account still holds its role and
    place. With its expiry; None otherwise."""
    postgres = conn.dialect.name == "postgresql"
    sql = _RESOLVE.replace("?", "%s") if postgres else _RESOLVE
    raw = conn.connection.driver_connection
    row = raw.execute(sql, (token_hash,)).fetchone()  # type: ignore[union-attr]
    if row is None:
        return None
    username, role, kind, expires_at, device, place, data = row
    account = orjson.loads(data)
    if (expires_at is not None and expires_at <= now) or account["disabled"]:
        return None
    roles, places = tuple(account["roles"]), tuple(account["places"])
    if kind == DEVICE:
        if role not in roles or (place is not None and place not in places):
            return None
        roles, places = (role,), ((place,) if place is not None else ())
    return Principal(username, roles, places, kind, token_hash, device), expires_at


def devices(conn: Connection) -> dict[str, dict[str, str | None]]:
    """Every device token the service holds, by its ledger id: account, role, place, expiry,
    and when it was revoked."""
    query = select(
        _TOKENS.c.device,
        _TOKENS.c.username,
        _TOKENS.c.role,
        _TOKENS.c.place,
        _TOKENS.c.expires_at,
        _TOKENS.c.revoked_at,
    ).where(_TOKENS.c.kind == DEVICE)
    return {
        row.device: {
            "account": row.username,
            "role": row.role,
            "place": row.place,
            "expires_at": row.expires_at,
            "revoked_at": row.revoked_at,
        }
        for row in conn.execute(query)
    }


def renew(
    conn: Connection, token_hash: str, now: dt.datetime, seconds: int, cap_seconds: int
) -> str | None:
    """A login token in use lives `seconds` more from `now`, but never past `cap_seconds`
    after it was issued (sliding expiry with an absolute cap). Returns the new expiry
    (RFC 3339 UTC), or None for a token revoked, expired, a device's, or at its cap."""
    row = conn.execute(
        select(_TOKENS.c.created_at, _TOKENS.c.expires_at).where(
            and_(
                _TOKENS.c.token_hash == token_hash,
                _TOKENS.c.kind == LOGIN,
                _TOKENS.c.revoked_at.is_(None),
            )
        )
    ).first()
    if row is None or row.expires_at is None or row.expires_at <= format_time(now):
        return None
    cap = parse_time(row.created_at) + dt.timedelta(seconds=cap_seconds)
    until = format_time(min(now + dt.timedelta(seconds=seconds), cap))
    if until <= row.expires_at:
        return None
    conn.execute(update(_TOKENS).where(_TOKENS.c.token_hash == token_hash).values(expires_at=until))
    return until


def revoke(conn: Connection, token_hash: str, now: dt.datetime) -> None:
    conn.execute(
        update(_TOKENS)
        .where(and_(_TOKENS.c.token_hash == token_hash, _TOKENS.c.revoked_at.is_(None)))
        .values(revoked_at=format_time(now))
    )


def revoke_device(conn: Connection, device: str, now: dt.datetime) -> None:
    conn.execute(
        update(_TOKENS)
        .where(and_(_TOKENS.c.device == device, _TOKENS.c.revoked_at.is_(None)))
        .values(revoked_at=format_time(now))
    )


def revoke_logins(conn: Connection, username: str, now: dt.datetime) -> int:
    """Revoke the account's login tokens (a new password: whoever had the old is out)."""
    result = conn.execute(
        update(_TOKENS)
        .where(
            and_(
                _TOKENS.c.username == username,
                _TOKENS.c.kind == LOGIN,
                _TOKENS.c.revoked_at.is_(None),
            )
        )
        .values(revoked_at=format_time(now))
    )
    return int(result.rowcount)


def revoke_all(conn: Connection, username: str, now: dt.datetime) -> int:
    result = conn.execute(
        update(_TOKENS)
        .where(and_(_TOKENS.c.username == username, _TOKENS.c.revoked_at.is_(None)))
        .values(revoked_at=format_time(now))
    )
    return int(result.rowcount)
