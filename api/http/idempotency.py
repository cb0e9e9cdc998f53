"""Idempotency-Key: the first answer to a write is kept, in the write's own transaction, and a
retry with the same key gets it back without writing anything again, across restarts and
across servers of one database. The key is the client's, scoped to the account; sent again
with a different request it is refused rather than guessed at. A JSON body is compared by its
canonical form (RFC 8785), not its bytes: the same object with its keys in another order is
the same request."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import orjson
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from api.errors import IdempotencyConflict, MalformedIdempotencyKey
from api.tables import IdempotentRow
from custody import canonical
from custody.errors import EncodingError

_ROWS = IdempotentRow.__table__  # type: ignore[attr-defined]
MAX_KEY = 256


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def canonical_body(body: bytes) -> bytes:
    """What a retry is compared by: a JSON body's RFC 8785 form (custody.canonical), so the
    same JSON with its keys in another order or other whitespace is the same request (b12);
    any other body (not JSON, or a value JCS cannot carry) as its bytes. Tagged, so the two
    never meet."""
    try:
        return b"jcs:" + canonical.dumps(orjson.loads(body))
    except (orjson.JSONDecodeError, EncodingError):
        return b"raw:" + body


def fingerprint(method: str, path: str, body: bytes, key: bytes = b"") -> str:
    """HMAC-SHA-256 under `key` (api.service_secret.fingerprint_key) of the request's method,
    path and body (`canonical_body`), each length-prefixed: kept to tell a retry from another
    request under one Idempotency-Key, never to be tested against guesses of what a body
    held."""
    digest = hmac.new(key, digestmod=hashlib.sha256)
    for part in (method.encode(), path.encode(), canonical_body(body)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def check_key(key: str) -> str:
    """The key as sent, or MalformedIdempotencyKey: 1-MAX_KEY printable ASCII characters
    (RFC 9110 section 5.5: a field value's other bytes are obs-text; Starlette reads them as
    Latin-1, so the bytes 0xFF 0xFE would pass as `ÿþ`, issue 12)."""
    if not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
        raise MalformedIdempotencyKey(
            f"an Idempotency-Key is 1-{MAX_KEY} printable characters of ASCII"
        )
    return key


def recall(conn: Connection, username: str, key: str, print_: str) -> Answer | None:
    row = conn.execute(
        select(_ROWS.c.fingerprint, _ROWS.c.status, _ROWS.c.body).where(
            and_(_ROWS.c.username == username, _ROWS.c.key == key)
        )
    ).first()
    if row is None:
        return None
    if row[0] != print_:
        raise IdempotencyConflict(
            f"the Idempotency-Key {key!r} came with another request before; use a new key"
        )
    return Answer(int(row[1]), str(row[2]))


def keep(
    conn: Connection,
    username: str,
    key: str,
    print_: str,
    answer: Answer,
    now: str,
    last_seq: int | None,
) -> None:
    conn.execute(
        _ROWS.insert().values(
            username=username,
            key=key,
            fingerprint=print_,
            status=answer.status,
            body=answer.body,
            created_at=now,
            last_seq=last_seq,
        )
    )
