"""Signing large appends in worker processes: correct, robust to a dying worker and to an
append that fails half way, and the key never on a command line or in an environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from custody import signing_workers
from custody.append import PARALLEL_SIGNING_FROM
from custody.entries import NewEntry
from custody.errors import EncodingError
from custody.ledger import Ledger
from custody.signatures import ENTRY_DOMAIN, entry_message, verify
from custody.verify import verify as audit


def _batch(start: int, count: int, bad_at: int | None = None) -> list[NewEntry]:
    return [
        NewEntry(
            kind="item_registered",
            actor="unit.a",
            item=f"KZ-{start + n}",
            data={"n": float("nan") if n == bad_at else start + n},
        )
        for n in range(count)
    ]


def _pool(ledger: Ledger) -> signing_workers.SigningWorkers:
    signer = ledger.signer
    assert signer is not None
    return signing_workers.workers_for(
        signer.verifier.key_id,
        signer.seed,
        ENTRY_DOMAIN,
        lambda leaf: signer.sign(entry_message(leaf)),
    )


def _all_signed(ledger: Ledger, entries: list[object]) -> bool:
    public_key = ledger.signer.verifier.public_key  # type: ignore[union-attr]
    return all(verify(public_key, entry_message(e.leaf_hash), e.sig) for e in entries)  # type: ignore[attr-defined]


def test_a_large_append_is_signed_by_the_workers(ledger: Ledger) -> None:
    count = PARALLEL_SIGNING_FROM * 3 + 7
    with ledger.database.write() as conn:
        entries = ledger.append_many(conn, _batch(0, count))
    assert len(entries) == count
    assert _all_signed(ledger, entries)
    assert all(w.process.poll() is None for w in _pool(ledger).workers)


def test_a_dead_worker_is_replaced_by_signing_here(ledger: Ledger) -> None:
    with ledger.database.write() as conn:
        ledger.append_many(conn, _batch(0, PARALLEL_SIGNING_FROM))
    victim = _pool(ledger).workers[0]
    victim.process.kill()
    victim.process.wait()
    with ledger.database.write() as conn:
        entries = ledger.append_many(conn, _batch(10_000, PARALLEL_SIGNING_FROM * 2))
    assert _all_signed(ledger, entries)
    assert audit(ledger.database).ok


def test_an_append_that_fails_half_way_leaves_nothing_for_the_next(ledger: Ledger) -> None:
    count = PARALLEL_SIGNING_FROM * 4
    with pytest.raises(EncodingError), ledger.database.write() as conn:
        ledger.append_many(conn, _batch(0, count, bad_at=count - 5))
    with ledger.database.write() as conn:
        entries = ledger.append_many(conn, _batch(50_000, count))
    assert [e.seq for e in entries][:1] == [1]
    assert _all_signed(ledger, entries)
    report = audit(ledger.database)
    assert report.ok, report.first_failure


def test_the_seed_is_not_on_a_command_line_or_in_an_environment(ledger: Ledger) -> None:
    with ledger.database.write() as conn:
        ledger.append_many(conn, _batch(0, PARALLEL_SIGNING_FROM))
    seed = ledger.signer.seed  # type: ignore[union-attr]
    for worker in _pool(ledger).workers:
        proc = Path("/proc") / str(worker.process.pid)
        if not proc.exists():
            pytest.skip("no /proc here")
        for name in ("cmdline", "environ"):
            exposed = (proc / name).read_bytes()
            assert seed not in exposed
            assert seed.hex().encode() not in exposed
    assert os.environ.get("CUSTODY_LEDGER_SEED") is None
