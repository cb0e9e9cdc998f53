"""`Database.snapshot`: a read transaction begun and committed on the driver itself (SQLite),
for the scan's raw statements: one snapshot for all of them, nothing left open after it
(a later read sees a later commit, also after an error inside), and a statement that would
go through SQLAlchemy's transaction inside it fails loudly instead of reading outside it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from custody.db import Database
from tests.support.databases import scratch_pair, set_scratch


def _value(conn: Any) -> int:
    """v of row 'a', read on the driver as the Repository reads (its raw statements)."""
    raw = conn.connection.driver_connection
    marks = "%s" if conn.dialect.name == "postgresql" else "?"
    cursor = raw.cursor()
    cursor.execute(f"SELECT v FROM scratch WHERE k = {marks}", ("a",))
    return int(cursor.fetchone()[0])


@pytest.fixture
def databases(database_url: str) -> Iterator[tuple[Database, Database]]:
    with scratch_pair(database_url) as pair:
        yield pair


def test_its_statements_read_one_snapshot_and_a_later_one_sees_a_later_commit(
    databases: tuple[Database, Database],
) -> None:
    reader, writer = databases
    if reader.dialect != "sqlite":
        pytest.skip("SQLite: on PostgreSQL a snapshot is `read`, at its isolation level")
    with reader.snapshot() as conn:
        assert _value(conn) == 1  # the snapshot starts
        set_scratch(writer, 7)
        assert _value(conn) == 1
    with reader.snapshot() as conn:
        assert _value(conn) == 7
    with reader.read() as conn:  # nothing left open: a read of SQLAlchemy's begins
        assert _value(conn) == 7


def test_after_an_error_inside_nothing_is_left_open(
    databases: tuple[Database, Database],
) -> None:
    reader, writer = databases

    def failing() -> None:
        with reader.snapshot() as conn:
            assert _value(conn) == 1
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        failing()
    set_scratch(writer, 8)
    with reader.snapshot() as conn:
        assert _value(conn) == 8


def test_a_statement_through_sqlalchemy_inside_fails_loudly_rather_than_reading_outside(
    databases: tuple[Database, Database],
) -> None:
    reader, writer = databases
    if reader.dialect != "sqlite":
        pytest.skip("SQLite: on PostgreSQL a snapshot is SQLAlchemy's own read")

    def core_inside() -> None:
        with reader.snapshot() as conn:
            assert _value(conn) == 1
            conn.execute(text("SELECT v FROM scratch"))  # SQLAlchemy would BEGIN its own

    def read_inside() -> None:
        with reader.snapshot(), reader.read() as inner:  # a read inside: the same
            inner.execute(text("SELECT 1"))

    for inside in (core_inside, read_inside):
        with pytest.raises(Exception, match="within a transaction"):
            inside()
    set_scratch(writer, 9)
    with reader.read() as conn:  # the kept connection is usable and fresh afterwards
        assert _value(conn) == 9
    with reader.snapshot() as conn:
        assert _value(conn) == 9


def test_inside_a_read_it_reads_that_reads_snapshot(
    databases: tuple[Database, Database],
) -> None:
    reader, writer = databases
    if reader.dialect != "sqlite":
        pytest.skip("SQLite: a read of this thread shares its connection (Database.read)")
    with reader.read() as outer:
        assert _value(outer) == 1
        set_scratch(writer, 5)
        with reader.snapshot() as conn:
            assert _value(conn) == 1
    with reader.snapshot() as conn:
        assert _value(conn) == 5
