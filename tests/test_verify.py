"""The audit's two ways of running, in this process and in worker processes, reach the
same verdicts; progress is reported; the report serialises."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from custody import verify as audit_module
from custody.bootstrap import init
from custody.db import Database
from custody.entries import NewEntry
from custody.settings import Settings
from custody.verify import Audit, Report
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.scenario import copy_sqlite


def _summary(report: Report) -> list[tuple[int, bool, int | None, str | None]]:
    return [(s.number, s.ok, s.seq, s.reason) for s in report.steps]


@pytest.fixture
def big(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path, sqlite_url(tmp_path))
    ledger = init(settings).ledger
    with ledger.database.write() as conn:
        ledger.append_many(
            conn,
            [
                NewEntry(kind="item_registered", actor="unit.a", item=f"KZ-{n % 97}", data={"n": n})
                for n in range(3 * audit_module.CHUNK + 11)
            ],
        )
        ledger.issue_checkpoint(conn)
    ledger.database.dispose()
    return settings


def _both(database: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[Report, Report]:
    here = Audit(database, workers=1).run()
    monkeypatch.setattr("custody.verification.audit.PARALLEL_FROM", 0)
    there = Audit(database, workers=2).run()
    return here, there


def test_workers_and_this_process_agree_on_a_sound_ledger(
    big: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(big.database_url)
    here, there = _both(database, monkeypatch)
    assert here.ok
    assert _summary(here) == _summary(there)
    assert (here.size, here.root) == (there.size, there.root)
    database.dispose()


def test_workers_and_this_process_agree_on_a_tampered_ledger(
    big: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    copy = tmp_path / "tampered.db"
    copy_sqlite(Path(big.database_url.removeprefix("sqlite:///")), copy)
    seq = 2 * audit_module.CHUNK + 5  # in the third chunk, so a worker finds it
    with sqlite3.connect(copy) as conn:
        (body,) = conn.execute("SELECT body FROM ledger_entries WHERE seq = ?", (seq,)).fetchone()
        conn.execute(
            "UPDATE ledger_entries SET body = ? WHERE seq = ?",
            (body.replace(b'"n":', b'"m":'), seq),
        )
    database = Database(f"sqlite:///{copy}")
    here, there = _both(database, monkeypatch)
    assert _summary(here) == _summary(there)
    failure = there.first_failure
    assert failure is not None
    assert (failure.number, failure.seq) == (3, seq)
    database.dispose()


def test_progress_is_reported_up_to_the_whole(big: Settings) -> None:
    seen: list[tuple[int, int]] = []
    database = Database(big.database_url)
    Audit(database, progress=lambda done, total: seen.append((done, total))).run()
    database.dispose()
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][0] == seen[-1][1] == 3 * audit_module.CHUNK + 12


def test_the_report_is_json(big: Settings) -> None:
    database = Database(big.database_url)
    report = Audit(database).run().to_json()
    database.dispose()
    assert json.loads(json.dumps(report)) == report
    assert [s["step"] for s in report["steps"]] == list(range(1, 10))
    assert report["ok"] is True
    assert report["first_failure"] is None
