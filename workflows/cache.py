"""Documents kept between actions, so that a bulk step does not parse again the 500 JSON
documents the step before it wrote.

A document is trusted only against the bytes the state table holds now: `take` hands one
back only if the row read in this transaction is byte for byte the JSON it was written as,
so a row another process or server changed since is parsed afresh. A document belongs to
one action at a time: `take` removes it, and only an action that committed `give`s back what
it wrote, so a document an action changed and then rolled back is never seen again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from workflows.model import Document

Key = tuple[str, Any]  # (kind, the document's ref)


class DocumentCache:
    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._kept: OrderedDict[Key, tuple[bytes, Document]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def take(self, kind: str, ref: Any, raw: bytes) -> Document | None:
        """The document stored as `raw`, if it is kept; it is no longer kept."""
        with self._lock:
            kept = self._kept.pop((kind, ref), None)
        if kept is None or kept[0] != raw:
            return None
        return kept[1]

    def give(self, written: Iterable[tuple[str, Any, bytes, Document]]) -> None:
        """Keep documents as committed: (kind, ref, the bytes written, the document)."""
        with self._lock:
            for kind, ref, raw, document in written:
                self._kept[(kind, ref)] = (raw, document)
                self._kept.move_to_end((kind, ref))
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)
