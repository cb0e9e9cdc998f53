"""Reading the state tables into a World, and writing back what an action changed.

One upsert per table for all the changed objects of that kind, through SQLAlchemy Core inside
the caller's transaction (the same one the ledger entries are written in): a bulk step of
500 items writes 500 rows in one statement, not 500 ORM flushes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from operator import attrgetter
from typing import Any

import orjson
from sqlalchemy import Table, cast, exists, func, inspect, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection

from workflows.cache import DocumentCache
from workflows.heap import collector_paused
from workflows.markings import fold
from workflows.model import Deadline, Document, Item
from workflows.tables import (
    AccountRow,
    BatchRow,
    CampaignRow,
    CommissionRow,
    DeadlineRow,
    DeviceRow,
    DiscrepancyRow,
    IdRow,
    ItemRow,
    LocationRow,
    PaymentRow,
    ProposalRow,
    TransferRow,
)
from workflows.world import KINDS, World

_CHUNK = 500
_FETCH = 10_000  # rows fetched at a time when a whole table is read
# The states of an item that has a destination (workflows.machines): sent to a warehouse, or
# to forensics.
_ON_THE_ROAD = ("in_transit", "to_forensics")
_DUE_COUNT = "SELECT COUNT(*) FROM wf_deadlines WHERE closed IS NULL AND due_at IS NOT NULL"


@dataclass(frozen=True)
class Shelf:
    """Where one kind of object is kept: its table, key, and the columns searched by (each
    an attribute of the object of the same name), of which `fixed` are set when the row is
    made and never changed: an UPDATE leaves them, and their indexes, alone."""

    table: Table
    key: tuple[str, ...]
    searched: tuple[str, ...] = ()
    fixed: frozenset[str] = frozenset()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, *self.searched, "data")

    @cached_property
    def _values(self) -> Callable[[Any], Any]:
        return attrgetter(*self.key, *self.searched)

    def values(self, document: Document) -> tuple[Any, ...]:
        """The row for `document`, in the order of `columns`, its JSON as UTF-8 bytes.

        orjson writes a dataclass field by field itself, the same JSON `to_json` gives, at a
        fraction of the cost; the bytes go to the database as they are (see Repository)."""
        values = self._values(document)
        data = orjson.dumps(document)
        return (*values, data) if isinstance(values, tuple) else (values, data)

    @cached_property
    def changing(self) -> tuple[str, ...]:
        """The searched columns an UPDATE sets: all but the fixed ones."""
        return tuple(c for c in self.searched if c not in self.fixed)

    @cached_property
    def _update_values(self) -> Callable[[Any], tuple[Any, ...]]:
        names = (*self.changing, *self.key)
        get = attrgetter(*names)
        return (lambda document: (get(document),)) if len(names) == 1 else get

    def update_params(self, document: Document) -> tuple[Any, ...]:
        """The parameters of the UPDATE of `document`'s row: the changing columns, its JSON
        as UTF-8 bytes (at `len(changing)`), then the key. The fixed columns are neither
        set nor computed: an item's folded marking (workflows.markings) costs more than
        the rest of its row, and no step changes it."""
        changing, key = len(self.changing), self._update_values(document)
        return (*key[:changing], orjson.dumps(document), *key[changing:])


def _shelf(row: Any, *searched: str, fixed: tuple[str, ...] = ()) -> Shelf:
    table: Table = row.__table__
    key = tuple(c.name for c in table.primary_key.columns)
    return Shelf(table, key, searched, frozenset(fixed))


SHELVES: dict[str, Shelf] = {
    "items": _shelf(
        ItemRow,
        "workflow",
        "category",
        "source",
        "state",
        "location",
        "marking",
        "marking_folded",
        "campaign",
        "batch",
        "last_seq",
        # What an item is and where it came from: recorded at intake, never changed by a step.
        fixed=("workflow", "category", "source", "marking", "marking_folded", "campaign"),
    ),
    "locations": _shelf(LocationRow, "kind"),
    "commissions": _shelf(CommissionRow),
    "transfers": _shelf(TransferRow, "state"),
    "batches": _shelf(BatchRow, "kind", "state"),
    "deadlines": _shelf(DeadlineRow, "due_at", "closed"),
    "discrepancies": _shelf(DiscrepancyRow, "subject", "resolved_at"),
    "accounts": _shelf(AccountRow),
    "devices": _shelf(DeviceRow, "account", fixed=("account",)),
    "campaigns": _shelf(CampaignRow),
    "payments": _shelf(
        PaymentRow,
        "item",
        "marking_folded",
        "campaign",
        fixed=("item", "marking_folded", "campaign"),
    ),
    "proposals": _shelf(ProposalRow, "state"),
    "ids": _shelf(IdRow),
}


@dataclass(frozen=True)
class ItemSearch:
    """Filters for a page of items; each one given narrows the search."""

    state: str | None = None
    location: str | None = None
    source: str | None = None
    category: str | None = None
    batch: str | None = None
    overdue: bool | None = None  # with a deadline past due and not met
    text: str | None = None  # in the marking
    after: str | None = None  # the last id of the page before
    limit: int = 100
    # A place reader's scope (workflows.reading): items at these places or on the road to
    # them; None for a reader of every place.
    places: frozenset[str] | None = None


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@cache
def stored_json_sql(kind: str, postgres: bool) -> str:
    """The SELECT of one document of `kind` by its one-column key, as UTF-8 JSON bytes, in
    the driver's placeholders (one parameter: the key)."""
    shelf = SHELVES[kind]
    data = "convert_to(data, 'UTF8')" if postgres else "CAST(data AS BLOB)"
    mark = "%s" if postgres else "?"
    return f"SELECT {data} FROM {shelf.table.name} WHERE {shelf.key[0]} = {mark}"


def row_of(kind: str, document: Document) -> dict[str, Any]:
    shelf = SHELVES[kind]
    return dict(zip(shelf.columns, shelf.values(document), strict=True))


class Repository:
    """Plain SQL on the driver connection under the caller's transaction, like the ledger's
    store: through SQLAlchemy's statement handling, loading and saving cost more per object
    than writing its ledger entry (bench/lifecycles.py).

    The JSON travels as UTF-8 bytes, converted to text in the database: a document with
    Cyrillic in it would otherwise be decoded into a Python string and encoded back on
    every load and every save."""

    def __init__(self, conn: Connection, cache: DocumentCache | None = None) -> None:
        self.conn = conn
        self.cache = cache
        self.postgres = conn.dialect.name == "postgresql"
        self.raw: Any = conn.connection.driver_connection
        self._text = "convert_from(%s, 'UTF8')" if self.postgres else "CAST(? AS TEXT)"
        self._bytes = "convert_to(data, 'UTF8')" if self.postgres else "CAST(data AS BLOB)"
        # Keys asked for and not found, by kind: in this transaction nothing but save() adds
        # rows, and what it adds is in the World already.
        self._absent: dict[str, set[Any]] = {}
        # What save() wrote, to give to the cache once the transaction has committed.
        self.written: list[tuple[str, Any, bytes, Document]] = []

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    def load(self, world: World, kind: str, keys: Iterable[Any]) -> None:
        """Put into `world` the objects of these keys that exist (unknown keys are skipped)."""
        self.load_kinds(world, {kind: keys})

    def load_kinds(self, world: World, wanted: Mapping[str, Iterable[Any]]) -> None:
        """`load` for several kinds at once: {kind: keys}. Up to _CHUNK keys of one-column
        kinds are read in one statement (a SELECT per table, UNION ALL), since a command's
        check reads a few rows of several tables (its actor's account, the places, the items)
        and each statement costs more than its row. A key found missing is remembered as
        missing for this transaction, so that it is not asked for again."""
        asked: dict[str, list[Any]] = {}
        for kind, keys in wanted.items():
            table, absent = world.table(kind), self._absent.setdefault(kind, set())
            fresh = [k for k in dict.fromkeys(keys) if k is not None and k not in table]
            fresh = [k for k in fresh if k not in absent]
            if fresh:
                asked[kind] = fresh
        together = {k: v for k, v in asked.items() if len(SHELVES[k].key) == 1}
        if len(together) > 1 and sum(map(len, together.values())) <= _CHUNK:
            rows = self._select_kinds(together)
            for kind, keys in together.items():
                self._take(world, kind, keys, rows.get(kind, []))
                del asked[kind]
        for kind, keys in asked.items():
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                self._take(world, kind, chunk, self._select(SHELVES[kind], chunk))

    def _take(self, world: World, kind: str, asked: list[Any], rows: list[Any]) -> None:
        """The objects of `rows` (data bytes, then the key's columns) into `world`."""
        table, stored, cache = world.table(kind), world.stored[kind], self.cache
        cls = KINDS[kind]
        single = len(SHELVES[kind].key) == 1
        found = set()
        for row in rows:
            data = bytes(row[0])
            ref = row[1] if single else tuple(row[1:])
            document = cache.take(kind, ref, data) if cache is not None else None
            if document is None:
                document = cls.from_json(orjson.loads(data))
            table.setdefault(ref, document)
            stored.add(ref)
            found.add(ref)
        if single and asked:
            self._absent.setdefault(kind, set()).update(k for k in asked if k not in found)

    def _select_kinds(self, wanted: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
        """The rows of one-column-key kinds, {kind: [(data bytes, key)]}, in one statement."""
        parts, params = [], []
        for number, (kind, keys) in enumerate(wanted.items()):
            shelf = SHELVES[kind]
            marks = ", ".join("?" * len(keys))
            parts.append(
                f"SELECT {number}, {self._bytes}, {shelf.key[0]} FROM {shelf.table.name} "
                f"WHERE {shelf.key[0]} IN ({marks})"
            )
            params.extend(keys)
        kinds = list(wanted)
        rows: dict[str, list[Any]] = {}
        for number, data, key in self.raw.execute(self._sql(" UNION ALL ".join(parts)), params):
            rows.setdefault(kinds[number], []).append((data, key))
        return rows

    def existing(self, kind: str, keys: Iterable[str]) -> set[str]:
        """Which of these ids have a row of `kind` (one-column keys): ids only, no documents,
        for the id register's check (workflows.subjects)."""
        return self.holders([kind], keys).get(kind, set())

    def holders(self, kinds: Sequence[str], keys: Iterable[str]) -> dict[str, set[str]]:
        """Which of these ids have a row of each of these kinds (one-column keys):
        {kind: ids}, ids only, read for all the kinds in one statement per chunk of ids."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, set[str]] = {}
        per = max(1, _CHUNK // max(1, len(kinds)))
        for start in range(0, len(wanted), per):
            chunk = wanted[start : start + per]
            marks = ", ".join("?" * len(chunk))
            sql = " UNION ALL ".join(
                f"SELECT {number}, id FROM {SHELVES[kind].table.name} WHERE id IN ({marks})"
                for number, kind in enumerate(kinds)
            )
            for number, subject in self.raw.execute(self._sql(sql), chunk * len(kinds)):
                found.setdefault(kinds[number], set()).add(subject)
        return found

    def _select(self, shelf: Shelf, keys: list[Any]) -> list[Any]:
        # A composite key is looked up by its first column (an item's deadlines), which an
        # index leads with; the rows of keys not asked for are then left out.
        firsts = list(dict.fromkeys(keys)) if len(shelf.key) == 1 else list({k[0]: 0 for k in keys})
        marks = ", ".join("?" * len(firsts))
        columns = ", ".join(shelf.key)
        name = shelf.table.name
        sql = f"SELECT {self._bytes}, {columns} FROM {name} WHERE {shelf.key[0]} IN ({marks})"
        rows = self.raw.execute(self._sql(sql), firsts).fetchall()
        if len(shelf.key) == 1:
            return list(rows)
        wanted = set(keys)
        return [row for row in rows if tuple(row[1:]) in wanted]

    def discrepancy_ids(self, subject: str) -> list[str]:
        """The ids of every discrepancy about `subject` (an item, a batch), by its index."""
        sql = "SELECT id FROM wf_discrepancies WHERE subject = ?"
        return [row[0] for row in self.raw.execute(self._sql(sql), (subject,))]

    def documents(self, kind: str, where: Any = None) -> list[Any]:
        shelf = SHELVES[kind]
        query = select(shelf.table.c.data)
        if where is not None:
            query = query.where(where)
        return [KINDS[kind].from_json(orjson.loads(d)) for (d,) in self.conn.execute(query)]

    def deadlines(self, open_only: bool) -> list[Any]:
        """Every deadline (or those not met nor cancelled), read as bytes in one fetch."""
        sql = f"SELECT {self._bytes} FROM wf_deadlines"
        if open_only:
            sql += " WHERE closed IS NULL"
        with collector_paused():
            return Deadline.load_rows(self.raw.execute(sql).fetchall())

    def open_deadlines(self, limit: int | None = None, offset: int = 0) -> list[Any]:
        """The deadlines not met nor cancelled, in the order a list shows them: by due time
        (so the overdue ones, due before now, come first), ties by item and rule, then the
        paused ones (no due time) by item; `limit` of them from `offset`, or all. Read in
        the order of the due-time index and of the key, without sorting, so a page of 100
        reads 100 rows, and all of them after a restart about as fast as the rows can be
        read."""
        # PostgreSQL compares text by the database's collation; the list is in code point
        # order on both, as Python sorts.
        c = ' COLLATE "C"' if self.postgres else ""
        select = f"SELECT {self._bytes} FROM wf_deadlines WHERE closed IS NULL AND due_at"
        due = f"{select} IS NOT NULL ORDER BY due_at{c}, item{c}, rule{c}"
        paused = f"{select} IS NULL ORDER BY item{c}, rule{c}"
        with collector_paused():  # 100,000 documents of small dicts (workflows.heap)
            page = self._sql(" LIMIT ? OFFSET ?")
            rows = (
                self.raw.execute(due).fetchall()
                if limit is None
                else self.raw.execute(due + page, (limit, offset)).fetchall()
            )
            if limit is None:
                rows += self.raw.execute(paused).fetchall()
            elif len(rows) < limit:
                skip = 0
                if not rows and offset:  # the page starts among the paused ones
                    skip = offset - int(self.raw.execute(_DUE_COUNT).fetchone()[0])
                rows += self.raw.execute(
                    paused + page, (limit - len(rows), max(skip, 0))
                ).fetchall()
            return Deadline.load_rows(rows)

    def due_for_notices(self, horizon: str) -> list[tuple[str, str, str, str | None]]:
        """(item, rule, due_at, place) of each deadline not met nor cancelled that is due by
        `horizon` (RFC 3339 UTC), by the due-time index: what the notice worker plans from.
        The place is taken from the document by the database's JSON functions, so the
        10,000 documents of a pass are not parsed here (bench/deadlines.py)."""
        place = (
            "CAST(data AS json) ->> 'place'" if self.postgres else "json_extract(data, '$.place')"
        )
        sql = self._sql(
            f"SELECT item, rule, due_at, {place} FROM wf_deadlines "
            "WHERE due_at <= ? AND closed IS NULL"
        )
        return [tuple(row) for row in self.raw.execute(sql, (horizon,)).fetchall()]

    def stopped_deadlines(self) -> list[Deadline]:
        """The deadlines not met nor cancelled whose clock is stopped (no due time), by the
        due-time index: the notice worker keeps telling of those stopped after their term
        had run out (workflows.escalation.escalating_due)."""
        sql = f"SELECT {self._bytes} FROM wf_deadlines WHERE due_at IS NULL AND closed IS NULL"
        with collector_paused():
            return Deadline.load_rows(self.raw.execute(sql).fetchall())

    def stored_json(self, kind: str, key: str) -> bytes | None:
        """The document of `key` as the table holds it (UTF-8 JSON), or None."""
        row = self.raw.execute(stored_json_sql(kind, self.postgres), (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def items_marked(self, folded: Iterable[str]) -> list[Item]:
        """Every item whose marking's identity (workflows.markings.fold) is one of these, by
        the index on it: what R10 and R11 compare an intake or a batch load with."""
        wanted = [f for f in dict.fromkeys(folded) if f]
        found: list[Item] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {self._bytes} FROM wf_items WHERE marking_folded IN ({marks})"
            rows = self.raw.execute(self._sql(sql), chunk).fetchall()
            found.extend(Item.from_json(orjson.loads(bytes(row[0]))) for row in rows)
        return found

    def items_named(
        self, world: World, ids: Sequence[str], markings: Sequence[str], folded: Sequence[str]
    ) -> list[tuple[str, str | None, str | None]]:
        """The items whose id is one of `ids`, or whose marking is one of `markings` as written
        or one of `folded` by its identity (the OR of three indexed lookups), put into `world`
        as `load` puts them, in one statement: (id, marking, marking_folded) of each. What a
        scan reads (api.web.scan_codes): the item found and its document, not two reads."""
        sql = self._sql(
            f"SELECT {self._bytes}, id, marking, marking_folded FROM wf_items"
            f" WHERE id IN ({_marks(ids)}) OR marking IN ({_marks(markings)})"
            f" OR marking_folded IN ({_marks(folded)})"
        )
        rows = self.raw.execute(sql, [*ids, *markings, *folded]).fetchall()
        self._take(world, "items", [], [(row[0], row[1]) for row in rows])
        return [(str(row[1]), row[2], row[3]) for row in rows]

    def payments_where(self, column: str, value: str) -> list[Any]:
        """The payments of one item, marking identity or campaign (column: item,
        marking_folded or campaign), in the order they were paid."""
        if column not in ("item", "marking_folded", "campaign"):
            raise ValueError(f"payments are not searched by {column}")
        sql = self._sql(f"SELECT {self._bytes} FROM wf_payments WHERE {column} = ?")
        load = KINDS["payments"].from_json
        found = [load(orjson.loads(bytes(row[0]))) for row in self.raw.execute(sql, (value,))]
        return sorted(found, key=lambda p: p.paid_seq)

    def items_of_campaign(self, campaign: str) -> list[Item]:
        sql = self._sql(f"SELECT {self._bytes} FROM wf_items WHERE campaign = ? ORDER BY id")
        rows = self.raw.execute(sql, (campaign,)).fetchall()
        return [Item.from_json(orjson.loads(bytes(row[0]))) for row in rows]

    def states_at(self, location: str) -> list[tuple[str, str]]:
        """(id, state) of every item recorded at `location`."""
        sql = self._sql("SELECT id, state FROM wf_items WHERE location = ? ORDER BY id")
        return [(str(i), str(s)) for i, s in self.raw.execute(sql, (location,)).fetchall()]

    def search_items(self, search: ItemSearch, now: str) -> list[Item]:
        items, deadlines = ItemRow.__table__, DeadlineRow.__table__  # type: ignore[attr-defined]
        query = select(items.c.data).order_by(items.c.id).limit(search.limit)
        for column in ("state", "location", "source", "category", "batch"):
            value = getattr(search, column)
            if value is not None:
                query = query.where(items.c[column] == value)
        if search.text:
            # As written, or by its identity: `ak-123` finds `АК 123 456` (R11).
            written = items.c.marking.like(_contains(search.text), escape="\\")
            folded = fold(search.text)
            same = items.c.marking_folded.like(_contains(folded), escape="\\")
            query = query.where(written | same if folded else written)
        if search.after is not None:
            query = query.where(items.c.id > search.after)
        if search.places is not None:
            query = query.where(self._at_places(items, sorted(search.places)))
        if search.overdue is not None:
            late = exists().where(
                deadlines.c.item == items.c.id,
                deadlines.c.closed.is_(None),
                deadlines.c.due_at.is_not(None),
                deadlines.c.due_at < now,
            )
            query = query.where(late if search.overdue else ~late)
        return [Item.from_json(orjson.loads(d)) for (d,) in self.conn.execute(query)]

    def _at_places(self, items: Table, places: list[str]) -> Any:
        """Items at `places`, or on the road to one (workflows.reading.item_places): by the
        location index, and, among the items the state index finds in transit, by the
        destination their document holds."""
        data = items.c.data
        going = (
            cast(data, JSONB)["destination"].astext
            if self.postgres
            else func.json_extract(data, "$.destination")
        )
        moving = items.c.state.in_(_ON_THE_ROAD) & going.in_(places)
        return items.c.location.in_(places) | moving

    def rows(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every row of a table, as stored (for replay to compare)."""
        shelf = SHELVES[kind]
        for row in self.conn.execute(select(shelf.table)).mappings():
            yield dict(row)

    def stored_rows(self, kind: str) -> Iterator[tuple[Any, ...]]:
        """Every row of a table as the driver gives it, in the order of `Shelf.columns`, the
        JSON as UTF-8 bytes: the tuples `Shelf.values` makes, so that a replay compares
        each row with one tuple comparison (no mapping, no text decoded)."""
        shelf = SHELVES[kind]
        columns = ", ".join(shelf.columns[:-1])
        cursor = self.raw.cursor()
        cursor.execute(f"SELECT {columns}, {self._bytes} FROM {shelf.table.name}")
        while rows := cursor.fetchmany(_FETCH):
            if not self.postgres:  # sqlite3 gives the BLOB as bytes already
                yield from rows
                continue
            for row in rows:  # psycopg may give the bytes as a memoryview
                yield (*row[:-1], bytes(row[-1]))

    def has_primary_key(self, kind: str) -> bool:
        """Whether the table still has its primary key, on exactly the shelf's key columns
        (the database's catalogue: PRAGMA table_info on SQLite, pg_constraint on PostgreSQL).
        Without it the table may hold one key twice, and no row would be refused for it."""
        shelf = SHELVES[kind]
        constraint = inspect(self.conn).get_pk_constraint(shelf.table.name)
        return tuple(constraint.get("constrained_columns") or ()) == shelf.key

    def save(self, world: World) -> None:
        """Write what changed: an UPDATE of the rows it was loaded from, an upsert of the rest
        (new, or written over without being read, as a clock started again)."""
        for kind, keys in world.changed.items():
            if keys:
                table, stored, shelf = world.table(kind), world.stored[kind], SHELVES[kind]
                data_at = len(shelf.changing)
                updates, upserts = [], []
                # Every row (a refold): written in the fold's order, so that the table's
                # order is the order its rows were made in, as a process writing them one
                # action at a time leaves it (a set's order would scatter them, and every
                # later pass comparing the table with a fold, workflows.deadline_replay,
                # would read it in that scattered order).
                for key in table if len(keys) == len(table) else keys:
                    document = table[key]
                    if key in stored:
                        row = shelf.update_params(document)
                        updates.append(row)
                        data = row[data_at]
                    else:
                        row = shelf.values(document)
                        upserts.append(row)
                        data = row[-1]
                    self.written.append((kind, key, data, document))
                self._update(kind, updates)
                self._upsert(kind, upserts)
                keys.clear()

    def _update(self, kind: str, params: list[tuple[Any, ...]]) -> None:
        """UPDATE rows from `Shelf.update_params`."""
        if not params:
            return
        shelf = SHELVES[kind]
        sets = [f"{c} = ?" for c in shelf.changing] + [f"data = {self._text}"]
        where = " AND ".join(f"{c} = ?" for c in shelf.key)
        sql = f"UPDATE {shelf.table.name} SET {', '.join(sets)} WHERE {where}"
        self.raw.cursor().executemany(self._sql(sql), params)

    def _upsert(self, kind: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        shelf = SHELVES[kind]
        columns = shelf.columns
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in shelf.key)
        marks = ", ".join(["?"] * (len(columns) - 1) + [self._text])
        sql = (
            f"INSERT INTO {shelf.table.name} ({', '.join(columns)}) VALUES ({marks}) "
            f"ON CONFLICT ({', '.join(shelf.key)}) DO UPDATE SET {updates}"
        )
        self.raw.cursor().executemany(self._sql(sql), rows)


def _marks(values: Sequence[Any]) -> str:
    # "IN ()" is not SQL: an empty list asks for a value no column holds.
    return ", ".join("?" * len(values)) if values else "NULL"
