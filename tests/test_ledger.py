"""Appending and reading the ledger on real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from sqlalchemy import text

from custody import keyring
from custody.acts import new_act, sign_act
from custody.bootstrap import init
from custody.checkpoint import parse_body
from custody.clock import format_time, parse_time
from custody.entries import NewEntry, decode
from custody.errors import (
    ActError,
    EncodingError,
    LedgerKeyError,
    MalformedEntryError,
    ProofRangeError,
)
from custody.ledger import Ledger
from custody.ledger_key import LedgerKeyFile
from custody.note import Verifier, open_note
from custody.proofs import verify_consistency, verify_inclusion
from custody.rfc6962 import leaf_hash
from custody.settings import Settings
from custody.signatures import entry_message, verify
from custody.store import Store
from tests.support import rfc9162_reference as ref
from tests.support.people import register


def _item(n: int) -> NewEntry:
    return NewEntry(
        kind="item_registered",
        actor="unit.serikbaev",
        item=f"KZ-{n:06d}",
        data={"category": "firearm", "rifled": True, "source": "found", "marking": f"АК №{n}"},
    )


def _bodies(ledger: Ledger) -> list[bytes]:
    with ledger.database.read() as conn:
        size = ledger.head(conn).size
        return [e.body for e in ledger.entries(conn, 0, size)]


def test_init_writes_a_genesis_entry_that_publishes_the_ledger_key(
    ledger: Ledger, app_settings: Settings
) -> None:
    with ledger.database.read() as conn:
        (genesis,) = ledger.entries(conn, 0, 10)
    body = decode(genesis.body)
    assert (body.seq, body.kind, body.prev, body.item) == (0, "ledger_created", None, None)
    assert body.data["origin"] == "custody.test/ledger"
    assert genesis.key_id == body.data["key"]["key_id"] == ledger.signer.verifier.key_id  # type: ignore[union-attr]
    assert verify(ledger.signer.verifier.public_key, entry_message(genesis.leaf_hash), genesis.sig)  # type: ignore[union-attr]
    mode = stat.S_IMODE(app_settings.ledger_key_file.stat().st_mode)
    assert mode == 0o600


def test_init_is_idempotent(ledger: Ledger, app_settings: Settings) -> None:
    again = init(app_settings)
    assert (again.created_key, again.wrote_genesis) == (False, False)
    assert again.ledger.signer.verifier.key_id == ledger.signer.verifier.key_id  # type: ignore[union-attr]
    assert len(_bodies(ledger)) == 1
    again.ledger.database.dispose()


def test_entries_chain_by_prev_and_by_item(ledger: Ledger) -> None:
    first = ledger.record(_item(1))
    other = ledger.record(_item(2))
    again = ledger.record(
        NewEntry(kind="decision_recorded", actor="unit.serikbaev", item="KZ-000001")
    )
    bodies = [decode(e.body) for e in (first, other, again)]
    assert [b.seq for b in bodies] == [1, 2, 3]
    assert bodies[1].prev == first.leaf_hash.hex()
    assert bodies[2].prev == other.leaf_hash.hex()
    assert bodies[0].item_prev is None
    assert bodies[2].item_prev == first.leaf_hash.hex()
    assert first.leaf_hash == leaf_hash(first.body)


def test_time_never_goes_backwards(app_settings: Settings) -> None:
    moments = iter([dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 4, 1, tzinfo=dt.UTC)])
    result = init(app_settings)
    ledger = Ledger(result.ledger.database, result.ledger.signer, clock=lambda: next(moments))
    a, b = ledger.record(_item(1)), ledger.record(_item(2))
    assert parse_time(decode(b.body).time) >= parse_time(decode(a.body).time)
    result.ledger.database.dispose()


@pytest.mark.parametrize(
    "bad",
    [float("nan"), 2**60, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), b"\x00", 1e300],
    ids=["nan", "int-beyond-2^53", "datetime", "bytes", "float-beyond-2^53"],
)
def test_values_jcs_cannot_carry_are_refused_and_nothing_is_written(
    ledger: Ledger, bad: object
) -> None:
    before = _bodies(ledger)
    batch = [_item(1), NewEntry(kind="cut", actor="sklad", item="KZ-1", data={"x": bad})]
    with pytest.raises(EncodingError), ledger.database.write() as conn:
        ledger.append_many(conn, batch)
    assert _bodies(ledger) == before


def test_an_entry_larger_than_the_cap_is_refused_and_nothing_is_written(ledger: Ledger) -> None:
    """b12: a 13 MB inventory entry was signed and served; an entry is now at most
    MAX_BODY_BYTES of canonical JSON, one just under it still written."""
    from custody.append import MAX_BODY_BYTES

    before = _bodies(ledger)
    ids = [f"X-{n:09d}" for n in range(MAX_BODY_BYTES // 14 + 10)]
    huge = NewEntry(kind="inventory_counted", actor="sklad", item="WH-1", data={"unknown": ids})
    with (
        pytest.raises(MalformedEntryError, match=r"at most 4,194,304 bytes"),
        ledger.database.write() as conn,
    ):
        ledger.append_many(conn, [_item(1), huge])
    assert _bodies(ledger) == before
    fits = NewEntry(
        kind="inventory_counted", actor="sklad", item="WH-1", data={"note": "x" * 1_000_000}
    )
    ledger.record(fits)
    assert len(_bodies(ledger)) == len(before) + 1


def test_unknown_kind_and_bad_names_are_refused(ledger: Ledger) -> None:
    with pytest.raises(MalformedEntryError, match="vocabulary"):
        ledger.record(NewEntry(kind="teleported", actor="x"))
    with pytest.raises(MalformedEntryError, match="actor"):
        ledger.record(NewEntry(kind="cut", actor=""))
    with pytest.raises(MalformedEntryError, match="control"):
        ledger.record(NewEntry(kind="cut", actor="a", item="KZ\n1"))


def test_a_rolled_back_transaction_leaves_no_gap(ledger: Ledger) -> None:
    class Abort(Exception):
        pass

    def append_then_fail() -> None:
        with ledger.database.write() as conn:
            ledger.append(conn, _item(1))
            raise Abort

    with pytest.raises(Abort):
        append_then_fail()
    entry = ledger.record(_item(2))
    assert entry.seq == 1
    assert decode(entry.body).item == "KZ-000002"


def test_a_batch_is_one_transaction_with_one_entry_each(ledger: Ledger) -> None:
    with ledger.database.write() as conn:
        entries = ledger.append_many(conn, [_item(n) for n in range(300)])
    assert [e.seq for e in entries] == list(range(1, 301))
    assert _bodies(ledger)[1:] == [e.body for e in entries]
    signer = ledger.signer
    assert signer is not None
    assert all(
        verify(signer.verifier.public_key, entry_message(e.leaf_hash), e.sig) for e in entries
    )


def test_stored_tree_gives_the_reference_roots_and_proofs(ledger: Ledger) -> None:
    with ledger.database.write() as conn:
        ledger.append_many(conn, [_item(n) for n in range(40)])
    bodies = _bodies(ledger)
    with ledger.database.read() as conn:
        for size in (1, 2, 7, 8, 9, 31, 41):
            assert ledger.root(conn, size) == ref.mth(bodies[:size])
        for index, size in ((0, 1), (5, 8), (40, 41), (17, 33)):
            proof = ledger.inclusion_proof(conn, index, size)
            assert list(proof.hashes) == ref.path(index, bodies[:size])
            verify_inclusion(index, size, proof.leaf_hash, proof.hashes, proof.root)
        for old, new in ((1, 41), (8, 16), (13, 41), (41, 41)):
            proof = ledger.consistency_proof(conn, old, new)
            assert list(proof.hashes) == ref.proof(old, bodies[:new])
            verify_consistency(old, new, proof.old_root, proof.new_root, proof.hashes)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("inclusion_proof", (5, 5)),
        ("inclusion_proof", (-1, None)),
        ("inclusion_proof", (0, 99)),
        ("consistency_proof", (0, 3)),
        ("consistency_proof", (4, 3)),
        ("consistency_proof", (1, 99)),
        ("root", (99,)),
    ],
)
def test_proofs_outside_the_tree_are_refused(
    ledger: Ledger, call: str, args: tuple[object, ...]
) -> None:
    with ledger.database.write() as conn:
        ledger.append_many(conn, [_item(n) for n in range(4)])
    with ledger.database.read() as conn, pytest.raises(ProofRangeError):
        getattr(ledger, call)(conn, *args)


def test_checkpoints_are_issued_when_the_tree_grows_and_all_are_kept(ledger: Ledger) -> None:
    vkey = Verifier.parse(ledger.verifier_key)
    with ledger.database.write() as conn:
        first = ledger.issue_checkpoint(conn)
        same = ledger.issue_checkpoint(conn)
        ledger.append(conn, _item(1))
        second = ledger.issue_checkpoint(conn)
    assert same == first
    assert (first.size, second.size) == (1, 2)
    for issued in (first, second):
        parsed, signers = open_note(issued.note, [vkey])
        assert signers == [vkey]
        body = parse_body(parsed.text)
        assert (body.origin, body.size, body.root) == (
            "custody.test/ledger",
            issued.size,
            issued.root,
        )
    with ledger.database.read() as conn:
        assert ledger.root(conn, 1) == first.root
        assert ledger.latest_checkpoint(conn) == second


def test_people_keys_are_added_rotated_and_revoked_with_seq_validity(ledger: Ledger) -> None:
    alice = register(ledger, "alice")
    with ledger.database.read() as conn:
        record = next(k for k in ledger.keys(conn) if k.key_id == alice.key_id)
    assert record.valid_from_seq == record.added_seq + 1 == 2
    ledger.record(_item(1))
    revoked = keyring.revoke_key(ledger, "admin", alice.key_id, "lost")
    with ledger.database.read() as conn:
        record = next(k for k in ledger.keys(conn) if k.key_id == alice.key_id)
    assert record.revoked_at_seq == revoked.seq == 3
    assert [record.valid_at(seq) for seq in range(5)] == [False, False, True, False, False]


@pytest.mark.parametrize(
    ("back", "refused"),
    [
        (dt.timedelta(days=365 * 40), True),
        (dt.timedelta(minutes=6), True),
        (dt.timedelta(minutes=4), False),
    ],
    ids=["forty-years", "six-minutes", "four-minutes"],
)
def test_an_act_dated_before_its_key_existed_is_refused(
    ledger: Ledger, back: dt.timedelta, refused: bool
) -> None:
    # b12r: an act's time was bounded only from above, so it could be backdated by decades.
    alice = register(ledger, "alice")
    ledger.record(_item(1))
    with ledger.database.read() as conn:
        published = decode(Store(conn).entries(1, 2)[0].body).time
    when = format_time(parse_time(published) - back)
    act = sign_act(
        new_act(
            "registry_result_recorded", "alice", alice.key_id, when, "KZ-000001", result="match"
        ),
        alice.key.seed,
    )
    entry = NewEntry(
        kind="registry_result_recorded", actor="alice", item="KZ-000001", data=act.to_data()
    )
    # each append loads its key registry from ledger_keys, and reads the key's entry's time
    if refused:
        with pytest.raises(ActError, match="before its key"):
            ledger.record(entry)
    else:
        ledger.record(entry)


def test_acts_are_checked_before_they_are_written(ledger: Ledger) -> None:
    alice, bob = register(ledger, "alice"), register(ledger, "bob")
    ledger.record(_item(1))
    ledger.record(alice.entry("registry_result_recorded", "KZ-000001", result="no_match"))

    act = bob.act("registry_result_recorded", "KZ-000001", result="no_match")
    forged = NewEntry(
        kind="registry_result_recorded", actor="alice", item="KZ-000001", data=act.to_data()
    )
    with pytest.raises(ActError, match="nobody signs for someone else"):
        ledger.record(forged)

    replay = alice.act("registry_result_recorded", "KZ-000001", result="no_match")
    entry = NewEntry(
        kind="registry_result_recorded", actor="alice", item="KZ-000001", data=replay.to_data()
    )
    ledger.record(entry)
    with pytest.raises(ActError, match="already recorded"):
        ledger.record(entry)

    wrong_kind = NewEntry(
        kind="evidence_released",
        actor="alice",
        item="KZ-000001",
        data=alice.act("registry_result_recorded", "KZ-000001").to_data(),
    )
    with pytest.raises(ActError, match="recorded as"):
        ledger.record(wrong_kind)

    keyring.revoke_key(ledger, "admin", alice.key_id, "left the service")
    with pytest.raises(ActError, match="revoked"):
        ledger.record(alice.entry("registry_result_recorded", "KZ-000001", result="match"))


def test_ledger_key_rotation_hands_over_to_the_new_key(
    ledger: Ledger, app_settings: Settings
) -> None:
    old = ledger.signer
    assert old is not None
    key_file = LedgerKeyFile(app_settings.ledger_key_file)
    rotation = keyring.rotate_ledger_key(ledger, "admin", key_file)
    assert rotation.key_id == old.verifier.key_id
    after = ledger.record(_item(1))
    assert after.key_id == ledger.signer.verifier.key_id != old.verifier.key_id  # type: ignore[union-attr]
    assert key_file.load().verifier.key_id == after.key_id
    assert not key_file.pending_path.exists()
    # a process still holding the old key can no longer write
    stale = Ledger(ledger.database, old)
    with pytest.raises(LedgerKeyError, match="signed by key"):
        stale.record(_item(2))


def test_an_interrupted_ledger_key_rotation_is_finished_on_restart(
    ledger: Ledger, app_settings: Settings
) -> None:
    key_file = LedgerKeyFile(app_settings.ledger_key_file)
    original_promote = key_file.promote
    key_file.promote = lambda: None  # type: ignore[method-assign]  # crash before the rename
    keyring.rotate_ledger_key(ledger, "admin", key_file)
    assert key_file.pending_path.exists()
    key_file.promote = original_promote  # type: ignore[method-assign]
    reopened = init(app_settings).ledger
    assert reopened.signer.verifier.key_id == ledger.signer.verifier.key_id  # type: ignore[union-attr]
    assert not key_file.pending_path.exists()
    reopened.database.dispose()


def test_a_missing_key_file_is_refused_not_replaced(ledger: Ledger, app_settings: Settings) -> None:
    app_settings.ledger_key_file.unlink()
    with pytest.raises(LedgerKeyError, match="missing"):
        init(app_settings)
    assert not app_settings.ledger_key_file.exists()


def test_a_key_file_readable_by_others_is_refused(ledger: Ledger, app_settings: Settings) -> None:
    app_settings.ledger_key_file.chmod(0o644)
    with pytest.raises(LedgerKeyError, match="readable by others"):
        init(app_settings)


def test_durability_settings_are_in_force(ledger: Ledger) -> None:
    with ledger.database.write() as conn:  # where entries are committed
        if ledger.database.dialect == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        else:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
