"""The audit: takes the log's size in one read transaction (REPEATABLE READ on PostgreSQL),
reads exactly the entries below it (in worker processes, one per core, each its own range,
for a large ledger; each range in a read of its own, so entries appended meanwhile are never
read), folds the checked rows in seq order through steps 1-6 and 8, then checks the tables
(7), the tree (8) and the checkpoints (9) in that first transaction. Higher layers add steps
(the replay of the state tables) as `ExtraStep`s, given the size steps 1-9 verified: they
must vouch for no entry past it. They run only when steps 1-9 hold, and are reported "not
run" otherwise."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from custody import note
from custody.db import Database
from custody.store import Store
from custody.verification.checkpoint_step import (
    AuditorCheckpoint,
    Checkpoints,
    parse_auditor_checkpoints,
)
from custody.verification.entry_steps import CanonicalBodies, ChainLinks, Entries, LeafHashes
from custody.verification.report import Report, StepResult
from custody.verification.rows import Body, Checked, Row, check_row
from custody.verification.signature_steps import LedgerSignatures, PeoplesActs
from custody.verification.tables_step import check_derived_tables
from custody.verification.tree_step import MerkleTree

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


@dataclass(frozen=True)
class ExtraStep:
    """A step a higher layer adds; it runs only when the ledger's own steps hold, and
    returns None, or the seq (if any) and the reason it fails. `run` and `start` are given
    the database and the log's size that steps 1-9 verified (entries 0 to size-1): an
    entry appended since was verified by nothing, and the step must not vouch for it."""

    name: str
    run: Callable[[Database, int], tuple[int | None, str] | None]
    # On a ledger large enough for worker processes, `start` is called before the ledger's
    # steps read the log, to begin the step's work beside them (custody.verification.
    # background); `stop` is called at the end of the audit, to end what is left of it.
    start: Callable[[Database, int], None] | None = None
    stop: Callable[[], None] | None = None


_worker: tuple[Database, dict[str, bytes]] | None = None


def _init_worker(url: str, table_keys: dict[str, bytes]) -> None:
    global _worker
    _worker = (Database(url), table_keys)
    # A worker makes a dozen tuples per entry and frees each range's by reference count
    # once it is sent: no cycles to find, and the collector walking them was a twentieth
    # of the worker's time.
    gc.disable()


def _check_range(start: int, stop: int) -> list[tuple[Any, ...]]:
    """The rows of [start, stop) checked, as plain tuples (`_wire`)."""
    assert _worker is not None
    database, table_keys = _worker
    with database.read() as conn:
        rows = Store(conn).rows_for_verify(start, stop)
    new = tuple.__new__  # the driver's row as a Row without a call of its Python __new__
    return [_wire(check_row(new(Row, row), table_keys)) for row in rows]


def _wire(checked: Checked) -> tuple[Any, ...]:
    """`checked` as plain tuples for the pipe: pickle sends a NamedTuple as its class and
    rebuilds it by a call of its Python `__new__`, which cost the sender and the receiver
    3.6 µs an entry against 1.2 µs for plain tuples rebuilt by `_unwire`."""
    body = checked.body
    return checked if body is None else (*checked[:9], tuple(body), checked[10])


def _unwire(wire: tuple[Any, ...], new: Any = tuple.__new__) -> Checked:
    body = wire[9]
    if body is not None:
        wire = (*wire[:9], new(Body, body), wire[10])
    checked: Checked = new(Checked, wire)
    return checked


def workers_for(size: int, asked: int | None = None) -> int:
    """How many worker processes read a log of `size` entries: one per core, or as asked;
    1 (the rows are read in the auditing process) below PARALLEL_FROM entries, where
    starting processes costs more than it saves."""
    if size < PARALLEL_FROM:
        return 1
    return max(1, asked if asked is not None else (os.cpu_count() or 1))


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
        results = [StepResult(number, name) for number, name in STEPS.items()]
        results += [
            StepResult(number, extra.name)
            for number, extra in enumerate(self.extra_steps, start=len(STEPS) + 1)
        ]
        try:
            with self.database.engine.connect() as conn:
                if self.database.dialect == "postgresql":
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    report = self._ledger_steps(conn, results)
            if all(step.ok for step in results[: len(STEPS)]):
                self._extra_steps(results[len(STEPS) :], report.size)
        finally:
            for extra in self.extra_steps:
                if extra.stop is not None:
                    extra.stop()
        return report

    def _ledger_steps(self, conn: Connection, results: list[StepResult]) -> Report:
        step = {r.number: r for r in results}
        store = Store(conn)
        count, size = store.extent()
        head = store.head()
        stored_checkpoints = store.checkpoints()
        table_keys = {k.key_id: k.public_key for k in store.key_records()}
        entries, canonical, leaves, links = (
            Entries(step[1]),
            CanonicalBodies(step[2]),
            LeafHashes(step[3]),
            ChainLinks(step[4]),
        )
        signatures = LedgerSignatures(step[5], table_keys)
        acts = PeoplesActs(step[6], table_keys, signatures.registry)
        auditor = parse_auditor_checkpoints(step[9], self.auditor_checkpoints)
        tree = MerkleTree(step[8])
        tree.wanted_roots = {c.size for c in stored_checkpoints} | {p.body.size for p in auditor}
        if self._workers(size) > 1:
            for extra in self.extra_steps:
                if extra.start is not None:
                    extra.start(self.database, size)
        for checked in self._checked(size, table_keys):
            entries.take(checked)
            canonical.take(checked)
            leaves.take(checked)
            links.take(checked)
            signatures.take(checked)
            acts.take(checked)
            tree.take(checked.leaf)
        entries.finish(count, size)
        signatures.check_pinned(self.pinned_key)
        check_derived_tables(
            step[7], store, head, signatures.registry, acts.acts, entries.expected, links.last_time
        )
        tree.check_stored(store, head, size)
        root = tree.root()
        Checkpoints(step[9], self.database, signatures.registry, tree.roots_at, size, root).check(
            conn, stored_checkpoints, auditor
        )
        for number in STEPS:
            step[number].hold()
        checked_count = len(stored_checkpoints) + len(auditor)
        pinned = self.pinned_key.vkey if self.pinned_key is not None else None
        return Report(
            signatures.registry.origin,
            size,
            root,
            results,
            checked_count,
            pinned_key=pinned,
            auditor_checkpoints=len(self.auditor_checkpoints),
        )

    def _checked(self, size: int, table_keys: dict[str, bytes]) -> Iterator[Checked]:
        ranges = [(start, min(start + CHUNK, size)) for start in range(0, size, CHUNK)]
        workers = self._workers(size)
        if workers <= 1:
            for start, stop in ranges:
                with self.database.read() as conn:
                    rows = Store(conn).rows_for_verify(start, stop)
                yield from (check_row(Row(*row), table_keys) for row in rows)
                self._advance(stop, size)
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.database.url, table_keys),
        ) as pool:
            pending: list[tuple[int, Future[list[tuple[Any, ...]]]]] = []
            queue = iter(ranges)
            for start, stop in queue:
                pending.append((stop, pool.submit(_check_range, start, stop)))
                if len(pending) >= workers * 4:
                    break
            while pending:
                stop, future = pending.pop(0)
                yield from map(_unwire, future.result())
                self._advance(stop, size)
                next_range = next(queue, None)
                if next_range is not None:
                    pending.append((next_range[1], pool.submit(_check_range, *next_range)))

    def _workers(self, size: int) -> int:
        return workers_for(size, self.workers)

    def _advance(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def _extra_steps(self, results: list[StepResult], size: int) -> None:
        for result, extra in zip(results, self.extra_steps, strict=True):
            outcome = extra.run(self.database, size)
            if outcome is not None:
                result.fail(*outcome)
                return  # the ones after it are "not run"
            result.hold()


def verify(database: Database, **options: object) -> Report:
    return Audit(database, **options).run()  # type: ignore[arg-type]
