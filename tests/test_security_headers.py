"""The security-headers middleware on a small Starlette app: what every response carries, what
depends on a login, on JSON and on TLS, and that a route's own header is kept; and on a real
`custody serve`, that an unhandled error's 500 carries them too."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from api.http.security_headers import HSTS, JSON_POLICY, PAGE_POLICY, SecurityHeaders
from tests.support.service import FOUNDER, PROBLEM, service


def _json(_: Request) -> Response:
    return JSONResponse({"ok": True})


def _text(_: Request) -> Response:
    return PlainTextResponse("checkpoint\n")


def _sandboxed(_: Request) -> Response:
    return Response(b"%PDF", headers={"Content-Security-Policy": "default-src 'none'; sandbox"})


def _page(_: Request) -> Response:
    return HTMLResponse("<!doctype html><title>page</title>")


APP = Starlette(
    routes=[
        Route("/json", _json),
        Route("/text", _text),
        Route("/file", _sandboxed),
        Route("/web/page", _page),
        Route("/docs", _page),
    ]
)
APP.add_middleware(SecurityHeaders)


def get(path: str, base: str = "http://testserver", **headers: str) -> httpx.Headers:
    async def asking() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url=base) as client:
            return await client.get(path, headers=headers)

    return asyncio.run(asking()).headers


def test_every_response_is_not_sniffed_not_framed_and_sends_no_referrer() -> None:
    for path in ("/json", "/text", "/file", "/nowhere"):
        headers = get(path)
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"


def test_json_gets_a_policy_that_runs_nothing_and_text_is_left_alone() -> None:
    assert get("/json")["content-security-policy"] == JSON_POLICY
    assert "content-security-policy" not in get("/text")


def test_a_routes_own_policy_is_kept() -> None:
    assert get("/file")["content-security-policy"] == "default-src 'none'; sandbox"


def test_answers_to_a_login_are_not_stored_by_any_cache() -> None:
    assert get("/json", Authorization="Bearer x")["cache-control"] == "no-store"
    assert "cache-control" not in get("/json")


def test_strict_transport_security_only_over_tls() -> None:
    assert get("/text", base="https://custody.example")["strict-transport-security"] == HSTS
    assert "strict-transport-security" not in get("/text")


def test_an_unhandled_error_is_a_500_that_carries_the_headers_too(tmp_path: Path) -> None:
    """A real `custody serve` whose database loses a state table under it: reading the
    places then fails where no handler expects it (sqlite3.OperationalError), and the 500
    that starlette's outermost error middleware writes carries the headers as well."""
    with service(tmp_path) as running:
        running.add_user(FOUNDER, "administrator")
        with running.client(FOUNDER) as admin:
            assert admin.get("/locations").status_code == 200
            with closing(sqlite3.connect(tmp_path / "custody.db")) as db:
                db.execute("ALTER TABLE wf_locations RENAME TO wf_locations_lost")
                db.commit()
            failed = admin.get("/locations")
    assert failed.status_code == 500
    assert failed.headers["content-type"] == PROBLEM
    assert failed.json()["type"] == "/problems/internal"
    assert failed.headers["x-content-type-options"] == "nosniff"
    assert failed.headers["referrer-policy"] == "no-referrer"
    assert failed.headers["x-frame-options"] == "DENY"
    assert failed.headers["content-security-policy"] == JSON_POLICY
    assert failed.headers["cache-control"] == "no-store"
    # The operator still learns what failed: the server logged the error with its cause.
    logged = "".join(p.read_text() for p in tmp_path.glob("serve-*.log"))
    assert "wf_locations" in logged


def test_the_pages_html_carries_their_policy_and_a_session_keeps_it_out_of_caches() -> None:
    """A breaker found the logged-in pages served with no CSP (the browser tests had added it
    themselves) and cacheable, since only an Authorization header meant a login."""
    page = get("/web/page", cookie="custody_session=x")
    assert page["content-security-policy"] == PAGE_POLICY
    assert page["cache-control"] == "no-store"
    assert "content-security-policy" not in get("/docs")  # the API's docs keep their own
    assert "cache-control" not in get("/web/page")
