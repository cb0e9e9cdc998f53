"""A device token issued on the administrator's page, kept until the page after the issuing
form shows it, once (post/redirect/get): reloading that page, or going back to it, issues
nothing and shows the token no more. The token never goes into an address, a history or a log.

Table web_issued_tokens holds one row per browser session, keyed by a hash of the session's
token (the HttpOnly cookie, api.web.sessions), with the device token and its record sealed
(XSalsa20-Poly1305, PyNaCl's SecretBox) under a key derived from that same session token,
which the service never stores: the database alone does not give the token. Reading the row
deletes it in the same transaction, so that it is shown once whichever server process
answers. A row nobody came to read lasts LIFETIME.

    keep(conn, session_token, token, device, now)
    take(conn, session_token, now)   # (token, device) once, then None
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox
from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from api.tables import IssuedTokenRow
from custody.clock import format_time, parse_time
from workflows.model import Device

_TABLE = IssuedTokenRow.__table__  # type: ignore[attr-defined]
LIFETIME = dt.timedelta(minutes=10)
# Domain separation: the row's name and the sealing key are two different hashes of the
# session's token, neither of which is its CSRF token (api.web.sessions) shown in forms.
_ROW = b"custody/web-issued-token/row/v1\x00"
_KEY = b"custody/web-issued-token/key/v1\x00"


def _row(session_token: str) -> str:
    return hashlib.sha256(_ROW + session_token.encode()).hexdigest()


def _box(session_token: str) -> SecretBox:
    return SecretBox(hashlib.sha256(_KEY + session_token.encode()).digest())


def keep(
    conn: Connection, session_token: str, token: str, device: Device, now: dt.datetime
) -> None:
    """Keep `token` and its `device` record for the session of `session_token` (the cookie's
    value), replacing what it kept before; rows older than LIFETIME go."""
    plain = json.dumps({"token": token, "device": device.to_json()}).encode()
    sealed = _box(session_token).encrypt(plain).hex()
    row = _row(session_token)
    conn.execute(delete(_TABLE).where(_TABLE.c.issued_at < format_time(now - LIFETIME)))
    conn.execute(delete(_TABLE).where(_TABLE.c.session == row))
    conn.execute(_TABLE.insert().values(session=row, sealed=sealed, issued_at=format_time(now)))


def take(conn: Connection, session_token: str, now: dt.datetime) -> tuple[str, Device] | None:
    """The token and device record kept for this session, deleted as they are read: None
    when there is none (shown already, never issued, another session's) or it is older than
    LIFETIME."""
    row = _row(session_token)
    found = conn.execute(select(_TABLE).where(_TABLE.c.session == row)).first()
    if found is None:
        return None
    conn.execute(delete(_TABLE).where(_TABLE.c.session == row))
    if parse_time(found.issued_at) < now - LIFETIME:
        return None
    try:
        plain = json.loads(_box(session_token).decrypt(bytes.fromhex(found.sealed)))
    except (CryptoError, ValueError):
        return None
    return plain["token"], Device.from_json(plain["device"])
