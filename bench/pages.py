"""The web pages under load (issue 15): a warehouse clerk's home page and the scan page for a
warehouse holding 10,000 more items, 16 connections (wrk), beside the API's item read in the
same run; and scanning 500 items into the list and applying one step, beside the same bulk
command through the API. Needs wrk (`make bench` installs it from Debian)."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import httpx

from api.config import ApiConfig
from api.demo.data import PASSWORD
from api.web import sessions
from bench.api import BIN, _auth, _median, _serving, _token
from bench.api_load import Load, run_wrk
from bench.common import Figure, fresh, report
from bench.ws_client import WebSocket

ROUNDS = 2
SCAN_ROUNDS = 3  # of the scan-and-apply figures, each against its own bulk call
STOCK = 10_000
SCANNED = 500
WARM_UP = 20  # items of one bulk step before the timed ones
CLERK = "sklad.omarov"
DECISION = {
    "ref": "ВТК-2026/15",
    "authority": "military_technical_commission",
    "date": "2026-11-02",
}


def _stock(env: dict[str, str]) -> None:
    """10,000 surplus edged weapons registered at WH-ALM, through the process, in bulk."""
    code = f"""
import workflows.commands as c
from api.system import open_system
from custody.settings import Settings
system = open_system(Settings())
for start in range(0, {STOCK}, 1000):
    intakes = [{{"category": "edged", "source": "surplus", "location": "WH-ALM",
                "weight_g": 450, "unmarked": True, "decision": {DECISION!r}}}
               for _ in range(1000)]
    system.process.run("{CLERK}", c.RegisterItems.model_validate({{"intakes": intakes}}))
system.ledger.database.dispose()
"""
    subprocess.run([str(BIN / "python"), "-c", code], env=env, check=True)


def _session(base: str) -> tuple[httpx.Client, str]:
    """A clerk's browser session: the session cookie and the pages' CSRF token."""
    client = httpx.Client(base_url=base, timeout=120)
    login = client.get("/web/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    form = {"username": CLERK, "password": PASSWORD, "csrf": csrf, "language": "ru"}
    if client.post("/web/login", data=form).status_code != 303:
        raise RuntimeError("the clerk could not log in on the page")
    page = client.get("/web/scan").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return client, csrf


def _wrk_cookie(url: str, cookie: str) -> Load:
    """wrk with a session cookie instead of a bearer token."""
    from bench import api_load

    command = ["wrk", f"-t{api_load.THREADS}", f"-c{api_load.CONNECTIONS}"]
    command += [f"-d{api_load.SECONDS}s", "--latency", "-H", f"Cookie: custody_session={cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return Load(
        float(api_load._find(r"Requests/sec:\s+([\d.]+)", out)),
        api_load._ms(api_load._find(r"\s50%\s+([\d.]+\w+)", out)),
        api_load._ms(api_load._find(r"\s99%\s+([\d.]+\w+)", out)),
        api_load._errors(out),
    )


def _scan_and_apply(client: httpx.Client, csrf: str, items: list[str]) -> float:
    """What the scan page does where its WebSocket cannot open: one POST /web/scan/check per
    label read (a person with a scanner reads one label while the last answer is long back),
    then the one apply with the whole list: seconds for all of it."""
    started = time.perf_counter()
    for item in items:
        form = {"code": f"custody-item:v1;id={item}", "step": "parts_removed", "csrf": csrf}
        answer = client.post("/web/scan/check", data=form)
        if "scan-ok" not in answer.text:
            raise RuntimeError(f"scan of {item} was not accepted: {answer.text[:300]}")
    _apply(client, csrf, items)
    return time.perf_counter() - started


def _scan_live_and_apply(client: httpx.Client, csrf: str, items: list[str]) -> float:
    """What the scan page does: its WebSocket opened (/web/scan/live, with the session's
    cookie and the page's origin), one message per label read, each answer awaited before
    the next label (as a person scans), then the one apply: seconds for all of it. The
    client is bench.ws_client (no thread, as a browser's native one)."""
    base = str(client.base_url).rstrip("/")
    cookie = f"{sessions.SESSION}={client.cookies[sessions.SESSION]}"
    started = time.perf_counter()
    with WebSocket(
        base.replace("http://", "ws://", 1) + "/web/scan/live",
        {"Origin": base, "Cookie": cookie},
    ) as socket:
        for item in items:
            code = f"custody-item:v1;id={item}"
            socket.send(json.dumps({"code": [code], "step": "parts_removed", "csrf": csrf}))
            answer = socket.recv()
            if "scan-ok" not in answer:
                raise RuntimeError(f"scan of {item} was not accepted: {str(answer)[:300]}")
    _apply(client, csrf, items)
    return time.perf_counter() - started


def _apply(client: httpx.Client, csrf: str, items: list[str]) -> None:
    form = {"step": "parts_removed", "parts": "рукоять", "csrf": csrf}
    answer = client.post("/web/steps/apply", data={**form, "items": items})
    if "done" not in answer.text:
        raise RuntimeError(f"the apply was refused: {answer.text[:300]}")


def _bulk_api(base: str, token: str, items: list[str]) -> float:
    started = time.perf_counter()
    answer = httpx.post(
        f"{base}/steps/parts_removed",
        json={"items": items, "parts": ["рукоять"]},
        headers=_auth(token),
        timeout=120,
    )
    answer.raise_for_status()
    return time.perf_counter() - started


def run() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench pages: wrk is missing (`make bench` installs it with apt-get)")
    with fresh("pages") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTODY_")}
        env["CUSTODY_DATA_DIR"] = str(work / "data")
        subprocess.run([str(BIN / "custody"), "demo"], env=env, check=True, capture_output=True)
        _stock(env)
        workers = str(ApiConfig().workers)
        custody = [str(BIN / "custody"), "serve", "--workers", workers]
        with _serving(custody, env, "/openapi.json", work / "custody.log") as base:
            token = _token(base)
            clerk = _token(base, CLERK)
            item = httpx.get(
                f"{base}/items", params={"limit": 1, "state": "cut"}, headers=_auth(token)
            ).json()["items"][0]["id"]
            client, csrf = _session(base)
            cookie = client.cookies["custody_session"]
            rounds: list[tuple[Load, Load, Load]] = []
            for _ in range(ROUNDS):
                rounds.append(
                    (
                        run_wrk(f"{base}/items/{item}", token),
                        _wrk_cookie(f"{base}/web/", cookie),
                        _wrk_cookie(f"{base}/web/scan", cookie),
                    )
                )
            stock = _surplus(base, token)
            # The first bulk write after the load runs slower (caches, the WAL); neither
            # timing should pay for it.
            _bulk_api(base, clerk, stock[SCAN_ROUNDS * 3 * SCANNED :])
            pages_s, apis_s, posteds_s = [], [], []
            for n in range(SCAN_ROUNDS):  # alternating, on items of their own each time
                at = n * 3 * SCANNED
                pages_s.append(_scan_live_and_apply(client, csrf, stock[at : at + SCANNED]))
                apis_s.append(_bulk_api(base, clerk, stock[at + SCANNED : at + 2 * SCANNED]))
                posted = stock[at + 2 * SCANNED : at + 3 * SCANNED]
                posteds_s.append(_scan_and_apply(client, csrf, posted))
    reads, home, scan = (_median([r[n] for r in rounds]) for n in range(3))
    page_s, api_s, posted_s = (statistics.median(t) for t in (pages_s, apis_s, posteds_s))
    report(
        f"pages on SQLite, {ApiConfig().workers} server processes, demo data and {STOCK:,} more "
        f"items at WH-ALM, 16 connections for 10 s each (wrk), medians of {ROUNDS} rounds; "
        f"scanning: medians of {SCAN_ROUNDS} alternating rounds",
        [
            Figure(
                "baseline: item read (GET /items/{id}), requests/s", reads.requests_per_s, "req/s"
            ),
            Figure("baseline: item read p99", reads.p99_ms, "ms"),
            Figure(
                "clerk's home page, requests/s",
                home.requests_per_s,
                "req/s",
                reads.requests_per_s,
                ">= 0.5x",
            ),
            Figure("clerk's home page p99", home.p99_ms, "ms", None, "< 100 ms"),
            Figure(
                "scan page, requests/s",
                scan.requests_per_s,
                "req/s",
                reads.requests_per_s,
                ">= 0.5x",
            ),
            Figure("scan page p99", scan.p99_ms, "ms", None, "< 100 ms"),
            Figure(
                f"scan {SCANNED} labels (a message each) and apply one step (pages)",
                page_s,
                "s",
                api_s,
                "<= 1.5x",
            ),
            Figure("the same, a POST /web/scan/check each (the fallback)", posted_s, "s", api_s),
            Figure(f"baseline: the same bulk step of {SCANNED} through the API", api_s, "s"),
        ],
    )
    errors = home.errors + scan.errors + reads.errors
    if errors:
        print(f"  non-2xx answers under load: {errors}")


def _surplus(base: str, token: str) -> list[str]:
    found: list[str] = []
    after = None
    wanted = SCAN_ROUNDS * 3 * SCANNED + WARM_UP
    while len(found) < wanted:
        params: dict[str, str | int] = {
            "state": "at_warehouse",
            "source": "surplus",
            "category": "edged",
            "limit": 500,
        }
        if after:
            params["after"] = after
        page = httpx.get(f"{base}/items", params=params, headers=_auth(token)).json()
        found += [i["id"] for i in page["items"]]
        after = page["next"]
        if after is None:
            break
    return found[:wanted]


if __name__ == "__main__":
    run()
