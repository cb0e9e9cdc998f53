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
from custody.store import Store

BATCH = 5000


@cache
def ledger_of(size: int) -> Ledger:
    """A fresh ledger of exactly `size` entries (the genesis entry included)."""
    return _built(WORK / f"ledger-{size}", size, [], sample, ())


PLACE = "UNIT-ALM"
AUDITED_DATA = {**SAMPLE_DATA, "location": PLACE}


def _preamble(ledger: Ledger, directory: Path) -> None:
    """The accounts and the place the intakes of an audited ledger need, written by the
    process as a site would: the two founding administrators, a unit, and its officer made
    with four eyes (a unit officer is one of workflows.dual.FOUR_EYES_ROLES)."""
    import workflows.commands as c
    from bench.lifecycles import four_eyes
    from workflows.files import FileStore
    from workflows.process import Process

    p = Process(ledger, FileStore(directory / "files"))
    p.found()
    place = {"location": PLACE, "kind": "unit", "name": "ДП г. Алматы", "region": "Алматы"}
    p.run("admin", c.AddLocation.model_validate(place))
    officer = {
        "username": "unit.serikbaev",
        "name": "Серікбаев Нұрлан",
        "roles": ["unit_officer"],
        "places": [PLACE],
    }
    four_eyes(p, c.CreateAccount.model_validate(officer))


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
    ledger = _built(directory, size, _preamble, _intake, MIGRATIONS)
    started = time.perf_counter()
    refold(ledger.database)
    print(f"  state tables of {size:,}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return ledger, settings


def _built(
    directory: Path,
    size: int,
    first: list[NewEntry] | Callable[[Ledger, Path], None],
    make: Callable[[int], NewEntry],
    migrations: Sequence[Path],
) -> Ledger:
    shutil.rmtree(directory, ignore_errors=True)
    settings = Settings(data_dir=directory, origin="bench.custody/ledger")
    ledger = init(settings, "admin", migrations=migrations).ledger
    start = time.perf_counter()
    if callable(first):
        first(ledger, directory)
    elif first:
        with ledger.database.write() as conn:
            ledger.append_many(conn, first)
    with ledger.database.read() as conn:
        made = Store(conn).head_size()
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
