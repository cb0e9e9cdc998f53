"""The tamper suite: one attack per test, each named for what the attacker did, each run on
a copy of a real ledger (SQLite file, PostgreSQL database), each caught by the audit at the
step that names it. Several attackers hold the server and its ledger key (`forge`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from custody.db import Database
from custody.entries import decode
from custody.ledger_key import LedgerKeyFile
from custody.note import Signer, Verifier
from custody.rfc6962 import leaf_hash
from custody.signatures import entry_message
from custody.verify import AuditorCheckpoint, Report, verify
from tests.conftest import make_settings
from tests.support import forge
from tests.support.databases import postgres_copy, postgres_database, sqlite_url
from tests.support.scenario import Scenario, build, copy_sqlite


@dataclass(frozen=True)
class Target:
    """A fresh copy of the scenario ledger, and what the scenario knows about it."""

    database: Database
    scenario: Scenario
    key_file: Path

    def signer(self) -> Signer:
        return LedgerKeyFile(self.key_file).load()

    def audit(self, **options: object) -> Report:
        return verify(self.database, **options)  # type: ignore[arg-type]

    def tamper(self, attack: Callable[[Connection], object]) -> None:
        with self.database.engine.begin() as conn:
            attack(conn)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def original(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scenario]:
    directory = tmp_path_factory.mktemp(f"scenario-{request.param}")
    if request.param == "sqlite":
        yield build(make_settings(directory, sqlite_url(directory)))
    else:
        with postgres_database() as url:
            yield build(make_settings(directory, url))


@pytest.fixture
def target(original: Scenario, tmp_path: Path) -> Iterator[Target]:
    key_file = tmp_path / "ledger.key"
    shutil.copy2(original.settings.ledger_key_file, key_file)
    if original.settings.database_url.startswith("sqlite"):
        copy = tmp_path / "copy.db"
        copy_sqlite(Path(original.settings.database_url.removeprefix("sqlite:///")), copy)
        database = Database(f"sqlite:///{copy}")
        yield Target(database, original, key_file)
        database.dispose()
    else:
        with postgres_copy(original.settings.database_url) as url:
            database = Database(url)
            yield Target(database, original, key_file)
            database.dispose()


def _failed_at(report: Report) -> tuple[int, int | None]:
    failure = report.first_failure
    assert failure is not None, "the attack went unnoticed"
    return failure.number, failure.seq


def _sql(conn: Connection, statement: str, **params: object) -> None:
    conn.execute(text(statement), params)


def _body(conn: Connection, seq: int) -> bytes:
    return bytes(
        conn.execute(
            text("SELECT body FROM ledger_entries WHERE seq = :s"), {"s": seq}
        ).scalar_one()
    )


def test_the_untouched_ledger_passes_every_step(target: Target) -> None:
    report = target.audit(
        auditor_checkpoints=[AuditorCheckpoint("early.note", target.scenario.early_checkpoint)],
        pinned_key=Verifier.parse(target.scenario.early_vkey),
    )
    assert report.ok, report.first_failure
    assert report.size == target.scenario.size
    assert report.checkpoints_checked == 3


def test_edited_entry_body(target: Target) -> None:
    def attack(conn: Connection) -> None:
        body = _body(conn, 10).replace("АК-74".encode(), "АКМ--".encode())
        _sql(conn, "UPDATE ledger_entries SET body = :b WHERE seq = 10", b=body)

    target.tamper(attack)
    assert _failed_at(target.audit()) == (3, 10)


def test_edited_entry_body_with_its_leaf_hash_recomputed(target: Target) -> None:
    def attack(conn: Connection) -> None:
        body = _body(conn, 10).replace("АК-74".encode(), "АКМ--".encode())
        _sql(
            conn,
            "UPDATE ledger_entries SET body = :b, leaf_hash = :h WHERE seq = 10",
            b=body,
            h=leaf_hash(body),
        )

    target.tamper(attack)
    # the next entry's prev no longer matches; the signature over the new hash fails too
    assert _failed_at(target.audit()) == (4, 11)


def test_edited_leaf_hash(target: Target) -> None:
    target.tamper(
        lambda c: _sql(c, "UPDATE ledger_entries SET leaf_hash = :h WHERE seq = 7", h=b"\x00" * 32)
    )
    assert _failed_at(target.audit()) == (3, 7)


def test_non_canonical_body(target: Target) -> None:
    target.tamper(
        lambda c: _sql(
            c,
            "UPDATE ledger_entries SET body = :b WHERE seq = 5",
            b=_body(c, 5).replace(b',"kind"', b', "kind"'),
        )
    )
    assert _failed_at(target.audit()) == (2, 5)


def test_deleted_entry(target: Target) -> None:
    target.tamper(lambda c: _sql(c, "DELETE FROM ledger_entries WHERE seq = 12"))
    assert _failed_at(target.audit()) == (1, 12)


def test_reordered_entries(target: Target) -> None:
    def attack(conn: Connection) -> None:
        _sql(conn, "UPDATE ledger_entries SET seq = -1 WHERE seq = 14")
        _sql(conn, "UPDATE ledger_entries SET seq = 14 WHERE seq = 15")
        _sql(conn, "UPDATE ledger_entries SET seq = 15 WHERE seq = -1")

    target.tamper(attack)
    assert _failed_at(target.audit()) == (4, 14)


def test_duplicated_entry(target: Target) -> None:
    def attack(conn: Connection) -> None:
        size = target.scenario.size
        _sql(
            conn,
            "INSERT INTO ledger_entries (seq, body, leaf_hash, sig, key_id, item) "
            "SELECT :n, body, leaf_hash, sig, key_id, item FROM ledger_entries WHERE seq = 9",
            n=size,
        )
        forge.rebuild_head_and_tree(conn, size + 1)

    target.tamper(attack)
    assert _failed_at(target.audit()) == (4, target.scenario.size)


def test_kind_column_that_lies(target: Target) -> None:
    """A fold that reads only some kinds by the column (the deadlines' rederive) would skip
    an entry whose column names another kind: the body is untouched, the column is not."""
    target.tamper(
        lambda c: _sql(
            c,
            "UPDATE ledger_entries SET kind = CASE WHEN kind = 'batch_opened' "
            "THEN 'item_registered' ELSE 'batch_opened' END WHERE seq = 11",
        )
    )
    report = target.audit()
    assert _failed_at(report) == (4, 11)
    assert "kind column" in str(report.first_failure.reason)  # type: ignore[union-attr]


def test_kind_column_emptied(target: Target) -> None:
    target.tamper(lambda c: _sql(c, "UPDATE ledger_entries SET kind = NULL WHERE seq = 12"))
    assert _failed_at(target.audit()) == (4, 12)


def test_truncated_tail_after_a_checkpoint(target: Target) -> None:
    def attack(conn: Connection) -> None:
        size = target.scenario.size
        _sql(conn, "DELETE FROM ledger_entries WHERE seq >= :s", s=size - 3)
        forge.rebuild_head_and_tree(conn, size - 3)

    target.tamper(attack)
    report = target.audit()
    assert _failed_at(report) == (9, None)
    assert "has only" in str(report.first_failure.reason)  # type: ignore[union-attr]


def test_truncated_tail_with_the_stored_checkpoints_removed(target: Target) -> None:
    def attack(conn: Connection) -> None:
        early_size = int(target.scenario.early_checkpoint.split("\n")[1])
        _sql(conn, "DELETE FROM ledger_entries WHERE seq >= :s", s=early_size - 2)
        _sql(conn, "DELETE FROM checkpoints")
        forge.rebuild_head_and_tree(conn, early_size - 2)

    target.tamper(attack)
    # nothing left inside the database shows it ...
    assert target.audit().ok
    # ... but the checkpoint the auditor kept does
    report = target.audit(
        auditor_checkpoints=[AuditorCheckpoint("early.note", target.scenario.early_checkpoint)]
    )
    assert _failed_at(report) == (9, None)
    assert "early.note" in str(report.first_failure.reason)  # type: ignore[union-attr]


def _resign(conn: Connection, seq: int, signer: Signer, *, claim_key: bool) -> None:
    """Replace an entry's signature by one of `signer`; with `claim_key`, its key id too."""
    leaf = bytes(
        conn.execute(
            text("SELECT leaf_hash FROM ledger_entries WHERE seq = :s"), {"s": seq}
        ).scalar_one()
    )
    sig = signer.sign(entry_message(leaf))
    if claim_key:
        _sql(
            conn,
            "UPDATE ledger_entries SET sig = :g, key_id = :k WHERE seq = :s",
            g=sig,
            k=signer.verifier.key_id,
            s=seq,
        )
    else:
        _sql(conn, "UPDATE ledger_entries SET sig = :g WHERE seq = :s", g=sig, s=seq)


def test_forged_ledger_signature(target: Target) -> None:
    impostor = Signer.generate("custody.test/ledger")
    target.tamper(lambda c: _resign(c, 8, impostor, claim_key=False))
    assert _failed_at(target.audit()) == (5, 8)


def test_entry_signed_by_an_unknown_key(target: Target) -> None:
    impostor = Signer.generate("custody.test/ledger")
    target.tamper(lambda c: _resign(c, 8, impostor, claim_key=True))
    assert _failed_at(target.audit()) == (5, 8)


def test_revoked_key_used(target: Target) -> None:
    carol = target.scenario.carol
    forged = carol.entry("registry_result_recorded", "KZ-000003", result="no_match")

    def attack(conn: Connection) -> None:
        entry = forge.append_unchecked(
            conn, target.signer(), forged.kind, forged.actor, forged.item, forged.data
        )
        from custody.acts import act_of
        from custody.store import Store

        act = act_of(decode(entry.body))
        assert act is not None
        Store(conn).record_acts([(act.digest, entry.seq)])

    target.tamper(attack)
    report = target.audit()
    assert _failed_at(report) == (6, target.scenario.size)
    assert "revoked" in str(report.first_failure.reason)  # type: ignore[union-attr]


def test_act_signed_by_the_wrong_person(target: Target) -> None:
    alice, carol = target.scenario.alice, target.scenario.carol
    act = alice.act("registry_result_recorded", "KZ-000002", result="match", case="ЕРДР 2026-1234")

    def attack(conn: Connection) -> None:
        # alice signed it, but the entry says carol recorded it
        entry = forge.append_unchecked(
            conn,
            target.signer(),
            "registry_result_recorded",
            carol.user,
            "KZ-000002",
            act.to_data(),
        )
        from custody.store import Store

        Store(conn).record_acts([(act.digest, entry.seq)])

    target.tamper(attack)
    report = target.audit()
    assert _failed_at(report) == (6, target.scenario.size)
    assert "nobody signs for someone else" in str(report.first_failure.reason)  # type: ignore[union-attr]


def test_act_backdated_before_its_key_existed(target: Target) -> None:
    # b12r: an act dated decades back was accepted (the time was bounded only from above).
    from custody.acts import new_act, sign_act

    alice = target.scenario.alice
    old = new_act(
        "registry_result_recorded",
        alice.user,
        alice.key_id,
        "1990-01-01T00:00:00.000000Z",
        "KZ-000002",
        result="match",
    )
    act = sign_act(old, alice.key.seed)

    def attack(conn: Connection) -> None:
        from custody.store import Store

        entry = forge.append_unchecked(
            conn,
            target.signer(),
            "registry_result_recorded",
            alice.user,
            "KZ-000002",
            act.to_data(),
        )
        Store(conn).record_acts([(act.digest, entry.seq)])

    target.tamper(attack)
    report = target.audit()
    assert _failed_at(report) == (6, target.scenario.size)
    assert "before its key" in str(report.first_failure.reason)  # type: ignore[union-attr]


def test_replayed_act(target: Target) -> None:
    def attack(conn: Connection) -> None:
        from custody.acts import act_of

        original = next(
            decode(_body(conn, seq))
            for seq in range(target.scenario.size)
            if decode(_body(conn, seq)).kind == "registry_result_recorded"
        )
        act = act_of(original)
        assert act is not None
        forge.append_unchecked(
            conn, target.signer(), original.kind, original.actor, original.item, original.data
        )

    target.tamper(attack)
    report = target.audit()
    assert _failed_at(report) == (6, target.scenario.size)
    assert "already recorded" in str(report.first_failure.reason)  # type: ignore[union-attr]


def test_rewritten_history_with_new_key(target: Target) -> None:
    fresh = Signer.generate("custody.test/ledger")
    target.tamper(lambda c: forge.rewrite_history(c, fresh, {10: {"marking": "АКМ №9999"}}))
    # the database alone is consistent again: this is what the auditor's copies are for
    assert target.audit().ok
    report = target.audit(
        auditor_checkpoints=[AuditorCheckpoint("early.note", target.scenario.early_checkpoint)]
    )
    assert _failed_at(report) == (9, None)
    assert "not signed by the ledger key" in str(report.first_failure.reason)  # type: ignore[union-attr]
    pinned = target.audit(pinned_key=Verifier.parse(target.scenario.early_vkey))
    assert _failed_at(pinned) == (5, None)


def test_edited_merkle_node(target: Target) -> None:
    target.tamper(
        lambda c: _sql(
            c, "UPDATE merkle_nodes SET hash = :h WHERE level = 2 AND idx = 3", h=b"\x11" * 32
        )
    )
    report = target.audit()
    assert _failed_at(report) == (8, 12)
    assert "level 2, index 3" in str(report.first_failure.reason)  # type: ignore[union-attr]


def test_deleted_merkle_node(target: Target) -> None:
    target.tamper(lambda c: _sql(c, "DELETE FROM merkle_nodes WHERE level = 1 AND idx = 0"))
    assert _failed_at(target.audit())[0] == 8


def test_edited_key_registry_row(target: Target) -> None:
    carol = target.scenario.carol
    target.tamper(
        lambda c: _sql(
            c, "UPDATE ledger_keys SET revoked_at_seq = NULL WHERE key_id = :k", k=carol.key_id
        )
    )
    assert _failed_at(target.audit()) == (7, None)


def test_forged_checkpoint(target: Target) -> None:
    impostor = Signer.generate("custody.test/ledger")

    def attack(conn: Connection) -> None:
        _sql(conn, "DELETE FROM checkpoints WHERE size = :s", s=target.scenario.size)
        forge.sign_checkpoint(conn, impostor)

    target.tamper(attack)
    report = target.audit()
    assert _failed_at(report) == (9, None)
    assert "not signed by the ledger key" in str(report.first_failure.reason)  # type: ignore[union-attr]


def test_edited_public_key_in_the_key_table(target: Target) -> None:
    # The workers check signatures against the stored key table; the audit must see through
    # a table that lies and blame the table, not the genuine signatures.
    impostor = Signer.generate("custody.test/ledger")
    vkey = Verifier.parse(target.scenario.early_vkey)
    target.tamper(
        lambda c: _sql(
            c,
            "UPDATE ledger_keys SET public_key = :p WHERE key_id = :k",
            p=impostor.verifier.public_key,
            k=vkey.key_id,
        )
    )
    report = target.audit()
    assert _failed_at(report) == (7, None)
    assert all(step.ok for step in report.steps[:6])


def test_entry_signed_by_a_rotated_out_ledger_key(target: Target) -> None:
    # The key file holds only the new key; whoever kept a copy of the old one writes with it.
    retired = target.scenario.retired_signer
    assert retired.verifier.key_id != target.signer().verifier.key_id
    target.tamper(lambda c: forge.append_unchecked(c, retired, "cut", "sklad.b", "KZ-000004", {}))
    report = target.audit()
    assert _failed_at(report) == (5, target.scenario.size)
    assert "ledger key at this seq" in str(report.first_failure.reason)  # type: ignore[union-attr]
