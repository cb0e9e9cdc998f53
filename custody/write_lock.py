"""One writer at a time on a SQLite database, across its threads and processes, handed on
the moment the writer before has committed.

SQLite serialises writers itself, but a writer that finds the database locked sleeps in its
busy handler, 1 ms, then 2, 5, 10 and more, whatever the moment the lock is freed: under
several server processes writes queued behind each other's sleeps. A lock on a file beside
the database wakes its next waiter as soon as it is let go. SQLite's own locking still keeps
the database consistent with a writer that does not take this lock (the sqlite3 shell).

Re-entrant in the thread that holds it, so that a caller may take it before the write
transaction that takes it again (api.http.write_batches, which has it taken off the event
loop, for the loop's thread).
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path


class WriteLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        # A plain lock, not an RLock: a thread may take it for another (acquire's `owner`),
        # and the owner, not the taker, lets it go.
        self._mutex = threading.Lock()
        self._owner: int | None = None  # the thread holding it (threading.get_ident())
        self._depth = 0  # changed only by the owner

    def acquire(self, blocking: bool = True, owner: int | None = None) -> bool:
        """Take the lock for `owner` (a thread's ident; this thread's by default), which
        lets it go; without blocking, False at once if another holds it.

        Taking it for another thread lets a helper thread wait for a writer in another
        process and hand the lock, held, to the event loop's thread (api.http.write_batches):
        a waiter that let go again on waking lost the lock to that writer's next batch."""
        holder = threading.get_ident() if owner is None else owner
        if self._owner == holder:
            self._depth += 1
            return True
        if not self._mutex.acquire(blocking=blocking):
            return False
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BaseException as failed:
            self._mutex.release()
            if isinstance(failed, BlockingIOError) and not blocking:
                return False
            raise
        self._owner, self._depth = holder, 1
        return True

    def release(self) -> None:
        """Let go once (by the owner); the last let-go frees it for others."""
        if self._owner != threading.get_ident():
            raise RuntimeError("the write lock is let go by a thread that does not hold it")
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            fcntl.flock(self._file(), fcntl.LOCK_UN)
            self._mutex.release()

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _file(self) -> int:
        if self._fd is None:
            # Owner-only, like the database beside it (custody.db._create_private).
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._fd
