"""`custody verify` started from a page: one audit at a time, run in a thread of the service
over its own database (custody.verification, with the process's steps as the CLI has them),
its progress kept in memory for the page to poll, and its numbered report at the end.

The registry lives as long as the service: a page reloaded finds the running audit, or the
last one's report; a restart forgets it (the audit is run again, it is only a reading).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from custody.db import Database
from custody.note import Verifier
from custody.verify import Audit, AuditorCheckpoint, ExtraStep, Report

RUNNING, DONE, CRASHED = "running", "done", "crashed"


class AlreadyRunning(Exception):
    """Another audit is running: one at a time, as the machine has few cores to spare."""


@dataclass
class Job:
    """One audit: who started it and when, how far its entries are checked, its report."""

    number: int
    started_by: str
    started_at: str
    status: str = RUNNING
    done: int = 0
    total: int = 0
    finished_at: str | None = None
    report: dict[str, Any] | None = None
    error: str | None = None

    @property
    def percent(self) -> int:
        if self.status != RUNNING:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def ok(self) -> bool:
        return self.report is not None and bool(self.report.get("ok"))


@dataclass
class Jobs:
    """The service's audits: the one running, else the last; started with `start`."""

    last: Job | None = None
    count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self) -> Job | None:
        return self.last

    def start(
        self,
        database: Database,
        username: str,
        now: str,
        extra_steps: Sequence[ExtraStep],
        clock_now: Any,
        pinned_key: Verifier | None = None,
        checkpoints: Sequence[AuditorCheckpoint] = (),
    ) -> Job:
        """Start an audit in a thread; AlreadyRunning if one is. `clock_now()` gives the
        RFC 3339 UTC time it finished at."""
        with self._lock:
            if self.last is not None and self.last.status == RUNNING:
                raise AlreadyRunning(f"audit {self.last.number} is running")
            self.count += 1
            job = Job(self.count, username, now)
            self.last = job

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        def run() -> None:
            try:
                # One process: the service keeps serving on the machine's other core.
                report: Report = Audit(
                    database,
                    pinned_key=pinned_key,
                    auditor_checkpoints=list(checkpoints),
                    extra_steps=list(extra_steps),
                    workers=1,
                    progress=progress,
                ).run()
                job.report = report.to_json()
                job.status = DONE
            except Exception as exc:  # reported on the page, as the CLI would crash
                job.error = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
                job.status = CRASHED
            finally:
                job.finished_at = clock_now()

        threading.Thread(target=run, name=f"verify-{job.number}", daemon=True).start()
        return job
