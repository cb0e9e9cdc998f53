"""The dashboard over 100,000 items (issue 16): the first render after the ledger grew (the
figures counted again) and a render with nothing changed (the figures kept), as an auditor's
browser asks for them over HTTP, beside a plain SQL count of the same figures on the same
database file in the same run (sqlite3, no service). Targets: first render under 1 s,
unchanged under 100 ms."""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path

import httpx

from api.demo.data import PASSWORD
from bench.api import BIN, _serving
from bench.common import Figure, fresh, report

STOCK = 100_000
ROUNDS = 5
AUDITOR = "auditor.li"
DECISION = {
    "ref": "ВТК-2026/16",
    "authority": "military_technical_commission",
    "date": "2026-11-02",
}

_REGISTER = """
import sys
import workflows.commands as c
from api.system import open_system
from custody.settings import Settings
system = open_system(Settings())
count, place = int(sys.argv[1]), sys.argv[2]
for start in range(0, count, 1000):
    intakes = [{{"category": "edged", "source": "surplus", "location": place,
                "weight_g": 450, "unmarked": True, "decision": {decision!r}}}
               for _ in range(min(1000, count - start))]
    system.process.run("sklad.omarov", c.RegisterItems.model_validate({{"intakes": intakes}}))
system.ledger.database.dispose()
"""


def _register(env: dict[str, str], count: int, place: str = "WH-ALM") -> None:
    """`count` surplus edged weapons registered at `place` through the process, in bulk."""
    code = _REGISTER.format(decision=DECISION)
    subprocess.run([str(BIN / "python"), "-c", code, str(count), place], env=env, check=True)


def _session(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    login = client.get("/web/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    form = {"username": AUDITOR, "password": PASSWORD, "csrf": csrf, "language": "ru"}
    if client.post("/web/login", data=form).status_code != 303:
        raise RuntimeError("the auditor could not log in on the page")
    return client


def _render(client: httpx.Client) -> float:
    started = time.perf_counter()
    answer = client.get("/web/dashboard")
    elapsed = time.perf_counter() - started
    if answer.status_code != 200 or "fig-total" not in answer.text:
        raise RuntimeError(f"the dashboard did not render: {answer.status_code}")
    return elapsed


def _plain_sql(database: Path) -> float:
    """The same figures by plain SQL on the file: items by place and state, overdue clocks by
    rule and place, destroyed items by batch, open discrepancies."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    started = time.perf_counter()
    with sqlite3.connect(database) as conn:
        conn.execute("SELECT location, state, COUNT(*) FROM wf_items GROUP BY 1, 2").fetchall()
        conn.execute(
            "SELECT d.rule, i.location, COUNT(*) FROM wf_deadlines d JOIN wf_items i "
            "ON i.id = d.item WHERE d.closed IS NULL AND d.due_at < ? GROUP BY 1, 2",
            (now,),
        ).fetchall()
        conn.execute(
            "SELECT batch, COUNT(*) FROM wf_items WHERE state IN ('melted', 'burned', "
            "'destroyed') AND batch IS NOT NULL GROUP BY batch"
        ).fetchall()
        conn.execute("SELECT data FROM wf_batches WHERE state != 'open'").fetchall()
        conn.execute("SELECT COUNT(*) FROM wf_discrepancies WHERE resolved_at IS NULL").fetchall()
    return time.perf_counter() - started


def run() -> None:
    with fresh("dashboard") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTODY_")}
        env["CUSTODY_DATA_DIR"] = str(work / "data")
        subprocess.run([str(BIN / "custody"), "demo"], env=env, check=True, capture_output=True)
        _register(env, STOCK)
        database = work / "data" / "custody.db"
        with sqlite3.connect(database) as conn:
            items = conn.execute("SELECT COUNT(*) FROM wf_items").fetchone()[0]
        custody = [str(BIN / "custody"), "serve", "--workers", "1"]
        first, again, plain = [], [], []
        with _serving(custody, env, "/openapi.json", work / "custody.log") as base:
            client = _session(base)
            for _ in range(ROUNDS):
                _register(env, 1, "WH-KRG")  # one entry: the figures must be counted again
                plain.append(_plain_sql(database))
                first.append(_render(client))
                again.append(min(_render(client) for _ in range(5)))
    baseline = statistics.median(plain)
    report(
        f"dashboard on SQLite over {items:,} items (demo and {STOCK:,} more), one server "
        f"process, an auditor's page over HTTP, medians of {ROUNDS} rounds",
        [
            Figure("baseline: plain SQL count of the same figures", baseline * 1000, "ms"),
            Figure(
                "first render after a new entry",
                statistics.median(first) * 1000,
                "ms",
                baseline * 1000,
                "< 1000 ms",
            ),
            Figure(
                "render with nothing changed",
                statistics.median(again) * 1000,
                "ms",
                baseline * 1000,
                "< 100 ms",
            ),
        ],
    )


if __name__ == "__main__":
    run()
