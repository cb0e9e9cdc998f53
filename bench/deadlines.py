"""Deadlines (issue 19) on SQLite, each figure beside a plain SQL scan of the same rows in the
same run:

- re-deriving the deadlines of 100,000 items after a restart (`custody deadlines
  --rederive`, workflows.deadline_replay: derived from the ledger and compared with their
  rows, which after a restart are right already), against reading the ledger rows it folds;
  for the record, once, the same into an emptied table (every row written) and the whole
  state rebuilt (`--rebuild`, workflows.replay.refold); and listing them from their rows
  (`custody deadlines`, GET /deadlines: Process.deadlines), against reading those rows;
- one pass of the notice worker over 10,000 due deadlines (writing their notices; sending is
  the mail server's time), against reading the deadline rows it plans from.

The ledger is written directly (append_many, batches of 5,000): each item registered at one
of ten units, its decision recorded; one in ten decided 15 days ago (overdue), the others
today; one in five of those appealed and made final. Each unit has a staff member.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Figure, fresh, report, timed
from custody.bootstrap import init
from custody.clock import format_time
from custody.entries import NewEntry
from custody.ledger import Ledger
from custody.settings import Settings
from workflows.deadline_replay import rederive
from workflows.files import FileStore
from workflows.process import Process
from workflows.replay import refold

ITEMS = int(os.environ.get("CUSTODY_BENCH_DEADLINE_ITEMS", "100000"))
UNITS = 10
BATCH = 5_000
ROUNDS = 3
ZONE = "Asia/Almaty"


def _entries(today: dt.date) -> list[NewEntry]:
    made = []
    for unit in range(UNITS):
        place = f"U-{unit}"
        made.append(
            NewEntry(
                "location_added",
                "admin",
                place,
                {"kind": "unit", "name": place, "region": "Almaty", "time_zone": ZONE},
            )
        )
        made.append(
            NewEntry(
                "supervisor_assigned", "admin", place, {"person": f"staff.{unit}", "level": "staff"}
            )
        )
    for n in range(ITEMS):
        item = f"KZ-{n:07d}"
        intake = {
            "category": "firearm",
            "source": "confiscated",
            "location": f"U-{n % UNITS}",
            "rifled": True,
            "weight_g": 3300,
            "details": {"model": "AK-74"},
            "files": [],
            "marking": f"АК-74 №{n}",
            "marking_place": None,
            "internal_tag": None,
        }
        made.append(NewEntry("item_registered", "unit", item, intake))
        overdue = n % 10 == 0
        day = today - dt.timedelta(days=15 if overdue else 0)
        decision = {"ref": "2-1/2026", "authority": "court", "date": day.isoformat()}
        made.append(
            NewEntry("decision_recorded", "unit", item, decision | {"files": [], "time_zone": ZONE})
        )
        if n % 5 == 1:
            made.append(NewEntry("decision_appealed", "unit", item, {"date": day.isoformat()}))
            made.append(NewEntry("decision_final", "unit", item, {"date": day.isoformat()}))
    return made


def _median(action: object) -> float:
    return statistics.median(timed(action) for _ in range(ROUNDS))  # type: ignore[arg-type]


def build(directory: Path) -> tuple[Ledger, int]:
    """A site in `directory` with the ledger of the module's docstring, its state not yet
    folded (as a database made before the deadlines' rows were), and its size."""
    from api.system import MIGRATIONS
    from custody import migrate

    settings = Settings(data_dir=directory, origin="bench.custody/ledger")
    ledger = init(settings, migrations=MIGRATIONS).ledger
    database = ledger.database
    entries = _entries(dt.datetime.now(ZoneInfo(ZONE)).date())
    for start in range(0, len(entries), BATCH):
        with database.write() as conn:
            ledger.append_many(conn, entries[start : start + BATCH])
    migrate.upgrade(database, MIGRATIONS)
    return ledger, len(entries)


def run() -> None:
    from api.notices.worker import write_due
    from api.system import System

    with fresh("deadlines") as directory:
        ledger, size = build(directory)
        database = ledger.database

        def scan_ledger() -> None:
            with database.read() as conn:
                conn.exec_driver_sql("SELECT body FROM ledger_entries").fetchall()

        def scan_deadlines() -> None:
            with database.read() as conn:
                sql = "SELECT data FROM wf_deadlines WHERE closed IS NULL"
                conn.exec_driver_sql(sql).fetchall()

        # The whole state once (it takes a minute at this size): the rows everything else
        # reads; then the deadline rows alone, alternating with the scan.
        refolded = timed(lambda: refold(database))
        scan, rebuild, derived = [], [], []
        for _ in range(ROUNDS):
            scan.append(timed(scan_ledger))
            rebuild.append(timed(lambda: derived.append(rederive(database))))
        assert derived == [ITEMS] * ROUNDS, derived  # one R1 for each item
        # For the record, a database whose rows are all wrong (made before the law count):
        # every row written again.
        with database.write() as conn:
            conn.exec_driver_sql("DELETE FROM wf_deadlines")
        emptied = timed(lambda: rederive(database))
        process = Process(ledger, FileStore(directory / "files"))
        listing, page, listing_scan = [], [], []
        for _ in range(ROUNDS):
            listing_scan.append(timed(scan_deadlines))
            listing.append(timed(lambda: process.deadlines()))
            page.append(timed(lambda: process.deadlines(limit=100)))

        system = System(ledger, process)
        horizon = process.config.notice_due_soon_hours
        due_sql = (
            "SELECT item, rule, due_at, data FROM wf_deadlines WHERE closed IS NULL "
            "AND due_at IS NOT NULL AND due_at <= ?"
        )
        limit = format_time(dt.datetime.now(dt.UTC) + dt.timedelta(hours=horizon))

        def scan_due() -> None:
            with database.read() as conn:
                conn.exec_driver_sql(due_sql, (limit,)).fetchall()

        passes, due_scans, written = [], [], []
        for _ in range(ROUNDS):
            with database.write() as conn:
                conn.exec_driver_sql("DELETE FROM api_notices")
            passes.append(timed(lambda: written.append(write_due(system))))
            due_scans.append(timed(scan_due))
        assert written == [ITEMS // 10] * ROUNDS, written
        database.dispose()
    report(
        f"deadlines: {ITEMS:,} items, {size:,} entries; {ITEMS // 10:,} overdue (SQLite)",
        [
            Figure(
                "deadline rows derived again (deadline_replay.rederive), s",
                statistics.median(rebuild),
                "s",
                statistics.median(scan),
                "<= 3x the scan",
            ),
            Figure(
                "  for the record: into an emptied table, one run, s",
                emptied,
                "s",
                statistics.median(scan),
            ),
            Figure("  baseline: SELECT body FROM ledger_entries, s", statistics.median(scan), "s"),
            Figure(
                "  for the record: every state row (refold), one run, s",
                refolded,
                "s",
                statistics.median(scan),
            ),
            Figure(
                "list after a restart, all (Process.deadlines), s",
                statistics.median(listing),
                "s",
                statistics.median(listing_scan),
                "<= 3x the scan",
            ),
            Figure(
                "  the first page of 100 (GET /deadlines), s",
                statistics.median(page),
                "s",
                statistics.median(listing_scan),
            ),
            Figure(
                "  baseline: SELECT data FROM wf_deadlines, s",
                statistics.median(listing_scan),
                "s",
            ),
            Figure(
                "notice worker pass, 10,000 due (write_due), s",
                statistics.median(passes),
                "s",
                statistics.median(due_scans),
                "<= 3x the scan",
            ),
            Figure("  baseline: SELECT the due rows, s", statistics.median(due_scans), "s"),
        ],
    )
