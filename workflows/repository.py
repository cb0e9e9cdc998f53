"""Reading the state tables into a World, and writing back what an action changed.

One upsert per table for all the changed objects of that kind, through SQLAlchemy Core inside
the caller's transaction (the same one the ledger entries are written in): a bulk step of
500 items writes 500 rows in one statement, not 500 ORM flushes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Table, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from workflows.model import Deadline, Document, Item
from workflows.tables import (
    BatchRow,
    CommissionRow,
    DeadlineRow,
    DiscrepancyRow,
    ItemRow,
    LocationRow,
    TransferRow,
)
from workflows.world import KINDS, World

_CHUNK = 500


@dataclass(frozen=True)
class Shelf:
    """Where one kind of object is kept: its table, key, and the columns searched by."""

    table: Table
    key: tuple[str, ...]
    columns: Callable[[Any], dict[str, Any]]


def _deadline_columns(d: Deadline) -> dict[str, Any]:
    return {"due_at": d.due_at, "closed": d.met_at or d.cancelled_at}


def _item_columns(i: Item) -> dict[str, Any]:
    return {
        "workflow": i.workflow,
        "category": i.category,
        "source": i.source,
        "state": i.state,
        "location": i.location,
        "marking": i.marking,
        "batch": i.batch,
        "last_seq": i.last_seq,
    }


SHELVES: dict[str, Shelf] = {
    "items": Shelf(ItemRow.__table__, ("id",), _item_columns),  # type: ignore[attr-defined]
    "locations": Shelf(LocationRow.__table__, ("id",), lambda d: {"kind": d.kind}),  # type: ignore[attr-defined]
    "commissions": Shelf(CommissionRow.__table__, ("id",), lambda d: {}),  # type: ignore[attr-defined]
    "transfers": Shelf(TransferRow.__table__, ("id",), lambda d: {"state": d.state}),  # type: ignore[attr-defined]
    "batches": Shelf(BatchRow.__table__, ("id",), lambda d: {"kind": d.kind, "state": d.state}),  # type: ignore[attr-defined]
    "deadlines": Shelf(DeadlineRow.__table__, ("item", "rule"), _deadline_columns),  # type: ignore[attr-defined]
    "discrepancies": Shelf(
        DiscrepancyRow.__table__,  # type: ignore[attr-defined]
        ("id",),
        lambda d: {"subject": d.subject, "resolved_at": d.resolved_at},
    ),
}


def row_of(kind: str, document: Document) -> dict[str, Any]:
    shelf = SHELVES[kind]
    keys = dict(zip(shelf.key, document.key, strict=True))
    return {**keys, **shelf.columns(document), "data": orjson.dumps(document.to_json()).decode()}


class Repository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def load(self, world: World, kind: str, keys: Iterable[Any]) -> None:
        """Put into `world` the objects of these keys that exist (unknown keys are skipped)."""
        shelf = SHELVES[kind]
        wanted = [k for k in dict.fromkeys(keys) if k is not None]
        table = world.table(kind)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for document in self._select(kind, shelf, chunk):
                key = document.key if len(shelf.key) > 1 else document.key[0]
                table.setdefault(key, document)

    def _select(self, kind: str, shelf: Shelf, keys: list[Any]) -> Iterator[Document]:
        columns = [shelf.table.c[name] for name in shelf.key]
        where = columns[0].in_(keys) if len(columns) == 1 else tuple_(*columns).in_(keys)
        for (data,) in self.conn.execute(select(shelf.table.c.data).where(where)):
            yield KINDS[kind].from_json(orjson.loads(data))

    def documents(self, kind: str, where: Any = None) -> list[Any]:
        shelf = SHELVES[kind]
        query = select(shelf.table.c.data)
        if where is not None:
            query = query.where(where)
        return [KINDS[kind].from_json(orjson.loads(d)) for (d,) in self.conn.execute(query)]

    def rows(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every row of a table, as stored (for replay to compare)."""
        shelf = SHELVES[kind]
        for row in self.conn.execute(select(shelf.table)).mappings():
            yield dict(row)

    def save(self, world: World) -> None:
        for kind, keys in world.changed.items():
            if keys:
                table = world.table(kind)
                self._upsert(kind, [row_of(kind, table[key]) for key in keys])
                keys.clear()

    def _upsert(self, kind: str, rows: list[dict[str, Any]]) -> None:
        shelf = SHELVES[kind]
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(shelf.table)
        updates = {c: statement.excluded[c] for c in rows[0] if c not in shelf.key}
        statement = statement.on_conflict_do_update(index_elements=list(shelf.key), set_=updates)
        self.conn.execute(statement, rows)
