"""`custody verify` of 1,000,000 entries, against the raw rate of two processes doing only
SHA-256 of the body and an Ed25519 verification per entry on the same entries.

The ledger is one every step holds for (bench.million.audited_ledger_of: accounts, a place,
intakes there, the state tables), so `custody verify` runs all thirteen steps: the ledger's
nine, then the process's (state replay, access, credentials, files). Both are reported, and
how long the audit waited for each of the process's steps once the ledger's nine were done
(they run beside the nine, the first of them replaying the log for all)."""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context

from nacl.bindings import crypto_sign_open

from bench.common import Figure, report
from bench.million import audited_ledger_of
from custody.bootstrap import open_readonly
from custody.db import Database
from custody.settings import Settings
from custody.signatures import entry_message
from custody.store import Store
from custody.verify import Audit, ExtraStep

SAMPLE = 200_000  # entries in the baseline's timed loop


def _raw(url: str, start: int, stop: int, public_key: bytes) -> tuple[int, float]:
    database = Database(url)
    with database.read() as conn:
        rows = Store(conn).rows_for_verify(start, stop)
    began = time.perf_counter()
    for _seq, body, _leaf, sig, _key_id, _item, _kind in rows:
        leaf = hashlib.sha256(b"\x00" + body).digest()
        crypto_sign_open(sig + entry_message(leaf), public_key)
    return len(rows), time.perf_counter() - began


def _timed(steps: list[ExtraStep], seconds: dict[str, float]) -> list[ExtraStep]:
    def timing(step: ExtraStep) -> ExtraStep:
        def run(database: Database, size: int) -> tuple[int | None, str] | None:
            began = time.perf_counter()
            try:
                return step.run(database, size)
            finally:
                seconds[step.name] = time.perf_counter() - began

        return replace(step, run=run)

    return [timing(step) for step in steps]


def _process_cpu(settings: Settings) -> dict[str, float]:
    """CPU seconds of the process's steps done in this process, one after the other, on
    the ledger the audit just passed: the replay with the access check of each entry, the
    state rows' comparison, the credentials and the files (workflows.replay.audit_outcomes's
    parts). Steadier than the wall clock on a shared machine: the ratio of 0.70 allows the
    process's steps a few microseconds an entry beyond the nine (bench/README.md)."""
    from api.system import check_credentials, file_store
    from workflows.heap import collector_paused
    from workflows.replay import check_files, first_difference, replayed

    database = open_readonly(settings).database
    refused: list[tuple[int, str]] = []
    with collector_paused():
        with database.read() as conn:
            began = time.process_time()
            world = replayed(conn, refused, True, Store(conn).head_size())
            folded = time.process_time()
            difference = first_difference(world, conn)
            compared = time.process_time()
        credentials = check_credentials(world, database)
        files = check_files(world, file_store(settings))
        done = time.process_time()
    assert not refused, refused
    assert (difference, credentials, files) == (None, None, None)
    return {
        "state replay and access": folded - began,
        "state rows compared": compared - folded,
        "credentials and files": done - compared,
    }


def run() -> None:
    from api.system import audit_steps

    ledger, settings = audited_ledger_of(1_000_000)
    signer = ledger.signer
    assert signer is not None
    url = ledger.database.url
    half = SAMPLE // 2
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        jobs = [
            pool.submit(_raw, url, 1 + i * half, 1 + (i + 1) * half, signer.verifier.public_key)
            for i in range(2)
        ]
        results = [job.result() for job in jobs]
    baseline = sum(count for count, _ in results) / max(seconds for _, seconds in results)
    started = time.perf_counter()
    nine = Audit(ledger.database, workers=2).run()
    nine_seconds = time.perf_counter() - started
    steps: dict[str, float] = {}
    started = time.perf_counter()
    audit = Audit(
        ledger.database, workers=2, extra_steps=_timed(audit_steps(settings), steps)
    ).run()
    elapsed = time.perf_counter() - started
    cpu = _process_cpu(settings)
    status = "every step holds" if audit.ok and nine.ok else f"FAILED: {audit.first_failure}"
    report(
        f"custody verify of {audit.size:,} entries ({status})",
        [
            Figure(
                "baseline: 2 processes, SHA-256 + libsodium Ed25519 verify", baseline, "entries/s"
            ),
            Figure(
                "custody verify, all 13 steps, 2 workers",
                audit.size / elapsed,
                "entries/s",
                baseline,
                ">= 0.70 x",
            ),
            Figure(
                "  the ledger's nine steps alone", nine.size / nine_seconds, "entries/s", baseline
            ),
            # The process's steps run beside the nine (ExtraStep.start): what is timed here is
            # how long the audit waited for each once the nine were done, not its work.
            *(
                Figure(f"  step {name}: waited after the nine", seconds, "s")
                for name, seconds in steps.items()
            ),
            *(
                Figure(f"  {name}, CPU in one process", seconds, "s")
                for name, seconds in cpu.items()
            ),
        ],
    )
