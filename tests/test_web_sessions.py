"""Browser sessions against a real `custody serve`, without a browser: the cookie's flags, CSRF
on every form, expiry through the token, the API's login throttle, logout, the language kept
per account, and HTTPS with --tls-cert/--tls-key."""

from __future__ import annotations

import re
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import server
from tests.support.service import PASSWORD, Service, service

CLERK = "sklad.web"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    directory = tmp_path_factory.mktemp("web-sessions")
    with service(directory, login_failures_per_account="3") as running:
        running.add_user(CLERK, "warehouse_clerk")
        running.add_user("sklad.other", "warehouse_clerk")
        yield running


def login_form(client: httpx.Client) -> str:
    page = client.get("/web/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def logged_in(site: Service, username: str = CLERK, language: str = "en") -> httpx.Client:
    client = httpx.Client(base_url=site.base, timeout=30)
    csrf = login_form(client)
    answer = client.post(
        "/web/login",
        data={"username": username, "password": PASSWORD, "language": language, "csrf": csrf},
    )
    assert answer.status_code == 303, answer.text
    return client


def session_csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/settings").text)
    assert found is not None
    return found.group(1)


def test_session_cookie_is_httponly_samesite_strict_and_not_secure_over_plain_http(
    site: Service,
) -> None:
    client = httpx.Client(base_url=site.base)
    csrf = login_form(client)
    answer = client.post("/web/login", data={"username": CLERK, "password": PASSWORD, "csrf": csrf})
    cookie = next(v for k, v in answer.headers.multi_items() if v.startswith("custody_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=43200" in cookie  # the session cap; the token slides within it
    assert "Secure" not in cookie


def test_login_posted_from_another_site_without_the_forms_token_is_refused(
    site: Service,
) -> None:
    client = httpx.Client(base_url=site.base)
    answer = client.post("/web/login", data={"username": CLERK, "password": PASSWORD})
    assert answer.status_code == 403
    assert "custody_session" not in answer.headers.get("set-cookie", "")


def test_a_step_posted_without_the_sessions_csrf_token_writes_nothing(site: Service) -> None:
    client = logged_in(site)
    with site.client(CLERK) as api:
        before = api.get("/ledger/leaves", params={"limit": 1}).json()["size"]
    forged = {"step": "deformed", "items": ["KZ-1"], "method": "пресс", "csrf": "0" * 64}
    answer = client.post("/web/steps/apply", data=forged)
    assert answer.status_code == 403
    answer = client.post("/web/settings", data={"language": "kk", "timezone": "UTC"})
    assert answer.status_code == 403
    with site.client(CLERK) as api:
        assert api.get("/ledger/leaves", params={"limit": 1}).json()["size"] == before


def test_language_and_zone_are_remembered_per_account(site: Service) -> None:
    client = logged_in(site, "sklad.other", "kk")
    assert '<html lang="kk">' in client.get("/web/").text
    answer = client.post(
        "/web/settings",
        data={"language": "ru", "timezone": "Asia/Aqtobe", "csrf": session_csrf(client)},
    )
    assert answer.status_code == 303
    fresh = httpx.Client(base_url=site.base, cookies=client.cookies)
    page = fresh.get("/web/settings").text
    assert '<html lang="ru">' in page
    assert "<option selected>Asia/Aqtobe</option>" in page
    # Logging in again without choosing keeps the account's language.
    again = httpx.Client(base_url=site.base, headers={"Accept-Language": "en"})
    csrf = login_form(again)
    form = {"username": "sklad.other", "password": PASSWORD, "language": "", "csrf": csrf}
    assert again.post("/web/login", data=form).status_code == 303
    assert '<html lang="ru">' in again.get("/web/").text
    bad = fresh.post(
        "/web/settings",
        data={"language": "de", "timezone": "Mars/Base", "csrf": session_csrf(fresh)},
    )
    assert bad.status_code == 422


def test_logout_ends_the_session_for_good(site: Service) -> None:
    client = logged_in(site)
    token = client.cookies["custody_session"]
    answer = client.post("/web/logout", data={"csrf": session_csrf(client)})
    assert answer.status_code == 303
    stolen = httpx.Client(base_url=site.base, cookies={"custody_session": token})
    assert stolen.get("/web/").status_code == 303  # to the login page: the token is revoked
    assert stolen.get("/web/").headers["location"] == "/web/login"


def test_a_page_without_a_session_sends_to_login(site: Service) -> None:
    answer = httpx.get(f"{site.base}/web/scan")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/web/login"
    assert httpx.get(f"{site.base}/").headers["location"] == "/web/"


def test_password_guessing_on_the_login_page_meets_the_apis_throttle(site: Service) -> None:
    client = httpx.Client(base_url=site.base)
    codes = []
    for _ in range(4):
        csrf = login_form(client)
        answer = client.post(
            "/web/login",
            data={"username": "sklad.other", "password": "guess", "language": "en", "csrf": csrf},
        )
        codes.append(answer.status_code)
    assert codes == [401, 401, 401, 429]
    assert "Too many failed logins" in answer.text
    # The API counts the same failures: the account is throttled there too.
    assert site.login("sklad.other").status_code == 429


def test_serve_with_tls_gives_secure_cookies(tmp_path: Path, site: Service) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    env = dict(site.env)
    with server(env, "--tls-cert", str(cert), "--tls-key", str(key), scheme="https") as base:
        trusted = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=base, verify=trusted) as client:
            csrf = login_form(client)
            answer = client.post(
                "/web/login", data={"username": CLERK, "password": PASSWORD, "csrf": csrf}
            )
        cookie = next(
            v for k, v in answer.headers.multi_items() if v.startswith("custody_session=")
        )
        assert "Secure" in cookie
