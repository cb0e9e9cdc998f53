"""One writer at a time on a SQLite database, across its threads and processes, handed on
the moment the writer before has committed.

SQLite serialises writers itself, but a writer that finds the database locked sleeps in its
busy handler, 1 ms, then 2, 5, 10 and more, whatever the moment the lock is freed: under
several server processes writes queued behind each other's sleeps. A lock on a file beside
the database wakes its next waiter as soon as it is let go. SQLite's own locking still keeps
the database consistent with a writer that does not take this lock (the sqlite3 shell).

Re-entrant in the thread that holds it, so that a caller may take it before the write
transaction that takes it again (api.http.write_batches, which waits for it off the event loop).
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
        self._thread = threading.RLock()
        self._depth = 0  # changed only by the thread holding _thread

    def acquire(self, blocking: bool = True) -> bool:
        """Take the lock; without blocking, False at once if another holds it."""
        if not self._thread.acquire(blocking=blocking):
            return False
        if self._depth == 0:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BaseException as failed:
                self._thread.release()
                if isinstance(failed, BlockingIOError) and not blocking:
                    return False
                raise
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        self._thread.release()

    def wait(self) -> None:
        """Block until the lock is free, without keeping it."""
        self.acquire()
        self.release()

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
