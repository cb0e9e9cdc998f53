"""The API under load: item reads and one-step writes (an intake) from 16 connections for
10 s each, on SQLite with demo data, against a bare FastAPI endpoint under the same uvicorn,
measured in the same run. Needs wrk (`make bench` installs it from Debian)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from api.config import ApiConfig
from bench.api_load import WRITE_SCRIPT, Load, run_wrk
from bench.common import Figure, fresh, report

BIN = Path(sys.executable).parent
ROUNDS = 3


def _median(loads: list[Load]) -> Load:
    """The round of median throughput, whole (its latencies belong to it)."""
    return sorted(loads, key=lambda load: load.requests_per_s)[len(loads) // 2]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(command: list[str], env: dict[str, str], probe: str, log: Path) -> Iterator[str]:
    port = _free_port()
    with open(log, "w") as out:
        process = subprocess.Popen([*command, "--port", str(port)], env=env, stdout=out, stderr=out)
        base = f"http://127.0.0.1:{port}"
        try:
            # Up to two minutes: on a loaded machine a server took longer than 30 s to start.
            for _ in range(1200):
                try:
                    httpx.get(base + probe, timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def _figures(name: str, load: Load, baseline: Load | None, p99_target: str) -> list[Figure]:
    figures = [
        Figure(
            f"{name}: requests/s",
            load.requests_per_s,
            "req/s",
            baseline.requests_per_s if baseline else None,
            ">= 0.50 x" if baseline else "",
        ),
        Figure(f"{name}: p50", load.p50_ms, "ms"),
        Figure(f"{name}: p99", load.p99_ms, "ms", None, p99_target),
    ]
    if load.errors:
        figures.append(Figure(f"{name}: answers not 2xx", load.errors, "responses"))
    return figures


def run() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench api: wrk is missing (`make bench` installs it with apt-get)")
    with fresh("api") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTODY_")}
        env["CUSTODY_DATA_DIR"] = str(work / "data")
        started = time.perf_counter()
        subprocess.run([str(BIN / "custody"), "demo"], env=env, check=True, capture_output=True)
        demo_seconds = time.perf_counter() - started
        # Both with as many processes as `custody serve` runs by default (one per core).
        workers = str(ApiConfig().workers)
        uvicorn = [str(BIN / "uvicorn"), "bench.bare:app", "--log-level", "info"]
        uvicorn += ["--workers", workers]
        custody = [str(BIN / "custody"), "serve", "--workers", workers]
        with (
            _serving(uvicorn, env, "/ping", work / "bare.log") as bare,
            _serving(custody, env, "/openapi.json", work / "custody.log") as base,
        ):
            token = _token(base)
            item = httpx.get(
                f"{base}/items", params={"limit": 1, "state": "cut"}, headers=_auth(token)
            ).json()["items"][0]["id"]
            script = work / "write.lua"
            script.write_text(WRITE_SCRIPT)
            unit = _token(base, "unit.serikbaev")
            rounds: list[tuple[Load, Load, Load]] = []
            for _ in range(ROUNDS):  # alternating, so that both see the machine as it is
                rounds.append(
                    (
                        run_wrk(f"{bare}/ping"),
                        run_wrk(f"{base}/items/{item}", token),
                        run_wrk(f"{base}/steps/item_registered", unit, script),
                    )
                )
    baseline, reads, writes = (_median([r[n] for r in rounds]) for n in range(3))
    report(
        f"api on SQLite, {ApiConfig().workers} server processes each, 16 connections for 10 s "
        f"each (wrk), demo data, medians of {ROUNDS} alternating rounds",
        [
            Figure("baseline: bare FastAPI endpoint, requests/s", baseline.requests_per_s, "req/s"),
            Figure("baseline: p99", baseline.p99_ms, "ms"),
            *_figures("item read (GET /items/{id})", reads, baseline, "< 25 ms"),
            *_figures("one-step write (POST /steps/item_registered)", writes, None, "< 50 ms"),
            Figure("custody demo, a new database", demo_seconds, "s", None, "< 20 s"),
        ],
    )


def _token(base: str, user: str = "auditor.li") -> str:
    answer = httpx.post(
        f"{base}/auth/token", data={"username": user, "password": "demo-password-2026"}
    )
    return str(answer.json()["access_token"])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
