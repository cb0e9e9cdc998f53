"""`custody verify` run from the page (api.web.verify_jobs) on a real database, SQLite and
PostgreSQL: one audit at a time across server processes, its progress counted entry by entry
up to the ledger's size, its report the CLI's, kept for any process to show; an audit left
running by a process that stopped is shown as such and does not block the next."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from api.system import System, initialise
from api.tables import AuditJobRow
from api.web.verify_jobs import CRASHED, DONE, STALE, AlreadyRunning, Job, Jobs
from custody.clock import format_time
from custody.db import Database
from custody.entries import NewEntry
from custody.note import Signer
from custody.settings import Settings
from custody.verify import verify


@pytest.fixture
def system(app_settings: Settings) -> Iterator[System]:
    made = initialise(app_settings)[1]
    with made.ledger.database.write() as conn:
        made.ledger.append_many(
            conn,
            [NewEntry(kind="item_registered", actor="unit.a", item=f"KZ-{n}") for n in range(300)],
        )
    yield made
    made.ledger.database.dispose()


def _finished(jobs: Jobs, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while True:
        job = jobs.current()
        assert job is not None
        if job.status != "running" and job.finished_at:
            return job
        assert time.monotonic() < deadline, "the audit did not finish"
        time.sleep(0.05)


def test_an_audit_runs_in_the_background_to_the_cli_s_report_seen_by_every_process(
    system: System,
) -> None:
    database = system.ledger.database
    jobs = Jobs(database, system.clock)
    other = Database(database.url)  # another server process's connections
    try:
        elsewhere = Jobs(other, system.clock)
        assert jobs.current() is None
        started = jobs.start("auditor.li", [])
        with pytest.raises(AlreadyRunning):  # one at a time, whichever process is asked
            elsewhere.start("auditor.li", [])
        job = _finished(elsewhere)
    finally:
        other.dispose()
    size = database_size(system)
    assert (job.number, job.started_by, job.status) == (started.number, "auditor.li", DONE)
    assert (job.done, job.total) == (size, size)
    assert job.percent == 100
    assert job.report == verify(database, workers=1).to_json()
    assert job.ok
    # The next one may start once it has ended, and is numbered after it.
    jobs.start("auditor.li", [])
    again = _finished(jobs)
    assert (again.number, again.status) == (2, DONE)


def database_size(system: System) -> int:
    with system.ledger.database.read() as conn:
        return system.ledger.head(conn).size


def test_an_audit_against_another_key_reports_the_failing_step(system: System) -> None:
    other = Signer.generate("custody.test/ledger").verifier
    jobs = Jobs(system.ledger.database, system.clock)
    jobs.start("auditor.li", [], pinned_key=other)
    job = _finished(jobs)
    assert job.status == DONE
    assert not job.ok
    assert job.report is not None
    assert job.report["first_failure"]["step"] == 5


def test_an_audit_left_running_by_a_stopped_process_is_shown_so_and_does_not_block(
    system: System,
) -> None:
    database = system.ledger.database
    jobs = Jobs(database, system.clock)
    jobs.start("auditor.li", [])
    _finished(jobs)
    old = format_time(system.clock() - dt.timedelta(seconds=STALE + 1))
    with database.write(lock=False) as conn:  # as a process killed mid-audit leaves it
        conn.execute(
            update(AuditJobRow.__table__).values(  # type: ignore[attr-defined]
                status="running", heartbeat_at=old, finished_at=None
            )
        )
    shown = jobs.current()
    assert shown is not None
    assert shown.status == CRASHED
    assert shown.error == "the service stopped during the audit"
    jobs.start("auditor.li", [])
    assert _finished(jobs).status == DONE
