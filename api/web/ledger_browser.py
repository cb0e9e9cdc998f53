"""The auditor's ledger browser: entries with their decoded bodies, filtered by kind, subject
(the entry's `item`: an item, transfer, batch, place, account...), actor and a time range,
a page at a time by seq (keyset paging: the next page starts after the last seq shown, so
a page is the same however the log grows behind it).

Only `subject` is indexed (ledger_entries.item); kind and actor are read from the bodies, so
a page scans forward from its cursor in chunks and stops when it is full or has read
`SCAN_LIMIT` entries: then the page says where it stopped, and the next one goes on from
there. Times never go back along seq (custody.ledger writes each entry's time no earlier than
the one before), so a time range is found by bisection, and the scan ends at its end. Plain
functions over a connection, apart from the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from custody import canonical
from custody.entries import decode, time_of
from custody.errors import MalformedEntryError

PAGE = 50
CHUNK = 500
SCAN_LIMIT = 20_000  # entries read for one page at most: a page answers in well under 1 s


@dataclass(frozen=True)
class Filters:
    """What the auditor asked for; empty strings ask for nothing. `since` and `until` are
    RFC 3339 UTC times (`until` excluded), compared as the ledger writes them."""

    kind: str = ""
    subject: str = ""
    actor: str = ""
    since: str = ""
    until: str = ""

    def holds(self, kind: str, actor: str, time: str) -> bool:
        return (
            (not self.kind or kind == self.kind)
            and (not self.actor or actor == self.actor)
            and (not self.since or time >= self.since)
            and (not self.until or time < self.until)
        )


@dataclass(frozen=True)
class Shown:
    """One entry as the browser shows it: its fields and the body decoded."""

    seq: int
    time: str
    kind: str
    actor: str
    subject: str | None
    data: dict[str, Any]
    leaf_hash: str
    key_id: str


@dataclass(frozen=True)
class Page:
    entries: list[Shown] = field(default_factory=list)
    next_after: int | None = None  # the seq to pass as `after` for the next page
    scanned_to: int | None = None  # the last seq read, when the scan stopped short of a full page


def _rows(conn: Connection, filters: Filters, after: int, limit: int) -> list[Any]:
    # Keyset: seq > after, in seq order; a subject goes through the (item, seq) index.
    if filters.subject:
        query = (
            "SELECT seq, body, leaf_hash, key_id, item FROM ledger_entries "
            "WHERE item = :subject AND seq > :after ORDER BY seq LIMIT :limit"
        )
        params = {"subject": filters.subject, "after": after, "limit": limit}
    else:
        query = (
            "SELECT seq, body, leaf_hash, key_id, item FROM ledger_entries "
            "WHERE seq > :after ORDER BY seq LIMIT :limit"
        )
        params = {"after": after, "limit": limit}
    return list(conn.execute(text(query), params))


def _time_at(conn: Connection, seq: int) -> str:
    row = conn.execute(text("SELECT body FROM ledger_entries WHERE seq = :seq"), {"seq": seq})
    return time_of(bytes(row.scalar_one()))


def first_at(conn: Connection, since: str) -> int:
    """The first seq whose time is at or after `since` (the size when none is): a bisection
    over seq, as times never go back along it; about log2(size) reads of one body."""
    last = conn.execute(text("SELECT max(seq) FROM ledger_entries")).scalar()
    low, high = 0, (int(last) + 1 if last is not None else 0)
    while low < high:
        middle = (low + high) // 2
        try:
            earlier = _time_at(conn, middle) < since
        except (ValueError, KeyError, TypeError):
            return 0  # a body without a time: read from the start, as if unsorted
        if earlier:
            low = middle + 1
        else:
            high = middle
    return low


MALFORMED = "(malformed)"


def _malformed(
    seq: int, item: str | None, raw: bytes, exc: Exception, leaf: str, key_id: str
) -> Shown:
    """A stored body that is not an entry: its bytes as text, and why it is refused."""
    text_of = raw[:2000].decode("utf-8", errors="replace")
    return Shown(seq, "", MALFORMED, "", item, {"error": str(exc), "bytes": text_of}, leaf, key_id)


def _needles(filters: Filters) -> list[tuple[bytes, int | None]]:
    """What a stored body must hold, as bytes, to hold the filters' kind and actor, and how
    far into it to look: a body is RFC 8785 JSON, its keys sorted, so it starts with
    `{"actor":<actor>,` and has `"kind":<kind>` in it (maybe also inside `data`, so a body
    that has it is still decoded and checked). Most bodies of a rare kind or actor are passed
    over without decoding them."""
    found: list[tuple[bytes, int | None]] = []
    if filters.actor:
        prefix = b'{"actor":' + canonical.dumps(filters.actor) + b","
        found.append((prefix, len(prefix)))
    if filters.kind:
        found.append((b'"kind":' + canonical.dumps(filters.kind), None))
    return found


def browse(
    conn: Connection, filters: Filters, after: int = -1, size: int = PAGE, scan: int = SCAN_LIMIT
) -> Page:
    """Up to `size` entries with seq > `after` that hold `filters`, in seq order.

    Returns the page and the cursor of the next (None at the end of the log). Reads at most
    `scan` entries; a page cut short by that carries `scanned_to`."""
    found: list[Shown] = []
    read = 0
    cursor = after
    if filters.since:
        cursor = max(cursor, first_at(conn, filters.since) - 1)
    needles = _needles(filters)
    while read < scan:
        rows = _rows(conn, filters, cursor, min(CHUNK, scan - read))
        if not rows:
            return Page(found, None, None)
        for seq, raw, leaf, key_id, item in rows:
            read += 1
            cursor = int(seq)
            raw = bytes(raw)
            if not all(raw.find(needle, 0, end) >= 0 for needle, end in needles):
                continue  # cannot hold: not worth decoding
            try:
                body = decode(raw)
            except MalformedEntryError as exc:
                # Shown, not hidden nor a crash: what `custody verify` will fail on.
                found.append(_malformed(cursor, item, raw, exc, bytes(leaf).hex(), key_id))
            else:
                if filters.until and body.time >= filters.until:
                    return Page(found, None, None)  # no later entry is earlier
                if not filters.holds(body.kind, body.actor, body.time):
                    continue
                found.append(
                    Shown(
                        cursor,
                        body.time,
                        body.kind,
                        body.actor,
                        item,
                        body.data,
                        bytes(leaf).hex(),
                        key_id,
                    )
                )
            if len(found) == size:
                return Page(found, cursor, None)
    return Page(found, cursor, cursor)
