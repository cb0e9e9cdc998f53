"""The commission's batch page under load (issue 16): the quorum box every member's page
polls every 3 s (`/web/batches/{id}/quorum`) and the whole batch page, with a member's browser
session on the demo's melted batch awaiting signatures, 16 connections for 10 s each (wrk),
beside the API's item read in the same run. Needs wrk (`make bench` installs it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from urllib.parse import quote

import httpx

from api.config import ApiConfig
from api.demo.data import PASSWORD
from bench.api import BIN, _auth, _median, _serving, _token
from bench.api_load import Load, run_wrk
from bench.common import Figure, fresh, report
from bench.pages import _wrk_cookie

ROUNDS = 2
MEMBER = "member.abenova"


def _session(base: str) -> str:
    """A commission member's session cookie, logged in through the page."""
    client = httpx.Client(base_url=base, timeout=120)
    login = client.get("/web/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    form = {"username": MEMBER, "password": PASSWORD, "csrf": csrf, "language": "ru"}
    if client.post("/web/login", data=form).status_code != 303:
        raise RuntimeError("the member could not log in on the page")
    return str(client.cookies["custody_session"])


def run() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench commission: wrk is missing (`make bench` installs it with apt-get)")
    with fresh("commission") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTODY_")}
        env["CUSTODY_DATA_DIR"] = str(work / "data")
        subprocess.run([str(BIN / "custody"), "demo"], env=env, check=True, capture_output=True)
        workers = str(ApiConfig().workers)
        custody = [str(BIN / "custody"), "serve", "--workers", workers]
        with _serving(custody, env, "/openapi.json", work / "custody.log") as base:
            token = _token(base)
            listed = httpx.get(f"{base}/statements", headers=_auth(token)).json()["entries"]
            batch = next(b["batch"] for b in listed if b["state"] == "melted")
            item = httpx.get(
                f"{base}/items", params={"limit": 1, "batch": batch}, headers=_auth(token)
            ).json()["items"][0]["id"]
            cookie = _session(base)
            where = f"{base}/web/batches/{quote(batch)}"
            httpx.get(where, cookies={"custody_session": cookie}, timeout=60).raise_for_status()
            rounds: list[tuple[Load, Load, Load]] = []
            for _ in range(ROUNDS):
                rounds.append(
                    (
                        run_wrk(f"{base}/items/{item}", token),
                        _wrk_cookie(f"{where}/quorum", cookie),
                        _wrk_cookie(where, cookie),
                    )
                )
    reads, quorum, whole = (_median([r[n] for r in rounds]) for n in range(3))
    report(
        f"the commission's batch page on SQLite, {ApiConfig().workers} server processes, the "
        f"demo's melted batch, 16 connections for 10 s each (wrk), medians of {ROUNDS} rounds",
        [
            Figure(
                "baseline: item read (GET /items/{id}), requests/s", reads.requests_per_s, "req/s"
            ),
            Figure("baseline: item read p99", reads.p99_ms, "ms"),
            Figure(
                "quorum box (polled), requests/s",
                quorum.requests_per_s,
                "req/s",
                reads.requests_per_s,
                ">= 0.5x",
            ),
            Figure("quorum box p99", quorum.p99_ms, "ms", None, "< 50 ms"),
            Figure(
                "whole batch page with the statement, requests/s",
                whole.requests_per_s,
                "req/s",
                reads.requests_per_s,
            ),
            Figure("whole batch page p99", whole.p99_ms, "ms"),
        ],
    )
    errors = reads.errors + quorum.errors + whole.errors
    if errors:
        print(f"  non-2xx answers under load: {errors}")


if __name__ == "__main__":
    run()
