"""What the notice worker wrote, read back for the tests of its notices."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from api.system import System

_COLUMNS = frozenset({"item", "rule", "due_at", "kind", "level", "person", "place"})


def notices_of(
    system: System,
    kind: str,
    columns: Sequence[str] = ("item", "person", "place"),
    order: str = "person",
) -> list[tuple[str, ...]]:
    """The `columns` of each notice of `kind` in api_notices, ordered by `order` (each one
    of the table's columns that say whom a notice is for and why: _COLUMNS)."""
    if not {*columns, order} <= _COLUMNS:
        raise ValueError(f"not a column of a notice: {sorted({*columns, order} - _COLUMNS)}")
    query = f"SELECT {', '.join(columns)} FROM api_notices WHERE kind = :k ORDER BY {order}"
    with system.ledger.database.read() as conn:
        return [tuple(r) for r in conn.execute(text(query), {"k": kind})]
