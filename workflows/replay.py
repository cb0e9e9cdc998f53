"""Rebuilding the state of the process from the ledger alone, and the checks `custody verify`
adds with it (DESIGN §4: the state tables are a cache of the fold, and verify proves it).

    state replay   fold every entry, in seq order, into an empty World; each row of the state
                   tables must be exactly the row the replay makes, and no row may be missing
                   or extra
    access         every entry's actor held, at that entry's seq, an account, enabled, with a
                   role that permits its kind and the place where it was done (its item's
                   place, its transfer's destination, its batch's site), as the accounts'
                   own entries say up to there (workflows.access); checked in the same pass
    flags          (within the state replay) the `after_destruction` flag each decision
                   step carries is the one its item's earlier entries call for, and its
                   date keeps the rules its command enforced (workflows.destruction_flags)
    files          every photo and document an entry names is in the store, with the SHA-256
                   and size the entry recorded
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import chain, islice
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from custody.db import Database
from custody.entries import EntryBody, decode, proven
from custody.errors import MalformedEntryError
from custody.store import Store
from custody.verification.background import Background
from custody.verify import ExtraStep
from workflows import fold, terms
from workflows.access import device_bound, device_refusal, entry_refusal
from workflows.destruction_flags import WATCHED, FirstDestruction
from workflows.errors import FoldError
from workflows.files import FileStore
from workflows.heap import collector_paused
from workflows.model import Document
from workflows.repository import SHELVES, Repository
from workflows.world import World, unknown

Outcome = tuple[int | None, str] | None
_CHUNK = 5000


def replay(
    database: Database, refused: list[tuple[int, str]] | None = None, canonical: bool = False
) -> World:
    """The state the ledger says the process is in. Raises FoldError on an entry the process
    could not have written. With `refused`, also checks who wrote each entry (the access
    step) from the state just before it, and appends the first entry its actor could not
    have written, as (seq, why).

    `canonical=True` says the bodies were proven canonical and of the format already
    (`custody verify` uses the replay only when the ledger's step 2 proves it, in worker
    processes that parse each body): each is then parsed and taken as it is
    (entries.proven), not checked again (a fifth of the replay, and the format check
    another tenth); a row changed in place since is refused as FoldError, and an entry
    appended since the ledger's steps read the log is left to the next audit's step 2.
    Raises ZonesOutdated on a tz database older than tzdata 2024a (terms.check_zone_data):
    the fold's due times would be an hour off."""
    terms.check_zone_data()
    with collector_paused(), database.read() as conn:  # the whole state, kept (workflows.heap)
        return replayed(conn, refused, canonical, Store(conn).head_size())


class _Replayed(World):
    """The World a replay folds the log into. Nothing is written back from it but whole
    tables (`refold` marks every row), so it keeps no record of what changed: two set
    insertions an entry, for a million entries, to be thrown away."""

    def put(self, kind: str, document: Document) -> None:
        vars(self)[kind][document.ref] = document

    def touch(self, kind: str, document: Document) -> None:
        pass

    # The fold asks these for every entry (an intake: two finds, a look-up, two puts): its
    # table taken from the instance's attributes directly, without a call of `table`.
    def table(self, kind: str) -> dict[Any, Any]:
        table: dict[Any, Any] = vars(self)[kind]
        return table

    def find(self, kind: str, key: Any) -> Any:
        return vars(self)[kind].get(key)

    def get(self, kind: str, key: Any) -> Any:
        try:
            return vars(self)[kind][key]
        except KeyError:
            raise unknown(kind, key) from None


def replayed(
    conn: Connection, refused: list[tuple[int, str]] | None, canonical: bool, size: int
) -> World:
    """The World of entries 0 to size-1, exactly."""
    world = _Replayed()
    check = refused is not None and not refused
    flags, watched = FirstDestruction(), WATCHED
    store = Store(conn)
    for start in range(0, size, _CHUNK):
        # Only the bodies: the other columns are the ledger's steps' to check.
        rows = store.bodies(start, min(start + _CHUNK, size))
        bodies = _proven(rows, start) if canonical else (decode(bytes(raw)) for (raw,) in rows)
        for body in bodies:
            if check:
                why = _refusal(world, body)
                if why is not None:
                    assert refused is not None
                    refused.append((body.seq, f"{body.kind} by {body.actor}: {why}"))
                    check = False
            if body.kind in watched:  # the flag an appeal carries (R1, fix19j)
                flags.see(world, body)
            fold.apply(world, body)
    return world


def _proven(rows: list[tuple[bytes]], start: int) -> list[EntryBody]:
    """The bodies of entries start, start+1, ... (`rows`, as Store.bodies gives them) that
    step 2 of this audit proved canonical and of the format: parsed, and taken as they are
    (entries.proven). Raises FoldError naming the first that is no longer a body step 2
    could have passed (its row changed in place since the ledger's steps read it)."""
    loads = orjson.loads
    try:
        return [proven(loads(raw)) for (raw,) in rows]
    except (orjson.JSONDecodeError, MalformedEntryError):
        for offset, (raw,) in enumerate(rows):
            try:
                proven(loads(raw))
            except (orjson.JSONDecodeError, MalformedEntryError) as exc:
                raise FoldError(
                    start + offset,
                    f"its body changed since the ledger's steps read it ({exc}): "
                    "run custody verify again",
                ) from exc
        raise


def _refusal(world: World, body: EntryBody) -> str | None:
    """Why the entry's actor could not have written it (workflows.access.entry_refusal),
    through the device token its body names, if any, held to that token's role and place
    (device_refusal, device_bound); None when they could."""
    if body.device is not None:
        why = device_refusal(world, body.actor, body.device, body.time, body.data)
        if why is not None:
            return f"through {body.device}: {why}"
    bound = device_bound(world, body.device)
    return entry_refusal(world, body.seq, body.actor, body.kind, body.item, body.data, bound)


def refold(database: Database) -> dict[str, int]:
    """Bring the state tables up to date with the fold: replay the ledger and write every
    row again, removing any the replay does not make. The tables are a cache of the fold,
    so this is how a database made before a change of the fold (R1 counted by the law's
    days, the supervision register) gets the rows the new code makes; `custody verify` then
    passes. Returns the number of rows of each kind. Raises FoldError as `replay`."""
    with collector_paused():
        world = replay(database)
        return rewrite_rows(database, world)


def rewrite_rows(database: Database, world: World) -> dict[str, int]:
    """Write every state row of `world` again, removing any other (refold's second half;
    public for the tamper tests, whose forger writes the rows of a fold it made)."""
    with database.write() as conn:
        for kind, shelf in SHELVES.items():
            conn.execute(shelf.table.delete())
            world.changed[kind] = set(world.table(kind))
        Repository(conn).save(world)
    return {kind: len(world.table(kind)) for kind in SHELVES}


def row_differences(world: World, repo: Repository) -> Iterator[str]:
    """Each state row against the one the replay makes, as tuples in the order of the
    table's columns with the JSON as bytes (Shelf.values; Repository.stored_rows): one
    tuple comparison a row, parsed only when the bytes differ. Each row's tuple is made as
    the row is read, not all first (a million items' rows would be a gigabyte more).

    Rows are matched by key, never counted: a table whose primary key was dropped could
    hold one row twice in place of a missing one, so a key read twice is a difference, and
    a missing row is a key of the replay that was not read. A table without its primary
    key is a difference before any row is read.

    The rows are first compared in the order the replay makes them, with no look-up: the
    process writes each row first when the entry that makes its object is written, so the
    database gives them in that order (SQLite's rowid; PostgreSQL until rows are updated),
    which is the replay's. From the first row that is not the replay's next one, they are
    matched by key as above, the rows matched in order counted as read."""
    for kind, shelf in SHELVES.items():
        if not repo.has_primary_key(kind):
            yield f"{kind} table {shelf.table.name} has lost its primary key"
            continue
        table, values, width = world.table(kind), shelf.values, len(shelf.key)
        rows = repo.stored_rows(kind)
        documents, matched, odd = iter(table.values()), 0, None
        for row in rows:
            document = next(documents, None)
            if document is None or row != values(document):
                odd = row  # the first row not the replay's next one
                break
            matched += 1
        if odd is None and matched == len(table):
            continue  # each row the replay makes, read once, in its order, and no other
        # The first `matched` keys of the replay were read, once each (their rows equal).
        seen: set[Any] = set(islice(table, matched))
        # Bound once: this loop may run for every state row (two million in the benchmark).
        get, saw, strays = table.get, seen.add, False
        for row in rows if odd is None else chain((odd,), rows):
            key = row[0] if width == 1 else row[:width]
            if key in seen:
                yield f"{kind} row {key} appears twice"
                continue
            saw(key)
            document = get(key)
            if document is None:
                strays = True
                yield f"{kind} row {key} is not in the ledger"
                continue
            wanted = values(document)
            if row != wanted and not _same(row, wanted):
                yield f"{kind} row {key} differs from what the ledger says"
        # Without strays, every key read is one of the replay's, read once: none is
        # missing when as many were read as the replay made (a million look-ups spared).
        if strays or len(seen) != len(table):
            yield from (f"{kind} row {key} is missing" for key in table if key not in seen)


def _same(row: tuple[Any, ...], wanted: tuple[Any, ...]) -> bool:
    """Whether a stored row whose bytes are not the replay's still holds the same document
    (written in another key order, or by an older version): the process writes a document's
    JSON as the replay makes it (Repository.save: orjson of the same object), so this is
    asked only of a row that differs."""
    if row[:-1] != wanted[:-1]:
        return False
    try:
        return bool(orjson.loads(row[-1]) == orjson.loads(wanted[-1]))
    except orjson.JSONDecodeError:
        return False


def check_state(world: World, database: Database) -> Outcome:
    with database.read() as conn:
        return first_difference(world, conn)


def first_difference(world: World, conn: Connection) -> Outcome:
    first = next(row_differences(world, Repository(conn)), None)
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


def audit_outcomes(
    database: Database,
    files: FileStore,
    more: Sequence[tuple[str, WorldCheck]] = (),
    size: int | None = None,
) -> list[Outcome]:
    """The outcomes of the process's steps (state replay, access, `more`, files), in that
    order, up to the first that fails. `size` is the log's size the ledger's steps verified
    (the head's, read here, when None): exactly its entries are replayed, and the state rows
    are read in the same snapshot as the head; when that head is not `size` the state
    tables reflect entries nothing verified, and the replay fails ("run again"), vouching
    for nothing. Runs in a process of its own beside the ledger's steps on a large ledger
    (verify_steps), so it returns only the outcomes, not the World."""
    refused: list[tuple[int, str]] = []
    with collector_paused():  # the whole state, kept (workflows.heap)
        with database.read() as conn:
            head = Store(conn).head_size()  # the snapshot the state rows are read in
            verified = head if size is None else size
            if head != verified:
                return [(None, _moved(verified, head))]
            try:
                world = replayed(conn, refused, True, verified)
            except FoldError as exc:
                return [(exc.seq, str(exc))]
            outcomes = [first_difference(world, conn)]
        checks: list[Callable[[], Outcome]] = [
            lambda: refused[0] if refused else None,
            *(partial(check, world, database) for _, check in more),
            partial(check_files, world, files),
        ]
        for check in checks:
            if outcomes[-1] is not None:
                break
            outcomes.append(check())
        return outcomes


def _moved(verified: int, head: int) -> str:
    how = "grew" if head > verified else "shrank"
    return (
        f"the ledger {how} during verification ({verified} entries verified, {head} now): "
        "the state tables are not those of the verified entries; run custody verify again"
    )


def outcomes_at(
    url: str, files: FileStore, more: Sequence[tuple[str, WorldCheck]], size: int
) -> Any:
    database = Database(url)
    try:
        return audit_outcomes(database, files, more, size)
    finally:
        database.dispose()


class _Shared:
    """The process's steps' outcomes, computed once for all of them: beside the ledger's
    steps when the audit starts them (Audit: a ledger large enough for workers), else here
    when the first step asks."""

    def __init__(self, files: FileStore, more: Sequence[tuple[str, WorldCheck]]) -> None:
        self.files, self.more = files, list(more)
        self.background: Background | None = None
        self.size: int | None = None  # the verified size the background replays up to
        self.outcomes: list[Outcome] | None = None

    def start(self, database: Database, size: int) -> None:
        self.stop()
        self.outcomes, self.size = None, size
        self.background = Background(outcomes_at, database.url, self.files, self.more, size)

    def stop(self) -> None:
        if self.background is not None:
            self.background.close()
            self.background = None

    def outcome(self, number: int, database: Database, size: int) -> Outcome:
        if self.outcomes is None:
            if self.background is not None and self.size == size:
                self.outcomes = self.background.result()
            else:
                self.stop()
                self.outcomes = audit_outcomes(database, self.files, self.more, size)
        assert self.outcomes is not None
        return self.outcomes[number] if number < len(self.outcomes) else None


def verify_steps(files: FileStore, more: Sequence[tuple[str, WorldCheck]] = ()) -> list[ExtraStep]:
    """The steps the process adds to `custody verify`, after the ledger's own nine; they
    share one replay of the log (audit_outcomes), run beside the ledger's steps on a large
    ledger. `more` adds steps of the layers above that check their own tables against the
    replayed World (the service's credentials against the accounts); its checks must be
    module-level functions, as they may run in another process."""
    shared = _Shared(files, more)
    names = ["state replay", "access", *(name for name, _ in more), "files"]
    return [
        ExtraStep(
            name,
            partial(shared.outcome, number),
            shared.start if number == 0 else None,
            shared.stop if number == 0 else None,
        )
        for number, name in enumerate(names)
    ]
