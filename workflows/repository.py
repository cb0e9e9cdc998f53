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
from sqlalchemy import Table, select
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
    """Plain SQL on the driver connection under the caller's transaction, like the ledger's
    store: through SQLAlchemy's statement handling, loading and saving cost more per object
    than writing its ledger entry (bench/lifecycles.py)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.raw: Any = conn.connection.driver_connection

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    def load(self, world: World, kind: str, keys: Iterable[Any]) -> None:
        """Put into `world` the objects of these keys that exist (unknown keys are skipped)."""
        shelf = SHELVES[kind]
        table = world.table(kind)
        wanted = [k for k in dict.fromkeys(keys) if k is not None and k not in table]
        cls = KINDS[kind]
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for (data,) in self._select(shelf, chunk):
                document = cls.from_json(orjson.loads(data))
                key = document.key
                table.setdefault(key if len(key) > 1 else key[0], document)

    def _select(self, shelf: Shelf, keys: list[Any]) -> list[Any]:
        name = shelf.table.name
        if len(shelf.key) == 1:
            marks = ", ".join("?" * len(keys))
            sql = f"SELECT data FROM {name} WHERE {shelf.key[0]} IN ({marks})"
            params: list[Any] = list(keys)
        else:
            pair = "(" + " AND ".join(f"{column} = ?" for column in shelf.key) + ")"
            sql = f"SELECT data FROM {name} WHERE " + " OR ".join([pair] * len(keys))
            params = [value for key in keys for value in key]
        cursor = self.raw.execute(self._sql(sql), params)
        return list(cursor.fetchall())

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
        columns = list(rows[0])
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in shelf.key)
        sql = (
            f"INSERT INTO {shelf.table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(shelf.key)}) DO UPDATE SET {updates}"
        )
        self.raw.cursor().executemany(self._sql(sql), [tuple(r[c] for c in columns) for r in rows])
