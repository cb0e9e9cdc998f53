"""Small-order and non-canonical Ed25519 public keys are refused wherever a key enters: libsodium
rejects every signature under them, but Go's crypto/ed25519 (which sumdb/note uses) accepts
R = identity, S = 0 on any message under the identity key, so an auditor with Go would take
forgeries for signatures."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from custody import keyring, keys, note
from custody.entries import EntryBody
from custody.errors import KeyRegistryError, MalformedEntryError
from custody.keyfile import PersonKey
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.processes import environment, run
from tests.support.site import build_site

P = 2**255 - 19
IDENTITY = (1).to_bytes(32, "little")  # the neutral point (0, 1)
ORDER_TWO = (P - 1).to_bytes(32, "little")  # (0, -1)
# The identity again, with y = p + 1 instead of 1: the same point, a second encoding.
NON_CANONICAL = (P + 1).to_bytes(32, "little")
WEAK = {"identity": IDENTITY, "order_two": ORDER_TWO, "non_canonical": NON_CANONICAL}


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize("name", sorted(WEAK))
def test_small_order_or_non_canonical_key_given_as_base64_is_refused(name: str) -> None:
    with pytest.raises(KeyRegistryError, match="small-order or non-canonical"):
        keys.parse_public_key(_b64(WEAK[name]))


@pytest.mark.parametrize("name", sorted(WEAK))
def test_small_order_or_non_canonical_key_given_as_a_verifier_key_is_refused(name: str) -> None:
    vkey = note.Verifier("alice", WEAK[name]).vkey
    with pytest.raises(KeyRegistryError, match="small-order or non-canonical"):
        keys.parse_public_key(vkey)


def test_identity_key_as_base64_from_the_issue_is_refused() -> None:
    with pytest.raises(KeyRegistryError):
        keys.parse_public_key("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")


def test_a_real_key_is_taken() -> None:
    key = PersonKey.generate()
    assert keys.parse_public_key(key.public_key_b64) == base64.b64decode(key.public_key_b64)


@pytest.mark.parametrize("name", sorted(WEAK))
def test_key_entry_with_a_small_order_key_is_refused_on_replay(name: str) -> None:
    """A log written by a server that skipped the check fails `custody verify` at its keys."""
    body = EntryBody(
        5,
        "2026-11-23T00:00:00.000000Z",
        "admin",
        "key_added",
        None,
        None,
        "00" * 32,
        {"key": keys.key_object("alice", "act", "alice", WEAK[name])},
    )
    with pytest.raises(MalformedEntryError, match="small-order or non-canonical"):
        keys.KeyRegistry().apply(body)


def test_rotation_to_a_small_order_key_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    try:
        person = next(iter(site.people.values()))
        with site.ledger.database.read() as conn:
            size = site.ledger.head(conn).size
        with pytest.raises((KeyRegistryError, MalformedEntryError)):
            keyring.rotate_key(site.ledger, "admin", person.key_id, IDENTITY)
        with site.ledger.database.read() as conn:
            assert site.ledger.head(conn).size == size
    finally:
        site.ledger.database.dispose()


def test_keys_add_refuses_the_identity_key_in_one_line(tmp_path: Path) -> None:
    env = environment(tmp_path)
    assert run(env, "init").returncode == 0
    before = json.loads(run(env, "verify", "--json").stdout)["size"]
    refused = run(env, "keys", "add", "alice", _b64(IDENTITY), "--purpose", "act")
    assert refused.returncode != 0
    assert refused.stderr.strip().count("\n") == 0
    assert "small-order" in refused.stderr
    assert json.loads(run(env, "verify", "--json").stdout)["size"] == before
