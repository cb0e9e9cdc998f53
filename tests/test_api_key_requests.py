"""People's key requests over HTTP against a real `custody serve`: a person's key, made on
their own machine, registered by an administrator with proof that the person holds it; a
wrong proof is a 422 problem that writes nothing; a challenge serves once and only its owner.
On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import create_engine

from api import key_requests
from api.tables import KeyRequestRow
from api.web import i18n, sessions
from custody import keyfile, keys, signatures
from custody.keyfile import PersonKey
from tests.support.processes import run
from tests.support.service import PASSWORD, PROBLEM, Service, service

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
                "public_key": key.public_key_b64,
                "possession": {"challenge": challenge, "sig": base64.b64encode(sig).decode()},
                "label": "laptop",
            },
        )
        assert sent.status_code == 204, sent.text
        assert sent.content == b""
        assert "content-type" not in sent.headers  # nothing to type (fix19h LOW)
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
        assert done.status_code == 202, done.text
        # Proposed: not registered until another administrator confirms it (four eyes).
        assert key.public_key_b64 not in {k["public_key"] for k in _keys(shared)}
        shared.confirm(done.json()["proposal"])
        again = admin.post(f"/keys/requests/{challenge}/register", json={})
    assert again.status_code == 422
    assert again.headers["content-type"] == PROBLEM
    assert "served already" in again.json()["detail"]
    found = [k for k in _keys(shared) if k["public_key"] == key.public_key_b64]
    assert [(k["owner"], k["key_id"]) for k in found] == [(PERSON, done.json()["key_id"])]
    verified = run(shared.env, "verify", "--json")
    assert verified.returncode == 0, verified.stdout[-2000:]


def test_a_key_registered_already_is_refused_as_sent_and_as_proposed(shared: Service) -> None:
    """n12: the README's example sent the demo's registered key: 204, and an administrator's
    proposal of it waited in the queue for a confirmation that could only fail. Refused at
    once both ways in, to its owner and to anyone else, and nothing is written."""
    key = PersonKey.generate()
    challenge = _request(shared, PERSON, key, key)
    with shared.client("admin") as admin:
        done = admin.post(f"/keys/requests/{challenge}/register", json={})
    shared.confirm(done.json()["proposal"])
    size = _size(shared)
    for owner in (PERSON, "member.abenova"):
        with shared.client(owner) as client:
            again = client.post("/keys/challenge").json()["challenge"]
            body = {"public_key": key.public_key_b64, "possession": _proof(key, owner, again)}
            sent = client.post("/keys/requests", json=body)
        assert sent.status_code == 422, sent.text
        assert sent.headers["content-type"] == PROBLEM
        assert f"registered already (key {done.json()['key_id']})" in sent.json()["detail"]
    fields = {"owner": PERSON, "purpose": "act", "public_key": key.public_key_b64}
    proposed = run(shared.env, "change", "propose", "key_added", json.dumps(fields))
    assert proposed.returncode != 0
    assert "registered already" in proposed.stderr
    assert _size(shared) == size


def test_a_proof_by_another_key_is_a_problem_and_writes_nothing(shared: Service) -> None:
    key, other = PersonKey.generate(), PersonKey.generate()
    with shared.client(PERSON) as client:
        challenge = client.post("/keys/challenge").json()["challenge"]
    _stored_unchecked(shared, PERSON, key, _proof(other, PERSON, challenge))
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
            json={
                "public_key": key.public_key_b64,
                "possession": {"challenge": challenge, "sig": sig.decode()},
            },
        )
    assert taken.status_code == 422
    assert taken.headers["content-type"] == PROBLEM


def test_only_an_administrator_lists_and_registers(shared: Service) -> None:
    with shared.client(PERSON) as client:
        assert client.get("/keys/requests").status_code == 403
        refused = client.post("/keys/requests/a-challenge-of-someone/register", json={})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM


# -- the breaker's attacks (issue 16): an administrator alone, a device token, a rotation ------

MEMBER, CHAIR, AT_PLANT = "member.abenova", "chair.one", "member.sarsenova"
CLERK = "clerk.plant"


def _proof(key: PersonKey, owner: str, challenge: str) -> dict[str, str]:
    claim = keys.possession_claim(owner, "act", key.public_key, challenge)
    sig = signatures.sign(key.seed, signatures.possession_message(claim))
    return {"challenge": challenge, "sig": base64.b64encode(sig).decode()}


def _owned(shared: Service, owner: str) -> list[str]:
    return [k["key_id"] for k in _keys(shared) if k["owner"] == owner]


def _plant(shared: Service) -> None:
    place = {"location": "PLANT-DEV", "kind": "plant", "name": "Завод", "region": "Караганда"}
    with shared.client("admin") as admin:
        answer = admin.post("/steps/location_added", json=place)
    assert answer.status_code in (200, 422), answer.text  # 422: an earlier test made it


def _issue_device(shared: Service, owner: str, role: str) -> httpx.Response:
    asked = {"username": owner, "role": role, "place": "PLANT-DEV"}
    with shared.client("admin") as admin:
        return admin.post("/auth/devices", json={**asked, "label": "планшет", "days": 1})


def _device_token(shared: Service, owner: str) -> str:
    """A device token the administrator issues for `owner`, a clerk at a plant (an account
    without a signer's role: for a signer's none is issued, issue 14)."""
    _plant(shared)
    if not _exists(shared, owner):
        shared.add_user(owner, "warehouse_clerk", places=["PLANT-DEV"])
    made = _issue_device(shared, owner, "warehouse_clerk")
    assert made.status_code == 201, made.text
    return str(made.json()["access_token"])


def _member_at_plant(shared: Service) -> None:
    _plant(shared)
    if not _exists(shared, AT_PLANT):
        shared.add_user(AT_PLANT, "commission_member", places=["PLANT-DEV"])


def _exists(shared: Service, username: str) -> bool:
    with shared.client("admin") as admin:
        users = admin.get("/users", params={"limit": 100}).json()["users"]
    return any(u["username"] == username for u in users)


def _registered(shared: Service, owner: str) -> tuple[PersonKey, str]:
    """A key of `owner`'s, asked for by their login and registered by the administrator."""
    key = PersonKey.generate()
    challenge = _request(shared, owner, key, key)
    with shared.client("admin") as admin:
        done = admin.post(f"/keys/requests/{challenge}/register", json={})
    assert done.status_code == 202, done.text
    shared.confirm(done.json()["proposal"])
    return key, str(done.json()["key_id"])


def test_an_administrator_alone_cannot_give_a_member_a_key_over_the_steps(
    shared: Service,
) -> None:
    """The attack: POST /steps/key_added for the member with a key the administrator made,
    bare or with a proof the administrator signed over a challenge of their own making."""
    forged = PersonKey.generate()
    size, before = _size(shared), _owned(shared, MEMBER)
    bare = {"owner": MEMBER, "purpose": "act", "public_key": forged.public_key_b64}
    own_challenge = _proof(forged, MEMBER, "made-up-by-the-admin-" + "x" * 22)
    with shared.client("admin") as admin:
        refused = [
            admin.post("/steps/key_added", json=bare),
            admin.post("/steps/key_added", json={**bare, "possession": own_challenge}),
        ]
    for answer in refused:
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == PROBLEM
    assert "owner's proof of possession" in refused[0].json()["detail"]
    assert "no such challenge" in refused[1].json()["detail"]
    assert (_size(shared), _owned(shared, MEMBER)) == (size, before)


def test_a_device_token_cannot_ask_for_a_challenge_or_send_a_key(shared: Service) -> None:
    """The attack: a device token the administrator issued for the member, used to get a
    challenge "as" her. No device token is issued for a signer's account (issue 14), and
    one of another account cannot ask nor send either. Her own login still can."""
    _member_at_plant(shared)
    refused = _issue_device(shared, AT_PLANT, "commission_member")
    assert refused.status_code == 403, refused.text
    assert "device token is never issued" in refused.json()["detail"]
    token = _device_token(shared, CLERK)
    key = PersonKey.generate()
    with shared.client() as client:
        client.headers["Authorization"] = f"Bearer {token}"
        asked = client.post("/keys/challenge")
        with shared.client(AT_PLANT) as own:
            challenge = own.post("/keys/challenge").json()["challenge"]
        sent = client.post(
            "/keys/requests",
            json={
                "public_key": key.public_key_b64,
                "possession": _proof(key, AT_PLANT, challenge),
            },
        )
    for answer in (asked, sent):
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == PROBLEM
        assert "device token" in answer.json()["detail"]
    with shared.client("admin") as admin:
        assert challenge not in {r["challenge"] for r in admin.get("/keys/requests").json()}


def test_a_change_carrying_the_owners_request_registers_once(shared: Service) -> None:
    """The way that stays open beside the requests' page: the owner's own request, its
    challenge once, proposed by one administrator and confirmed by another (never one
    administrator's step alone: four eyes)."""
    key = PersonKey.generate()
    challenge = _request(shared, MEMBER, key, key)
    step = {
        "owner": MEMBER,
        "purpose": "act",
        "public_key": key.public_key_b64,
        "possession": _proof(key, MEMBER, challenge),
    }
    with shared.client("admin") as admin:
        alone = admin.post("/steps/key_added", json=step)
        done = admin.post("/changes", json={"change": "key_added", "fields": step})
        assert done.status_code == 201, done.text
        assert done.json()["state"] == "proposed"
        assert done.json()["concerns"] == MEMBER
        shared.confirm(done.json()["id"])
        again = admin.post("/changes", json={"change": "key_added", "fields": step})
    assert alone.status_code == 403, alone.text
    assert "four eyes" in alone.json()["detail"]
    assert again.status_code == 422
    assert "served already" in again.json()["detail"]
    found = [k for k in _keys(shared) if k["public_key"] == key.public_key_b64]
    assert [k["owner"] for k in found] == [MEMBER]
    with shared.client(MEMBER) as member:  # she is told, in the same transaction
        told = member.get("/notices").json()
    assert [(n["kind"], n["rule"]) for n in told if n["item"] == found[0]["key_id"]] == [
        ("key_registered", "KEY")
    ]


def test_a_rotation_cannot_take_over_another_persons_key(shared: Service) -> None:
    """The attack: a member's request whose proof names the chair, registered as the rotation
    of the chair's key (by the requests and by the steps). Her own rotation holds, under the
    key id the ledger publishes."""
    shared.add_user(CHAIR, "commission_member")
    _, chairs = _registered(shared, CHAIR)
    _, hers = _registered(shared, MEMBER)
    taker = PersonKey.generate()
    with shared.client(MEMBER) as member:
        challenge = member.post("/keys/challenge").json()["challenge"]
        proof = _proof(taker, CHAIR, challenge)  # signed for the chair's name
    _stored_unchecked(shared, MEMBER, taker, proof)
    size = _size(shared)
    with shared.client("admin") as admin:
        by_request = admin.post(f"/keys/requests/{challenge}/register", json={"replaces": chairs})
        by_step = admin.post(
            "/steps/key_rotated",
            json={"key_id": chairs, "public_key": taker.public_key_b64, "possession": proof},
        )
    assert by_request.status_code == 422, by_request.text
    assert by_request.headers["content-type"] == PROBLEM
    assert f"key {chairs} is not an act key of {MEMBER}" in by_request.json()["detail"]
    assert by_step.status_code == 422, by_step.text
    assert _size(shared) == size
    assert _owned(shared, CHAIR) == [chairs]

    mine = PersonKey.generate()
    own = _request(shared, MEMBER, mine, mine)
    with shared.client("admin") as admin:
        rotated = admin.post(f"/keys/requests/{own}/register", json={"replaces": hers})
    assert rotated.status_code == 202, rotated.text
    shared.confirm(rotated.json()["proposal"])
    published = {k["key_id"]: k for k in _keys(shared)}
    new_id = rotated.json()["key_id"]
    assert published[new_id]["public_key"] == mine.public_key_b64
    assert published[hers]["replaced_by"] == new_id
    late = PersonKey.generate()
    stale = _request(shared, MEMBER, late, late)
    with shared.client("admin") as admin:  # a key already rotated out is replaced no more
        again = admin.post(f"/keys/requests/{stale}/register", json={"replaces": hers})
    assert again.status_code == 422
    assert "no longer in force" in again.json()["detail"]


# -- the same on the pages: a session cookie holding a device token; the admin's form ---------


def _page_client(shared: Service, token: str) -> httpx.Client:
    """The pages as a browser holding `token` in its session cookie, with its CSRF token."""
    client = httpx.Client(base_url=shared.base, timeout=30, follow_redirects=False)
    client.cookies.set(sessions.SESSION, token)
    client.headers[sessions.CSRF_HEADER] = sessions.csrf_of(token)
    return client


def _register_on_page(
    shared: Service, owner: str, key: PersonKey, challenge: str, **more: str
) -> httpx.Response:
    """The administrator's page registers `key` for `owner` by the request of `challenge`,
    with the key's proof made for them and that challenge, and `more` fields (replaces)."""
    token = shared.token("admin")
    form = {"challenge": challenge, "owner": owner, "public_key": key.public_key_b64}
    form |= {"sig": _proof(key, owner, challenge)["sig"], "csrf": sessions.csrf_of(token)}
    with _page_client(shared, token) as admin_page:
        return admin_page.post("/web/admin/keys/register", data=form | more)


def test_the_pages_refuse_a_device_session_and_a_foreign_rotation(shared: Service) -> None:
    _member_at_plant(shared)
    with _page_client(shared, _device_token(shared, CLERK)) as device:
        asked = device.post("/web/keys/challenge")
    assert asked.status_code == 403
    assert asked.json()["message"].startswith("ACCESS: ")
    with _page_client(shared, shared.token(AT_PLANT)) as own:
        assert own.post("/web/keys/challenge").status_code == 200

    if CHAIR not in shared.tokens:  # likewise
        shared.add_user(CHAIR, "commission_member")
    _, chairs = _registered(shared, CHAIR)
    _, hers = _registered(shared, MEMBER)
    chair_keys = _owned(shared, CHAIR)
    taker = PersonKey.generate()
    with shared.client(MEMBER) as member:
        challenge = member.post("/keys/challenge").json()["challenge"]
        proof = _proof(taker, CHAIR, challenge)
    _stored_unchecked(shared, MEMBER, taker, proof)
    form = {"owner": MEMBER, "public_key": taker.public_key_b64, **proof}
    token = shared.token("admin")
    with _page_client(shared, token) as admin_page:
        taken = admin_page.post(
            "/web/admin/keys/register",
            data={**form, "replaces": chairs, "csrf": sessions.csrf_of(token)},
        )
    assert taken.status_code == 422
    assert f"key {chairs} is not an act key of {MEMBER}" in taken.text
    assert _owned(shared, CHAIR) == chair_keys

    mine = PersonKey.generate()
    own = _request(shared, MEMBER, mine, mine)
    done = _register_on_page(shared, MEMBER, mine, own, replaces=hers)
    assert done.status_code == 303, done.text
    asked = parse_qs(urlsplit(done.headers["location"]).query)
    assert asked["done"] == ["proposed"]  # four eyes: registered once another confirms it
    [proposal] = asked["id"]
    shared.confirm(proposal)
    published = {k["key_id"]: k for k in _keys(shared)}
    [shown] = [i for i, k in published.items() if k["public_key"] == mine.public_key_b64]
    assert published[shown]["public_key"] == mine.public_key_b64
    assert published[hers]["replaced_by"] == shown
    with _page_client(shared, shared.token(MEMBER)) as her_page:
        home = her_page.get("/web/")
    assert home.status_code == 200
    assert f'<a href="/web/keys">{shown}</a>' in home.text


WITNESS = "witness.observer"


def _witness_challenge(shared: Service, owner: str = WITNESS) -> str:
    with shared.client("admin") as admin:
        asked = admin.post("/keys/witness-challenge", json={"owner": owner})
    assert asked.status_code == 200, asked.text
    return str(asked.json()["challenge"])


def _prove(
    shared: Service, key: PersonKey, owner: str, challenge: str, purpose: str = "witness"
) -> dict[str, Any]:
    """The owner's own proof, made on their machine by `custody keys prove`."""
    secret = shared.directory / f"{owner}.passphrase"
    secret.write_text("witness passphrase\n")
    path = shared.directory / f"{owner}-{challenge[:8]}.key"
    keyfile.write(path, key, "witness passphrase")
    done = run(
        shared.env,
        "keys",
        "prove",
        challenge,
        "--key",
        str(path),
        "--owner",
        owner,
        "--purpose",
        purpose,
        "--passphrase-file",
        str(secret),
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_what_keys_prove_prints_is_the_body_of_a_key_request_as_it_is(shared: Service) -> None:
    """Issue 16: `custody keys prove` printed {"public_key", "possession": {...}} and the route
    took a flat {challenge, public_key, sig}: the command's output was refused 422. One shape
    now, the ledger's (key_added's `possession`): the output is sent as printed."""
    key = PersonKey.generate()
    with shared.client(PERSON) as client:
        challenge = client.post("/keys/challenge").json()["challenge"]
        printed = _prove(shared, key, PERSON, challenge, "act")
        assert set(printed) == {"public_key", "possession"}
        sent = client.post("/keys/requests", json=printed)
        assert sent.status_code == 204, sent.text
    with shared.client("admin") as admin:
        waiting = {r["challenge"]: r for r in admin.get("/keys/requests").json()}
    assert waiting[challenge]["public_key"] == key.public_key_b64
    assert waiting[challenge]["sig"] == printed["possession"]["sig"]


def test_a_witness_key_without_proof_of_possession_is_refused(shared: Service) -> None:
    """The attack: an administrator registers, in a witness's name, a key the witness never
    held (their own, or anyone's public key), so that cosignatures could be forged. Without a
    proof, with a proof over a challenge nobody gave, or with a proof by another key, it is
    a 422 problem and nothing is written."""
    key, stranger = PersonKey.generate(), PersonKey.generate()
    given = _witness_challenge(shared)
    wrong = {"challenge": given, **_sig(stranger, WITNESS, given)}
    bodies = [
        {"owner": WITNESS, "purpose": "witness", "public_key": key.public_key_b64},
        {
            "owner": WITNESS,
            "purpose": "witness",
            "public_key": key.public_key_b64,
            "possession": {"challenge": "x" * 43, **_sig(key, WITNESS, "x" * 43)},
        },
        {
            "owner": WITNESS,
            "purpose": "witness",
            "public_key": key.public_key_b64,
            "possession": wrong,
        },
        {  # a proof for another owner's challenge
            "owner": "witness.other",
            "purpose": "witness",
            "public_key": key.public_key_b64,
            "possession": {"challenge": given, **_sig(key, "witness.other", given)},
        },
    ]
    size = _size(shared)
    with shared.client("admin") as admin:
        for body in bodies:
            refused = admin.post("/steps/key_added", json=body)
            assert refused.status_code == 422, (body, refused.text)
            assert refused.headers["content-type"] == PROBLEM
    assert _size(shared) == size
    assert key.public_key_b64 not in {k["public_key"] for k in _keys(shared)}


def _sig(key: PersonKey, owner: str, challenge: str) -> dict[str, str]:
    claim = keys.possession_claim(owner, "witness", key.public_key, challenge)
    return {
        "sig": base64.b64encode(
            signatures.sign(key.seed, signatures.possession_message(claim))
        ).decode()
    }


def test_a_witness_key_with_its_proof_is_registered_once_and_rotated_with_a_new_one(
    shared: Service,
) -> None:
    key = PersonKey.generate()
    challenge = _witness_challenge(shared)
    proof = _prove(shared, key, WITNESS, challenge)
    step = {"owner": WITNESS, "purpose": "witness", **proof}
    with shared.client("admin") as admin:
        done = admin.post("/steps/key_added", json=step)
        again = admin.post("/steps/key_added", json=step)
    assert done.status_code == 200, done.text
    assert again.status_code == 422
    assert "served already" in again.json()["detail"]
    [record] = [k for k in _keys(shared) if k["public_key"] == key.public_key_b64]
    assert (record["owner"], record["purpose"]) == (WITNESS, "witness")
    # A rotation needs the new key's own proof, over a new challenge.
    new = PersonKey.generate()
    bare = {"key_id": record["key_id"], "public_key": new.public_key_b64}
    with shared.client("admin") as admin:
        refused = admin.post("/steps/key_rotated", json=bare)
        assert refused.status_code == 422, refused.text
        second = _witness_challenge(shared)
        proved = _prove(shared, new, WITNESS, second)
        rotated = admin.post("/steps/key_rotated", json={"key_id": record["key_id"], **proved})
    assert rotated.status_code == 200, rotated.text
    assert run(shared.env, "verify").returncode == 0


def test_only_an_administrator_asks_for_a_witness_challenge(shared: Service) -> None:
    with shared.client(PERSON) as member:
        refused = member.post("/keys/witness-challenge", json={"owner": WITNESS})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM


SECOND_ADMIN = "admin.second"


def _second_admin(shared: Service) -> None:
    if SECOND_ADMIN not in shared.tokens:  # not made by an earlier test on this database
        shared.add_user(SECOND_ADMIN, "administrator")
        shared.token(SECOND_ADMIN)


def test_an_administrator_does_not_register_their_own_key(shared: Service) -> None:
    _second_admin(shared)
    key = PersonKey.generate()
    challenge = _request(shared, SECOND_ADMIN, key, key)
    before = _size(shared)
    with shared.client(SECOND_ADMIN) as own:
        refused = own.post(f"/keys/requests/{challenge}/register", json={})
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["rule"] == "ACCESS"
    assert "may not register their own key" in refused.json()["detail"]
    with shared.client("admin") as admin:
        listed = admin.get("/keys/requests").json()
    sig = next(r["sig"] for r in listed if r["challenge"] == challenge)
    token = shared.token(SECOND_ADMIN)
    with _page_client(shared, token) as page:
        form = {"challenge": challenge, "owner": SECOND_ADMIN, "public_key": key.public_key_b64}
        form |= {"sig": sig, "csrf": sessions.csrf_of(token)}
        shown = page.post("/web/admin/keys/register", data=form)
    assert shown.status_code in (403, 422), shown.status_code
    assert "Доступ:" in shown.text  # the rule's word in the page's language (i18n.RULE_WORDS)
    assert _size(shared) == before
    with shared.client("admin") as other:  # another person proposes it, a third confirms
        done = other.post(f"/keys/requests/{challenge}/register", json={})
    assert done.status_code == 202, done.text
    shared.confirm(done.json()["proposal"])


def test_a_witness_key_is_never_made_in_an_account_holders_name(shared: Service) -> None:
    before = _size(shared)
    with shared.client("admin") as admin:
        refused = admin.post("/keys/witness-challenge", json={"owner": PERSON})
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["rule"] == "ACCESS"
    assert f"{PERSON} is the username of an account" in refused.json()["detail"]
    assert _size(shared) == before
    assert PERSON not in {k["owner"] for k in _keys(shared) if k["purpose"] == "witness"}


def test_no_account_is_made_in_the_name_of_a_witness_keys_owner(shared: Service) -> None:
    """A breaker's finding (issue 14, L4): a witness key for a name no account has yet, then
    an account of that name as a commission member, and the member held a witness key they
    never asked for. The account is refused (403 ACCESS, nothing written), through the API
    and the command line; a name that owns no key is made as before."""
    owner = "future.member2"
    key = PersonKey.generate()
    proof = _prove(shared, key, owner, _witness_challenge(shared, owner))
    with shared.client("admin") as admin:
        added = admin.post("/steps/key_added", json={"owner": owner, "purpose": "witness", **proof})
        assert added.status_code == 200, added.text
        key_id = added.json()["result"]
        before = _size(shared)
        account = {
            "username": owner,
            "name": "Будущий член комиссии",
            "role": "commission_member",
            "places": [],
            "password": PASSWORD,
        }
        refused = admin.post("/users", json=account)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["rule"] == "ACCESS"
        assert f"{owner} owns key {key_id} already (a witness's)" in refused.json()["detail"]
        secret = shared.directory / "future.password"
        secret.write_text(PASSWORD + "\n")
        cli = run(
            shared.env,
            *("user", "add", owner, "--role", "warehouse_clerk", "--name", "Кто-то"),
            *("--password-file", str(secret)),
        )
        assert cli.returncode != 0
        assert "owns key" in cli.stderr
        assert _size(shared) == before
        another = {**account, "username": "future.member3", "role": "warehouse_clerk"}
        assert admin.post("/users", json=another).is_success


def _challenges(shared: Service, sql: str, **params: str) -> list[Any]:
    from sqlalchemy import text

    from custody.db import Database
    from custody.settings import Settings

    settings = Settings(
        data_dir=shared.env["CUSTODY_DATA_DIR"],
        database_url=shared.env.get("CUSTODY_DATABASE_URL", ""),
    )
    database = Database(settings.database_url)
    try:
        with database.write(lock=False) as conn:
            found = conn.execute(text(sql), params)
            return list(found.scalars()) if found.returns_rows else []
    finally:
        database.dispose()


def test_asking_again_and_again_keeps_one_challenge_and_old_ones_expire(shared: Service) -> None:
    """The attack of issue 12: 300 POST /keys/challenge left 301 rows. A new challenge
    replaces the person's unanswered one; one older than a day goes for good."""
    owner = "member.abenova"
    _challenges(
        shared,
        "INSERT INTO web_key_requests (challenge, owner, issued_at) "
        "VALUES ('stale-challenge-0000', 'someone.gone', '2020-01-01T00:00:00.000000Z')",
    )
    with shared.client(owner) as client:
        asked = [client.post("/keys/challenge").json()["challenge"] for _ in range(30)]
    # Unanswered challenges: earlier tests of this module left requests of this owner that
    # were sent (answered) and wait, or were superseded; those are not challenges.
    unanswered = (
        "SELECT challenge FROM web_key_requests WHERE owner = :o AND key_id IS NULL "
        "AND submitted_at IS NULL"
    )
    assert _challenges(shared, unanswered, o=owner) == [asked[-1]]
    assert _challenges(shared, unanswered, o="someone.gone") == []
    outstanding = "SELECT challenge FROM web_key_requests WHERE owner = :o AND key_id IS NULL"
    key = PersonKey.generate()
    with shared.client(owner) as client:
        sent = {"possession": _proof(key, owner, asked[0]), "public_key": key.public_key_b64}
        old = client.post("/keys/requests", json=sent)
        assert old.status_code == 422, old.text
        assert old.headers["content-type"] == PROBLEM
    # two requests sent one after another: the newer stands, one waits for an administrator;
    # the older is kept superseded (refused by name if proposed already: issue 16), and of
    # those only the newest KEPT_SUPERSEDED, so that sending again and again stays bounded.
    older = _request(shared, owner, key, key)
    second = PersonKey.generate()
    newest = _request(shared, owner, second, second)
    standing = f"{outstanding} AND superseded_at IS NULL"
    assert _challenges(shared, standing, o=owner) == [newest]
    superseded = f"{outstanding} AND superseded_at IS NOT NULL"
    kept = _challenges(shared, superseded, o=owner)
    assert older in kept
    assert newest not in kept
    for _ in range(key_requests.KEPT_SUPERSEDED + 3):
        again = PersonKey.generate()
        _request(shared, owner, again, again)
    assert len(_challenges(shared, superseded, o=owner)) == key_requests.KEPT_SUPERSEDED


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("laptop\u202e", "U+202E"),
        ("lap\x00top", "U+0000"),
        ("\x1b[31mlaptop", "U+001B"),
        ("lap\u2028top", "U+2028"),
    ],
    ids=["bidi_override", "nul", "escape", "line_separator"],
)
def test_a_key_request_label_is_text_of_one_line(shared: Service, label: str, words: str) -> None:
    # b12r: a request's label took controls, shown to the administrator as they came.
    key = PersonKey.generate()
    with shared.client(PERSON) as client:
        challenge = client.post("/keys/challenge").json()["challenge"]
        proof = _proof(key, PERSON, challenge)
        body = {"possession": proof, "public_key": key.public_key_b64, "label": label}
        sent = client.post("/keys/requests", json=body)
        assert sent.status_code == 422, sent.text
        assert sent.headers["content-type"] == PROBLEM
        assert words in sent.text
    with shared.client("admin") as admin:
        waiting = admin.get("/keys/requests").json()
    assert challenge not in {r["challenge"] for r in waiting}


def test_a_problems_instance_escapes_what_is_not_printable(shared: Service) -> None:
    # b12r: the problem's `instance` echoed a raw U+202E from the path.
    with shared.client("admin") as admin:
        answer = admin.post("/keys/requests/KZ\u202e1/register", json={})
    assert answer.headers["content-type"] == PROBLEM
    instance = answer.json()["instance"]
    assert "\u202e" not in instance
    assert instance == "/keys/requests/KZ%E2%80%AE1/register"


def test_a_challenge_never_begins_with_a_dash(tmp_path: Path) -> None:
    """`custody keys prove CHALLENGE` takes the challenge as an argument: one beginning with
    "-" was read as an option (CI failed on `-YevH…`, one draw in 64). Three hundred draws
    would meet one with near certainty (1 - (63/64)^300 > 0.99) if nothing prevented it."""
    engine = create_engine(f"sqlite:///{tmp_path / 'requests.db'}")
    KeyRequestRow.__table__.create(engine)  # type: ignore[attr-defined]
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    with engine.begin() as conn:
        drawn = [key_requests.issue(conn, f"owner{n}", now) for n in range(300)]
    assert len(set(drawn)) == 300
    assert not [c for c in drawn if c.startswith("-")]
    assert all(len(c) == 43 for c in drawn)


def test_a_newer_key_request_supersedes_the_older_even_one_proposed(shared: Service) -> None:
    """Issue 16 (LOW): a person who sent a key and then a newer one has asked for the newer;
    the older, even one an administrator proposed already, is refused when registered or
    confirmed, over HTTP and on the page, saying it was superseded by the newer (not "no
    such challenge"), and writes nothing; the newer is registered."""
    person = "member.twice"  # one who has no key yet
    if person not in shared.tokens:
        shared.add_user(person, "commission_member")
    older, newer = PersonKey.generate(), PersonKey.generate()
    first = _request(shared, person, older, older)
    with shared.client("admin") as admin:
        proposed = admin.post(f"/keys/requests/{first}/register", json={})
        assert proposed.status_code == 202, proposed.text
    second = _request(shared, person, newer, newer)
    before = _size(shared)
    with shared.client("admin") as admin:
        listed = [r["challenge"] for r in admin.get("/keys/requests").json()]
        again = admin.post(f"/keys/requests/{first}/register", json={})
    assert first not in listed
    assert second in listed
    if "admin2" not in shared.tokens:
        shared.add_user("admin2", "administrator")
    with shared.client("admin2") as other:
        confirmed = other.post(f"/changes/{proposed.json()['proposal']}/confirm")
    for refused in (again, confirmed):
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == PROBLEM
        detail = refused.json()["detail"]
        assert detail.startswith(f"this key request was superseded: {person} sent a newer one")
    on_page = _register_on_page(shared, person, older, first)
    assert on_page.status_code == 422
    said = {
        i18n.gettext_of(lang)(
            "this key request was superseded: %(owner)s sent a newer one at %(at)s, and only "
            "a person's newest request is registered; register that one"
        ).split("%(owner)s")[0]
        for lang in ("ru", "kk", "en")
    }
    assert any(html.escape(words) in on_page.text for words in said), on_page.text[-3000:]
    assert _size(shared) == before
    with shared.client("admin") as admin:
        done = admin.post(f"/keys/requests/{second}/register", json={})
        assert done.status_code == 202, done.text
    shared.confirm(done.json()["proposal"])
    mine = {k["public_key"] for k in _keys(shared) if k["owner"] == person}
    assert newer.public_key_b64 in mine
    assert older.public_key_b64 not in mine


def test_a_proof_for_another_owner_or_purpose_is_refused_as_sent_and_keeps_the_good_request(
    shared: Service,
) -> None:
    """A breaker's finding (issue 16): POST /keys/requests stored a proof without checking it;
    one made for another owner, or for a witness key, answered 204 and replaced the person's
    good request, which then failed only when an administrator registered it."""
    owner = "member.kim"
    key = PersonKey.generate()
    with shared.client(owner) as client:
        challenge = client.post("/keys/challenge").json()["challenge"]
        good = {"public_key": key.public_key_b64, "possession": _proof(key, owner, challenge)}
        assert client.post("/keys/requests", json=good).status_code == 204
        claim = keys.possession_claim(owner, "witness", key.public_key, challenge)
        witness = signatures.sign(key.seed, signatures.possession_message(claim))
        bad_proofs = [
            _proof(key, "chair.one", challenge),
            {"challenge": challenge, "sig": base64.b64encode(witness).decode()},
            _proof(PersonKey.generate(), owner, challenge),
        ]
        for proof in bad_proofs:
            sent = client.post(
                "/keys/requests", json={"public_key": key.public_key_b64, "possession": proof}
            )
            assert sent.status_code == 422, sent.text
            assert sent.headers["content-type"] == PROBLEM
            assert "proof of possession does not verify" in sent.json()["detail"]
    with shared.client("admin") as admin:
        waiting = {r["challenge"]: r for r in admin.get("/keys/requests").json()}
    assert waiting[challenge]["sig"] == good["possession"]["sig"]


def _stored_unchecked(shared: Service, owner: str, key: PersonKey, proof: dict[str, str]) -> None:
    """`owner`'s request of `key` with `proof` written as a database made before requests were
    checked as sent kept it: the submit refuses a bad proof now (422), and the ledger's own
    check at registration is what these tests hold to."""
    with shared.client(owner) as client:
        sent = client.post(
            "/keys/requests", json={"public_key": key.public_key_b64, "possession": proof}
        )
    assert sent.status_code == 422, sent.text
    assert "proof of possession does not verify" in sent.json()["detail"]
    _challenges(
        shared,
        "UPDATE web_key_requests SET public_key = :k, sig = :s, label = '', "
        "submitted_at = issued_at WHERE challenge = :c",
        k=key.public_key_b64,
        s=proof["sig"],
        c=proof["challenge"],
    )
