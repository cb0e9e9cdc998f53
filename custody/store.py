"""The ledger's SQL, run on the DBAPI connection underneath the caller's SQLAlchemy transaction.

This is the hot path: one append is a handful of statements, and going through the ORM or
even SQLAlchemy Core costs more than the SHA-256 and the Ed25519 signature together (measured
in bench/). So the statements are plain SQL, written once with `?` placeholders, and they run
inside whatever transaction the caller opened: the state change and the entry commit together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from custody.acts import SignedAct
from custody.entries import Entry
from custody.errors import LedgerStateError
from custody.keys import KeyRecord
from custody.merkle import NodeId, StoredNode
from custody.rfc6962 import HASH_SIZE

_KEY_COLUMNS = (
    "key_id, owner, purpose, name, public_key, added_seq, valid_from_seq, "
    "rotated_at_seq, revoked_at_seq, replaced_by"
)
# SQLite refuses more than 32766 variables in one statement; stay far below.
_CHUNK = 500


@dataclass(frozen=True)
class Head:
    size: int
    peaks: list[bytes]
    last_leaf: bytes | None
    last_time: str | None
    origin: str | None
    ledger_key_id: str | None


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str
    key_id: str
    issued_at: str


def _split_peaks(blob: bytes) -> list[bytes]:
    return [bytes(blob[i : i + HASH_SIZE]) for i in range(0, len(blob), HASH_SIZE)]


def _bytes(value: Any) -> bytes:
    return bytes(value) if value is not None else b""


class Store:
    """Statements on one connection, in its current transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        driver = conn.connection.driver_connection
        if driver is None:
            raise LedgerStateError("the connection is closed")
        self.raw: Any = driver

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    def _one(self, text: str, params: Sequence[Any] = ()) -> Any:
        cursor = self.raw.execute(self._sql(text), params)
        return cursor.fetchone()

    def _all(self, text: str, params: Sequence[Any] = ()) -> list[Any]:
        cursor = self.raw.execute(self._sql(text), params)
        return list(cursor.fetchall())

    def _many(self, text: str, rows: Sequence[Sequence[Any]]) -> None:
        if len(rows) == 1:  # executemany's machinery costs more than one row
            self.raw.execute(self._sql(text), rows[0])
        elif rows:
            self.raw.cursor().executemany(self._sql(text), rows)

    # -- the head ---------------------------------------------------------------------------

    def head(self) -> Head:
        return self.head_for_append(None)[0]

    def head_for_append(self, item: str | None) -> tuple[Head, bytes | None]:
        """The head, locked on PostgreSQL (SQLite's BEGIN IMMEDIATE holds the lock already),
        and the last leaf of `item`, in one statement: one round trip less inside the lock."""
        lock = " FOR UPDATE OF h" if self.postgres else ""
        row = self._one(
            "SELECT h.size, h.peaks, h.last_leaf, h.last_time, h.origin, h.ledger_key_id, "
            "(SELECT e.leaf_hash FROM ledger_entries e WHERE e.item = ? "
            "ORDER BY e.seq DESC LIMIT 1) "
            f"FROM ledger_head h WHERE h.id = 1{lock}",
            (item,),
        )
        if row is None:
            raise LedgerStateError("no ledger here: run `custody init`")
        size, peaks, last_leaf, last_time, origin, key_id, item_leaf = row
        head = Head(
            size=int(size),
            peaks=_split_peaks(_bytes(peaks)),
            last_leaf=bytes(last_leaf) if last_leaf is not None else None,
            last_time=last_time,
            origin=origin,
            ledger_key_id=key_id,
        )
        return head, bytes(item_leaf) if item_leaf is not None else None

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """On PostgreSQL, send the statements inside without waiting for each answer."""
        if self.postgres:
            with self.raw.pipeline():
                yield
        else:
            yield

    def update_head(self, head: Head) -> None:
        self.raw.execute(
            self._sql(
                "UPDATE ledger_head SET size = ?, peaks = ?, last_leaf = ?, last_time = ?, "
                "origin = ?, ledger_key_id = ? WHERE id = 1"
            ),
            (
                head.size,
                b"".join(head.peaks),
                head.last_leaf,
                head.last_time,
                head.origin,
                head.ledger_key_id,
            ),
        )

    # -- entries ----------------------------------------------------------------------------

    def insert_entries(self, entries: Sequence[tuple[Entry, str | None, str]]) -> None:
        """Each (entry, its body's item, its body's kind): the two columns repeat the body."""
        self._many(
            "INSERT INTO ledger_entries (seq, body, leaf_hash, sig, key_id, item, kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (e.seq, e.body, e.leaf_hash, e.sig, e.key_id, item, kind)
                for e, item, kind in entries
            ],
        )

    def insert_nodes(self, nodes: Sequence[StoredNode]) -> None:
        self._many(
            "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)",
            [(n.level, n.idx, n.hash) for n in nodes],
        )

    def last_leaves(self, items: Iterable[str]) -> dict[str, bytes]:
        """The leaf hash of the newest entry of each item (for the `item_prev` links)."""
        wanted = list(dict.fromkeys(items))
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self._all(
                "SELECT item, leaf_hash FROM ledger_entries WHERE seq IN ("
                f"SELECT MAX(seq) FROM ledger_entries WHERE item IN ({marks}) GROUP BY item)",
                chunk,
            )
            found.update({item: bytes(leaf) for item, leaf in rows})
        return found

    def entries(self, start: int, stop: int) -> list[Entry]:
        rows = self._all(
            "SELECT seq, body, leaf_hash, sig, key_id FROM ledger_entries "
            "WHERE seq >= ? AND seq < ? ORDER BY seq",
            (start, stop),
        )
        return [Entry(int(s), bytes(b), bytes(h), bytes(g), k) for s, b, h, g, k in rows]

    def leaves(self, start: int, stop: int) -> list[tuple[int, bytes]]:
        """(seq, leaf hash) of the entries in [start, stop): the public face, without bodies."""
        rows = self._all(
            "SELECT seq, leaf_hash FROM ledger_entries WHERE seq >= ? AND seq < ? ORDER BY seq",
            (start, stop),
        )
        return [(int(seq), bytes(leaf)) for seq, leaf in rows]

    def rows_for_verify(
        self, start: int, stop: int
    ) -> list[tuple[int, bytes, bytes, bytes, str, str | None, str | None]]:
        # Rows as the driver gives them (int, bytes, str on both SQLite and PostgreSQL):
        # rebuilding a million tuples would cost the audit a second.
        return self._all(
            "SELECT seq, body, leaf_hash, sig, key_id, item, kind FROM ledger_entries "
            "WHERE seq >= ? AND seq < ? ORDER BY seq",
            (start, stop),
        )

    def bodies(self, start: int, stop: int) -> list[tuple[bytes]]:
        """Only the bodies, as the driver gives them: a fold over the entries (the reports)
        reads a million of them, and the other columns would treble the read."""
        return self._all(
            "SELECT body FROM ledger_entries WHERE seq >= ? AND seq < ? ORDER BY seq",
            (start, stop),
        )

    def bodies_of_kinds(self, kinds: Sequence[str], start: int, stop: int) -> list[Any]:
        """(kind, body) of the entries in [start, stop) whose kind is one of `kinds`, in seq
        order, as the driver gives them: a fold that needs a few kinds (the deadlines) reads
        and parses only those. The kind is the column, which step 4 of verify checks
        against the body.

        On SQLite the rows are read along the table (`+kind` keeps the planner off the kind
        index, which it would take without statistics and then sort): a range of seq is one
        stretch of the table, and the deadlines' kinds are most of it (bench/deadlines.py).
        PostgreSQL chooses by its statistics."""
        marks = ", ".join("?" * len(kinds))
        column = "kind" if self.postgres else "+kind"
        return self._all(
            f"SELECT kind, body FROM ledger_entries WHERE seq >= ? AND seq < ? "
            f"AND {column} IN ({marks}) ORDER BY seq",
            (start, stop, *kinds),
        )

    def head_size(self) -> int:
        """The head's size, read without the lock `head` takes on PostgreSQL: for a reader
        (the replay of `custody verify`) that must not wait for, nor hold up, appends."""
        return int(self._one("SELECT size FROM ledger_head WHERE id = 1")[0])

    def extent(self) -> tuple[int, int]:
        """How many entry rows there are, and one past the highest seq."""
        count, top = self._one("SELECT COUNT(*), MAX(seq) FROM ledger_entries")
        return int(count), (int(top) + 1 if top is not None else 0)

    def all_nodes(self) -> Iterator[tuple[int, int, bytes]]:
        cursor = self.raw.execute("SELECT level, idx, hash FROM merkle_nodes ORDER BY level, idx")
        while rows := cursor.fetchmany(10_000):
            for level, index, value in rows:
                yield int(level), int(index), bytes(value)

    def acts(self) -> dict[bytes, int]:
        return {bytes(d): int(s) for d, s in self._all("SELECT digest, seq FROM ledger_acts")}

    def item_entries(self, item: str) -> list[Entry]:
        rows = self._all(
            "SELECT seq, body, leaf_hash, sig, key_id FROM ledger_entries "
            "WHERE item = ? ORDER BY seq",
            (item,),
        )
        return [Entry(int(s), bytes(b), bytes(h), bytes(g), k) for s, b, h, g, k in rows]

    def newest_seq(self, items: Sequence[str]) -> int | None:
        """The seq of the newest entry about any of `items` (by the item index)."""
        if not items:
            return None
        marks = ", ".join("?" * len(items))
        row = self._one(f"SELECT MAX(seq) FROM ledger_entries WHERE item IN ({marks})", items)
        return None if row is None or row[0] is None else int(row[0])

    # -- the Merkle tree --------------------------------------------------------------------

    def nodes(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        """Fetch perfect subtree hashes in two statements: leaves and interior nodes."""
        leaves = [index for level, index in ids if level == 0]
        interior = [(level, index) for level, index in ids if level > 0]
        found: dict[NodeId, bytes] = {}
        if leaves:
            marks = ", ".join("?" * len(leaves))
            for seq, leaf in self._all(
                f"SELECT seq, leaf_hash FROM ledger_entries WHERE seq IN ({marks})", leaves
            ):
                found[(0, int(seq))] = bytes(leaf)
        if interior:
            where = " OR ".join("(level = ? AND idx = ?)" for _ in interior)
            params = [value for pair in interior for value in pair]
            for level, index, value in self._all(
                f"SELECT level, idx, hash FROM merkle_nodes WHERE {where}", params
            ):
                found[(int(level), int(index))] = bytes(value)
        missing = [node for node in ids if node not in found]
        if missing:
            raise LedgerStateError(f"Merkle nodes missing from the store: {missing[:3]}")
        return found

    # -- keys and acts ----------------------------------------------------------------------

    def key_records(self, key_ids: Sequence[str] | None = None) -> list[KeyRecord]:
        if key_ids is None:
            rows = self._all(f"SELECT {_KEY_COLUMNS} FROM ledger_keys ORDER BY added_seq, key_id")
        elif not key_ids:
            return []
        else:
            marks = ", ".join("?" * len(key_ids))
            rows = self._all(
                f"SELECT {_KEY_COLUMNS} FROM ledger_keys WHERE key_id IN ({marks})", key_ids
            )
        return [
            KeyRecord(r[0], r[1], r[2], r[3], bytes(r[4]), int(r[5]), int(r[6]), *r[7:])
            for r in rows
        ]

    def save_keys(self, records: Sequence[KeyRecord]) -> None:
        for record in records:
            self.raw.execute(
                self._sql("DELETE FROM ledger_keys WHERE key_id = ?"), (record.key_id,)
            )
        self._many(
            f"INSERT INTO ledger_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.key_id,
                    r.owner,
                    r.purpose,
                    r.name,
                    r.public_key,
                    r.added_seq,
                    r.valid_from_seq,
                    r.rotated_at_seq,
                    r.revoked_at_seq,
                    r.replaced_by,
                )
                for r in records
            ],
        )

    def acts_recorded(self, acts: Sequence[SignedAct]) -> dict[bytes, int]:
        if not acts:
            return {}
        digests = [a.digest for a in acts]
        marks = ", ".join("?" * len(digests))
        rows = self._all(f"SELECT digest, seq FROM ledger_acts WHERE digest IN ({marks})", digests)
        return {bytes(d): int(s) for d, s in rows}

    def record_acts(self, acts: Sequence[tuple[bytes, int]]) -> None:
        self._many("INSERT INTO ledger_acts (digest, seq) VALUES (?, ?)", acts)

    # -- checkpoints ------------------------------------------------------------------------

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self._all(
            "SELECT size, root, note, key_id, issued_at FROM checkpoints ORDER BY size"
        )
        return [StoredCheckpoint(int(s), bytes(r), n, k, t) for s, r, n, k, t in rows]

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        row = self._one(
            "SELECT size, root, note, key_id, issued_at FROM checkpoints WHERE size = ?", [size]
        )
        if row is None:
            return None
        size, root, note, key_id, issued_at = row
        return StoredCheckpoint(int(size), bytes(root), note, key_id, issued_at)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        row = self._one(
            "SELECT size, root, note, key_id, issued_at FROM checkpoints ORDER BY size DESC LIMIT 1"
        )
        if row is None:
            return None
        size, root, note, key_id, issued_at = row
        return StoredCheckpoint(int(size), bytes(root), note, key_id, issued_at)

    def insert_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        self.raw.execute(
            self._sql(
                "INSERT INTO checkpoints (size, root, note, key_id, issued_at) "
                "VALUES (?, ?, ?, ?, ?)"
            ),
            (
                checkpoint.size,
                checkpoint.root,
                checkpoint.note,
                checkpoint.key_id,
                checkpoint.issued_at,
            ),
        )
