"""Logging in and out through a real server: Argon2id passwords, short-lived and device
tokens, revocation, disabled accounts, and throttled failures, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine

from api.access import tokens
from api.access.roles import PLACE_KINDS, ROLES
from api.access.token_cache import TTL_SECONDS
from api.web import sessions
from custody.clock import format_time
from tests.support.processes import run
from tests.support.service import PROBLEM, Service, service

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=KINDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    with service(tmp_path_factory.mktemp("login"), request.param) as running:
        yield running


def _me(service: Service, token: str) -> httpx.Response:
    return httpx.get(f"{service.base}/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_a_login_gives_a_token_that_names_the_user_and_role(shared: Service) -> None:
    shared.add_user("sklad.omarov", "warehouse_clerk")
    response = shared.login("sklad.omarov")
    assert response.status_code == 200
    issued = response.json()
    assert (issued["token_type"], issued["role"], issued["expires_in"]) == (
        "bearer",
        "warehouse_clerk",
        1800,
    )
    me = _me(shared, issued["access_token"]).json()
    assert (me["username"], me["role"], me["token"]) == ("sklad.omarov", "warehouse_clerk", "login")
    assert set(me["permissions"]) == ROLES["warehouse_clerk"]


def test_a_revoked_token_is_refused(shared: Service) -> None:
    shared.add_user("unit.serikbaev", "unit_officer")
    token = shared.login("unit.serikbaev").json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{shared.base}/auth/revoke", headers=headers).status_code == 204
    refused = _me(shared, token)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == PROBLEM
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["type"] == "/problems/unauthenticated"


@pytest.mark.parametrize("who", ["expert.sadykova", "nobody.here"])
def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    shared: Service, who: str
) -> None:
    if who == "expert.sadykova":
        shared.add_user(who, "forensic_examiner")
    refused = shared.login(who, "not the password at all")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "wrong username or password, or the account is disabled"


def test_no_token_or_a_made_up_one_is_401(shared: Service) -> None:
    assert httpx.get(f"{shared.base}/auth/me").status_code == 401
    assert _me(shared, "made-up").status_code == 401


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_device_token_life_cycle(shared: Service) -> None:
    """Issued by an administrator only, bound to an account, a role and a place, with an
    expiry, recorded in the ledger; it outlives the owner's logout, mints nothing, is listed
    and revoked one by one, and then stops at once."""
    shared.add_user("admin", "administrator")
    with shared.client("admin") as admin:
        place = {"location": "WH-DEV", "kind": "warehouse", "name": "Склад", "region": "Алматы"}
        assert admin.post("/steps/location_added", json=place).status_code == 200
    shared.add_user("scanner.owner", "warehouse_clerk", places=["WH-DEV"])
    login = shared.login("scanner.owner").json()["access_token"]
    wanted = {"username": "scanner.owner", "role": "warehouse_clerk", "place": "WH-DEV"}
    asked = {**wanted, "label": "ТСД-7", "days": 30}
    by_owner = httpx.post(f"{shared.base}/auth/devices", headers=_bearer(login), json=asked)
    assert by_owner.status_code == 403  # only administrators issue device tokens
    assert by_owner.headers["content-type"] == PROBLEM
    with shared.client("admin") as admin:
        elsewhere = admin.post("/auth/devices", json={**asked, "place": "WH-OTHER"})
        assert elsewhere.status_code == 422, elsewhere.text  # not one of the account's places
        made = admin.post("/auth/devices", json=asked)
    assert made.status_code == 201, made.text
    device = made.json()
    assert {k: device[k] for k in wanted} == wanted
    assert device["device"].startswith("DEV-")
    assert device["revoked_at"] is None
    assert device["access_token"].encode() not in _ledger_text(shared)  # only its id is there
    token = device["access_token"]
    assert httpx.post(f"{shared.base}/auth/revoke", headers=_bearer(login)).status_code == 204
    assert _me(shared, login).status_code == 401  # logout revoked the login's own token
    me = _me(shared, token).json()
    assert (me["username"], me["token"], me["device"]) == (
        "scanner.owner",
        "device",
        device["device"],
    )
    assert (me["roles"], me["places"]) == (["warehouse_clerk"], ["WH-DEV"])
    minted = httpx.post(f"{shared.base}/auth/devices", headers=_bearer(token), json=asked)
    assert minted.status_code == 403  # a device token cannot mint more
    listed = run(shared.env, "user", "devices", "scanner.owner", "--json")
    assert [d["id"] for d in json.loads(listed.stdout)] == [device["device"]]
    done = run(shared.env, "user", "revoke-device", device["device"])
    assert done.returncode == 0, done.stderr
    time.sleep(TTL_SECONDS + 0.2)  # this server may have it cached a moment longer
    assert _me(shared, token).status_code == 401
    with shared.client("admin") as admin:
        page = admin.get("/auth/devices", params={"username": "scanner.owner"}).json()
    assert page["devices"][0]["revoked_at"] is not None
    assert run(shared.env, "verify").returncode == 0


def _ledger_text(service: Service) -> bytes:
    if "auditor.ledger" not in service.tokens:
        service.add_user("auditor.ledger", "auditor")  # entry bodies are for a reading role
    with service.client("auditor.ledger") as auditor:
        entries = auditor.get("/ledger/entries", params={"limit": 1000}).json()["entries"]
    return b"".join(base64.b64decode(e["body"]) for e in entries)


def test_disabling_an_account_revokes_its_tokens_and_stops_logins(shared: Service) -> None:
    shared.add_user("member.kim", "commission_member")
    token = shared.login("member.kim").json()["access_token"]
    done = run(shared.env, "user", "disable", "member.kim")
    assert done.returncode == 0, done.stderr
    assert _me(shared, token).status_code == 401
    assert shared.login("member.kim").status_code == 401
    assert run(shared.env, "user", "enable", "member.kim").returncode == 0
    assert shared.login("member.kim").status_code == 200


def test_the_role_matrix_is_published(shared: Service) -> None:
    published = httpx.get(f"{shared.base}/roles").json()
    assert {r["role"]: set(r["permissions"]) for r in published} == ROLES
    auditor = next(r for r in published if r["role"] == "auditor")
    assert auditor["permissions"] == ["read"]
    places = {r["role"]: set(r["place_kinds"]) for r in published}
    assert places == {role: set(kinds) for role, kinds in PLACE_KINDS.items()}
    assert places["warehouse_clerk"] >= {"warehouse"}
    assert places["unit_officer"] == {"unit"}


def test_the_cli_refuses_bad_accounts_in_one_line(shared: Service) -> None:
    secret = shared.directory / "short"
    secret.write_text("short\n")
    good = shared.directory / "good"
    good.write_text("a long enough pass phrase\n")
    for args, words in (
        (["Bad Name", "--role", "warehouse_clerk"], "a username is"),
        (["ok.name", "--role", "superuser"], "unknown role 'superuser'"),
        (["ok.name", "--role", "warehouse_clerk", "--password-file", str(secret)], "at least 10"),
        # A role that needs four eyes (workflows.dual): proposed and confirmed, never added.
        (["ok.name", "--role", "auditor", "--password-file", str(good)], "four eyes"),
    ):
        done = run(shared.env, "user", "add", *args, "--name", "Имя")
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1, done.stderr
        assert words in done.stderr
    listed = run(shared.env, "user", "list", "--json")
    assert "ok.name" not in listed.stdout


def test_failed_logins_are_throttled_per_account_and_per_address(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with service(
        tmp_path_factory.mktemp("throttle"),
        login_failures_per_account="3",
        login_failures_per_address="5",
    ) as running:
        running.add_user("chair.nurlanov", "commission_member")
        for _ in range(3):
            assert running.login("chair.nurlanov", "guessing wrong").status_code == 401
        throttled = running.login("chair.nurlanov")  # even the right password, for now
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) > 0
        assert throttled.json()["type"] == "/problems/throttled"
        running.add_user("member.abenova", "commission_member")
        for _ in range(2):  # the address has 5 failures then
            assert running.login("member.abenova", "guessing wrong").status_code == 401
        assert running.login("member.abenova").status_code == 429


def test_a_login_token_expires(tmp_path_factory: pytest.TempPathFactory) -> None:
    with service(tmp_path_factory.mktemp("expiry"), token_seconds="1") as running:
        running.add_user("official.zhakupov", "official")
        token = running.login("official.zhakupov").json()["access_token"]
        assert _me(running, token).status_code == 200
        time.sleep(1.2)
        assert _me(running, token).status_code == 401


def test_a_token_revoked_elsewhere_is_refused_within_the_cache_window(shared: Service) -> None:
    shared.add_user("sklad.second", "warehouse_clerk")
    token = shared.login("sklad.second").json()["access_token"]
    assert _me(shared, token).status_code == 200  # now cached by the server
    assert run(shared.env, "user", "disable", "sklad.second").returncode == 0
    time.sleep(TTL_SECONDS + 0.2)
    assert _me(shared, token).status_code == 401


def test_no_device_token_is_bound_to_an_administrator_or_issued_to_oneself(
    shared: Service,
) -> None:
    """Separation of duties (issue 14): a device token is for a scanner or a script, never an
    administrator's, and an administrator never issues one to themselves (403, ACCESS,
    nothing written)."""
    if "admin" not in shared.tokens:  # a new password would end an earlier test's login
        shared.add_user("admin", "administrator")
    if "admin.devices" not in shared.tokens:
        shared.add_user("admin.devices", "administrator")
        shared.token("admin.devices")
    with shared.client("admin") as admin:
        size = admin.get("/ledger/checkpoint").text.splitlines()[1]
        before = admin.get("/auth/devices").json()["devices"]
        for username in ("admin.devices", "admin"):
            asked = {"username": username, "role": "administrator", "label": "скрипт", "days": 1}
            refused = admin.post("/auth/devices", json=asked)
            assert refused.status_code == 403, refused.text
            assert refused.headers["content-type"] == PROBLEM
            assert refused.json()["rule"] == "ACCESS"
            assert "separation of duties" in refused.json()["detail"] or (
                "never bound to the administrator role" in refused.json()["detail"]
            )
        assert admin.get("/auth/devices").json()["devices"] == before
        assert admin.get("/ledger/checkpoint").text.splitlines()[1] == size


def test_a_device_token_whatever_its_role_is_refused_by_the_administrators_routes(
    shared: Service,
) -> None:
    """A device token bound to the administrator role from before the rule (written here
    straight into the service's tokens, as an old one would be) still cannot keep the
    registers: users, device tokens, key requests and challenges answer 403 ACCESS."""
    if "admin" not in shared.tokens:  # a new password would end an earlier test's login
        shared.add_user("admin", "administrator")
    if "admin.legacy" not in shared.tokens:
        shared.add_user("admin.legacy", "administrator")
        shared.token("admin.legacy")
    data = shared.env["CUSTODY_DATA_DIR"]
    url = shared.env.get("CUSTODY_DATABASE_URL") or f"sqlite:///{data}/custody.db"
    engine = create_engine(url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        until = format_time(now + dt.timedelta(days=1))
        token = tokens.issue(
            conn, "admin.legacy", tokens.DEVICE, now, until, role="administrator", label="old"
        )
    engine.dispose()
    assert _me(shared, token).json()["roles"] == ["administrator"]
    asked = {"username": "admin", "role": "administrator", "label": "ещё", "days": 1}
    with httpx.Client(base_url=shared.base, headers=_bearer(token), timeout=30) as device:
        for method, path, body in (
            ("GET", "/users", None),
            ("GET", "/auth/devices", None),
            ("POST", "/auth/devices", asked),
            ("GET", "/keys/requests", None),
            ("POST", "/keys/witness-challenge", {"owner": "witness.someone"}),
        ):
            refused = device.request(method, path, json=body)
            assert refused.status_code == 403, (path, refused.text)
            assert refused.headers["content-type"] == PROBLEM
            assert refused.json()["rule"] == "ACCESS", path
            assert "cannot issue more" in refused.json()["detail"], path


def _admin(shared: Service) -> None:
    if "admin" not in shared.tokens:  # a new password would end an earlier test's login
        shared.add_user("admin", "administrator")


def test_a_device_token_withdrawn_with_its_role_or_place_stays_revoked(shared: Service) -> None:
    """A breaker's finding (issue 14, L2): a device token stopped (401) when its account's
    place or role was withdrawn, and came back to life when they were given again. The
    withdrawal now revokes it in the ledger and in the service (GET /auth/devices shows
    when), for good; the answer to its issue shows the issued_at the list shows."""
    _admin(shared)
    with shared.client("admin") as admin:
        for place in ("WH-L2A", "WH-L2B"):
            where = {"location": place, "kind": "warehouse", "name": "Склад", "region": "Алматы"}
            assert admin.post("/steps/location_added", json=where).status_code == 200
    # A clerk alone: an account holding a unit officer's role beside it gets no device token
    # (a role given only with four eyes, issue 14), so the clerk's is the only role here.
    shared.add_user("scanner.l2", "warehouse_clerk", places=["WH-L2A", "WH-L2B"])
    with shared.client("admin") as admin:
        asked = {"username": "scanner.l2", "role": "warehouse_clerk", "label": "ТСД", "days": 9}
        by_place = admin.post("/auth/devices", json={**asked, "place": "WH-L2A"}).json()
        by_role = admin.post("/auth/devices", json={**asked, "place": "WH-L2B"}).json()
        listed = admin.get("/auth/devices", params={"username": "scanner.l2"}).json()["devices"]
        issued = {d["device"]: d["issued_at"] for d in listed}
        assert issued[by_place["device"]] == by_place["issued_at"]
        assert issued[by_role["device"]] == by_role["issued_at"]
        for made in (by_place, by_role):
            assert _me(shared, made["access_token"]).status_code == 200
        # The place one token is bound to, taken and given again.
        assert admin.delete("/users/scanner.l2/places/WH-L2A").is_success
        assert _me(shared, by_place["access_token"]).status_code == 401
        assert _me(shared, by_role["access_token"]).status_code == 200  # bound elsewhere
        assert admin.post("/users/scanner.l2/places", json={"place": "WH-L2A"}).is_success
        assert _me(shared, by_place["access_token"]).status_code == 401
        # The role both are bound to, taken and given again.
        assert admin.delete("/users/scanner.l2/roles/warehouse_clerk").is_success
        assert admin.post("/users/scanner.l2/roles", json={"role": "warehouse_clerk"}).is_success
        assert _me(shared, by_role["access_token"]).status_code == 401
        listed = admin.get("/auth/devices", params={"username": "scanner.l2"}).json()["devices"]
    # the ledger's fold of the device_token_revoked entries written with the withdrawals
    assert all(d["revoked_at"] is not None for d in listed), listed


def test_an_account_left_with_no_role_is_told_so(shared: Service) -> None:
    """A breaker's finding: after its only role was withdrawn, an account was told "the role
    may not do read", naming an empty role. It is told it holds no role that may, by the API
    and by a page in Russian, Kazakh and English."""
    _admin(shared)
    shared.add_user("auditor.gone", "auditor")
    token = shared.login("auditor.gone").json()["access_token"]
    with shared.client("admin") as admin:
        assert admin.delete("/users/auditor.gone/roles/auditor").is_success
    refused = httpx.get(f"{shared.base}/items", headers=_bearer(token))
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["detail"] == "the account holds no role that may do read"
    # A page says it in the reader's language.
    for language, words in (("ru", "нет роли"), ("kk", "рөл жоқ"), ("en", "holds no role")):
        with httpx.Client(base_url=shared.base, timeout=30) as browser:
            browser.cookies.set(sessions.SESSION, token)
            page = browser.get("/web/items/KZ-0", headers={"Accept-Language": language})
        assert page.status_code == 403, page.text
        assert words in page.text, (language, page.text)


def test_attack_the_cli_refuses_a_place_given_twice_in_one_line(shared: Service) -> None:
    """Issue 12 (b12final), finding 4: `--place WH-ALM --place WH-ALM` was merged into one."""
    secret = shared.directory / "good-password"
    secret.write_text("a long enough password 12\n")
    before = run(shared.env, "export").stdout.count("\n")
    done = run(
        shared.env,
        *("user", "add", "t.seven", "--role", "warehouse_clerk", "--name", "Семь"),
        *("--place", "WH-ALM", "--place", "WH-ALM", "--password-file", str(secret)),
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "WH-ALM is named twice" in done.stderr
    assert run(shared.env, "export").stdout.count("\n") == before
    assert "t.seven" not in run(shared.env, "user", "list", "--json").stdout


def _body_at(service: Service, seq: int) -> dict[str, object]:
    """Entry `seq`'s body, as the ledger stores it (read by an auditor)."""
    if "auditor.ledger" not in service.tokens:
        service.add_user("auditor.ledger", "auditor")
    with service.client("auditor.ledger") as auditor:
        [entry] = auditor.get("/ledger/entries", params={"start": seq, "limit": 1}).json()[
            "entries"
        ]
    body: dict[str, object] = json.loads(base64.b64decode(entry["body"]))
    return body


def test_a_step_through_a_device_token_names_the_device_in_its_entry(shared: Service) -> None:
    """Issue 14 (fix14e): one administrator issues a token for a clerk's account, writes a
    step through it, and revokes it; the entry read as the clerk's own. Now it names the
    token (`device`), a step with the clerk's login names none, and the ledger verifies
    after the revocation (the token was in force when it wrote)."""
    _admin(shared)
    with shared.client("admin") as admin:
        where = {"location": "WH-ATTR", "kind": "warehouse", "name": "Склад", "region": "Алматы"}
        assert admin.post("/steps/location_added", json=where).status_code == 200
    shared.add_user("sklad.attr", "warehouse_clerk", places=["WH-ATTR"])
    asked = {"username": "sklad.attr", "role": "warehouse_clerk", "place": "WH-ATTR"}
    with shared.client("admin") as admin:
        made = admin.post("/auth/devices", json={**asked, "label": "ТСД-9", "days": 1}).json()
    count = {"location": "WH-ATTR", "items": [], "empty": True}
    through = httpx.post(
        f"{shared.base}/steps/inventory_counted",
        headers=_bearer(made["access_token"]),
        json=count,
    )
    assert through.status_code == 200, through.text
    with shared.client("sklad.attr") as clerk:
        own = clerk.post("/steps/inventory_counted", json=count)
    assert own.status_code == 200, own.text
    by_device = _body_at(shared, through.json()["last_seq"])
    by_login = _body_at(shared, own.json()["last_seq"])
    assert (by_device["actor"], by_device["kind"]) == ("sklad.attr", "inventory_counted")
    assert by_device["device"] == made["device"]
    assert by_login["actor"] == "sklad.attr"
    assert "device" not in by_login
    # The web pages take the device token as their session cookie: a count applied there
    # names it too.
    token = made["access_token"]
    with httpx.Client(base_url=shared.base, cookies={sessions.SESSION: token}) as page:
        form = {
            "csrf": sessions.csrf_of(token),
            "step": "inventory_counted",
            "location": "WH-ATTR",
            "items": ["KZ-ATTR-NOWHERE"],
            "origin": "scan",
        }
        applied = page.post("/web/steps/apply", data=form)
    assert applied.status_code == 200, applied.text
    by_page = _body_at(shared, own.json()["last_seq"] + 1)  # the one step written since
    assert (by_page["kind"], by_page["device"]) == ("inventory_counted", made["device"])
    done = run(shared.env, "user", "revoke-device", made["device"])
    assert done.returncode == 0, done.stderr
    # The access step holds (step 12 is another test's to break in this shared service: a
    # token written straight into its tables).
    verified = run(shared.env, "verify", "--json")
    steps = {step["name"]: step["status"] for step in json.loads(verified.stdout)["steps"]}
    assert steps["access"] == "ok", verified.stdout
