"""People's key requests over HTTP against a real `custody serve`: a person's key, made on
their own machine, registered by an administrator with proof that the person holds it; a
wrong proof is a 422 problem that writes nothing; a challenge serves once and only its owner.
On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from custody import keys, signatures
from custody.keyfile import PersonKey
from tests.support.processes import run
from tests.support.service import PROBLEM, Service, service

PERSON = "member.kim"


KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=KINDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    with service(tmp_path_factory.mktemp("key-requests"), request.param) as running:
        running.add_user("admin", "administrator")
        running.add_user(PERSON, "commission_member")
        running.add_user("member.abenova", "commission_member")
        yield running


def _request(shared: Service, owner: str, key: PersonKey, signer: PersonKey) -> str:
    """Ask for a challenge as `owner` and send `key` with a proof signed by `signer`."""
    with shared.client(owner) as client:
        challenge = client.post("/keys/challenge").json()["challenge"]
        claim = keys.possession_claim(owner, "act", key.public_key, challenge)
        sig = signatures.sign(signer.seed, signatures.possession_message(claim))
        sent = client.post(
            "/keys/requests",
            json={
                "challenge": challenge,
                "public_key": key.public_key_b64,
                "sig": base64.b64encode(sig).decode(),
                "label": "laptop",
            },
        )
        assert sent.status_code == 204, sent.text
    return str(challenge)


def _size(shared: Service) -> int:
    with shared.client("admin") as client:
        return int(client.get("/ledger/checkpoint").text.splitlines()[1])


def _keys(shared: Service) -> list[dict[str, Any]]:
    with shared.client("admin") as client:
        return list(client.get("/ledger/keys").json())


def test_a_key_with_its_own_proof_is_registered_once_and_verify_holds(shared: Service) -> None:
    key = PersonKey.generate()
    challenge = _request(shared, PERSON, key, key)
    with shared.client("admin") as admin:
        listed = admin.get("/keys/requests").json()
        assert [r["public_key"] for r in listed if r["challenge"] == challenge] == [
            key.public_key_b64
        ]
        done = admin.post(f"/keys/requests/{challenge}/register", json={})
        assert done.status_code == 200, done.text
        again = admin.post(f"/keys/requests/{challenge}/register", json={})
    assert again.status_code == 422
    assert again.headers["content-type"] == PROBLEM
    assert "served already" in again.json()["detail"]
    found = [k for k in _keys(shared) if k["public_key"] == key.public_key_b64]
    assert [(k["owner"], k["key_id"]) for k in found] == [(PERSON, done.json()["key_id"])]
    verified = run(shared.env, "verify", "--json")
    assert verified.returncode == 0, verified.stdout[-2000:]


def test_a_proof_by_another_key_is_a_problem_and_writes_nothing(shared: Service) -> None:
    key, other = PersonKey.generate(), PersonKey.generate()
    challenge = _request(shared, PERSON, key, other)
    before = len(_keys(shared))
    with shared.client("admin") as admin:
        refused = admin.post(f"/keys/requests/{challenge}/register", json={})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"] == "/problems/key"
    assert "proof of possession does not verify" in refused.json()["detail"]
    assert len(_keys(shared)) == before
    assert key.public_key_b64 not in {k["public_key"] for k in _keys(shared)}


def test_a_challenge_serves_only_the_person_it_was_given_to(shared: Service) -> None:
    with shared.client(PERSON) as client:
        challenge = client.post("/keys/challenge").json()["challenge"]
    key = PersonKey.generate()
    claim = keys.possession_claim("member.abenova", "act", key.public_key, challenge)
    sig = base64.b64encode(signatures.sign(key.seed, signatures.possession_message(claim)))
    with shared.client("member.abenova") as other:
        taken = other.post(
            "/keys/requests",
            json={"challenge": challenge, "public_key": key.public_key_b64, "sig": sig.decode()},
        )
    assert taken.status_code == 422
    assert taken.headers["content-type"] == PROBLEM


def test_only_an_administrator_lists_and_registers(shared: Service) -> None:
    with shared.client(PERSON) as client:
        assert client.get("/keys/requests").status_code == 403
        refused = client.post("/keys/requests/a-challenge-of-someone/register", json={})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
