"""Reading at one's places (workflows.reading), for the ways in: a caller's scope, and the
checks that answer an object outside it exactly as one that does not exist (404, the same
words as for an unknown id: docs/access.md says why).

Used by every read of the API and of the pages that answers one item, transfer, batch,
statement, file or history; lists filter by the scope instead (workflows.repository,
api.web.figures)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from api.access.tokens import Principal
from workflows import reading
from workflows.errors import UnknownObject
from workflows.model import Discrepancy
from workflows.process import Process
from workflows.reading import Scope


def scope_of(caller: Principal) -> Scope:
    """The places `caller` reads at (its token's role and place for a device); None:
    everywhere (the auditor, the administrator)."""
    return reading.scope(caller.roles, caller.places)


def unknown(noun: str, key: str) -> UnknownObject:
    """What the process answers for an id nobody registered (workflows.world), word for word."""
    return UnknownObject(f"no {noun} {key!r} is registered")


def check(caller: Principal, document: Any, noun: str, key: str) -> None:
    """UnknownObject (404) unless `caller` reads where `document` is."""
    if not reading.sees_document(scope_of(caller), document):
        raise unknown(noun, key)


def check_places(caller: Principal, places: Iterable[str], noun: str, key: str) -> None:
    if not reading.sees(scope_of(caller), places):
        raise unknown(noun, key)


def item_json(process: Process, caller: Principal, item_id: str) -> bytes:
    """The item's stored document (Process.item_json), if `caller` reads where it is; the
    JSON is parsed only for a place reader, to find where the item is."""
    stored = process.item_json(item_id)
    reader = scope_of(caller)
    if reader is not None:
        found = orjson.loads(stored)
        where = (found.get("location"), found.get("destination"))
        if not reading.sees(reader, [p for p in where if isinstance(p, str)]):
            raise unknown("item", item_id)
    return stored


def subject_places(process: Process, subject: str) -> frozenset[str]:
    """The places where the subject of entries `subject` (an item, transfer, batch or place;
    DESIGN §5's `item` field) is read at; none for any other subject (an account, a
    commission, a key), which only readers of every place see through its history."""
    for read in (process.item, process.transfer, process.batch):
        try:
            return reading.places_of(read(subject))
        except UnknownObject:
            continue
    if any(place.id == subject for place in process.locations()):
        return frozenset({subject})
    return frozenset()


def check_subject(process: Process, caller: Principal, subject: str) -> None:
    """UnknownObject (404, as for an item with no entry) unless `caller` reads everywhere or
    where the subject is."""
    reader = scope_of(caller)
    if reader is not None and not reading.sees(reader, subject_places(process, subject)):
        raise UnknownObject(f"no entry names item {subject!r}")


def sees_discrepancy(process: Process, reader: Scope, discrepancy: Discrepancy) -> bool:
    """Whether a reader of scope `reader` reads a discrepancy (workflows.reading): where it
    was counted or found, or where its subject is."""
    if reader is None:
        return True
    places = set(subject_places(process, discrepancy.subject))
    for key in ("counted_at", "place"):
        found = discrepancy.details.get(key)
        if isinstance(found, str):
            places.add(found)
    return reading.sees(reader, places)
