"""The annual report over a ledger of about 1,000,000 entries written by the real process
(62,500 rifles through bench.lifecycles' whole lifecycle, 16 entries each), against a plain
SQL count of the same figures over the state tables in the same run; and `custody
verify-report` of that report against `custody verify` of the same entries.

The ledger is built once and kept in bench/.work/reports-<items> (a few minutes on two
cores); CUSTODY_BENCH_REPORT_ITEMS sets a smaller one for a quick look, and
CUSTODY_BENCH_REPORT_AUDITS=0 leaves out `custody verify` and `verify-report`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path
from typing import Any

from api.reports import read_report
from bench.common import WORK, Figure, report
from bench.lifecycles import Clocked, Site, lifecycle
from certificates.worker import Renderer
from custody.bootstrap import open_ledger
from custody.db import Database
from custody.settings import Settings
from custody.verify import Audit
from workflows.files import FileStore
from workflows.replay import verify_steps
from workflows.reports.recompute import ReportRequest, at_checkpoint, choose_checkpoint
from workflows.reports.verification import verify_report

ITEMS = int(os.environ.get("CUSTODY_BENCH_REPORT_ITEMS", "62500"))
ZONE = "Asia/Almaty"

# The same figures, as someone would count them from the state tables: each item's source,
# category, rifled, registration time, state and batch; each batch's facts and time.
SQL = {
    "registered": (
        "SELECT source, COUNT(*), SUM(json_extract(data, '$.rifled')) FROM wf_items "
        "WHERE workflow = 'weapon' AND json_extract(data, '$.registered_at') >= :start "
        "AND json_extract(data, '$.registered_at') < :end GROUP BY source"
    ),
    "destroyed": (
        "SELECT i.category, COUNT(*), SUM(json_extract(i.data, '$.rifled')) FROM wf_items i "
        "JOIN wf_batches b ON b.id = i.batch WHERE i.state IN ('melted', 'destroyed') "
        "AND json_extract(b.data, '$.destroyed_at') >= :start "
        "AND json_extract(b.data, '$.destroyed_at') < :end GROUP BY i.category"
    ),
    "returned": (
        "SELECT COUNT(*), SUM(json_extract(data, '$.rifled')) FROM wf_items "
        "WHERE state = 'returned' AND json_extract(data, '$.updated_at') >= :start "
        "AND json_extract(data, '$.updated_at') < :end"
    ),
    "evidence": (
        "SELECT COUNT(*), SUM(json_extract(data, '$.rifled')) FROM wf_items "
        "WHERE state = 'evidence_hold'"
    ),
    "ammunition": (
        "SELECT COUNT(*), SUM(json_extract(data, '$.quantity')) FROM wf_items "
        "WHERE workflow = 'ammunition' AND json_extract(data, '$.registered_at') >= :start "
        "AND json_extract(data, '$.registered_at') < :end"
    ),
    "burned": (
        "SELECT COUNT(*), SUM(json_extract(data, '$.facts.scrap_weight_g')) FROM wf_batches "
        "WHERE kind = 'burn' AND json_extract(data, '$.destroyed_at') >= :start "
        "AND json_extract(data, '$.destroyed_at') < :end"
    ),
}


def built(items: int) -> Path:
    """The directory of a ledger with `items` whole lifecycles, built once."""
    directory = WORK / f"reports-{items}"
    if (directory / "complete").exists():
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    site = Site(directory)
    lifecycle(site, Clocked(site.ledger), count=items)
    with site.ledger.database.read() as conn:
        size = site.ledger.head(conn).size
    site.ledger.database.dispose()
    seconds = time.perf_counter() - started
    print(f"  built {size:,} entries ({items:,} lifecycles) in {seconds:.0f} s")
    (directory / "complete").write_text(f"{size}\n")
    return directory


def sql_count(database: Database, start: str, end: str) -> dict[str, list[Any]]:
    with database.read() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        return {
            name: raw.execute(text, {"start": start, "end": end}).fetchall()
            for name, text in SQL.items()
        }


def run() -> None:
    directory = built(ITEMS)
    settings = Settings(data_dir=directory, origin="bench.custody/ledger")
    ledger = open_ledger(settings)
    year = dt.datetime.now(dt.UTC).year
    request = ReportRequest.annual(year, ZONE)
    checkpoint = choose_checkpoint(ledger)
    database = ledger.database
    period = request.period
    sql_seconds, report_seconds = [], []
    for _ in range(3):  # alternating, medians
        began = time.perf_counter()
        counted = sql_count(database, period.start, period.end)
        sql_seconds.append(time.perf_counter() - began)
        began = time.perf_counter()
        figures, _ = at_checkpoint(database, request, checkpoint)
        report_seconds.append(time.perf_counter() - began)
    registered = {source: total for source, total, _ in counted["registered"]}
    agree = registered.get("confiscated", 0) == figures["weapons"]["confiscated"]["total"]
    sql, annual = sorted(sql_seconds)[1], sorted(report_seconds)[1]
    if os.environ.get("CUSTODY_BENCH_REPORT_AUDITS", "1") == "0":
        # The two audits take most of the section's time (minutes on a shared machine).
        database.dispose()
        report(
            f"reports: the annual report over {checkpoint.size:,} entries ({ITEMS:,} items),"
            f" SQLite (figures {'agree' if agree else 'DIFFER'} with the SQL count; audits"
            " not run: CUSTODY_BENCH_REPORT_AUDITS=0)",
            [
                Figure("baseline: plain SQL count over the state tables", sql, "s"),
                Figure("custody report annual (fold of the entries)", annual, "s", sql,
                       "<= 3 x, < 10 s"),
            ],
        )  # fmt: skip
        return
    began = time.perf_counter()
    audit = Audit(database, workers=2, extra_steps=verify_steps(FileStore(directory / "files")))
    audited = audit.run()
    verify_seconds = time.perf_counter() - began
    began = time.perf_counter()
    verdict = verify_report(database, figures, workers=2)
    verify_report_seconds = time.perf_counter() - began
    # The PDF: the same steps, and its pages rendered again beside them and compared
    # (certificates.report_check); rendered here first, outside the timing.
    renderer = Renderer()
    try:
        pdf = renderer.report(figures, "ru")
    finally:
        renderer.close()
    began = time.perf_counter()
    read = read_report(pdf)
    pdf_verdict = verify_report(database, read.report, workers=2, shown=read.shown)
    verify_pdf_seconds = time.perf_counter() - began
    database.dispose()
    report(
        f"reports: the annual report over {checkpoint.size:,} entries ({ITEMS:,} items), SQLite"
        f" (figures {'agree' if agree else 'DIFFER'} with the SQL count;"
        f" verify {'holds' if audited.ok else 'FAILED'},"
        f" verify-report {'holds' if verdict.ok else 'FAILED: ' + str(verdict.reason)},"
        f" of the PDF {'holds' if pdf_verdict.ok else 'FAILED: ' + str(pdf_verdict.reason)})",
        [
            Figure("baseline: plain SQL count over the state tables", sql, "s"),
            Figure("custody report annual (fold of the entries)", annual, "s", sql,
                   "<= 3 x, < 10 s"),
            Figure("baseline: custody verify (nine steps + state replay, 2 workers)",
                   verify_seconds, "s"),
            Figure("custody verify-report (nine steps + the report again)",
                   verify_report_seconds, "s", verify_seconds, "<= 1.2 x"),
            Figure("custody verify-report of its PDF (+ the pages rendered again)",
                   verify_pdf_seconds, "s", verify_seconds, "<= 1.2 x"),
        ],
    )  # fmt: skip
