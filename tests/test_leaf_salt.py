"""The leaf salt (format custody-ledger/v2; docs/ledger.md, "Format versions and the leaf salt"):
leaf hashes are public, bodies are not, and a body holds little that cannot be guessed (an access
breaker matched a transfer's destination against /ledger/leaves in 7.7e7 hashes). Every entry now
carries 128 random bits, so a body known but for its nonce gives no leaf to compare; old ledgers
without nonces still verify, and no entry after a salted one may go without. On real SQLite files
and PostgreSQL, through `custody verify` and the disclosure bundle."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from custody import canonical
from custody.disclosure import check, disclose
from custody.entries import (
    FORMAT_V1,
    FORMAT_V2,
    EntryBody,
    NewEntry,
    decode,
    encode_body,
    new_nonce,
    proven,
)
from custody.errors import MalformedEntryError
from custody.ledger import Ledger
from custody.rfc6962 import leaf_hash
from custody.verify import Report, verify
from tests.support import forge

TRANSFER = {"transfer": "T-0421", "destination": "WH-ALM-2", "route": "road"}


def _sent(n: int) -> NewEntry:
    return NewEntry(kind="transfer_sent", actor="clerk.ospanova", item=f"KZ-{n:06d}", data=TRANSFER)


def _failure(report: Report) -> tuple[int, int | None, str]:
    failure = report.first_failure
    assert failure is not None, "the audit passed"
    return failure.number, failure.seq, failure.reason or ""


def _unsalted(body: EntryBody) -> bytes:
    return replace(body, nonce=None).encode()


def test_every_entry_written_carries_its_own_128_bit_nonce(ledger: Ledger) -> None:
    with ledger.database.write() as conn:
        ledger.append_many(conn, [_sent(n) for n in range(50)])
        written = ledger.entries(conn, 0, 51)
    bodies = [decode(e.body) for e in written]
    assert bodies[0].kind == "ledger_created"
    assert bodies[0].data["format"] == FORMAT_V2
    nonces = [b.nonce for b in bodies]
    assert all(n is not None and re.fullmatch(r"[0-9a-f]{32}", n) for n in nonces)
    assert len(set(nonces)) == len(nonces)
    assert verify(ledger.database).ok


def test_a_body_known_but_for_its_nonce_does_not_give_its_leaf(ledger: Ledger) -> None:
    """The breaker's attack: every member of a transfer's body guessed right (its seq, time,
    actor, item, links and destination from earlier steps); without the nonce no guess
    hashes to the public leaf, and one guess of the nonce is one in 2^128."""
    with ledger.database.write() as conn:
        (entry,) = ledger.append_many(conn, [_sent(1)])
        (public_leaf,) = [leaf for seq, leaf in ledger.leaves(conn, 0, 10) if seq == entry.seq]
    body = decode(entry.body)
    assert leaf_hash(body.encode()) == public_leaf  # the whole body, nonce and all, does
    assert leaf_hash(_unsalted(body)) != public_leaf
    guesses = {leaf_hash(replace(body, nonce=new_nonce()).encode()) for _ in range(1000)}
    assert public_leaf not in guesses


def test_the_same_command_twice_gives_two_leaves_nobody_can_link(ledger: Ledger) -> None:
    """Two transfers of one item to one place at one moment: equal but for the nonce."""
    fields = (7, "2026-11-30T10:00:00.000000Z", "clerk.ospanova", "transfer_sent", "KZ-1")
    one = encode_body(*fields, None, None, TRANSFER, new_nonce())
    two = encode_body(*fields, None, None, TRANSFER, new_nonce())
    assert one != two
    assert leaf_hash(one) != leaf_hash(two)


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(st.text(max_size=8), st.text(max_size=20) | st.integers(-9, 9)),
    seq=st.integers(0, 2**53 - 1),
)
def test_a_salted_body_reads_back_exactly_and_is_canonical(
    data: dict[str, object], seq: int
) -> None:
    nonce = new_nonce()
    at = "2026-11-30T10:00:00.000000Z"
    raw = encode_body(seq, at, "a", "cut", "KZ-1", None, None, data, nonce)
    assert canonical.dumps(canonical.loads_canonical(raw)) == raw
    parsed = decode(raw)
    assert (parsed.nonce, parsed.data, parsed.seq) == (nonce, data, seq)
    assert parsed.encode() == raw
    # decode makes the body without the frozen dataclass's __init__ (entries.body_of):
    # the very object that would make, field for field and in order.
    made = EntryBody(seq, at, "a", "cut", "KZ-1", None, None, data, nonce)
    assert parsed == made
    assert list(vars(parsed)) == list(vars(made))


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(st.text(max_size=8), st.text(max_size=20) | st.integers(-9, 9)),
    seq=st.integers(0, 2**53 - 1),
    salted=st.booleans(),
    device=st.none() | st.just("dev-1"),
    item=st.none() | st.just("KZ-1"),
)
def test_a_body_step_2_proved_is_taken_as_decode_makes_it(
    data: dict[str, object], seq: int, salted: bool, device: str | None, item: str | None
) -> None:
    # the state replay of custody verify takes the bodies steps 1-9 proved (entries.proven):
    # the same object decode makes, field for field and in order
    at = "2026-11-30T10:00:00.000000Z"
    nonce = new_nonce() if salted or device is not None else None
    raw = encode_body(seq, at, "a", "cut", item, None, None, data, nonce, device)
    made, taken = decode(raw), proven(canonical.loads_canonical(raw))
    assert taken == made
    assert list(vars(taken)) == list(vars(made))


@pytest.mark.parametrize(
    "change",
    [
        lambda b: [b],
        lambda b: {k: v for k, v in b.items() if k != "prev"},
        lambda b: {**b, "extra": 1},
        lambda b: {**b, "seq": "0"},
        lambda b: {**b, "seq": 1.0},
        lambda b: {**b, "data": []},
        lambda b: {**b, "data": None},
    ],
    ids=["list", "member missing", "member more", "seq text", "seq float", "data list", "no data"],
)
def test_a_body_step_2_could_not_have_passed_is_not_taken(change: object) -> None:
    at = "2026-11-30T10:00:00.000000Z"
    body = decode(encode_body(0, at, "a", "cut", None, None, None, {}, new_nonce())).to_json()
    proven(body)  # the body itself is taken
    with pytest.raises(MalformedEntryError, match="step 2"):
        proven(change(body))  # type: ignore[operator]


@pytest.mark.parametrize(
    "nonce",
    ["", "0" * 31, "0" * 33, "A" * 32, "g" * 32, 12, None, ["0" * 32], "0" * 64],
    ids=repr,
)
def test_a_nonce_that_is_not_32_lowercase_hex_digits_is_refused(nonce: object) -> None:
    at = "2026-11-30T10:00:00.000000Z"
    body = decode(encode_body(0, at, "a", "cut", None, None, None, {}))
    raw = canonical.dumps({**body.to_json(), "nonce": nonce})
    with pytest.raises(MalformedEntryError, match="nonce"):
        decode(raw)


def test_an_entry_without_a_nonce_in_a_v2_ledger_fails_step_2(ledger: Ledger) -> None:
    """An insider with the ledger key writes an unsalted entry (its leaf guessable again)."""
    with ledger.database.write() as conn:
        ledger.append_many(conn, [_sent(n) for n in range(3)])
        forged = forge.append_unchecked(conn, ledger.signer, "cut", "x", "KZ-000001", {}, None)  # type: ignore[arg-type]
    number, seq, reason = _failure(verify(ledger.database))
    assert (number, seq) == (2, forged.seq)
    assert "no nonce" in reason
    assert "from seq 0" in reason
    assert FORMAT_V2 in reason


def test_an_old_ledger_without_nonces_verifies_and_is_salted_from_its_next_entry(
    ledger: Ledger,
) -> None:
    """A ledger written before the leaf salt (genesis `custody-ledger/v1`, no nonce in any
    body) passes every step; the service goes on writing salted entries into it, and from
    the first of them every entry must carry one."""
    with ledger.database.write() as conn:
        ledger.append_many(conn, [_sent(n) for n in range(4)])
        forge.rewrite_history(conn, ledger.signer, {}, salted=False)  # type: ignore[arg-type]
        old = ledger.entries(conn, 0, 10)
    assert decode(old[0].body).data["format"] == FORMAT_V1
    assert all(decode(e.body).nonce is None for e in old)
    assert verify(ledger.database).ok
    with ledger.database.write() as conn:
        (first_salted,) = ledger.append_many(conn, [_sent(9)])
    assert decode(first_salted.body).nonce is not None
    assert verify(ledger.database).ok
    with ledger.database.write() as conn:
        forged = forge.append_unchecked(conn, ledger.signer, "cut", "x", "KZ-000009", {}, None)  # type: ignore[arg-type]
    number, seq, reason = _failure(verify(ledger.database))
    assert (number, seq) == (2, forged.seq)
    assert f"from seq {first_salted.seq}" in reason


def test_a_stored_body_stripped_of_its_nonce_fails(ledger: Ledger) -> None:
    """Taking the nonce out of a stored body (to make its leaf guessable) is a body of the
    wrong format for its place in the log, and its hashes no longer hold."""
    with ledger.database.write() as conn:
        ledger.append_many(conn, [_sent(n) for n in range(3)])
        body = decode(ledger.entries(conn, 2, 1)[0].body)
        conn.execute(
            text("UPDATE ledger_entries SET body = :b WHERE seq = 2"), {"b": _unsalted(body)}
        )
    number, seq, _ = _failure(verify(ledger.database))
    assert (number, seq) == (2, 2)


def test_a_bundle_holding_an_unsalted_entry_of_a_v2_ledger_fails_at_entries(
    ledger: Ledger,
) -> None:
    """verify-item applies the same rule to what the bundle holds: its genesis names v2."""
    with ledger.database.write() as conn:
        ledger.append_many(conn, [_sent(1)])
        forge.append_unchecked(conn, ledger.signer, "cut", "x", "KZ-000001", {}, None)  # type: ignore[arg-type]
    # the item's chain starts at item_registered: give it one, salted, then the forged cut
    with ledger.database.write() as conn:
        registered = NewEntry(kind="item_registered", actor="x", item="KZ-2", data={})
        ledger.append_many(conn, [registered])
        forge.append_unchecked(conn, ledger.signer, "cut", "x", "KZ-2", {}, None)  # type: ignore[arg-type]
    report = check(disclose(ledger, "KZ-2"))
    failure = report.first_failure
    assert failure is not None
    assert failure.name == "entries"
    assert "no nonce" in (failure.reason or "")


def test_a_bundle_of_a_salted_ledger_verifies_offline(ledger: Ledger) -> None:
    with ledger.database.write() as conn:
        ledger.append_many(
            conn,
            [
                NewEntry(kind="item_registered", actor="x", item="KZ-3", data={}),
                NewEntry(kind="cut", actor="x", item="KZ-3", data={}),
            ],
        )
    report = check(disclose(ledger, "KZ-3"))
    assert report.ok, report.first_failure
