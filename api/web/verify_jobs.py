"""`custody verify` started from a page: one audit at a time, run in a thread of the server
process that was asked (custody.verification, with the process's steps as the CLI has them),
its progress and at the end its numbered report kept in one row (web_audit_job), so that any
server process answers a page reloaded or polled, and a second audit waits for the first.

The running process writes the row's heartbeat every HEARTBEAT seconds; a running row whose
heartbeat is older than STALE seconds was left by a process that stopped (a restart): it is
shown as interrupted, and a new audit may start.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from api.tables import AuditJobRow
from custody.clock import format_time, parse_time
from custody.db import Database
from custody.note import Verifier
from custody.verify import Audit, AuditorCheckpoint, ExtraStep

RUNNING, DONE, CRASHED = "running", "done", "crashed"
HEARTBEAT = 2.0  # seconds between two writes of the progress
STALE = 30.0  # seconds without a heartbeat after which a running audit is taken as stopped
_TABLE = AuditJobRow.__table__  # type: ignore[attr-defined]
log = logging.getLogger(__name__)


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
    heartbeat_at: str = ""
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

    def stale(self, now: dt.datetime) -> bool:
        if self.status != RUNNING or not self.heartbeat_at:
            return False
        return (now - parse_time(self.heartbeat_at)).total_seconds() > STALE

    def row(self) -> dict[str, Any]:
        return {
            "id": 1,
            "number": self.number,
            "started_by": self.started_by,
            "started_at": self.started_at,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "heartbeat_at": self.heartbeat_at,
            "finished_at": self.finished_at,
            "report": json.dumps(self.report) if self.report is not None else None,
            "error": self.error,
        }


def _job(row: Any) -> Job:
    values = dict(row._mapping)
    values.pop("id")
    report = values.pop("report")
    return Job(**values, report=json.loads(report) if report else None)


class Jobs:
    """The audits of one database: `current` reads the row, `start` claims it and runs."""

    def __init__(self, database: Database, clock: Callable[[], dt.datetime]) -> None:
        self.database = database
        self.clock = clock

    def current(self) -> Job | None:
        """The running audit, else the last (None if none ever ran); one whose process
        stopped is shown as crashed, saying so."""
        with self.database.read() as conn:
            row = conn.execute(select(_TABLE)).first()
        if row is None:
            return None
        job = _job(row)
        if job.stale(self.clock()):
            job.status, job.error = CRASHED, "the service stopped during the audit"
        return job

    def _claim(self, username: str) -> Job:
        with self.database.write(lock=False) as conn:
            # On SQLite the write lock is taken with BEGIN; on PostgreSQL the row's.
            row = conn.execute(select(_TABLE).with_for_update()).first()
            now = self.clock()
            last = _job(row) if row is not None else None
            if last is not None and last.status == RUNNING and not last.stale(now):
                raise AlreadyRunning(f"audit {last.number} is running")
            stamp = format_time(now)
            job = Job((last.number if last else 0) + 1, username, stamp, heartbeat_at=stamp)
            if row is None:
                conn.execute(_TABLE.insert().values(**job.row()))
            else:
                conn.execute(_TABLE.update().where(_TABLE.c.id == 1).values(**job.row()))
        return job

    def _save(self, job: Job) -> None:
        job.heartbeat_at = format_time(self.clock())
        with self.database.write(lock=False) as conn:
            conn.execute(_TABLE.update().where(_TABLE.c.id == 1).values(**job.row()))

    def start(
        self,
        username: str,
        extra_steps: Sequence[ExtraStep],
        pinned_key: Verifier | None = None,
        checkpoints: Sequence[AuditorCheckpoint] = (),
    ) -> Job:
        """Claim the row and start the audit in a thread; AlreadyRunning if one runs."""
        job = self._claim(username)
        finished = threading.Event()

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        def beat() -> None:
            while not finished.wait(HEARTBEAT):
                try:
                    self._save(job)
                except Exception:  # a busy database: the next beat tries again
                    log.exception("could not write the audit's progress")

        def run() -> None:
            try:
                # One process: the service keeps serving on the machine's other core.
                report = Audit(
                    self.database,
                    pinned_key=pinned_key,
                    auditor_checkpoints=list(checkpoints),
                    extra_steps=list(extra_steps),
                    workers=1,
                    progress=progress,
                ).run()
                job.report = report.to_json()
                job.status = DONE
            except Exception as exc:  # said on the page, as the CLI would crash
                log.exception("the audit %s could not run", job.number)
                job.error = f"{type(exc).__name__}: {exc}"
                job.status = CRASHED
            finished.set()
            job.finished_at = format_time(self.clock())
            self._save(job)

        threading.Thread(target=beat, name=f"verify-{job.number}-beat", daemon=True).start()
        threading.Thread(target=run, name=f"verify-{job.number}", daemon=True).start()
        return job
