"""Hypothesis over the ledger on real SQLite files: any history of appends, batches and
rolled-back transactions audits clean with dense seqs and verifying proofs, and any single
flipped bit in any stored entry is caught."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custody.bootstrap import init
from custody.db import Database
from custody.entries import NewEntry
from custody.ledger import Ledger
from custody.proofs import verify_consistency, verify_inclusion
from custody.verify import verify
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.scenario import copy_sqlite

items = st.sampled_from(["KZ-1", "KZ-2", "KZ-3", "ӘҒҚ-4", None])
new_entries = st.builds(
    NewEntry,
    kind=st.sampled_from(["item_registered", "decision_recorded", "cut", "melted"]),
    actor=st.sampled_from(["unit.a", "sklad.b", "эксперт.в"]),
    item=items,
    data=st.dictionaries(
        st.sampled_from(["marking", "weight_g", "note", "ok"]),
        st.one_of(st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=8), st.booleans()),
        max_size=3,
    ),
)
# a transaction: some entries, and whether it commits
transactions = st.lists(
    st.tuples(st.lists(new_entries, min_size=1, max_size=5), st.booleans()), min_size=1, max_size=8
)


class Rollback(Exception):
    pass


def _apply(ledger: Ledger, history: list[tuple[list[NewEntry], bool]]) -> int:
    committed = 1
    for batch, commits in history:
        try:
            with ledger.database.write() as conn:
                ledger.append_many(conn, batch)
                if not commits:
                    raise Rollback
            committed += len(batch)
        except Rollback:
            pass
    return committed


@settings(max_examples=25)
@given(transactions, st.data())
def test_any_history_audits_clean_with_dense_seqs_and_sound_proofs(
    history: list[tuple[list[NewEntry], bool]], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory)
        ledger = init(make_settings(path, sqlite_url(path))).ledger
        size = _apply(ledger, history)
        report = verify(ledger.database)
        assert report.ok, report.first_failure
        assert report.size == size
        with ledger.database.read() as conn:
            new = data.draw(st.integers(1, size), label="new")
            old = data.draw(st.integers(1, new), label="old")
            index = data.draw(st.integers(0, new - 1), label="index")
            inclusion = ledger.inclusion_proof(conn, index, new)
            verify_inclusion(index, new, inclusion.leaf_hash, inclusion.hashes, inclusion.root)
            consistency = ledger.consistency_proof(conn, old, new)
            verify_consistency(
                old, new, consistency.old_root, consistency.new_root, consistency.hashes
            )
        ledger.database.dispose()


@pytest.fixture(scope="module")
def original() -> Iterator[tuple[Path, int]]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory)
        ledger = init(make_settings(path, sqlite_url(path))).ledger
        with ledger.database.write() as conn:
            ledger.append_many(
                conn,
                [
                    NewEntry(
                        kind="item_registered",
                        actor="unit.a",
                        item=f"KZ-{n % 5}",
                        data={"marking": f"№{n}", "weight_g": 1000 + n},
                    )
                    for n in range(24)
                ],
            )
            ledger.issue_checkpoint(conn)
        ledger.database.dispose()
        yield path / "custody.db", 25


@settings(max_examples=60)
@given(st.data())
def test_any_flipped_bit_in_any_entry_is_caught(
    original: tuple[Path, int], data: st.DataObject
) -> None:
    source, size = original
    seq = data.draw(st.integers(0, size - 1), label="seq")
    column = data.draw(st.sampled_from(["body", "leaf_hash", "sig"]), label="column")
    with tempfile.TemporaryDirectory() as directory:
        copy = Path(directory) / "copy.db"
        copy_sqlite(source, copy)
        with sqlite3.connect(copy) as conn:
            (value,) = conn.execute(
                f"SELECT {column} FROM ledger_entries WHERE seq = ?", (seq,)
            ).fetchone()
            position = data.draw(st.integers(0, len(value) - 1), label="byte")
            bit = data.draw(st.integers(0, 7), label="bit")
            flipped = bytearray(value)
            flipped[position] ^= 1 << bit
            conn.execute(
                f"UPDATE ledger_entries SET {column} = ? WHERE seq = ?", (bytes(flipped), seq)
            )
        database = Database(f"sqlite:///{copy}")
        report = verify(database)
        database.dispose()
    assert not report.ok
    failure = report.first_failure
    assert failure is not None
    expected = {"body": {2, 3}, "leaf_hash": {3}, "sig": {5}}[column]
    assert failure.number in expected, failure
    assert failure.seq == seq
