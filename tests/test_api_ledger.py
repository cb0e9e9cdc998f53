"""The ledger endpoints, served by a real `custody serve` on a free port, on SQLite and
PostgreSQL; everything checked with code that does not come from the server. Proofs, leaf
hashes, keys and checkpoints are public; entry bodies need a login with `read`."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from custody import keyfile
from custody.checkpoint import open_checkpoint
from custody.entries import decode
from custody.note import Verifier
from custody.signatures import entry_message, verify
from tests.support import rfc9162_reference as ref
from tests.support.databases import postgres_database
from tests.support.processes import environment, run, server
from tests.support.service import Service

PROBLEM = "application/problem+json"
AUDITOR = "auditor.beisenova"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def running(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """One server per kind of database, shared: these tests only read."""
    directory = tmp_path_factory.mktemp(f"api-{request.param}")
    with ExitStack() as stack:
        url = None if request.param == "sqlite" else stack.enter_context(postgres_database())
        yield stack.enter_context(_populated_server(directory, url))


@pytest.fixture(scope="module")
def base(running: Service) -> str:
    return running.base


@pytest.fixture(scope="module")
def auditor(running: Service) -> dict[str, str]:
    return {"Authorization": f"Bearer {running.token(AUDITOR)}"}


@contextmanager
def _populated_server(directory: Path, database_url: str | None) -> Iterator[Service]:
    env = environment(directory, database_url)
    with server(env) as url:
        for name in ("alice", "bob", "carol"):
            public_key = keyfile.PersonKey.generate().public_key_b64
            # witnesses' keys: an act key is an account's, and these are nobody's
            assert run(env, "keys", "add", name, public_key, "--purpose", "witness").returncode == 0
        service = Service(url, env, directory)
        service.add_user(AUDITOR, "auditor")
        yield service


def _bodies(running: Service) -> list[bytes]:
    with running.client(AUDITOR) as client:
        page = client.get("/ledger/entries", params={"limit": 1000}).json()
    return [base64.b64decode(e["body"]) for e in page["entries"]]


def test_key_and_checkpoint_verify_together(base: str, running: Service) -> None:
    vkey = Verifier.parse(httpx.get(f"{base}/ledger/key").text.strip())
    response = httpx.get(f"{base}/ledger/checkpoint")
    assert response.headers["content-type"].startswith("text/plain")
    checkpoint, signers = open_checkpoint(response.text, [vkey])
    assert signers == [vkey]
    assert checkpoint.origin == "custody.test/ledger"
    bodies = _bodies(running)
    # genesis, the two administrators' accounts, 3 keys, the auditor's account through four
    # eyes (proposed, confirmed, created)
    assert checkpoint.size == len(bodies) == 9
    assert checkpoint.root == ref.mth(bodies)


def test_entries_are_the_exact_signed_bytes(base: str, auditor: dict[str, str]) -> None:
    vkey = Verifier.parse(httpx.get(f"{base}/ledger/key").text.strip())
    page = httpx.get(
        f"{base}/ledger/entries", params={"start": 1, "limit": 2}, headers=auditor
    ).json()
    assert [e["seq"] for e in page["entries"]] == [1, 2]
    assert (page["size"], page["next"]) == (9, 3)
    for entry in page["entries"]:
        body = base64.b64decode(entry["body"])
        leaf = hashlib.sha256(b"\x00" + body).digest()
        assert entry["leaf_hash"] == leaf.hex()
        assert entry["key_id"] == vkey.key_id
        assert verify(vkey.public_key, entry_message(leaf), base64.b64decode(entry["sig"]))
        assert decode(body).seq == entry["seq"]
    last = httpx.get(f"{base}/ledger/entries", params={"start": 3}, headers=auditor).json()
    assert last["next"] is None


def test_keys_list_every_key_with_its_validity(base: str) -> None:
    keys = httpx.get(f"{base}/ledger/keys").json()
    assert [(k["owner"], k["purpose"], k["valid_from_seq"]) for k in keys] == [
        ("ledger", "ledger", 0),
        ("alice", "witness", 4),
        ("bob", "witness", 5),
        ("carol", "witness", 6),
    ]
    assert all(k["revoked_at_seq"] is None for k in keys)


def test_inclusion_proofs_verify_independently(base: str, running: Service) -> None:
    bodies = _bodies(running)
    for size in range(1, len(bodies) + 1):
        for index in range(size):
            proof = httpx.get(
                f"{base}/ledger/proof/inclusion", params={"index": index, "size": size}
            ).json()
            hashes = [bytes.fromhex(h) for h in proof["hashes"]]
            leaf = bytes.fromhex(proof["leaf_hash"])
            assert leaf == hashlib.sha256(b"\x00" + bodies[index]).digest()
            assert ref.root_from_inclusion(index, size, leaf, hashes) == ref.mth(bodies[:size])
            assert proof["root"] == ref.mth(bodies[:size]).hex()


def test_consistency_proofs_match_the_rfc_definition(base: str, running: Service) -> None:
    bodies = _bodies(running)
    for old in range(1, len(bodies) + 1):
        proof = httpx.get(f"{base}/ledger/proof/consistency", params={"old": old}).json()
        assert proof["new"] == len(bodies)
        assert proof["hashes"] == [h.hex() for h in ref.proof(old, bodies)]
        assert proof["old_root"] == ref.mth(bodies[:old]).hex()


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/ledger/proof/inclusion", {"index": 9}, 400),  # the log's size
        ("/ledger/proof/inclusion", {"index": 0, "size": 99}, 400),
        ("/ledger/proof/inclusion", {"index": -1}, 422),
        ("/ledger/proof/inclusion", {"index": "x"}, 422),
        ("/ledger/proof/inclusion", {}, 422),
        ("/ledger/proof/consistency", {"old": 0}, 422),
        ("/ledger/proof/consistency", {"old": 3, "new": 2}, 400),
        ("/ledger/proof/consistency", {"old": 1, "new": 10**30}, 422),
        ("/ledger/proof/inclusion", {"index": 2**63}, 422),
        ("/ledger/entries", {"start": 10**30}, 422),
        ("/ledger/entries", {"start": 2**63 - 1}, 200),
        ("/ledger/entries", {"limit": 0}, 422),
        ("/ledger/entries", {"limit": 100000}, 422),
        ("/ledger/leaves", {"start": 2**63 - 1}, 200),
        ("/ledger/leaves", {"limit": 0}, 422),
        ("/ledger/nowhere", {}, 404),
    ],
)
def test_bad_requests_get_problem_details(
    base: str, auditor: dict[str, str], path: str, params: dict[str, object], status: int
) -> None:
    response = httpx.get(f"{base}{path}", params=params, headers=auditor)  # type: ignore[arg-type]
    assert response.status_code == status
    if status == 200:
        assert response.json()[path.rsplit("/", 1)[1]] == []
        return
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("/problems/")
    assert "Traceback" not in response.text


def test_writes_are_not_allowed_on_the_public_endpoints(base: str) -> None:
    response = httpx.post(f"{base}/ledger/entries", json={})
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM


def test_the_openapi_document_describes_the_ledger(base: str) -> None:
    paths = httpx.get(f"{base}/openapi.json").json()["paths"]
    for path in (
        "/ledger/checkpoint",
        "/ledger/key",
        "/ledger/keys",
        "/ledger/entries",
        "/ledger/leaves",
        "/ledger/proof/inclusion",
        "/ledger/proof/consistency",
    ):
        assert path in paths


def test_an_anonymous_reader_gets_no_entry_body(base: str) -> None:
    refused = httpx.get(f"{base}/ledger/entries", params={"limit": 10})
    assert refused.status_code == 401
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"] == "/problems/unauthenticated"
    assert "body" not in refused.text


def test_a_role_without_read_gets_no_entry_body(running: Service) -> None:
    running.add_user("admin.tulegenov", "administrator")
    with running.client("admin.tulegenov") as admin:
        refused = admin.get("/ledger/entries")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM


def test_anonymous_leaves_and_proofs_verify_without_any_body(base: str, running: Service) -> None:
    """What an outsider gets, alone, proves the log: leaf hashes rebuild the signed root and
    every inclusion proof, checked with the independent RFC 9162 implementation."""
    vkey = Verifier.parse(httpx.get(f"{base}/ledger/key").text.strip())
    checkpoint, _ = open_checkpoint(httpx.get(f"{base}/ledger/checkpoint").text, [vkey])
    page = httpx.get(f"{base}/ledger/leaves", params={"limit": checkpoint.size}).json()
    leaves = [bytes.fromhex(leaf["leaf_hash"]) for leaf in page["leaves"]]
    assert [leaf["seq"] for leaf in page["leaves"]] == list(range(checkpoint.size))
    assert set(page["leaves"][0]) == {"seq", "leaf_hash"}
    assert ref.mth_of_leaf_hashes(leaves) == checkpoint.root
    for index, leaf in enumerate(leaves):
        proof = httpx.get(
            f"{base}/ledger/proof/inclusion", params={"index": index, "size": checkpoint.size}
        ).json()
        hashes = [bytes.fromhex(h) for h in proof["hashes"]]
        assert ref.root_from_inclusion(index, checkpoint.size, leaf, hashes) == checkpoint.root
    # and they are the hashes of the bodies a reader with a login sees
    assert leaves == [hashlib.sha256(b"\x00" + body).digest() for body in _bodies(running)]
