"""PostgreSQL: 8 writer processes appending at once, one transaction per append, for a fixed
time; afterwards the audit must find one linear chain. The baseline is the same 8 processes
doing the least an append must (lock the head row, read it, hash, sign, insert the row,
update the head, commit) in plain psycopg, against the same server in the same run."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from bench.common import WORK, Figure, report
from custody.bootstrap import init
from custody.settings import Settings
from custody.verify import verify

WRITERS = 8
SECONDS = 10.0
ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


@contextmanager
def database() -> Iterator[str]:
    name = f"custody_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def writers(mode: str, url: str, key_file: str) -> float:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.writer", mode, url, key_file, str(tag), str(SECONDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for tag in range(WRITERS)
    ]
    for process in processes:
        assert process.stdout is not None
        process.stdout.readline()
    start = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    counts = [int(process.communicate()[0].strip()) for process in processes]
    return sum(counts) / (time.perf_counter() - start)


def run() -> None:
    try:
        psycopg.connect(ADMIN, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        print(f"\nPostgreSQL: skipped, no server at 127.0.0.1:5432 ({exc})")
        return
    with database() as url:
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
            c.execute(
                "CREATE TABLE e (seq bigint PRIMARY KEY, body bytea, leaf_hash bytea, "
                "sig bytea, key_id text)"
            )
            c.execute("CREATE TABLE h (id int PRIMARY KEY, size bigint, last bytea)")
            c.execute("INSERT INTO h VALUES (1, 0, NULL)")
        baseline = writers("raw", url, "-")
    with database() as url:
        settings = Settings(
            data_dir=WORK / "postgres", database_url=url, origin="bench.custody/ledger"
        )
        settings.ledger_key_file.unlink(missing_ok=True)
        ledger = init(settings).ledger
        rate = writers("ledger", url, str(settings.ledger_key_file))
        started = time.perf_counter()
        audit = verify(ledger.database)
        audit_rate = audit.size / (time.perf_counter() - started)
        ledger.database.dispose()
        settings.ledger_key_file.unlink(missing_ok=True)
    chain = "one linear chain" if audit.ok else f"BROKEN: {audit.first_failure}"
    report(
        f"PostgreSQL, {WRITERS} writer processes for {SECONDS:.0f} s each way",
        [
            Figure("baseline: psycopg, lock + read + insert + update", baseline, "appends/s"),
            Figure("ledger, one transaction per append", rate, "appends/s", baseline, ">= 1,500/s"),
            Figure(f"audit afterwards ({audit.size} entries, {chain})", audit_rate, "entries/s"),
        ],
    )
