"""`custody verify` run from the page (api.web.verify_jobs) on a real ledger: one audit at a
time, its progress counted entry by entry up to the ledger's size, its report the CLI's."""

from __future__ import annotations

import time

import pytest

from api.web.verify_jobs import CRASHED, DONE, AlreadyRunning, Job, Jobs
from custody.entries import NewEntry
from custody.ledger import Ledger
from custody.note import Signer
from custody.verify import verify


def _finished(job: Job, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while job.status == "running":
        assert time.monotonic() < deadline, "the audit did not finish"
        time.sleep(0.02)
    return job


def _grown(ledger: Ledger) -> None:
    with ledger.database.write() as conn:
        ledger.append_many(
            conn,
            [NewEntry(kind="item_registered", actor="unit.a", item=f"KZ-{n}") for n in range(300)],
        )


def test_an_audit_runs_in_the_background_to_the_same_report_as_the_cli(ledger: Ledger) -> None:
    _grown(ledger)
    jobs = Jobs()
    job = jobs.start(ledger.database, "auditor.li", "t0", [], lambda: "t1")
    with pytest.raises(AlreadyRunning):  # one at a time
        jobs.start(ledger.database, "auditor.li", "t0", [], lambda: "t1")
    _finished(job)
    assert job.status == DONE
    assert (job.done, job.total) == (301, 301)
    assert job.percent == 100
    assert job.finished_at == "t1"
    assert job.report == verify(ledger.database, workers=1).to_json()
    assert job.ok
    assert jobs.current() is job
    # The next one may start once it has ended, and is numbered after it.
    again = _finished(jobs.start(ledger.database, "auditor.li", "t2", [], lambda: "t3"))
    assert (again.number, again.status) == (2, DONE)


def test_an_audit_against_another_key_reports_the_failing_step(ledger: Ledger) -> None:
    other = Signer.generate("custody.test/ledger").verifier
    job = _finished(Jobs().start(ledger.database, "a", "t0", [], lambda: "t1", pinned_key=other))
    assert job.status == DONE
    assert not job.ok
    assert job.report is not None
    assert job.report["first_failure"]["step"] == 5


def test_an_audit_that_cannot_run_says_why(ledger: Ledger) -> None:
    ledger.database.dispose()
    from custody.db import Database

    broken = Database("sqlite:////nonexistent-dir/none.db")
    job = _finished(Jobs().start(broken, "a", "t0", [], lambda: "t1"))
    assert job.status == CRASHED
    assert job.error
    assert job.report is None
