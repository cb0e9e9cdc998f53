"""A ledger of a given size on SQLite, built once per benchmark run with batched appends; and
one that `custody verify` audits in all its steps (accounts, a place, the state tables)."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from bench.common import SAMPLE_DATA, WORK, sample
from custody.bootstrap import init
from custody.entries import NewEntry
from custody.ledger import Ledger
from custody.settings import Settings

BATCH = 5000


@cache
def ledger_of(size: int) -> Ledger:
    """A fresh ledger of exactly `size` entries (the genesis entry included)."""
    return _built(WORK / f"ledger-{size}", size, [], sample, ())


PLACE = "UNIT-ALM"
AUDITED_DATA = {**SAMPLE_DATA, "location": PLACE}


def _preamble(founder: str) -> list[NewEntry]:
    """The accounts and the place the intakes of an audited ledger need: the founder makes
    itself the administrator, adds a unit and the officer who registers items there."""
    return [
        NewEntry(
            kind="account_created",
            actor=founder,
            item=founder,
            data={"name": "Администратор", "roles": ["administrator"], "places": []},
        ),
        NewEntry(
            kind="location_added",
            actor=founder,
            item=PLACE,
            data={"kind": "unit", "name": "ДП г. Алматы", "region": "Алматы"},
        ),
        NewEntry(
            kind="account_created",
            actor=founder,
            item="unit.serikbaev",
            data={"name": "Серікбаев Нұрлан", "roles": ["unit_officer"], "places": [PLACE]},
        ),
    ]


def _intake(n: int) -> NewEntry:
    return NewEntry(
        kind="item_registered", actor="unit.serikbaev", item=f"KZ-{n:07d}", data=AUDITED_DATA
    )


@cache
def audited_ledger_of(size: int) -> tuple[Ledger, Settings]:
    """A ledger of exactly `size` entries that every step of `custody verify` holds for: the
    preamble's accounts and place, then intakes by the unit's officer at that place, with
    the state tables made from the ledger (workflows.replay.refold), as the process would
    have left them. Returns the ledger and the settings `custody verify` would run with."""
    from api.system import MIGRATIONS
    from workflows.replay import refold

    directory = WORK / f"audited-{size}"
    settings = Settings(data_dir=directory, origin="bench.custody/ledger")
    ledger = _built(directory, size, _preamble("system"), _intake, MIGRATIONS)
    started = time.perf_counter()
    refold(ledger.database)
    print(f"  state tables of {size:,}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return ledger, settings


def _built(
    directory: Path,
    size: int,
    first: list[NewEntry],
    make: Callable[[int], NewEntry],
    migrations: Sequence[Path],
) -> Ledger:
    shutil.rmtree(directory, ignore_errors=True)
    settings = Settings(data_dir=directory, origin="bench.custody/ledger")
    ledger = init(settings, migrations=migrations).ledger
    start = time.perf_counter()
    if first:
        with ledger.database.write() as conn:
            ledger.append_many(conn, first)
    made = 1 + len(first)
    while made < size:
        count = min(BATCH, size - made)
        with ledger.database.write() as conn:
            ledger.append_many(conn, [make(made + i) for i in range(count)])
        made += count
        if size >= 100_000 and made % 100_000 < BATCH:
            rate = (made - 1) / (time.perf_counter() - start)
            print(f"  building a ledger of {size:,}: {made:,} ({rate:,.0f}/s)", file=sys.stderr)
    with ledger.database.write() as conn:
        ledger.issue_checkpoint(conn)
    return ledger
