"""A person's key registered with proof that its owner holds it (custody.keys): the key signs
its owner, purpose, public key and the service's challenge under its own domain; a proof made
by another key, for another owner or another challenge is refused when the entry is written and
when the log is replayed (`custody verify`)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custody import keys, signatures
from custody.entries import EntryBody
from custody.errors import KeyRegistryError
from custody.keyfile import PersonKey
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.site import build_site
from workflows.commands import AddKey

CHALLENGE = "c" * 32


def _proof(key: PersonKey, owner: str, challenge: str = CHALLENGE) -> dict[str, str]:
    claim = keys.possession_claim(owner, "act", key.public_key, challenge)
    sig = signatures.sign(key.seed, signatures.possession_message(claim))
    return {"challenge": challenge, "sig": base64.b64encode(sig).decode()}


def _added(key: PersonKey, owner: str, possession: Any) -> EntryBody:
    data = {"key": keys.key_object(owner, "act", owner, key.public_key), "possession": possession}
    return EntryBody(
        5, "2026-11-23T00:00:00.000000Z", "admin", "key_added", None, None, "00" * 32, data
    )


def test_a_proof_made_by_the_key_itself_is_taken() -> None:
    key = PersonKey.generate()
    added = keys.KeyRegistry().apply(_added(key, "alice", _proof(key, "alice")))
    assert added[0].owner == "alice"


def test_a_proof_made_by_another_key_is_refused() -> None:
    key, other = PersonKey.generate(), PersonKey.generate()
    forged = _proof(other, "alice")
    with pytest.raises(KeyRegistryError, match="proof of possession does not verify"):
        keys.KeyRegistry().apply(_added(key, "alice", forged))


def test_a_proof_made_for_another_owner_is_refused() -> None:
    key = PersonKey.generate()
    with pytest.raises(KeyRegistryError, match="proof of possession does not verify"):
        keys.KeyRegistry().apply(_added(key, "alice", _proof(key, "mallory")))


def test_an_act_signature_is_no_proof_of_possession() -> None:
    """The same claim signed in the act domain does not pass: the domains keep them apart."""
    key = PersonKey.generate()
    claim = keys.possession_claim("alice", "act", key.public_key, CHALLENGE)
    sig = signatures.sign(key.seed, signatures.act_message(claim))
    proof = {"challenge": CHALLENGE, "sig": base64.b64encode(sig).decode()}
    with pytest.raises(KeyRegistryError):
        keys.KeyRegistry().apply(_added(key, "alice", proof))


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=16, max_size=64))
def test_a_proof_for_one_challenge_never_holds_for_another(challenge: str) -> None:
    key = PERSON
    proof = _proof(key, "alice", CHALLENGE) | {"challenge": challenge}
    if challenge == CHALLENGE:
        return
    with pytest.raises(KeyRegistryError):
        keys.KeyRegistry().apply(_added(key, "alice", proof))


PERSON = PersonKey.generate()


def _site(tmp_path: Path) -> Any:
    return build_site(make_settings(tmp_path, sqlite_url(tmp_path)))


def test_add_key_with_its_proof_is_written_and_verify_holds(tmp_path: Path) -> None:
    site = _site(tmp_path)
    try:
        key = PersonKey.generate()
        command = AddKey.model_validate(
            {
                "owner": "member.kim",
                "purpose": "act",
                "public_key": key.public_key_b64,
                "possession": _proof(key, "member.kim"),
            }
        )
        site.process.run("admin", command)
        with site.ledger.database.read() as conn:
            added = [k for k in site.ledger.keys(conn) if k.public_key == key.public_key]
        assert [k.owner for k in added] == ["member.kim"]
    finally:
        site.ledger.database.dispose()


def test_add_key_with_a_wrong_proof_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    site = _site(tmp_path)
    try:
        key, other = PersonKey.generate(), PersonKey.generate()
        command = AddKey.model_validate(
            {
                "owner": "member.kim",
                "purpose": "act",
                "public_key": key.public_key_b64,
                "possession": _proof(other, "member.kim"),
            }
        )
        with site.ledger.database.read() as conn:
            size = site.ledger.head(conn).size
        with pytest.raises(KeyRegistryError, match="proof of possession"):
            site.process.run("admin", command)
        with site.ledger.database.read() as conn:
            assert site.ledger.head(conn).size == size
    finally:
        site.ledger.database.dispose()
