"""`custody verify`: a full audit of a ledger database that trusts only `ledger_entries`.

The steps follow DESIGN §5. Each names the first entry (or node, or checkpoint) where it fails:

    1 entries            rows are exactly seq 0..n-1, none missing
    2 canonical bodies   each body is the RFC 8785 form of an entry of the ledger's format
    3 leaf hashes        the stored leaf hash is SHA-256(0x00 || body)
    4 chain links        the body's seq is its row's; prev and item_prev are the leaf hashes of
                         the entries before; time never goes back; the item column repeats it
    5 ledger signatures  each entry is signed by the ledger key that holds at its seq, as the
                         genesis entry and the rotations published it; with --key, the key the
                         auditor trusts is one of them
    6 people's acts      each act verifies with its person's key, valid at its seq and meant for
                         acts, and no act is recorded twice
    7 derived tables     ledger_keys, ledger_acts and the head equal the replay of the log
    8 Merkle tree        every stored node and the head's compact range equal a recomputation
    9 checkpoints        every stored checkpoint, and every one an auditor brings, is signed by
                         the ledger key of its time, and its root is the recomputed root at its
                         size; for the auditor's, an RFC 9162 consistency proof to today's tree
                         verifies as well

Per-entry work (parsing, hashing, Ed25519) runs in worker processes, one per core, each
reading its own range of rows. The main process folds their results in seq order inside one
read snapshot. Higher layers add steps (the replay of the state tables) as `ExtraStep`s.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from custody import acts as act_rules
from custody import checkpoint as tlog
from custody import entries, merkle, note, signatures
from custody.db import Database
from custody.errors import (
    ActError,
    CustodyError,
    KeyRegistryError,
    MalformedEntryError,
    ProofVerificationError,
)
from custody.keys import KeyRecord, KeyRegistry
from custody.ledger import Ledger
from custody.proofs import verify_consistency
from custody.rfc6962 import leaf_hash, node_hash
from custody.store import Head, Store, StoredCheckpoint

STEPS: dict[int, str] = {
    1: "entries",
    2: "canonical bodies",
    3: "leaf hashes",
    4: "chain links",
    5: "ledger signatures",
    6: "people's acts",
    7: "derived tables",
    8: "Merkle tree",
    9: "checkpoints",
}
PARALLEL_FROM = 20_000  # below this, starting worker processes costs more than it saves
CHUNK = 4096
Progress = Callable[[int, int], None]


@dataclass
class StepResult:
    number: int
    name: str
    ok: bool = True
    seq: int | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.number,
            "name": self.name,
            "ok": self.ok,
            "seq": self.seq,
            "reason": self.reason,
        }


@dataclass
class Report:
    origin: str | None
    size: int
    root: bytes | None
    steps: list[StepResult]
    checkpoints_checked: int = 0

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    @property
    def first_failure(self) -> StepResult | None:
        return next((step for step in self.steps if not step.ok), None)

    def to_json(self) -> dict[str, Any]:
        failure = self.first_failure
        return {
            "ok": self.ok,
            "origin": self.origin,
            "size": self.size,
            "root": self.root.hex() if self.root is not None else None,
            "checkpoints_checked": self.checkpoints_checked,
            "steps": [step.to_json() for step in self.steps],
            "first_failure": failure.to_json() if failure is not None else None,
        }


@dataclass(frozen=True)
class ExtraStep:
    """A step a higher layer adds; it runs only when the ledger's own steps hold, and
    returns None, or the seq (if any) and the reason it fails."""

    name: str
    run: Callable[[Database], tuple[int | None, str] | None]


@dataclass(frozen=True)
class AuditorCheckpoint:
    """A signed checkpoint an auditor saved earlier; `source` names it in the report."""

    source: str
    text: str


# -- per-entry work, in the worker processes -----------------------------------------------------

# The body's fields as the fold needs them: `data` is None except where rules apply (key
# entries and people's acts), so that less goes through the pipes from the workers.
FoldFields = tuple[int, str, str, str, str | None, str | None, str | None, dict[str, Any] | None]
# seq, recomputed leaf, stored leaf matches, step-2 error, key id, signature,
# signature ok with the key table's key (None: not in the table), act signature ok, item column,
# body fields (None when the body did not parse)
Checked = tuple[
    int,
    bytes,
    bool,
    str | None,
    str,
    bytes,
    bool | None,
    bool | None,
    str | None,
    FoldFields | None,
]
Row = tuple[int, bytes, bytes, bytes, str, str | None]

_worker: tuple[Database, dict[str, bytes]] | None = None


def check_row(row: Row, table_keys: dict[str, bytes]) -> Checked:
    seq, body, stored_leaf, sig, key_id, item_column = row
    leaf = leaf_hash(body)
    public_key = table_keys.get(key_id)
    sig_ok = (
        None
        if public_key is None
        else signatures.verify(public_key, signatures.entry_message(leaf), sig)
    )
    try:
        fields = entries.decode_fields(body)
    except MalformedEntryError as exc:
        return (
            seq,
            leaf,
            leaf == stored_leaf,
            str(exc),
            key_id,
            sig,
            sig_ok,
            None,
            item_column,
            None,
        )
    data = fields[7]
    act_ok = None
    kept: FoldFields = fields
    if "act" in data or "act_sig" in data:
        try:
            act = act_rules.act_of(entries.EntryBody(*fields))
        except ActError:
            act = None
        act_key = table_keys.get(str(act.act.get("key_id"))) if act is not None else None
        if act is not None and act_key is not None:
            act_ok = act_rules.verify_signature(act, act_key)
    elif fields[3] not in entries.LEDGER_KINDS:
        kept = (*fields[:7], None)
    # The signature goes back only when this check failed or could not be made: one that
    # verified with the table's key cannot verify with another, should the log's differ.
    sent_sig = b"" if sig_ok else sig
    return seq, leaf, leaf == stored_leaf, None, key_id, sent_sig, sig_ok, act_ok, item_column, kept


def _init_worker(url: str, table_keys: dict[str, bytes]) -> None:
    global _worker
    _worker = (Database(url), table_keys)


def _check_range(start: int, stop: int) -> list[Checked]:
    assert _worker is not None
    database, table_keys = _worker
    with database.read() as conn:
        rows = Store(conn).rows_for_verify(start, stop)
    return [check_row(row, table_keys) for row in rows]


# -- the fold, in seq order, in the main process -------------------------------------------------


@dataclass
class _Fold:
    steps: dict[int, StepResult]
    table_keys: dict[str, bytes]
    registry: KeyRegistry = field(default_factory=KeyRegistry)
    expected: int = 0
    prev: bytes | None = None
    last_time: str = ""
    prev_hex: str | None = None
    item_leaves: dict[str, str] = field(default_factory=dict)  # item -> hex of its last leaf
    acts: dict[bytes, int] = field(default_factory=dict)
    tree_size: int = 0
    peaks: list[bytes] = field(default_factory=list)
    levels: list[list[bytes]] = field(default_factory=list)
    wanted_roots: set[int] = field(default_factory=set)
    roots_at: dict[int, bytes] = field(default_factory=dict)
    current_key: KeyRecord | None = None

    def fail(self, step: int, seq: int | None, reason: str) -> None:
        result = self.steps[step]
        if result.ok:
            result.ok, result.seq, result.reason = False, seq, reason

    def take(self, checked: Checked) -> None:
        seq, leaf, leaf_ok, error, key_id, sig, sig_ok, act_ok, item_column, fields = checked
        if seq != self.expected:
            self.fail(1, self.expected, f"entries {self.expected} to {seq - 1} are missing")
        if error is not None:
            self.fail(2, seq, error)
        if not leaf_ok:
            self.fail(3, seq, "the stored leaf hash is not SHA-256(0x00 || body)")
        leaf_hex = leaf.hex()
        if fields is not None:
            self._chain(seq, fields, leaf_hex, item_column)
            data = fields[7]
            body = entries.EntryBody(*fields[:7], data) if data is not None else None
            self._keys_and_signature(seq, fields[3], body, leaf, key_id, sig, sig_ok)
            if body is not None:
                self._act(seq, body, act_ok)
        self._tree(leaf)
        self.prev, self.prev_hex = leaf, leaf_hex
        self.expected = seq + 1

    def _chain(self, seq: int, fields: FoldFields, leaf_hex: str, column: str | None) -> None:
        body_seq, time, _actor, _kind, item, item_prev, prev, _data = fields
        if body_seq != seq:
            self.fail(4, seq, f"the body stored at seq {seq} says it is seq {body_seq}")
        elif prev != self.prev_hex:
            self.fail(4, seq, "prev is not the leaf hash of the entry before")
        if item is not None:
            if item_prev != self.item_leaves.get(item):
                self.fail(4, seq, f"item_prev is not the previous entry of item {item!r}")
            self.item_leaves[item] = leaf_hex
        elif item_prev is not None:
            self.fail(4, seq, "item_prev is set on an entry without an item")
        if column != item:
            self.fail(4, seq, "the item column does not repeat the body's item")
        if time < self.last_time:
            self.fail(4, seq, f"time {time} is before the entry before ({self.last_time})")
        else:
            self.last_time = time

    def _keys_and_signature(
        self,
        seq: int,
        kind: str,
        body: entries.EntryBody | None,
        leaf: bytes,
        key_id: str,
        sig: bytes,
        sig_ok: bool | None,
    ) -> None:
        # The entry's own key is the one that holds before it changes the registry; the
        # genesis entry is the exception: it is signed by the key it publishes.
        signer = self._ledger_key(seq)
        if seq == 0 and kind != "ledger_created":
            self.fail(5, seq, "the first entry is not ledger_created")
        if kind in entries.LEDGER_KINDS and body is not None:
            try:
                self.registry.apply(body)
            except (KeyRegistryError, MalformedEntryError) as exc:
                self.fail(5, seq, f"the key entry breaks the key rules: {exc}")
            self.current_key = None
        if seq == 0:
            signer = self._ledger_key(0)
        if signer is None or signer.key_id != key_id:
            expected = signer.key_id if signer is not None else "none"
            self.fail(
                5, seq, f"signed by key {key_id}, but the ledger key at this seq is {expected}"
            )
            return
        if self.table_keys.get(key_id) != signer.public_key:
            # The worker used another key than the log's; see check_row for why a signature
            # it did not send back cannot verify with the log's key.
            sig_ok = bool(sig) and signatures.verify(
                signer.public_key, signatures.entry_message(leaf), sig
            )
        if not sig_ok:
            self.fail(5, seq, f"the ledger signature does not verify with key {key_id}")

    def _ledger_key(self, seq: int) -> KeyRecord | None:
        # Looked up again only when a key entry changed the registry or the key ran out.
        current = self.current_key
        if current is None or not current.valid_at(seq):
            current = self.current_key = self.registry.ledger_key_at(seq)
        return current

    def _act(self, seq: int, body: entries.EntryBody, act_ok: bool | None) -> None:
        try:
            act = act_rules.act_of(body)
            if act is None:
                return
            key = act_rules.check_binding(body, act.act, self.registry)
            if self.table_keys.get(key.key_id) != key.public_key:
                act_ok = act_rules.verify_signature(act, key.public_key)
            if not act_ok:
                raise ActError(f"act signature does not verify with key {key.key_id}")
        except ActError as exc:
            self.fail(6, seq, str(exc))
            return
        first = self.acts.setdefault(act.digest, seq)
        if first != seq:
            self.fail(6, seq, f"this act was already recorded at seq {first}")

    def _tree(self, leaf: bytes) -> None:
        # merkle.append_leaf, in place and without node objects: it runs once per entry.
        # By position, not by the row's seq: with a row missing, the two differ.
        index = self.tree_size
        self.tree_size += 1
        peaks, levels = self.peaks, self.levels
        current, level = leaf, 0
        while index & 1:
            current = node_hash(peaks.pop(), current)
            if len(levels) == level:
                levels.append([])
            levels[level].append(current)
            level += 1
            index >>= 1
        peaks.append(current)
        if self.tree_size in self.wanted_roots:
            self.roots_at[self.tree_size] = merkle.root_from_peaks(peaks)


# -- the audit ----------------------------------------------------------------------------------


class Audit:
    def __init__(
        self,
        database: Database,
        *,
        pinned_key: note.Verifier | None = None,
        auditor_checkpoints: Sequence[AuditorCheckpoint] = (),
        extra_steps: Sequence[ExtraStep] = (),
        workers: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.database = database
        self.pinned_key = pinned_key
        self.auditor_checkpoints = list(auditor_checkpoints)
        self.extra_steps = list(extra_steps)
        self.workers = workers
        self.progress = progress

    def run(self) -> Report:
        steps = {number: StepResult(number, name) for number, name in STEPS.items()}
        for offset, extra in enumerate(self.extra_steps, start=len(STEPS) + 1):
            steps[offset] = StepResult(offset, extra.name)
        with self.database.engine.connect() as conn:
            if self.database.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                report = self._run(conn, steps)
        if report.ok:
            self._run_extra(report)
        return report

    def _run(self, conn: Connection, steps: dict[int, StepResult]) -> Report:
        store = Store(conn)
        count, size = store.extent()
        head = store.head()
        stored_checkpoints = store.checkpoints()
        table_keys = {k.key_id: k.public_key for k in store.key_records()}
        fold = _Fold(steps, table_keys)
        parsed_auditor = self._parse_auditor_checkpoints(fold)
        fold.wanted_roots = {c.size for c in stored_checkpoints} | {
            c.size for _, c in parsed_auditor
        }
        for checked in self._checked(size, table_keys):
            fold.take(checked)
        if fold.expected != size or count != size:
            fold.fail(1, fold.expected, f"{size - count} entries are missing below seq {size}")
        root = merkle.root_from_peaks(fold.peaks) if size else None
        self._check_pinned_key(fold)
        self._check_derived_tables(fold, store, head)
        self._check_tree(fold, store, head, size)
        self._check_checkpoints(fold, conn, stored_checkpoints, parsed_auditor, size, root)
        checked_count = len(stored_checkpoints) + len(parsed_auditor)
        return Report(fold.registry.origin, size, root, list(steps.values()), checked_count)

    def _checked(self, size: int, table_keys: dict[str, bytes]) -> Iterator[Checked]:
        ranges = [(start, min(start + CHUNK, size)) for start in range(0, size, CHUNK)]
        workers = self.workers if self.workers is not None else (os.cpu_count() or 1)
        if workers <= 1 or size < PARALLEL_FROM:
            for start, stop in ranges:
                with self.database.read() as conn:
                    rows = Store(conn).rows_for_verify(start, stop)
                yield from (check_row(row, table_keys) for row in rows)
                self._advance(stop, size)
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.database.url, table_keys),
        ) as pool:
            pending: list[tuple[int, Future[list[Checked]]]] = []
            queue = iter(ranges)
            for start, stop in queue:
                pending.append((stop, pool.submit(_check_range, start, stop)))
                if len(pending) >= workers * 4:
                    break
            while pending:
                stop, future = pending.pop(0)
                yield from future.result()
                self._advance(stop, size)
                next_range = next(queue, None)
                if next_range is not None:
                    pending.append((next_range[1], pool.submit(_check_range, *next_range)))

    def _advance(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def _parse_auditor_checkpoints(
        self, fold: _Fold
    ) -> list[tuple[AuditorCheckpoint, tlog.Checkpoint]]:
        parsed = []
        for given in self.auditor_checkpoints:
            try:
                body, _ = tlog.parse_note(given.text)
            except CustodyError as exc:
                fold.fail(9, None, f"checkpoint {given.source} is malformed: {exc}")
                continue
            parsed.append((given, body))
        return parsed

    def _check_pinned_key(self, fold: _Fold) -> None:
        if self.pinned_key is None:
            return
        if not any(
            k.public_key == self.pinned_key.public_key and k.name == self.pinned_key.name
            for k in fold.registry.ledger_keys()
        ):
            fold.fail(
                5,
                None,
                f"the ledger was never signed by the key you trust ({self.pinned_key.vkey})",
            )

    def _check_derived_tables(self, fold: _Fold, store: Store, head: Head) -> None:
        replayed = {r.key_id: r for r in fold.registry.records.values()}
        stored = {r.key_id: r for r in store.key_records()}
        for key_id in sorted(replayed.keys() | stored.keys()):
            if replayed.get(key_id) != stored.get(key_id):
                fold.fail(7, None, f"ledger_keys row {key_id} differs from the replayed keys")
                break
        if store.acts() != fold.acts:
            fold.fail(7, None, "ledger_acts differs from the acts recorded in the log")
        current = fold.registry.ledger_key_at(fold.expected)
        if head.origin != fold.registry.origin or head.ledger_key_id != (
            current.key_id if current is not None else None
        ):
            fold.fail(7, None, "the head names another origin or ledger key than the log")
        if fold.expected and head.last_time != fold.last_time:
            fold.fail(7, None, "the head's last time is not the last entry's")

    def _check_tree(self, fold: _Fold, store: Store, head: Head, size: int) -> None:
        if head.size != size or head.peaks != fold.peaks or head.last_leaf != fold.prev:
            fold.fail(8, None, f"the head (size {head.size}) does not match the recomputed tree")
        seen = 0
        for level, index, value in store.all_nodes():
            seen += 1
            computed = fold.levels[level - 1] if 0 < level <= len(fold.levels) else []
            if index >= len(computed) or computed[index] != value:
                first, last = index << level, ((index + 1) << level) - 1
                fold.fail(
                    8,
                    first,
                    f"stored node (level {level}, index {index}) over entries {first}..{last} "
                    "differs from the recomputed tree",
                )
                return
        expected = sum(len(level) for level in fold.levels)
        if seen != expected:
            fold.fail(8, None, f"{expected - seen} Merkle nodes are missing from the store")

    def _check_checkpoints(
        self,
        fold: _Fold,
        conn: Connection,
        stored: list[StoredCheckpoint],
        auditor: list[tuple[AuditorCheckpoint, tlog.Checkpoint]],
        size: int,
        root: bytes | None,
    ) -> None:
        for row in stored:
            reason = self._checkpoint_problem(fold, row.note, None, size)
            if reason is None and row.root != fold.roots_at.get(row.size):
                reason = "its stored root is not the recomputed root"
            if reason is not None:
                fold.fail(9, None, f"stored checkpoint of size {row.size}: {reason}")
                return
        for given, body in auditor:
            reason = self._checkpoint_problem(fold, given.text, self.pinned_key, size)
            if reason is None and root is not None and body.size > 0:
                reason = self._consistency_problem(conn, body, size, root)
            if reason is not None:
                fold.fail(9, None, f"checkpoint {given.source}: {reason}")
                return

    def _checkpoint_problem(
        self, fold: _Fold, text: str, pinned: note.Verifier | None, size: int
    ) -> str | None:
        try:
            body, _ = tlog.parse_note(text)
        except CustodyError as exc:
            return f"malformed ({exc})"
        if body.origin != fold.registry.origin:
            return f"it is for origin {body.origin!r}, not {fold.registry.origin!r}"
        if body.size > size:
            return f"it covers {body.size} entries but the ledger has only {size}"
        key = fold.registry.ledger_key_at(body.size)
        trusted = [pinned] if pinned is not None else ([key.verifier] if key else [])
        try:
            tlog.open_checkpoint(text, trusted)
        except CustodyError:
            return "it is not signed by the ledger key of its time" + (
                " (the key you trust)" if pinned is not None else ""
            )
        if body.root != fold.roots_at.get(body.size):
            return f"its root is not the root of the ledger's first {body.size} entries"
        return None

    def _consistency_problem(
        self, conn: Connection, body: tlog.Checkpoint, size: int, root: bytes
    ) -> str | None:
        try:
            proof = Ledger(self.database).consistency_proof(conn, body.size, size)
            verify_consistency(body.size, size, body.root, root, proof.hashes)
        except (ProofVerificationError, CustodyError) as exc:
            return f"the consistency proof to today's tree fails: {exc}"
        return None

    def _run_extra(self, report: Report) -> None:
        for step, extra in zip(report.steps[len(STEPS) :], self.extra_steps, strict=True):
            outcome = extra.run(self.database)
            if outcome is not None:
                step.ok, (step.seq, step.reason) = False, outcome
                return


def verify(database: Database, **options: Any) -> Report:
    return Audit(database, **options).run()
