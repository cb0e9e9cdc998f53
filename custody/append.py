"""Building one append call: the links, the tree, the key and act rules, the signatures.

Nothing is written until every entry of the call has been built and checked; then the rows,
the Merkle nodes, the key registry, the acts and the head are written in the caller's
transaction, so that an append is all of its entries or none.
"""

from __future__ import annotations

from custody import merkle
from custody.acts import SignedAct, act_of, check_act
from custody.entries import (
    LEDGER_KINDS,
    Entry,
    EntryBody,
    NewEntry,
    encode_body,
    new_nonce,
    time_of,
)
from custody.errors import ActError, LedgerKeyError, LedgerStateError, MalformedEntryError
from custody.keys import KeyRecord, KeyRegistry
from custody.note import Signer
from custody.rfc6962 import leaf_hash
from custody.signatures import ENTRY_DOMAIN, entry_message
from custody.signing_workers import Batch, workers_for
from custody.store import Head, Store

# Below this many entries a call is signed here: starting work elsewhere costs more. Measured
# on 2 cores: even at 128, 7% faster at 200 (a furnace batch), and the process folds and
# saves its state while the workers sign (`Ledger.appending`).
# The largest entry body the ledger takes, in bytes of its canonical JSON: far above any step
# of the process (an inventory count of 100,000 items on hand lists ids of ~16 bytes), so
# that a body this large is a request nobody meant, refused before it is signed (b12).
MAX_BODY_BYTES = 4 * 1024 * 1024
PARALLEL_SIGNING_FROM = 128
SIGNING_CHUNK = 128


def _hex(value: bytes | None) -> str | None:
    return value.hex() if value is not None else None


class Signatures:
    """The ledger's signatures over one call's leaves: made here for a few; for many, by
    worker processes while the bodies are still being built (custody.signing_workers)."""

    def __init__(self, signer: Signer, expected: int) -> None:
        self.signer = signer
        self.done: list[bytes] = []
        self.chunk: list[bytes] = []
        self.batch: Batch | None = None
        if expected >= PARALLEL_SIGNING_FROM:
            pool = workers_for(signer.verifier.key_id, signer.seed, ENTRY_DOMAIN, self._sign_here)
            self.batch = Batch(pool)

    def _sign_here(self, leaf: bytes) -> bytes:
        return self.signer.sign(entry_message(leaf))

    def add(self, leaf: bytes) -> None:
        if self.batch is None:
            self.done.append(self._sign_here(leaf))
            return
        self.chunk.append(leaf)
        if len(self.chunk) == SIGNING_CHUNK:
            self.batch.send(self.chunk)
            self.chunk = []

    def flush(self) -> None:
        """Send what is left to the workers, so that they sign while the caller works on."""
        if self.batch is not None and self.chunk:
            self.batch.send(self.chunk)
            self.chunk = []

    def all(self) -> list[bytes]:
        if self.batch is None:
            return self.done
        self.flush()
        return self.batch.collect()

    def close(self) -> None:
        if self.batch is not None:
            self.batch.close()


class Builder:
    """One append call, before anything is written."""

    def __init__(self, store: Store, head: Head, time: str, signer: Signer, count: int) -> None:
        self.store, self.head, self.time, self.signer = store, head, time, signer
        self.size, self.prev, self.peaks = head.size, head.last_leaf, head.peaks
        self.origin, self.key_id = head.origin, head.ledger_key_id
        self.last_leaves: dict[str, bytes] = {}
        self.registry: KeyRegistry | None = None
        self.changed_keys: dict[str, KeyRecord] = {}
        self.acts: list[tuple[SignedAct, int]] = []
        self.bodies: list[bytes] = []
        self.leaves: list[bytes] = []
        self.items: list[str | None] = []
        self.kinds: list[str] = []
        self.nodes: list[merkle.StoredNode] = []
        self.signatures = Signatures(signer, count)

    def add(self, new: NewEntry) -> None:
        if self.key_id != self.head.ledger_key_id and self.size > self.head.size:
            raise LedgerKeyError("after a ledger key rotation, append in a new transaction")
        item_prev = self.last_leaves.get(new.item) if new.item is not None else None
        fields = (
            self.size,
            self.time,
            new.actor,
            new.kind,
            new.item,
            _hex(item_prev),
            _hex(self.prev),
            new.data,
            new_nonce(),  # the leaf salt: every entry written carries one (format v2)
            new.device,
        )
        raw = encode_body(*fields)
        if len(raw) > MAX_BODY_BYTES:
            raise MalformedEntryError(
                f"an entry is at most {MAX_BODY_BYTES:,} bytes; this {new.kind} entry would be "
                f"{len(raw):,}"
            )
        # The typed body only where rules apply: key entries and people's acts.
        if new.kind in LEDGER_KINDS or "act" in new.data or "act_sig" in new.data:
            self._apply_rules(EntryBody(*fields))
        leaf = leaf_hash(raw)
        self.signatures.add(leaf)
        self.peaks, completed = merkle.append_leaf(self.peaks, self.size, leaf)
        self.nodes.extend(completed)
        self.bodies.append(raw)
        self.leaves.append(leaf)
        self.items.append(new.item)
        self.kinds.append(new.kind)
        if new.item is not None:
            self.last_leaves[new.item] = leaf
        self.prev = leaf
        self.size += 1

    def _apply_rules(self, body: EntryBody) -> None:
        if body.kind in LEDGER_KINDS:
            self._apply_key_entry(body)
        signed_act = act_of(body)
        if signed_act is not None:
            check_act(body, signed_act, self._registry())
            self.acts.append((signed_act, body.seq))

    def _registry(self) -> KeyRegistry:
        if self.registry is None:
            self.registry = KeyRegistry(self.store.key_records())
            self.registry.origin = self.head.origin
            self.registry.time_of = self._time_at
        return self.registry

    def _time_at(self, seq: int) -> str | None:
        """The time of stored entry `seq` (when a key was published), or None."""
        found = self.store.entries(seq, seq + 1)
        return time_of(found[0].body) if found else None

    def _apply_key_entry(self, body: EntryBody) -> None:
        registry = self._registry()
        changed = registry.apply(body)
        self.changed_keys.update((record.key_id, record) for record in changed)
        if body.kind == "ledger_created":
            if changed[0].key_id != self.signer.verifier.key_id:
                raise LedgerKeyError("the genesis entry must publish the key that signs it")
            self.origin, self.key_id = registry.origin, changed[0].key_id
        elif body.kind == "key_rotated" and changed[0].purpose == "ledger":
            self.key_id = changed[1].key_id

    def _check_acts_unused(self) -> None:
        digests = [act.digest for act, _ in self.acts]
        if len(set(digests)) != len(digests):
            raise ActError("the same act appears twice in one transaction")
        recorded = self.store.acts_recorded([act for act, _ in self.acts])
        if recorded:
            raise ActError(f"this act was already recorded at seq {min(recorded.values())}")

    def write(self) -> list[Entry]:
        self._check_acts_unused()
        key_id = self.signer.verifier.key_id
        first = self.head.size
        rows = [
            (Entry(first + i, body, leaf, sig, key_id), item, kind)
            for i, (body, leaf, sig, item, kind) in enumerate(
                zip(
                    self.bodies,
                    self.leaves,
                    self.signatures.all(),
                    self.items,
                    self.kinds,
                    strict=True,
                )
            )
        ]
        with self.store.pipeline():
            self.store.insert_entries(rows)
            self.store.insert_nodes(self.nodes)
            if self.changed_keys:
                self.store.save_keys(list(self.changed_keys.values()))
            self.store.record_acts([(act.digest, seq) for act, seq in self.acts])
            self.store.update_head(
                Head(self.size, self.peaks, self.prev, self.time, self.origin, self.key_id)
            )
        return [row[0] for row in rows]

    def close(self) -> None:
        """Release the signing workers, whether or not the append got as far as writing."""
        self.signatures.close()


class Pending:
    """One append call's entries, built and checked, their signatures on the way: written
    to the caller's transaction by `write()`, once; dropped if it is never called."""

    def __init__(self, builder: Builder) -> None:
        self._builder: Builder | None = builder
        self.first = builder.head.size  # the seq of the first entry
        self.time = builder.time  # the time every entry of the call carries

    def write(self) -> list[Entry]:
        if self._builder is None:
            raise LedgerStateError("these entries are written already")
        builder, self._builder = self._builder, None
        return builder.write()
