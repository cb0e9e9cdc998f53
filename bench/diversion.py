"""Intake against the destroyed (R10, R11): 10,000 rifles registered, in RegisterItems of
500 through `Process.run` on SQLite, into a ledger holding 100,000 rifles melted with
signed statements, against the same intake into an empty site in the same run.

Each intake's markings are looked up by their identity (workflows.markings.fold, the
`ix_wf_items_marking_folded` index) among every item registered, the destroyed included, so
what the 100,000 cost is the index's depth, not a scan. The big ledger is built once by the
real process (bench.lifecycles: 100,000 whole lifecycles, some 1.6 million entries) and kept
in bench/.work/diversion-100000; each round adds its 10,000 under ids of its own. Rounds
alternate which goes first; medians of 3. Target: >= 0.80 x the empty ledger's rate.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import workflows.commands as c
from bench.common import WORK, Figure, fresh, report
from bench.lifecycles import ORIGIN, PNG, STEP, Clocked, Site, lifecycle
from custody.bootstrap import init
from custody.settings import Settings
from workflows.config import ProcessConfig
from workflows.files import FileStore
from workflows.migrations import VERSIONS
from workflows.process import Process

DESTROYED = int(os.environ.get("CUSTODY_BENCH_DIVERSION_ITEMS", "100000"))
INTAKE = 10_000
ROUNDS = 3


class Opened:
    """A site built before, opened again: its process, ledger and marking photo."""

    def __init__(self, directory: Path) -> None:
        settings = Settings(data_dir=directory, origin=ORIGIN)
        self.ledger = init(settings, migrations=[VERSIONS]).ledger
        files = FileStore(directory / "files")
        self.process = Process(self.ledger, files, ProcessConfig())
        self.photo = files.put(PNG, "marking").to_json()


def built(items: int) -> Opened:
    """A site whose ledger holds `items` rifles melted with signed statements, built once."""
    directory = WORK / f"diversion-{items}"
    if not (directory / "complete").exists():
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        started = time.perf_counter()
        site = Site(directory)
        lifecycle(site, Clocked(site.ledger), count=items, batch=1000)
        with site.ledger.database.read() as conn:
            size = site.ledger.head(conn).size
        site.ledger.database.dispose()
        seconds = time.perf_counter() - started
        print(f"  built {size:,} entries ({items:,} rifles destroyed) in {seconds:.0f} s")
        (directory / "complete").write_text(f"{size}\n")
    return Opened(directory)


def intakes(tag: str, photo: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """10,000 rifles under new ids and markings of their own, in commands of 500."""
    rows = [
        {
            "item": f"KZ-{tag}-{n:05d}",
            "category": "firearm",
            "source": "surrendered",
            "location": "UNIT",
            "weight_g": 3600,
            "rifled": True,
            "marking": f"АКМ {tag} №{n:05d}",
            "details": {"model": "AKM", "calibre": "7.62x39"},
            "files": [photo],
        }
        for n in range(INTAKE)
    ]
    return [rows[i : i + STEP] for i in range(0, INTAKE, STEP)]


def timed_intake(site: Site | Opened) -> float:
    chunks = intakes(uuid.uuid4().hex[:6].upper(), site.photo)
    commands = [c.RegisterItems.model_validate({"intakes": chunk}) for chunk in chunks]
    start = time.perf_counter()
    for command in commands:
        site.process.run("unit.a", command)
    return time.perf_counter() - start


def run() -> None:
    big = built(DESTROYED)
    against: list[float] = []
    empty: list[float] = []
    with fresh("diversion") as work:
        for n in range(ROUNDS):
            small = Site(Path(work / f"empty-{n}"))
            if n % 2:
                empty.append(timed_intake(small))
                against.append(timed_intake(big))
            else:
                against.append(timed_intake(big))
                empty.append(timed_intake(small))
            small.ledger.database.dispose()
    big.ledger.database.dispose()
    loaded, baseline = statistics.median(against), statistics.median(empty)
    report(
        f"diversion: intake of {INTAKE:,} rifles (R10, R11 by marking identity), "
        f"RegisterItems of {STEP}, SQLite, medians of {ROUNDS}",
        [
            Figure(
                f"into a ledger holding {DESTROYED:,} destroyed rifles",
                INTAKE / loaded,
                "items/s",
                INTAKE / baseline,
                ">= 0.80 x",
            ),
            Figure("baseline: the same intake into an empty site", INTAKE / baseline, "items/s"),
        ],
    )
