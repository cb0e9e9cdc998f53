"""Tokens recently found good, kept for a moment: a scanner sends hundreds of requests a
minute with one token, and looking it up costs more than the read it guards.

A token revoked here (logout, disabled account) is dropped at once; one revoked through
another server of the same database is refused here within `TTL_SECONDS`. Expiry is checked
on every request, cached or not."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from api.access.tokens import Principal

TTL_SECONDS = 2.0
CAPACITY = 10_000


class TokenCache:
    def __init__(self, ttl: float = TTL_SECONDS, capacity: int = CAPACITY) -> None:
        self.ttl, self.capacity = ttl, capacity
        self._kept: OrderedDict[str, tuple[float, Principal, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token_hash: str, now: str) -> Principal | None:
        """The principal, if found good less than `ttl` ago and not expired at `now`."""
        with self._lock:
            kept = self._kept.get(token_hash)
        if kept is None:
            return None
        checked, principal, expires_at = kept
        if time.monotonic() - checked > self.ttl or (expires_at is not None and expires_at <= now):
            return None
        return principal

    def expiry(self, token_hash: str) -> str | None:
        """The expiry kept with a token found good (None: none kept, or it never expires)."""
        with self._lock:
            kept = self._kept.get(token_hash)
        return kept[2] if kept is not None else None

    def put(self, principal: Principal, expires_at: str | None) -> None:
        with self._lock:
            self._kept[principal.token_hash] = (time.monotonic(), principal, expires_at)
            self._kept.move_to_end(principal.token_hash)
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)

    def drop(
        self,
        token_hash: str | None = None,
        username: str | None = None,
        device: str | None = None,
    ) -> None:
        with self._lock:
            if token_hash is not None:
                self._kept.pop(token_hash, None)
            if device is not None:
                for key in [k for k, v in self._kept.items() if v[1].device == device]:
                    del self._kept[key]
            if username is not None:
                for key in [k for k, v in self._kept.items() if v[1].username == username]:
                    del self._kept[key]
