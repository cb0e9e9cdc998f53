"""Lists a page at a time: the query parameters and the slicing every list shares."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

Offset = Annotated[int, Query(ge=0, le=10_000_000, description="where the page starts")]
Limit = Annotated[int, Query(ge=1, le=1000, description="at most this many")]


def page(found: list[Any], offset: int, limit: int) -> tuple[list[Any], int | None]:
    """The page of `found` at `offset`, and the offset of the next page (None at the end)."""
    return found[offset : offset + limit], (offset + limit if offset + limit < len(found) else None)
