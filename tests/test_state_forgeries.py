"""Forgeries of the state tables and of the moment `custody verify` reads them, each named for
what a forger with write access to the database did, on SQLite and PostgreSQL: step 10 (the
state replay) must not vouch for them."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from custody.verify import Audit, Report
from tests.support.site import DECISION, Site
from workflows.replay import _differences, replay, verify_steps
from workflows.repository import Repository

STATE = 10


def _audit(site: Site, **options: object) -> Report:
    return Audit(site.ledger.database, extra_steps=verify_steps(site.files), **options).run()  # type: ignore[arg-type]


def _drop_items_primary_key(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE wf_items DROP CONSTRAINT wf_items_pkey"))
        return
    # SQLite cannot drop a constraint: the table is made again, without it
    conn.execute(text("CREATE TABLE wf_items_bare AS SELECT * FROM wf_items"))
    conn.execute(text("DROP TABLE wf_items"))
    conn.execute(text("ALTER TABLE wf_items_bare RENAME TO wf_items"))


def _duplicate_one_delete_another(conn: Connection, kept: str, hidden: str) -> None:
    conn.execute(text("INSERT INTO wf_items SELECT * FROM wf_items WHERE id = :k"), {"k": kept})
    conn.execute(text("DELETE FROM wf_items WHERE id = :h"), {"h": hidden})


def test_dropped_primary_key_with_a_duplicate_row_hiding_a_deleted_one(site: Site) -> None:
    kept, hidden = site.register_rifle(), site.register_rifle()
    site.process.record_decision("unit.serikbaev", [kept, hidden], DECISION)
    assert _audit(site).ok
    with site.ledger.database.engine.begin() as conn:
        _drop_items_primary_key(conn)
        _duplicate_one_delete_another(conn, kept, hidden)
    failure = _audit(site).first_failure
    assert failure is not None, "the attack went unnoticed"
    assert (failure.number, failure.name) == (STATE, "state replay")
    assert "wf_items has lost its primary key" in str(failure.reason)


def test_duplicate_row_in_place_of_a_missing_one_is_named_by_key(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the row comparison alone, as if the key were still there: a key read twice and a key
    # never read are each a difference, whatever the count of rows read
    kept, hidden = site.register_rifle(), site.register_rifle()
    with site.ledger.database.engine.begin() as conn:
        _drop_items_primary_key(conn)
        _duplicate_one_delete_another(conn, kept, hidden)
    world = replay(site.ledger.database)
    with site.ledger.database.read() as conn:
        monkeypatch.setattr(Repository, "has_primary_key", lambda *_: True, raising=False)
        found = list(_differences(world, Repository(conn)))
    assert f"items row {kept} appears twice" in found
    assert f"items row {hidden} is missing" in found
