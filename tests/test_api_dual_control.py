"""The one-administrator forgery (issue 14) through a real `custody serve`, on SQLite and
PostgreSQL: one administrator alone tries to make stand-in signers (accounts it sets the
passwords of, their keys, their seats on the commission) and is refused, as a problem naming
four eyes with nothing written, at each step where a second administrator is needed; the
same changes proposed by one administrator are written only when another confirms them, and
an account made a signer that way loses the password an administrator gave it."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from custody import keys, signatures
from custody.keyfile import PersonKey
from tests.support.processes import run
from tests.support.service import PASSWORD, PROBLEM, Service, service

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
COMMISSION = "COM-1"


@pytest.fixture(scope="module", params=KINDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    with service(tmp_path_factory.mktemp("dual"), request.param) as running:
        running.add_user("admin", "administrator")
        running.add_user("admin2", "administrator")
        running.add_user("member.kim", "commission_member")
        yield running


def _size(shared: Service) -> int:
    with shared.client("admin") as client:
        return int(client.get("/ledger/checkpoint").text.splitlines()[1])


def _four_eyes(answer: object) -> None:
    import httpx

    assert isinstance(answer, httpx.Response)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["rule"] == "ACCESS"
    assert "four eyes" in answer.json()["detail"]


def _key_request(shared: Service, owner: str, key: PersonKey) -> str:
    with shared.client(owner) as client:
        challenge = client.post("/keys/challenge").json()["challenge"]
        claim = keys.possession_claim(owner, "act", key.public_key, challenge)
        sig = signatures.sign(key.seed, signatures.possession_message(claim))
        sent = client.post(
            "/keys/requests",
            json={
                "public_key": key.public_key_b64,
                "possession": {"challenge": challenge, "sig": base64.b64encode(sig).decode()},
                "label": "laptop",
            },
        )
        assert sent.status_code == 204, sent.text
    return str(challenge)


def test_one_administrator_cannot_make_stand_in_signers(shared: Service) -> None:
    stand_in = {"name": "Подставной", "places": [], "password": PASSWORD}
    with shared.client("admin") as admin:
        before = _size(shared)
        # A stand-in made a member at once, or an administrator: refused.
        _four_eyes(
            admin.post(
                "/users", json={**stand_in, "username": "stand.a", "role": "commission_member"}
            )
        )
        _four_eyes(
            admin.post("/users", json={**stand_in, "username": "admin.x", "role": "administrator"})
        )
        # Nor one who ends custody, reads every body or pays (issue 14, second round).
        for role in ("unit_officer", "auditor", "paymaster"):
            _four_eyes(
                admin.post("/users", json={**stand_in, "username": "unit.fake", "role": role})
            )
        assert _size(shared) == before
        # A clerk the administrator holds the password of: allowed (alone, a clerk ends no
        # custody, signs nothing and reads only at its places) ...
        clerk = {**stand_in, "username": "stand.b", "role": "warehouse_clerk"}
        made = admin.post("/users", json=clerk)
        assert made.status_code == 201, made.text
        size = _size(shared)
        # ... but made a member: refused, and by the steps too.
        _four_eyes(admin.post("/users/stand.b/roles", json={"role": "commission_member"}))
        _four_eyes(admin.post("/users/stand.b/roles", json={"role": "official"}))
        _four_eyes(admin.post("/users/stand.b/roles", json={"role": "unit_officer"}))
        seat = {"commission": COMMISSION, "person": "member.kim", "role": "member"}
        _four_eyes(admin.post("/steps/commission_member_added", json=seat))
        assert _size(shared) == size
        # Proposed, it waits: its proposer cannot confirm it.
        proposed = admin.post(
            "/changes",
            json={
                "change": "role_granted",
                "fields": {"username": "stand.b", "role": "commission_member"},
            },
        )
        assert proposed.status_code == 201, proposed.text
        grant = proposed.json()["id"]
        assert grant in {c["id"] for c in admin.get("/changes").json()}
        _four_eyes(admin.post(f"/changes/{grant}/confirm"))
    # The stand-in's key, asked for with the password the administrator set, before the
    # role came: refused, so none waits to be registered once it comes (issue 14).
    with shared.client("stand.b") as stand_in:
        _four_eyes(stand_in.post("/keys/challenge"))
    # A member's key: the administrator proposes it, and alone cannot register it.
    key = PersonKey.generate()
    challenge = _key_request(shared, "member.kim", key)
    with shared.client("admin") as admin:
        registered = admin.post(f"/keys/requests/{challenge}/register", json={})
        assert registered.status_code == 202, registered.text
        _four_eyes(admin.post(f"/changes/{registered.json()['proposal']}/confirm"))
        published = {k["public_key"] for k in admin.get("/ledger/keys").json()}
    assert key.public_key_b64 not in published
    # Another administrator confirms the grant: the password the first one set is gone.
    shared.confirm(grant)
    assert shared.login("stand.b").status_code == 401
    secret = shared.directory / "own.password"
    secret.write_text("пароль самого человека\n")
    done = run(shared.env, "user", "password", "stand.b", "--password-file", str(secret))
    assert done.returncode == 0, done.stderr
    assert shared.login("stand.b", "пароль самого человека").status_code == 200
    verified = run(shared.env, "verify", "--json")
    assert verified.returncode == 0, verified.stdout[-2000:]


def test_a_declined_change_never_takes_effect(shared: Service) -> None:
    with shared.client("admin") as admin:
        proposed = admin.post(
            "/changes",
            json={
                "change": "commission_member_added",
                "fields": {
                    "commission": COMMISSION,
                    "person": "member.kim",
                    "role": "member",
                    "name": "Комиссия",
                },
            },
        )
        assert proposed.status_code == 201, proposed.text
        change = proposed.json()["id"]
        refused = admin.post(f"/changes/{change}/decline", json={"reason": "сам"})
        _four_eyes(refused)
    with shared.client("admin2") as other:
        assert (
            other.post(f"/changes/{change}/decline", json={"reason": "не тот состав"}).status_code
            == 204
        )
        shown = other.get(f"/changes/{change}").json()
        again = other.post(f"/changes/{change}/confirm")
    assert (shown["state"], shown["decided_by"], shown["reason"]) == (
        "declined",
        "admin2",
        "не тот состав",
    )
    _four_eyes(again)
    done = run(shared.env, "change", "list", "--json")
    assert done.returncode == 0, done.stderr
    assert change not in done.stdout


def _pending(shared: Service) -> set[str]:
    with shared.client("admin") as admin:
        return {r["challenge"] for r in admin.get("/keys/requests").json()}


def test_a_key_request_made_before_a_role_is_never_confirmed_after_it(shared: Service) -> None:
    """The forger's path (issue 14): a key asked for, proposed, and left waiting while a
    signer's role is granted, then confirmed under the new role. The grant's confirmation
    drops the requests not yet registered, so the proposal of the key cannot be confirmed
    (422, nothing written); a role withdrawn drops them likewise."""
    shared.add_user("member.early", "commission_member")
    key = PersonKey.generate()
    challenge = _key_request(shared, "member.early", key)
    with shared.client("admin") as admin:
        registered = admin.post(f"/keys/requests/{challenge}/register", json={})
        assert registered.status_code == 202, registered.text
        granted = admin.post(
            "/changes",
            json={
                "change": "role_granted",
                "fields": {"username": "member.early", "role": "official"},
            },
        )
        assert granted.status_code == 201, granted.text
    shared.confirm(granted.json()["id"])
    assert challenge not in _pending(shared)
    size = _size(shared)
    with shared.client("admin2") as other:
        late = other.post(f"/changes/{registered.json()['proposal']}/confirm")
        published = {k["public_key"] for k in other.get("/ledger/keys").json()}
    assert late.status_code == 422, late.text
    assert late.headers["content-type"] == PROBLEM
    assert key.public_key_b64 not in published
    assert _size(shared) == size
    # Asked again under the role, then the role withdrawn: dropped again.
    secret = shared.directory / "early.password"
    secret.write_text(PASSWORD + "\n")  # its person's own, at the console
    done = run(shared.env, "user", "password", "member.early", "--password-file", str(secret))
    assert done.returncode == 0, done.stderr
    shared.tokens.pop("member.early", None)
    again = _key_request(shared, "member.early", PersonKey.generate())
    assert again in _pending(shared)
    with shared.client("admin") as admin:
        gone = admin.delete("/users/member.early/roles/official")
        assert gone.status_code == 204, gone.text
    assert again not in _pending(shared)  # asked under the roles it held then: asked again
    verified = run(shared.env, "verify", "--json")
    assert verified.returncode == 0, verified.stdout[-2000:]


def test_a_lone_administrator_cannot_issue_a_device_token_for_a_stand_in_signer(
    shared: Service,
) -> None:
    """The forger's first finding (issue 14): a device token issued for a member, held by
    the administrator who issued it, to act as her. Refused (403, four eyes, nothing
    written)."""
    size = _size(shared)
    with shared.client("admin") as admin:
        asked = {"username": "member.kim", "role": "commission_member", "label": "планшет"}
        refused = admin.post("/auth/devices", json={**asked, "days": 1})
        _four_eyes(refused)
        assert "device token is never issued" in refused.json()["detail"]
    assert _size(shared) == size


# The roles four eyes gives that sign nothing (workflows.dual.FOUR_EYES_ROLES - DUAL_ROLES).
ENDS_READS_PAYS = ["unit_officer", "auditor", "paymaster"]


def _devices(shared: Service, username: str) -> list[dict[str, object]]:
    with shared.client("admin") as admin:
        listed = admin.get("/auth/devices", params={"username": username})
    assert listed.status_code == 200, listed.text
    devices: list[dict[str, object]] = listed.json()["devices"]
    return devices


@pytest.mark.parametrize("role", ENDS_READS_PAYS)
def test_no_device_token_for_an_existing_unit_officer_auditor_or_paymaster(
    shared: Service, role: str
) -> None:
    """The breaker's hole (issue 14, fix14d): the account was made with four eyes, but one
    administrator issued a device token for it and acted in its role through the token
    (returned a weapon, read every body, paid). Refused over HTTP and at the console (403
    problem naming four eyes and the role; one line on stderr), nothing written."""
    username = f"holder.{role}"
    shared.add_user(username, role)
    size = _size(shared)
    asked = {"username": username, "role": role, "label": "скрипт", "days": 1}
    with shared.client("admin") as admin:
        refused = admin.post("/auth/devices", json=asked)
    _four_eyes(refused)
    detail = refused.json()["detail"]
    assert f"{username} holds a role given only with four eyes ({role})" in detail
    assert "a device token is never issued for such an account" in detail
    done = run(
        shared.env, "user", "device", username, "--role", role, "--label", "x", "--days", "1"
    )
    assert done.returncode != 0
    [line] = done.stderr.strip().splitlines()
    assert "four eyes" in line
    assert f"({role})" in line
    assert _size(shared) == size
    assert _devices(shared, username) == []


def test_no_unit_officer_auditor_or_paymaster_role_for_an_account_holding_a_token(
    shared: Service,
) -> None:
    """The other order: a clerk's scanner token, then the clerk proposed a unit officer, the
    auditor or a paymaster. Refused as proposed (403, "revoke them first", nothing written);
    once the token is revoked, the grant is proposed and confirmed, and the ledger verifies."""
    with shared.client("admin") as admin:
        place = {"location": "WH-D14", "kind": "warehouse", "name": "Склад", "region": "Алматы"}
        assert admin.post("/steps/location_added", json=place).status_code == 200
    shared.add_user("sklad.d14", "warehouse_clerk", places=["WH-D14"])
    with shared.client("admin") as admin:
        asked = {"username": "sklad.d14", "role": "warehouse_clerk", "place": "WH-D14"}
        issued = admin.post("/auth/devices", json={**asked, "label": "ТСД", "days": 9})
        assert issued.status_code == 201, issued.text
        device = issued.json()["device"]
        size = _size(shared)
        for role in ENDS_READS_PAYS:
            grant = {"username": "sklad.d14", "role": role}
            proposed = admin.post("/changes", json={"change": "role_granted", "fields": grant})
            _four_eyes(proposed)
            detail = proposed.json()["detail"]
            assert f"sklad.d14 holds device tokens ({device})" in detail
            assert f"given only with four eyes ({role})" in detail
            assert "revoke them first" in detail
        assert _size(shared) == size
        assert admin.post(f"/auth/devices/{device}/revoke").is_success
        grant = {"username": "sklad.d14", "role": "auditor"}
        proposed = admin.post("/changes", json={"change": "role_granted", "fields": grant})
        assert proposed.status_code == 201, proposed.text
    shared.confirm(proposed.json()["id"])
    verified = run(shared.env, "verify", "--json")
    assert verified.returncode == 0, verified.stdout[-2000:]


@pytest.mark.parametrize("role", ["unit_officer", "auditor", "paymaster"])
def test_a_role_that_ends_custody_reads_or_pays_drops_the_password_an_administrator_set(
    shared: Service, role: str
) -> None:
    """The breaker's stand-ins (issue 14, second round): a clerk whose password the
    administrator set is given a unit officer's, the auditor's or a paymaster's role. Alone,
    refused; proposed and confirmed by another, the password is gone and the person sets
    their own at the console, as a signer does."""
    username = f"clerk.{role}"
    clerk = {"username": username, "name": "Кладовщик", "role": "warehouse_clerk"}
    with shared.client("admin") as admin:
        made = admin.post("/users", json={**clerk, "places": [], "password": PASSWORD})
        assert made.status_code == 201, made.text
        assert shared.login(username).status_code == 200
        size = _size(shared)
        _four_eyes(admin.post(f"/users/{username}/roles", json={"role": role}))
        assert _size(shared) == size
        grant = {"username": username, "role": role}
        proposed = admin.post("/changes", json={"change": "role_granted", "fields": grant})
        assert proposed.status_code == 201, proposed.text
        assert "password" not in proposed.json()["fields"]
        # A proposal never carries a password (CreateAccount has none): refused, nothing written.
        made_with = {**clerk, "username": f"new.{role}", "roles": [role], "password": PASSWORD}
        del made_with["role"]
        size = _size(shared)
        carried = admin.post("/changes", json={"change": "account_created", "fields": made_with})
        assert carried.status_code == 422, carried.text
        assert carried.headers["content-type"] == PROBLEM
        assert _size(shared) == size
    shared.confirm(proposed.json()["id"])
    assert shared.login(username).status_code == 401
    secret = shared.directory / f"{username}.password"
    secret.write_text("пароль самого человека\n")
    done = run(shared.env, "user", "password", username, "--password-file", str(secret))
    assert done.returncode == 0, done.stderr
    assert shared.login(username, "пароль самого человека").status_code == 200
    verified = run(shared.env, "verify", "--json")
    assert verified.returncode == 0, verified.stdout[-2000:]
