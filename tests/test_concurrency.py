"""Many writer processes on one ledger, and a writer killed mid-stream: the database alone
serialises appends, every acknowledged entry survives, and the audit passes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from custody.bootstrap import init
from custody.db import Database
from custody.entries import NewEntry
from custody.settings import Settings
from custody.verify import verify

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _writer(settings: Settings, tag: str, count: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.appender",
            "--url",
            settings.database_url,
            "--key-file",
            str(settings.ledger_key_file),
            "--tag",
            tag,
            "--count",
            str(count),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _entries(database: Database) -> list[tuple[int, dict[str, object]]]:
    with database.read() as conn:
        rows = conn.exec_driver_sql("SELECT seq, body FROM ledger_entries ORDER BY seq").all()
    return [(int(seq), json.loads(bytes(body))) for seq, body in rows]


def _writers_for(database_url: str) -> int:
    return 8 if database_url.startswith("postgresql") else 4


def test_concurrent_writers_keep_one_linear_chain(app_settings: Settings) -> None:
    ledger = init(app_settings).ledger
    count = 40
    writers = [
        _writer(app_settings, f"w{i}", count)
        for i in range(_writers_for(app_settings.database_url))
    ]
    for process in writers:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    acknowledged: dict[int, tuple[str, int]] = {}
    for index, process in enumerate(writers):
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        for line in out.splitlines():
            _, seq, n = line.split()
            assert int(seq) not in acknowledged, "two writers were given the same seq"
            acknowledged[int(seq)] = (f"w{index}", int(n))
    rows = _entries(ledger.database)
    assert [seq for seq, _ in rows] == list(range(1 + len(writers) * count))
    for seq, (tag, n) in acknowledged.items():
        body = dict(rows[seq][1])
        assert body["data"] == {"writer": tag, "n": n}
    # each writer's own entries keep their order
    for index in range(len(writers)):
        mine = [b["data"]["n"] for _, b in rows if b["actor"] == f"writer.w{index}"]  # type: ignore[index]
        assert mine == list(range(count))
    report = verify(ledger.database)
    assert report.ok, report.first_failure
    ledger.database.dispose()


def test_a_killed_writer_loses_nothing_it_acknowledged(app_settings: Settings) -> None:
    ledger = init(app_settings).ledger
    process = _writer(app_settings, "victim", 100_000)
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    acknowledged = []
    for line in process.stdout:
        _, seq, n = line.split()
        acknowledged.append((int(seq), int(n)))
        if len(acknowledged) == 150:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    ledger.database.dispose()

    reopened = init(app_settings).ledger  # as after a power cut: open, recover, carry on
    rows = dict(_entries(reopened.database))
    for seq, n in acknowledged:
        assert rows[seq]["data"] == {"writer": "victim", "n": n}
    assert sorted(rows) == list(range(len(rows)))
    assert len(rows) - 1 >= len(acknowledged)
    report = verify(reopened.database)
    assert report.ok, report.first_failure
    after = reopened.record(NewEntry(kind="item_registered", actor="after.crash", item="X-1"))
    assert after.seq == len(rows)
    reopened.database.dispose()


def test_many_threads_write_without_starving_the_readers(app_settings: Settings) -> None:
    ledger = init(app_settings).ledger
    errors: list[BaseException] = []

    def writer(tag: int) -> None:
        try:
            for n in range(10):
                ledger.record(NewEntry(kind="cut", actor=f"t{tag}", item=f"T{tag}-{n % 3}"))
                with ledger.database.read() as conn:
                    ledger.head(conn)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert verify(ledger.database).size == 1 + 32 * 10
    # a new writer thread closes what the ended ones left open
    late = threading.Thread(target=lambda: ledger.record(NewEntry(kind="cut", actor="late")))
    late.start()
    late.join()
    # the late thread's, and this test thread's own for reading and for writing
    assert len(ledger.database._held) <= 3
    ledger.database.dispose()
