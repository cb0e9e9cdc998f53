"""`Database.read_rows`: one SELECT, on SQLite straight through the driver with no BEGIN or
COMMIT, on each kind of database: its rows, no transaction left open after it (a later read
sees a later commit), and on SQLite, inside a `read`, that read's snapshot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from custody.db import Database
from tests.support.databases import scratch_pair, set_scratch


def _placeholder(database: Database) -> str:
    return "%s" if database.dialect == "postgresql" else "?"


def _select(database: Database) -> str:
    return f"SELECT v FROM scratch WHERE k = {_placeholder(database)}"


@pytest.fixture
def databases(database_url: str) -> Iterator[tuple[Database, Database]]:
    with scratch_pair(database_url) as pair:
        yield pair


def test_it_gives_the_rows_and_leaves_no_snapshot_behind(
    databases: tuple[Database, Database],
) -> None:
    reader, writer = databases
    assert [tuple(r) for r in reader.read_rows(_select(reader), ("a",))] == [(1,)]
    assert reader.read_rows(_select(reader), ("z",)) == []
    for value in (5, 6):
        set_scratch(writer, value)
        assert [tuple(r) for r in reader.read_rows(_select(reader), ("a",))] == [(value,)]


def test_inside_a_read_it_reads_that_reads_snapshot(
    databases: tuple[Database, Database],
) -> None:
    reader, writer = databases
    if reader.dialect != "sqlite":
        pytest.skip("SQLite: a read of this thread shares its connection (Database.read)")
    with reader.read() as conn:
        conn.exec_driver_sql("SELECT v FROM scratch").fetchall()  # the snapshot starts
        set_scratch(writer, 7)
        assert [tuple(r) for r in reader.read_rows(_select(reader), ("a",))] == [(1,)]
    assert [tuple(r) for r in reader.read_rows(_select(reader), ("a",))] == [(7,)]
