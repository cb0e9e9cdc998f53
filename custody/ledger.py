"""The ledger: append entries inside the caller's transaction, read them back with proofs.

    with database.write() as conn:          # one user action = one transaction
        ...change the state tables...
        ledger.append(conn, NewEntry(kind="deformed", actor="sklad.omarov", item="KZ-0042"))

An append takes the next seq from the locked head row, links `prev` and `item_prev`, writes
the canonical body, its leaf hash and the ledger's signature, the Merkle nodes the leaf
completes and the new head, all in that transaction. Nothing is written if anything is
refused: values JCS cannot carry, a key entry that breaks the key rules, an act that does not
verify or was recorded before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.engine import Connection

from custody import merkle
from custody.append import Builder, Pending
from custody.checkpoint import Checkpoint
from custody.clock import Clock, format_time, utc_now
from custody.db import Database
from custody.entries import KINDS, Entry, NewEntry, check_name
from custody.errors import LedgerKeyError, LedgerStateError, MalformedEntryError, ProofRangeError
from custody.keys import KeyRecord
from custody.ledger_key import LedgerKeyFile
from custody.note import Signer
from custody.proofs import ConsistencyProof, InclusionProof
from custody.store import Head, Store
from custody.store import StoredCheckpoint as StoredCheckpoint  # what checkpoints() gives


class Ledger:
    def __init__(
        self,
        database: Database,
        signer: Signer | None = None,
        clock: Clock = utc_now,
        key_file: LedgerKeyFile | None = None,
    ):
        """`key_file`, when given, is where a ledger key rotated by another process is
        loaded from (a running server picks it up at its next write, without a restart)."""
        self.database = database
        self.signer = signer
        self.clock = clock
        self.key_file = key_file

    # -- writing ----------------------------------------------------------------------------

    def record(self, new: NewEntry) -> Entry:
        """Append one entry in a transaction of its own.

        Its first statement locks the head, so it needs no lock taken up front."""
        with self.database.write(lock=False) as conn:
            return self.append(conn, new)

    def append(self, conn: Connection, new: NewEntry) -> Entry:
        return self.append_many(conn, [new])[0]

    def append_many(self, conn: Connection, news: Sequence[NewEntry]) -> list[Entry]:
        """Append entries in order, in the caller's transaction: all of them or none."""
        if not news:
            return []
        with self.appending(conn, news) as pending:
            return pending.write()

    @contextmanager
    def appending(self, conn: Connection, news: Sequence[NewEntry]) -> Iterator[Pending]:
        """Build and check the entries and set their signing going; `write()` them when the
        caller has done what it does meanwhile (the process folds and saves its state while
        the signing workers sign). Nothing is written unless `write()` is called."""
        if not news:
            raise LedgerStateError("nothing to append")
        self._require_signer()
        for new in news:
            _check_new(new)
        store = Store(conn)
        items = list(dict.fromkeys(n.item for n in news if n.item is not None))
        head, item_leaf = store.head_for_append(items[0] if len(items) == 1 else None)
        if head.size == 0 and news[0].kind != "ledger_created":
            raise LedgerStateError("the ledger has no genesis entry: run `custody init`")
        signer = self._signer_for(head)
        builder = Builder(store, head, self._time(head), signer, len(news))
        try:
            if len(items) == 1:
                builder.last_leaves = {items[0]: item_leaf} if item_leaf is not None else {}
            else:
                builder.last_leaves = store.last_leaves(items)
            for new in news:
                builder.add(new)
            builder.signatures.flush()
            yield Pending(builder)
        finally:
            builder.close()

    def _require_signer(self) -> Signer:
        if self.signer is None:
            raise LedgerKeyError("this ledger was opened without its signing key")
        return self.signer

    def _signer_for(self, head: Head) -> Signer:
        """The key that signs the next entry: the one the locked head names. When another
        process rotated it, it is loaded from the key file, once."""
        signer = self._require_signer()
        if head.size == 0 or head.ledger_key_id == signer.verifier.key_id:
            return signer
        if self.key_file is not None and head.ledger_key_id is not None:
            signer = self.signer = self.key_file.load_current(head.ledger_key_id)
            return signer
        raise LedgerKeyError(
            f"the ledger is signed by key {head.ledger_key_id}, "
            f"but the key file holds key {signer.verifier.key_id}"
        )

    def _time(self, head: Head) -> str:
        # Never earlier than the entry before: an auditor reads time order from seq order.
        now = format_time(self.clock())
        return max(now, head.last_time or now)

    # -- reading ----------------------------------------------------------------------------

    def head(self, conn: Connection) -> Head:
        return Store(conn).head()

    def root(self, conn: Connection, size: int | None = None) -> bytes:
        store = Store(conn)
        head = store.head()
        if size is None or size == head.size:
            return merkle.root_from_peaks(head.peaks)
        _check_size(size, head.size)
        ids = merkle.peak_ids(size)
        nodes = store.nodes(ids)
        return merkle.fold([nodes[node] for node in ids])

    def entries(self, conn: Connection, start: int, limit: int) -> list[Entry]:
        """Up to `limit` entries from seq `start`, never beyond the head."""
        store = Store(conn)
        size = store.head().size
        if start >= size:
            return []
        return store.entries(start, min(start + limit, size))

    def leaves(self, conn: Connection, start: int, limit: int) -> list[tuple[int, bytes]]:
        """Up to `limit` (seq, leaf hash) pairs from seq `start`, never beyond the head."""
        store = Store(conn)
        size = store.head().size
        if start >= size:
            return []
        return store.leaves(start, min(start + limit, size))

    def item_history(self, conn: Connection, item: str) -> list[Entry]:
        return Store(conn).item_entries(item)

    def inclusion_proof(
        self, conn: Connection, index: int, size: int | None = None
    ) -> InclusionProof:
        store = Store(conn)
        head = store.head()
        size = head.size if size is None else size
        _check_size(size, head.size)
        if not 0 <= index < size:
            raise ProofRangeError(f"leaf index {index} is not below tree size {size}")
        ranges = merkle.inclusion_ranges(index, size)
        root_ids = merkle.peak_ids(size)
        nodes = store.nodes(merkle.nodes_for([*ranges, (index, index + 1)]) + root_ids)
        return InclusionProof(
            index=index,
            size=size,
            leaf_hash=nodes[(0, index)],
            root=merkle.fold([nodes[n] for n in root_ids]),
            hashes=tuple(merkle.hash_ranges(ranges, nodes)),
        )

    def consistency_proof(
        self, conn: Connection, old: int, new: int | None = None
    ) -> ConsistencyProof:
        store = Store(conn)
        head = store.head()
        new = head.size if new is None else new
        _check_size(new, head.size)
        if not 0 < old <= new:
            raise ProofRangeError(f"a consistency proof needs 0 < old <= new, not {old}, {new}")
        ranges = merkle.consistency_ranges(old, new)
        old_ids, new_ids = merkle.peak_ids(old), merkle.peak_ids(new)
        nodes = store.nodes(list(dict.fromkeys(merkle.nodes_for(ranges) + old_ids + new_ids)))
        return ConsistencyProof(
            old=old,
            new=new,
            old_root=merkle.fold([nodes[n] for n in old_ids]),
            new_root=merkle.fold([nodes[n] for n in new_ids]),
            hashes=tuple(merkle.hash_ranges(ranges, nodes)),
        )

    def keys(self, conn: Connection) -> list[KeyRecord]:
        return Store(conn).key_records()

    # -- checkpoints ------------------------------------------------------------------------

    def checkpoints(self, conn: Connection) -> list[StoredCheckpoint]:
        """Every signed checkpoint issued, smallest tree first."""
        return Store(conn).checkpoints()

    def checkpoint_at(self, conn: Connection, size: int) -> StoredCheckpoint | None:
        """The checkpoint this log signed of its tree at `size`, None if it signed none."""
        return Store(conn).checkpoint_at(size)

    def latest_checkpoint(self, conn: Connection) -> StoredCheckpoint | None:
        return Store(conn).latest_checkpoint()

    def issue_checkpoint(self, conn: Connection) -> StoredCheckpoint:
        """Sign a checkpoint of the current tree unless the latest one already covers it.

        Call inside a write transaction: the lock keeps two issuers from racing.
        """
        self._require_signer()
        store = Store(conn)
        head = store.head()
        latest = store.latest_checkpoint()
        if latest is not None and latest.size == head.size:
            return latest
        if head.origin is None:
            raise LedgerStateError("the ledger has no genesis entry: run `custody init`")
        signer = self._signer_for(head)
        root = merkle.root_from_peaks(head.peaks)
        issued = StoredCheckpoint(
            size=head.size,
            root=root,
            note=Checkpoint(head.origin, head.size, root).sign([signer]),
            key_id=signer.verifier.key_id,
            issued_at=format_time(self.clock()),
        )
        store.insert_checkpoint(issued)
        return issued

    @property
    def verifier_key(self) -> str:
        """The verifier key of the key this process holds (see current_verifier_key)."""
        return self._require_signer().verifier.vkey

    def current_verifier_key(self, conn: Connection) -> str:
        """The verifier key of the key that signs the ledger now, as its head and key table
        say: after another process rotated the key, this one's may be the old one."""
        head = Store(conn).head()
        if head.ledger_key_id is None:
            raise LedgerStateError("the ledger has no genesis entry: run `custody init`")
        (record,) = Store(conn).key_records([head.ledger_key_id])
        return record.verifier.vkey


def _check_new(new: NewEntry) -> None:
    if new.kind not in KINDS:
        raise MalformedEntryError(f"kind {new.kind!r} is not in the public vocabulary")
    check_name(new.actor, "actor")
    if new.item is not None:
        check_name(new.item, "item")
    if new.device is not None:
        check_name(new.device, "device")


def _check_size(size: int, current: int) -> None:
    if not 0 <= size <= current:
        raise ProofRangeError(f"tree size {size} is beyond the ledger's {current} entries")
