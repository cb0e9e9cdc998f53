"""Migration 0002_entry_kind on a database made before it (SQLite and PostgreSQL): every row
gets its body's kind, `custody verify` holds, the deadlines derived again by the column are
the rows the whole fold wrote; and a body that is not JSON (a tampered row) does not stop the
migration but gets no kind, which verify then fails with the body."""

from __future__ import annotations

import orjson
from sqlalchemy import inspect, text

from api.system import MIGRATIONS
from custody import migrate
from custody.db import Database
from custody.verify import verify
from tests.support.site import Site
from workflows.deadline_replay import rederive


def _made_before_it(database: Database) -> None:
    """The ledger table as 0001_ledger made it, and the revision forgotten."""
    with database.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_ledger_entries_kind_seq"))
        conn.execute(text("ALTER TABLE ledger_entries DROP COLUMN kind"))
        conn.execute(text("DELETE FROM alembic_version WHERE version_num = '0002_entry_kind'"))


def _kinds(database: Database) -> dict[int, tuple[str | None, str]]:
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, kind, body FROM ledger_entries")).all()
    return {seq: (kind, orjson.loads(bytes(body))["kind"]) for seq, kind, body in rows}


def _deadlines(database: Database) -> list[tuple[object, ...]]:
    with database.engine.connect() as conn:
        return list(
            conn.execute(text("SELECT item, rule, due_at, closed, data FROM wf_deadlines")).all()
        )


def test_a_ledger_made_before_it_gets_each_entry_kind(site: Site) -> None:
    rifle = site.register_rifle()
    site.to_warehouse(rifle)
    database = site.ledger.database
    rows_before = sorted(_deadlines(database))
    assert rows_before
    _made_before_it(database)
    columns = {c["name"] for c in inspect(database.engine).get_columns("ledger_entries")}
    assert "kind" not in columns

    migrate.upgrade(database, MIGRATIONS)

    kinds = _kinds(database)
    assert len(kinds) > 20
    assert all(column == body for column, body in kinds.values()), kinds
    indexes = {i["name"] for i in inspect(database.engine).get_indexes("ledger_entries")}
    assert "ix_ledger_entries_kind_seq" in indexes
    report = verify(database)
    assert report.first_failure is None, report.first_failure
    # Read by the column now: the same rows, none written.
    assert rederive(database) == len(rows_before)
    assert sorted(_deadlines(database)) == rows_before
    # And an entry appended after it carries its kind.
    site.register_rifle()
    assert all(column == body for column, body in _kinds(database).values())


def test_a_body_that_is_not_json_gets_no_kind_and_fails_verify(site: Site) -> None:
    database = site.ledger.database
    _made_before_it(database)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET body = :b WHERE seq = 5"), {"b": b"\xff{"})

    migrate.upgrade(database, MIGRATIONS)

    with database.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT seq, kind FROM ledger_entries")).all())
    assert rows[5] is None
    assert all(kind for seq, kind in rows.items() if seq != 5)
    failure = verify(database).first_failure
    assert failure is not None
    assert failure.seq == 5
