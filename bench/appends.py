"""Appends on SQLite: one transaction each, and 1,000 per transaction.

The baseline is a raw stdlib sqlite3 loop doing the least an append must (read the head,
insert a ~400-byte row with its SHA-256 and Ed25519 signature, update the head, commit) with
the same durability (WAL, synchronous=FULL). Rounds of baseline and ledger alternate and the
medians are reported, because fsync times on a shared machine drift from minute to minute.
"""

from __future__ import annotations

import hashlib
import sqlite3
import statistics
import time
from pathlib import Path

from nacl.signing import SigningKey

from bench.common import Figure, fresh, report, sample
from custody.bootstrap import init
from custody.ledger import Ledger
from custody.settings import Settings

ROUNDS = 5
SINGLE = 600  # appends per round
BATCH = 1000
BATCHES = 4  # per round


class Baseline:
    def __init__(self, path: Path) -> None:
        self.key = SigningKey.generate()
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute(
            "CREATE TABLE e (seq INTEGER PRIMARY KEY, body BLOB, leaf_hash BLOB, sig BLOB, "
            "key_id TEXT)"
        )
        self.conn.execute("CREATE TABLE h (id INTEGER PRIMARY KEY, size INTEGER, last BLOB)")
        self.conn.execute("INSERT INTO h VALUES (1, 0, NULL)")

    def rate(self, count: int) -> float:
        conn = self.conn
        start = time.perf_counter()
        for _ in range(count):
            conn.execute("BEGIN IMMEDIATE")
            size, _last = conn.execute("SELECT size, last FROM h WHERE id = 1").fetchone()
            body = b'{"n":%d,"pad":"' % size + b"x" * 380 + b'"}'
            leaf = hashlib.sha256(b"\x00" + body).digest()
            sig = self.key.sign(b"custody/ledger-entry/v1\x00" + leaf).signature
            row = (size, body, leaf, sig, "00000000")
            conn.execute("INSERT INTO e VALUES (?, ?, ?, ?, ?)", row)
            conn.execute("UPDATE h SET size = ?, last = ? WHERE id = 1", (size + 1, leaf))
            conn.execute("COMMIT")
        return count / (time.perf_counter() - start)


def single_rate(ledger: Ledger, first: int, count: int) -> float:
    start = time.perf_counter()
    for n in range(first, first + count):
        ledger.record(sample(n))
    return count / (time.perf_counter() - start)


def batched_rate(ledger: Ledger, first: int) -> float:
    start = time.perf_counter()
    for b in range(BATCHES):
        with ledger.database.write() as conn:
            ledger.append_many(conn, [sample(first + b * BATCH + i) for i in range(BATCH)])
    return BATCHES * BATCH / (time.perf_counter() - start)


def run() -> None:
    with fresh("appends") as work:
        baseline = Baseline(work / "baseline.db")
        ledger = init(Settings(data_dir=work / "ledger", origin="bench.custody/ledger")).ledger
        next_n = 0
        base_rates, single_rates, ratios, batch_rates = [], [], [], []
        with ledger.database.write() as conn:  # warm-up: starts the signing workers
            ledger.append_many(conn, [sample(i) for i in range(BATCH)])
        next_n += BATCH
        for _ in range(ROUNDS):
            base_rates.append(baseline.rate(SINGLE))
            single_rates.append(single_rate(ledger, next_n, SINGLE))
            next_n += SINGLE
            ratios.append(single_rates[-1] / base_rates[-1])
            batch_rates.append(batched_rate(ledger, next_n))
            next_n += BATCHES * BATCH
        ledger.database.dispose()
    median = statistics.median
    report(
        f"appends on SQLite (WAL, synchronous=FULL), medians of {ROUNDS} alternating rounds",
        [
            Figure("baseline: raw sqlite3 + SHA-256 + Ed25519", median(base_rates), "appends/s"),
            Figure("ledger, one transaction per append", median(single_rates), "appends/s"),
            Figure(
                "  ratio to the baseline of the same round", median(ratios), "x", None, ">= 0.50"
            ),
            Figure(
                f"ledger, {BATCH} appends per transaction",
                median(batch_rates),
                "entries/s",
                None,
                ">= 20,000",
            ),
        ],
    )
