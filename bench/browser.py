"""The auditor's ledger browser (api.web.ledger_browser) over 100,000 entries on SQLite: one
page of 50 as the page asks for it, unfiltered at the start and deep in the log, by a kind
one entry in a hundred has, by subject, and by a time range in the middle of the log.

Baseline, in the same run, alternating, medians of ROUNDS: plain SQL reading the same rows
(the same seq range, or the item's index) and orjson parsing each body, without the
browser's canonical check and filters."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import time
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import text

from bench.common import WORK, Figure, report
from custody.bootstrap import init
from custody.clock import format_time
from custody.entries import NewEntry
from custody.ledger import Ledger
from custody.settings import Settings

SIZE = 100_000
BATCH = 1000
ROUNDS = 15
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _entry(n: int) -> NewEntry:
    if n % 100 == 0:  # one in a hundred: the rare kind, by another person
        return NewEntry(kind="cut", actor="sklad.omarov", item=f"KZ-{n % 1000:05d}")
    return NewEntry(
        kind="item_registered",
        actor="unit.serikbaev",
        item=f"KZ-{n % 1000:05d}",
        data={"category": "firearm", "marking": f"АК №{n}", "weight_g": 3600},
    )


def _ledger() -> Ledger:
    directory = WORK / "browser"
    shutil.rmtree(directory, ignore_errors=True)
    minutes = iter(range(10**6))
    # A batch a minute: the log spans about 70 days.
    clock = lambda: START + dt.timedelta(minutes=next(minutes))  # noqa: E731
    ledger = init(Settings(data_dir=directory, origin="bench.custody/ledger"), clock=clock).ledger
    for first in range(1, SIZE, BATCH):
        with ledger.database.write() as conn:
            ledger.append_many(conn, [_entry(n) for n in range(first, min(first + BATCH, SIZE))])
    return ledger


def _plain(ledger: Ledger, where: str, params: dict[str, Any], limit: int) -> Callable[[], Any]:
    query = text(f"SELECT seq, body FROM ledger_entries WHERE {where} ORDER BY seq LIMIT {limit}")

    def read() -> Any:
        with ledger.database.read() as conn:
            return [orjson.loads(bytes(b)) for _, b in conn.execute(query, params)]

    return read


def _median_ms(run: Callable[[], Any], other: Callable[[], Any]) -> tuple[float, float]:
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(ROUNDS):
        for call, into in ((run, mine), (other, theirs)):
            start = time.perf_counter()
            call()
            into.append((time.perf_counter() - start) * 1000)
    return statistics.median(mine), statistics.median(theirs)


def run() -> None:
    from api.web.ledger_browser import PAGE, Filters, browse

    ledger = _ledger()

    def page(filters: Filters, after: int = -1) -> Callable[[], Any]:
        def read() -> Any:
            with ledger.database.read() as conn:
                shown = browse(conn, filters, after)
            assert len(shown.entries) == PAGE
            return shown

        return read

    half = SIZE // BATCH // 2  # the minute of the batch in the middle of the log
    middle = format_time(START + dt.timedelta(minutes=half))
    later = format_time(START + dt.timedelta(minutes=half + 2))
    deep = SIZE * 9 // 10
    cases = [
        ("first page, no filter", page(Filters()), "seq > -1", {}, PAGE),
        ("page at 9/10 of the log, no filter", page(Filters(), deep), f"seq > {deep}", {}, PAGE),
        # 50 entries of a kind one in a hundred has: about 5,000 bodies read
        ("kind of 1 %, 50 found", page(Filters(kind="cut")), "seq > -1", {}, 100 * PAGE),
        (
            "subject (its index)",
            page(Filters(subject="KZ-00007")),
            "item = :i",
            {"i": "KZ-00007"},
            PAGE,
        ),
        (
            "time range mid-log (bisection)",
            page(Filters(since=middle, until=later)),
            f"seq > {SIZE // 2}",
            {},
            PAGE,
        ),
    ]
    figures = []
    for name, mine, where, params, limit in cases:
        measured, baseline = _median_ms(mine, _plain(ledger, where, params, limit))
        figures.append(Figure(f"{name}", measured, "ms", baseline, "< 100 ms"))
    report(
        f"ledger browser, a page of 50 over {SIZE:,} entries (medians of {ROUNDS}; "
        "baseline: plain SQL of the same rows, orjson)",
        figures,
    )
    ledger.database.dispose()
