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

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from custody import merkle
from custody.acts import SignedAct, act_of, check_act
from custody.checkpoint import Checkpoint
from custody.clock import Clock, format_time, utc_now
from custody.db import Database
from custody.entries import KINDS, LEDGER_KINDS, Entry, EntryBody, NewEntry, check_name
from custody.errors import (
    ActError,
    LedgerKeyError,
    LedgerStateError,
    MalformedEntryError,
    ProofRangeError,
)
from custody.keys import KeyRecord, KeyRegistry
from custody.note import Signer
from custody.proofs import ConsistencyProof, InclusionProof
from custody.rfc6962 import leaf_hash
from custody.signatures import entry_message
from custody.store import Head, Store, StoredCheckpoint

# Below this many entries a batch is signed inline: handing work to threads costs more.
_PARALLEL_SIGNING_FROM = 64
_signing_pool: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    # PyNaCl releases the GIL while libsodium signs, so threads use both cores.
    global _signing_pool
    if _signing_pool is None:
        _signing_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    return _signing_pool


def _hex(value: bytes | None) -> str | None:
    return value.hex() if value is not None else None


@dataclass
class _Batch:
    """What one append call has built so far, before anything is written."""

    head: Head
    time: str
    last_leaves: dict[str, bytes]
    registry: KeyRegistry | None = None
    changed_keys: dict[str, KeyRecord] | None = None


class Ledger:
    def __init__(self, database: Database, signer: Signer | None = None, clock: Clock = utc_now):
        self.database = database
        self.signer = signer
        self.clock = clock

    # -- writing ----------------------------------------------------------------------------

    def record(self, new: NewEntry) -> Entry:
        """Append one entry in a transaction of its own."""
        with self.database.write() as conn:
            return self.append(conn, new)

    def append(self, conn: Connection, new: NewEntry) -> Entry:
        return self.append_many(conn, [new])[0]

    def append_many(self, conn: Connection, news: Sequence[NewEntry]) -> list[Entry]:
        """Append entries in order, in the caller's transaction: all of them or none."""
        if not news:
            return []
        signer = self._require_signer()
        store = Store(conn)
        head = store.head()
        for new in news:
            _check_new(new)
        if head.size == 0 and news[0].kind != "ledger_created":
            raise LedgerStateError("the ledger has no genesis entry: run `custody init`")
        self._check_signer(head, signer)
        batch = _Batch(
            head=head,
            time=self._time(head),
            last_leaves=store.last_leaves(n.item for n in news if n.item is not None),
        )
        bodies: list[bytes] = []
        items: list[str | None] = []
        leaves: list[bytes] = []
        acts: list[tuple[SignedAct, int]] = []
        nodes: list[merkle.StoredNode] = []
        size, prev, peaks, origin, key_id = (
            head.size,
            head.last_leaf,
            head.peaks,
            head.origin,
            head.ledger_key_id,
        )
        for new in news:
            if key_id != head.ledger_key_id and head.size < size:
                raise LedgerKeyError("after a ledger key rotation, append in a new transaction")
            item_prev = batch.last_leaves.get(new.item) if new.item is not None else None
            body = EntryBody(
                size,
                batch.time,
                new.actor,
                new.kind,
                new.item,
                _hex(item_prev),
                _hex(prev),
                new.data,
            )
            raw = body.encode()
            if new.kind in LEDGER_KINDS:
                origin, key_id = self._apply_key_entry(store, batch, body, origin, key_id)
            signed_act = act_of(body)
            if signed_act is not None:
                self._check_act(store, batch, body, signed_act)
                acts.append((signed_act, size))
            leaf = leaf_hash(raw)
            peaks, completed = merkle.append_leaf(peaks, size, leaf)
            nodes.extend(completed)
            bodies.append(raw)
            items.append(new.item)
            leaves.append(leaf)
            if new.item is not None:
                batch.last_leaves[new.item] = leaf
            prev = leaf
            size += 1
        self._check_acts_unused(store, acts)
        sigs = self._sign_all(signer, leaves)
        first = head.size
        signer_id = signer.verifier.key_id
        entries = [
            Entry(first + i, body, leaf, sig, signer_id)
            for i, (body, leaf, sig) in enumerate(zip(bodies, leaves, sigs, strict=True))
        ]
        store.insert_entries(list(zip(entries, items, strict=True)))
        store.insert_nodes(nodes)
        if batch.changed_keys:
            store.save_keys(list(batch.changed_keys.values()))
        store.record_acts([(act.digest, seq) for act, seq in acts])
        store.update_head(Head(size, peaks, prev, batch.time, origin, key_id))
        return entries

    def _require_signer(self) -> Signer:
        if self.signer is None:
            raise LedgerKeyError("this ledger was opened without its signing key")
        return self.signer

    def _check_signer(self, head: Head, signer: Signer) -> None:
        if head.size > 0 and head.ledger_key_id != signer.verifier.key_id:
            raise LedgerKeyError(
                f"the ledger is signed by key {head.ledger_key_id}, "
                f"but the key file holds key {signer.verifier.key_id}"
            )

    def _time(self, head: Head) -> str:
        # Never earlier than the entry before: an auditor reads time order from seq order.
        now = format_time(self.clock())
        return max(now, head.last_time or now)

    def _registry(self, store: Store, batch: _Batch) -> KeyRegistry:
        if batch.registry is None:
            batch.registry = KeyRegistry(store.key_records())
            batch.registry.origin = batch.head.origin
            batch.changed_keys = {}
        return batch.registry

    def _apply_key_entry(
        self, store: Store, batch: _Batch, body: EntryBody, origin: str | None, key_id: str | None
    ) -> tuple[str | None, str | None]:
        registry = self._registry(store, batch)
        changed = registry.apply(body)
        assert batch.changed_keys is not None
        for record in changed:
            batch.changed_keys[record.key_id] = record
        if body.kind == "ledger_created":
            genesis = changed[0]
            if genesis.key_id != self._require_signer().verifier.key_id:
                raise LedgerKeyError("the genesis entry must publish the key that signs it")
            return registry.origin, genesis.key_id
        if body.kind == "key_rotated" and changed[0].purpose == "ledger":
            return origin, changed[1].key_id
        return origin, key_id

    def _check_act(self, store: Store, batch: _Batch, body: EntryBody, act: SignedAct) -> None:
        registry = self._registry(store, batch)
        check_act(body, act, registry)

    def _check_acts_unused(self, store: Store, acts: list[tuple[SignedAct, int]]) -> None:
        digests = [act.digest for act, _ in acts]
        if len(set(digests)) != len(digests):
            raise ActError("the same act appears twice in one transaction")
        recorded = store.acts_recorded([act for act, _ in acts])
        if recorded:
            seq = next(iter(recorded.values()))
            raise ActError(f"this act was already recorded at seq {seq}")

    def _sign_all(self, signer: Signer, leaves: list[bytes]) -> list[bytes]:
        if len(leaves) < _PARALLEL_SIGNING_FROM:
            return [signer.sign(entry_message(leaf)) for leaf in leaves]
        workers = os.cpu_count() or 2
        step = -(-len(leaves) // workers)
        chunks = [leaves[i : i + step] for i in range(0, len(leaves), step)]

        def sign_chunk(chunk: list[bytes]) -> list[bytes]:
            return [signer.sign(entry_message(leaf)) for leaf in chunk]

        return [sig for part in _pool().map(sign_chunk, chunks) for sig in part]

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

    def latest_checkpoint(self, conn: Connection) -> StoredCheckpoint | None:
        return Store(conn).latest_checkpoint()

    def issue_checkpoint(self, conn: Connection) -> StoredCheckpoint:
        """Sign a checkpoint of the current tree unless the latest one already covers it.

        Call inside a write transaction: the lock keeps two issuers from racing.
        """
        signer = self._require_signer()
        store = Store(conn)
        head = store.head()
        latest = store.latest_checkpoint()
        if latest is not None and latest.size == head.size:
            return latest
        if head.origin is None:
            raise LedgerStateError("the ledger has no genesis entry: run `custody init`")
        self._check_signer(head, signer)
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
        return self._require_signer().verifier.vkey


def _check_new(new: NewEntry) -> None:
    if new.kind not in KINDS:
        raise MalformedEntryError(f"kind {new.kind!r} is not in the public vocabulary")
    check_name(new.actor, "actor")
    if new.item is not None:
        check_name(new.item, "item")


def _check_size(size: int, current: int) -> None:
    if not 0 <= size <= current:
        raise ProofRangeError(f"tree size {size} is beyond the ledger's {current} entries")
