"""A destruction statement of 1,000 items: rendering time and peak memory against WeasyPrint
rendering the same HTML on its own, each in a fresh process, alternating, in the same run;
`verify-statement` time for it with the page proof (rendered again in a process of its own,
as the command does) beside the render time, and without it (steps 1-9); the memory of a
process that has statements rendered by the worker (certificates.worker), as a server does;
and the same statement over HTTP from `custody serve`, first and again (kept by content);
the public page its QR code opens, under 16 connections (wrk), beside GET /ledger/checkpoint.

The 1,000 rifles go through their whole lifecycle first (bench.lifecycles), one furnace
batch, signed by a quorum, so that the evidence is what a real statement carries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.api import BIN, _serving
from bench.api_load import Load, run_wrk
from bench.common import Figure, fresh, report
from bench.lifecycles import ORIGIN, Clocked, Site, lifecycle
from certificates import evidence as proof
from certificates import qr_payload, qr_reading, render
from certificates.verify_statement import verify_statement
from certificates.worker import Renderer

ITEMS = 1_000
PASSWORD = "bench-password-2026"  # noqa: S105 (a throw-away account of the benchmark)
ROUNDS = 3
ZONE = "Asia/Almaty"

# Each child prints its seconds and its peak resident memory (KiB): VmHWM, which starts
# afresh with the program, not ru_maxrss, which Linux carries over from the forked parent
# (in a full `make bench` the parent has held a 1,000,000-entry ledger by then).
PEAK = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
OURS = """
import json, sys, time
import weasyprint  # imported before the clock starts, as in the baseline
from certificates import qr_payload, qr_reading, render
evidence = json.loads(open(sys.argv[1]).read())
start = time.perf_counter()
pdf = render.render(evidence, "ru", "Asia/Almaty")
seconds = time.perf_counter() - start
open(sys.argv[2], "wb").write(pdf)
print(seconds, PEAK)
""".replace("PEAK", PEAK)
BARE = """
import sys, time
from weasyprint import HTML
html = open(sys.argv[1]).read()
start = time.perf_counter()
HTML(string=html).write_pdf()
seconds = time.perf_counter() - start
print(seconds, PEAK)
""".replace("PEAK", PEAK)


def _child(script: str, *args: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]) / 1024


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run() -> None:
    with fresh("statements") as work:
        site = Site(work / "process")
        lifecycle(site, Clocked(site.ledger), ITEMS, ITEMS)
        [batch] = [b.id for b in site.process.batches()]
        content, digest = site.process.statement(batch)
        with site.ledger.database.write() as conn:
            checkpoint = site.ledger.issue_checkpoint(conn)
        started = time.perf_counter()
        with site.ledger.database.read() as conn:
            evidence = proof.gather(site.ledger, conn, content, digest, checkpoint)
        gathered = time.perf_counter() - started
        site.ledger.database.dispose()
        (work / "evidence.json").write_text(json.dumps(evidence))
        (work / "page.html").write_text(render.html(evidence, "ru", ZONE))
        ours, bare = [], []
        for _ in range(ROUNDS):  # alternating, so that both see the machine as it is
            bare.append(_child(BARE, work / "page.html"))
            ours.append(_child(OURS, work / "evidence.json", work / "statement.pdf"))
        pdf = (work / "statement.pdf").read_bytes()
        proofs, proven = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            verified = verify_statement(pdf, page_proof=False)
            proofs.append(time.perf_counter() - started)
            assert [s.status for s in verified.steps] == ["ok"] * 9 + ["not run"]
            started = time.perf_counter()
            verified = verify_statement(pdf)
            proven.append(time.perf_counter() - started)
            assert verified.ok, verified.to_json()
        verify_seconds, page_seconds = sorted(proofs)[ROUNDS // 2], sorted(proven)[ROUNDS // 2]
        renderer = Renderer()
        try:
            renderer.render(evidence, "kk", ZONE)
            before = _rss_mib()  # after the first: the pool and its pipes are set up
            for _ in range(3):
                renderer.render(evidence, "kk", ZONE)
            growth = _rss_mib() - before
        finally:
            renderer.close()
        first, again, public, checkpoint_load = _over_http(work, batch)
    ours_s, ours_mib = _median(ours)
    bare_s, bare_mib = _median(bare)
    report(
        f"statements: one furnace batch of {ITEMS:,} items, {len(pdf) / 1e6:.1f} MB PDF, "
        f"medians of {ROUNDS} alternating renders, each in a fresh process",
        [
            Figure("baseline: bare WeasyPrint, the same HTML, seconds", bare_s, "s"),
            Figure("baseline: peak memory", bare_mib, "MiB"),
            Figure("statement render (evidence to PDF/A-3)", ours_s, "s", bare_s, "<= 1.30 x"),
            Figure("statement render: peak memory", ours_mib, "MiB", bare_mib),
            Figure("evidence gathered from the ledger", gathered, "s"),
            Figure(
                "verify-statement with the page proof (render again, QR codes)",
                page_seconds,
                "s",
                ours_s,
                "<= 1.2 x render",
            ),
            Figure(
                "verify-statement without the page proof (steps 1-9)",
                verify_seconds,
                "s",
                None,
                "< 2 s",
            ),
            Figure("statement over HTTP, first request (evidence, render)", first, "s"),
            Figure(
                "statement over HTTP, the same again (kept by content)",
                again * 1000,
                "ms",
                None,
                "< 50 ms",
            ),
            Figure("caller's memory growth over 3 more worker renders", growth, "MiB", None, "~0"),
            Figure(
                "baseline: GET /ledger/checkpoint, 16 connections, p99",
                checkpoint_load.p99_ms,
                "ms",
            ),
            Figure("public statement page (its QR code's address)", public.requests_per_s, "/s"),
            Figure(
                "public statement page, 16 connections, p99", public.p99_ms, "ms", None, "< 50 ms"
            ),
        ],
    )


def _over_http(work: Path, batch: str) -> tuple[float, float, Load, Load]:
    """Seconds of the first GET of the statement from `custody serve` on the bench's ledger,
    and the median of five more; then the public page its QR code opens under 16
    connections for 10 s (wrk), and GET /ledger/checkpoint, public too, the same."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTODY_")}
    env |= {"CUSTODY_DATA_DIR": str(work / "process"), "CUSTODY_ORIGIN": ORIGIN}
    env["CUSTODY_WORKERS"] = "1"
    env["CUSTODY_PUBLIC_URL"] = "https://custody.example.kz"
    secret = work / "password"
    secret.write_text(PASSWORD + "\n")
    # init adds the API's tables to the bench's ledger (it has the process's only).
    subprocess.run([str(BIN / "custody"), "init"], env=env, check=True, capture_output=True)
    # An auditor's account is made with four eyes (workflows.dual): proposed by one
    # administrator, confirmed by the second, then given its password.
    account = {"username": "auditor.li", "name": "Ли Марина Сергеевна", "roles": ["auditor"]}
    propose = [str(BIN / "custody"), "change", "propose", "account_created", json.dumps(account)]
    proposal = subprocess.run(propose, env=env, check=True, capture_output=True, text=True)
    confirm = [str(BIN / "custody"), "change", "confirm", proposal.stdout.strip()]
    subprocess.run([*confirm, "--actor", "admin2"], env=env, check=True, capture_output=True)
    password = [str(BIN / "custody"), "user", "password", "auditor.li"]
    subprocess.run([*password, "--password-file", str(secret)], env=env, check=True)
    serve = [str(BIN / "custody"), "serve"]
    with _serving(serve, env, "/openapi.json", work / "serve.log") as base:
        token = httpx.post(
            f"{base}/auth/token", data={"username": "auditor.li", "password": PASSWORD}
        ).json()["access_token"]
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:

            def download() -> float:
                started = time.perf_counter()
                answer = client.get(f"/batches/{batch}/statement.pdf", timeout=300)
                assert answer.status_code == 200, answer.text
                return time.perf_counter() - started

            first = download()
            again = sorted(download() for _ in range(5))[2]
            pdf = client.get(f"/batches/{batch}/statement.pdf", timeout=300).content
        paper = qr_payload.parse(qr_reading.page_codes(pdf)[0][0])
        address = f"{base}{qr_payload.PATH}{quote(paper.batch, safe='')}?sha256={paper.sha256}"
        address += f"&size={paper.size}&root={paper.root}"
        assert "Consistent" in httpx.get(address + "&lang=en").text
        public = run_wrk(address)
        checkpoint = run_wrk(f"{base}/ledger/checkpoint")
        assert public.errors == 0, "the public page answered with errors under load"
    return first, again, public, checkpoint


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    ordered = sorted(runs)
    return ordered[len(ordered) // 2]
