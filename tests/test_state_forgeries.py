"""Forgeries of the state tables and of the moment `custody verify` reads them, each named for
what a forger with write access to the database did, on SQLite and PostgreSQL: step 10 (the
state replay) must not vouch for them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from custody.db import Database, with_lock_timeout
from custody.verify import Audit, Report
from tests.support.site import DECISION, Site
from workflows.replay import audit_outcomes, outcomes_at, replay, row_differences, verify_steps
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
        found = list(row_differences(world, Repository(conn)))
    assert f"items row {kept} appears twice" in found
    assert f"items row {hidden} is missing" in found


def test_rows_in_another_order_than_the_replay_are_matched_by_key(site: Site) -> None:
    # row_differences compares the rows in the replay's order while they follow it, then
    # by key: rows read in any other order (PostgreSQL's, once rows are updated) hold, and
    # a row changed after the order broke is still found, as are a duplicate and a missing one
    rifles = [site.register_rifle() for _ in range(4)]
    world = replay(site.ledger.database)
    world.items = dict(reversed(world.items.items()))  # the replay's order, backwards
    with site.ledger.database.read() as conn:
        assert list(row_differences(world, Repository(conn))) == []
    with site.ledger.database.engine.begin() as conn:
        conn.execute(text("UPDATE wf_items SET state = 'cut' WHERE id = :i"), {"i": rifles[0]})
    with site.ledger.database.read() as conn:
        found = list(row_differences(world, Repository(conn)))
    assert found == [f"items row {rifles[0]} differs from what the ledger says"]
    world = replay(site.ledger.database)  # in the rows' order: the change is found in order
    with site.ledger.database.read() as conn:
        found = list(row_differences(world, Repository(conn)))
    assert found == [f"items row {rifles[0]} differs from what the ledger says"]


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _append_unsigned_entry(site: Site) -> str:
    """A rifle registered with its state rows, then its entry's signature wiped: an entry no
    step of the ledger's can have checked if it came after they read the log."""
    rifle = site.register_rifle()
    with site.ledger.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger_entries SET sig = :g WHERE seq = :s"),
            {"g": b"\x00" * 64, "s": _size(site) - 1},
        )
    return rifle


def test_unsigned_entry_appended_after_the_ledger_steps_read_the_log(site: Site) -> None:
    site.register_rifle()
    verified = _size(site)
    steps = verify_steps(site.files)
    replay_step = steps[0]

    def appended_first(database: Database, size: int) -> tuple[int | None, str] | None:
        _append_unsigned_entry(site)  # after steps 1-9, before the replay reads the head
        return replay_step.run(database, size)

    steps[0] = replace(replay_step, run=appended_first)
    report = Audit(site.ledger.database, extra_steps=steps).run()
    assert report.size == verified
    assert _size(site) == verified + 1
    failure = report.first_failure
    assert failure is not None, "the unverified entry was vouched for"
    assert (failure.number, failure.name) == (STATE, "state replay")
    assert f"the ledger grew during verification ({verified} entries verified" in str(
        failure.reason
    )
    # the next audit reads the new entry, and step 5 refuses its signature
    assert _audit(site).first_failure.number == 5  # type: ignore[union-attr]


def test_unsigned_entry_appended_before_the_background_replay_reads(site: Site) -> None:
    # the replay in a process of its own (a large ledger) is given the verified size too
    site.register_rifle()
    verified = _size(site)
    _append_unsigned_entry(site)
    outcomes = audit_outcomes(site.ledger.database, site.files, (), verified)
    assert outcomes[0] is not None
    assert "the ledger grew during verification" in outcomes[0][1]
    assert outcomes_at(site.ledger.database.url, site.files, (), verified) == outcomes
    assert audit_outcomes(site.ledger.database, site.files, (), verified + 1)[0] is None


def test_table_locked_by_another_session_makes_verify_give_up(site: Site) -> None:
    url = site.ledger.database.url
    if not url.startswith("postgresql"):
        pytest.skip("SQLite's readers are never held up by a lock (WAL)")
    holder = Database(url)
    verifying = Database(with_lock_timeout(url, 300))
    try:
        with holder.engine.begin() as conn:
            conn.execute(text("LOCK TABLE ledger_entries IN ACCESS EXCLUSIVE MODE"))
            with pytest.raises(Exception, match="due to lock timeout"):  # psycopg or SQLAlchemy
                Audit(verifying, extra_steps=verify_steps(site.files)).run()
    finally:
        verifying.dispose()
        holder.dispose()
    assert Audit(verifying, extra_steps=verify_steps(site.files)).run().ok


def test_body_changed_in_place_after_the_ledger_steps_read_it(site: Site) -> None:
    # the replay takes each body step 2 proved of the format as it is (entries.proven): a
    # row changed in place after steps 1-9 read it is refused by the replay, not folded
    site.register_rifle()
    changed = _size(site) - 1
    steps = verify_steps(site.files)
    replay_step = steps[0]

    def changed_first(database: Database, size: int) -> tuple[int | None, str] | None:
        with site.ledger.database.engine.begin() as conn:
            conn.execute(
                text("UPDATE ledger_entries SET body = :b WHERE seq = :s"),
                {"b": b'{"data":[],"seq":0}', "s": changed},
            )
        return replay_step.run(database, size)

    steps[0] = replace(replay_step, run=changed_first)
    failure = Audit(site.ledger.database, extra_steps=steps).run().first_failure
    assert failure is not None, "a body changed after step 2 read it was folded"
    assert (failure.number, failure.name, failure.seq) == (STATE, "state replay", changed)
    assert "its body changed since the ledger's steps read it" in str(failure.reason)
    # the next audit's step 2 refuses it
    assert _audit(site).first_failure.number == 2  # type: ignore[union-attr]
