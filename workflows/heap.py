"""The cyclic garbage collector held off while a bulk read builds and keeps many objects.

A replay, a report or a listing over 100,000 items makes hundreds of thousands of small
dicts, lists and tuples and keeps them all until it is done: each time their count passes
the collector's threshold it walks the young ones again, and every so often all of them,
which cost a third to a half of such a pass (bench/deadlines.py, bench/reports.py). These
objects hold no reference cycles, so nothing is left uncollected by waiting: the collector
runs again, as usual, once the last such pass in the process has ended.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holding = 0  # passes in progress, in any thread
_was_enabled = False
_frozen = False  # a server's start-up heap lies in the permanent generation (freeze_for_life)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cyclic collector for the block (nested and concurrent blocks share one
    pause, and it ends with the last of them)."""
    global _holding, _was_enabled
    with _lock:
        if _holding == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holding += 1
    try:
        yield
    finally:
        with _lock:
            _holding -= 1
            if _holding == 0 and _was_enabled:
                _age_all()
                gc.enable()


def _age_all() -> None:
    """Move every tracked object into the oldest generation, without walking them.

    What a pass keeps (a listing's 100,000 deadlines) would otherwise be walked by the
    first young collection after the pause, a quarter of a listing's time, and again by the
    middle one; in the oldest generation they wait for the next full collection, as they
    would after surviving two young ones. freeze() moves all of them to the permanent
    generation and unfreeze() back into the oldest (both splice lists: no walk), so this is
    done only where nothing else is frozen (a server freezes its start-up heap,
    freeze_for_life: there the collector runs as usual). Young cyclic garbage moved with
    them is collected by that full collection, not lost.

    The flag, not gc.get_freeze_count(): that counts the permanent generation one object
    at a time, and in a server, after every action, it cost a one-step write 20 ms
    (bench/api.py, 2026-11-30)."""
    if not _frozen:
        gc.freeze()
        gc.unfreeze()


def freeze_for_life() -> None:
    """Collect, then move every tracked object into the permanent generation, never
    scanned again (gc.freeze); for what a process keeps until it ends (api/http/app.py)."""
    global _frozen
    gc.collect()
    gc.freeze()
    _frozen = True


def thaw() -> None:
    """Undo freeze_for_life (for tests that freeze in a process that goes on)."""
    global _frozen
    gc.unfreeze()
    _frozen = False
