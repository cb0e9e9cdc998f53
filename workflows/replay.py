"""Rebuilding the state of the process from the ledger alone, and the checks `custody verify`
adds with it (DESIGN §4: the state tables are a cache of the fold, and verify proves it).

    state replay   fold every entry, in seq order, into an empty World; each row of the state
                   tables must be exactly the row the replay makes, and no row may be missing
                   or extra
    access         every entry's actor held, at that entry's seq, an account, enabled, with a
                   role that permits its kind and the place where it was done (its item's
                   place, its transfer's destination, its batch's site), as the accounts'
                   own entries say up to there (workflows.access); checked in the same pass
    files          every photo and document an entry names is in the store, with the SHA-256
                   and size the entry recorded
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import orjson

from custody.db import Database
from custody.entries import decode, validate
from custody.store import Store
from custody.verify import ExtraStep
from workflows import fold
from workflows.access import entry_refusal
from workflows.errors import FoldError
from workflows.files import FileStore
from workflows.heap import collector_paused
from workflows.repository import SHELVES, Repository, row_of
from workflows.world import World

Outcome = tuple[int | None, str] | None
_CHUNK = 5000


def replay(
    database: Database, refused: list[tuple[int, str]] | None = None, canonical: bool = False
) -> World:
    """The state the ledger says the process is in. Raises FoldError on an entry the process
    could not have written. With `refused`, also checks who wrote each entry (the access
    step) from the state just before it, and appends the first entry its actor could not
    have written, as (seq, why).

    `canonical=True` says the bodies were proven canonical already (`custody verify` runs
    its own steps only after the ledger's, whose step 2 proves it): each is then parsed and
    checked against the format, without checking its bytes again (a fifth of the replay); an
    entry appended since the ledger's steps read the log is left to the next audit's step 2."""
    world = World()
    check = refused is not None and not refused
    with collector_paused(), database.read() as conn:  # the whole state, kept (workflows.heap)
        store = Store(conn)
        size = store.head().size
        for start in range(0, size, _CHUNK):
            for entry in store.entries(start, min(start + _CHUNK, size)):
                body = validate(orjson.loads(entry.body)) if canonical else decode(entry.body)
                if check:
                    why = entry_refusal(
                        world, body.seq, body.actor, body.kind, body.item, body.data
                    )
                    if why is not None:
                        assert refused is not None
                        refused.append((body.seq, f"{body.kind} by {body.actor}: {why}"))
                        check = False
                fold.apply(world, body)
    return world


def refold(database: Database) -> dict[str, int]:
    """Bring the state tables up to date with the fold: replay the ledger and write every
    row again, removing any the replay does not make. The tables are a cache of the fold,
    so this is how a database made before a change of the fold (R1 counted by the law's
    days, the supervision register) gets the rows the new code makes; `custody verify` then
    passes. Returns the number of rows of each kind. Raises FoldError as `replay`."""
    with collector_paused():
        world = replay(database)
        return _rewrite(database, world)


def _rewrite(database: Database, world: World) -> dict[str, int]:
    with database.write() as conn:
        for kind, shelf in SHELVES.items():
            conn.execute(shelf.table.delete())
            world.changed[kind] = set(world.table(kind))
        Repository(conn).save(world)
    return {kind: len(world.table(kind)) for kind in SHELVES}


def _key_of(kind: str, row: dict[str, Any]) -> Any:
    key = tuple(row[name] for name in SHELVES[kind].key)
    return key if len(key) > 1 else key[0]


def _differences(world: World, repo: Repository) -> Iterator[str]:
    for kind in SHELVES:
        expected = {key: row_of(kind, doc) for key, doc in world.table(kind).items()}
        seen = set()
        for row in repo.rows(kind):
            key = _key_of(kind, row)
            seen.add(key)
            wanted = expected.get(key)
            if wanted is None:
                yield f"{kind} row {key} is not in the ledger"
            elif not _same(row, wanted):
                yield f"{kind} row {key} differs from what the ledger says"
        for key in expected.keys() - seen:
            yield f"{kind} row {key} is missing"


def _same(row: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether a stored row is the one the replay makes. The process writes a document's
    JSON as the replay makes it (Repository.save: orjson of the same object), so the bytes
    are compared first and parsed only when they differ (a row written in another key order
    or by an older version may still hold the same document)."""
    stored, made = row["data"], wanted["data"]
    if isinstance(stored, str) and isinstance(made, bytes) and stored.encode() == made:
        others = (row[k] == v for k, v in wanted.items() if k != "data")
        if row.keys() == wanted.keys() and all(others):
            return True
    return _normal(row) == _normal(wanted)


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "data": orjson.loads(row["data"])}


def check_state(world: World, database: Database) -> Outcome:
    with database.read() as conn:
        first = next(_differences(world, Repository(conn)), None)
    return (None, first) if first is not None else None


def check_files(world: World, files: FileStore) -> Outcome:
    for item in world.items.values():
        for ref in item.files:
            problem = files.problem(ref)
            if problem is not None:
                return ref.get("seq"), f"{problem} (item {item.id}, {ref.get('step')})"
    for batch in world.batches.values():
        for ref in batch.facts.get("files", []):
            problem = files.problem(ref)
            if problem is not None:
                return None, f"{problem} (batch {batch.id})"
    return None


WorldCheck = Callable[[World, Database], Outcome]


def verify_steps(files: FileStore, more: Sequence[tuple[str, WorldCheck]] = ()) -> list[ExtraStep]:
    """The steps the process adds to `custody verify`, after the ledger's own nine; they
    share one replay of the log. `more` adds steps of the layers above that check their
    own tables against the replayed World (the service's credentials against the accounts)."""
    replayed: dict[str, World] = {}
    refused: list[tuple[int, str]] = []

    def world_of(database: Database) -> World:
        if "world" not in replayed:
            replayed["world"] = replay(database, refused, canonical=True)
        return replayed["world"]

    def state(database: Database) -> Outcome:
        try:
            world = world_of(database)
        except FoldError as exc:
            return exc.seq, str(exc)
        return check_state(world, database)

    def access(database: Database) -> Outcome:
        world_of(database)
        return refused[0] if refused else None

    def stored_files(database: Database) -> Outcome:
        return check_files(world_of(database), files)

    def step(name: str, check: WorldCheck) -> ExtraStep:
        return ExtraStep(name, lambda database: check(world_of(database), database))

    return [
        ExtraStep("state replay", state),
        ExtraStep("access", access),
        *(step(name, check) for name, check in more),
        ExtraStep("files", stored_files),
    ]
