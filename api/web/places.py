"""Places as a person reads them: a place's name in the reader's language (its `names` in
ru, kk, en given at `location_added`, else its one name), the id beside it only where it
helps (the queues' place column: `<name> <code>ID</code>`).

    names(process, "kk")["WH-ALM"]   # "Алматы облыстық қоймасы"
    name(process, "WH-ALM", "kk")    # the same; an id no place has comes back as it is

A place's names are written once, at `location_added`, and no later entry changes them
(workflows.fold): each server process keeps the registers it read, and reads them again only
when asked for a place it has not seen (one added since).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from weakref import WeakKeyDictionary

from workflows.model import Location
from workflows.process import Process

_KEPT: WeakKeyDictionary[Process, dict[str, Location]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def label(place: Location, language: str) -> str:
    """The place's name in `language` (ru, kk, en), else the name it was registered with."""
    return place.names.get(language) or place.name


def _registers(process: Process, wanted: Iterable[str]) -> dict[str, Location]:
    """The places kept for `process`, read again when one of `wanted` is not among them."""
    with _LOCK:
        kept = _KEPT.get(process)
    if kept is None or any(p and p not in kept for p in wanted):
        kept = {p.id: p for p in process.locations()}
        with _LOCK:
            _KEPT[process] = kept
    return kept


def names(process: Process, language: str, wanted: Iterable[str] = ()) -> dict[str, str]:
    """Every place's id -> its name in `language`; the registers are read again first if
    one of `wanted` (ids about to be shown) is not known yet. The caller must not change
    the dict: it is kept, per registers read and language (a scan asks for it each time)."""
    kept = _registers(process, wanted)
    key = (id(kept), language)
    with _LOCK:
        found = _NAMED.get(key)
        if found is not None and found[0] is kept:
            return found[1]
    named = {i: label(p, language) for i, p in kept.items()}
    with _LOCK:
        if len(_NAMED) > 64:  # registers read again leave their old entries behind
            _NAMED.clear()
        _NAMED[key] = (kept, named)
    return named


# (id of the registers dict, language) -> (that dict, its names): the dict is kept in the
# value, so its id is not reused while the entry lives.
_NAMED: dict[tuple[int, str], tuple[dict[str, Location], dict[str, str]]] = {}


def name(process: Process, place: str, language: str) -> str:
    """The place's name in `language`; `place` itself when no place has that id (an id from
    an old entry, or none)."""
    found = _registers(process, (place,)).get(place)
    return label(found, language) if found is not None else place
