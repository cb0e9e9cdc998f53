"""CSV import of 10,000 rows against the same intakes given to the command layer directly.

- import: what `custody import` does in its process, timed from the file on disk: the csv
  module over the byte stream (encoding found, delimiter found), each row an `IntakeIn`, all
  of them one `RegisterItemsFromFile` run by `Process.run` (one transaction), on SQLite;
- baseline: the same 10,000 intakes as a client of the command layer hands them over: the
  JSON the HTTP API would take (bytes made once), decoded afresh each round by the API's own
  parser (`api.http.strict_json.loads_strict`) before the clock starts, then, timed, each
  validated as `IntakeIn`, one `RegisterItemsFromFile` run by `Process.run`, into a site of
  its own.

The baseline's decoding is outside its time because the clause compares the file's way in
with the command layer's (a client's own transport is not the command's work), and it is
done again each round because a client's strings are new objects every time, as a file
read's are: one list decoded once and validated every round handed the command the very
same `str` objects, whose hashes were made in the first round: 4-10 % of CPU in the
command's run in the baseline's favour, which no real caller has (README, 2026-11-30, csv12b).

Each round builds two fresh sites (a unit, nothing else), so both write the same 10,000
entries into ledgers of the same size; rounds alternate which goes first; medians of 5. The
ratio is what reading a file costs on top of the command (target: within 10 %).
"""

from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path
from typing import Any

import orjson

import workflows.commands as c
from api.http.strict_json import loads_strict
from api.imports import intake_file
from api.imports.intake_rows import COLUMNS
from bench.common import Figure, fresh, report
from bench.lifecycles import four_eyes
from custody.bootstrap import init
from custody.settings import Settings
from workflows.commands.intake import IntakeIn, RegisterItemsFromFile
from workflows.files import FileStore
from workflows.migrations import VERSIONS
from workflows.process import Process

ROWS = 10_000
ROUNDS = 5
ACTOR = "unit.serikbaev"


def intakes() -> list[dict[str, str]]:
    """10,000 intakes as table rows: edged weapons and gas pistols with their markings."""
    rows = []
    for n in range(ROWS):
        gas = n % 3 == 0
        rows.append(
            {
                "item": f"KZ-{n:07d}",
                "category": "gas" if gas else "edged",
                "source": "confiscated" if n % 2 else "found",
                "location": "UNIT",
                "weight_g": str(600 + n % 500),
                "marking": f"{'ГП' if gas else 'ШШ'} №{n:06d}",
                "marking_place": "рамка" if gas else "клинок",
                "type": "пистолет газовый" if gas else "нож",
                "model": "ИЖ-79" if gas else "НР-40",
                "year": str(1980 + n % 40),
            }
        )
    return rows


def as_json(row: dict[str, str]) -> dict[str, Any]:
    """The same intake as the HTTP API takes it."""
    details: dict[str, Any] = {k: row[k] for k in ("type", "model")}
    details["year"] = int(row["year"])
    return {
        "item": row["item"],
        "category": row["category"],
        "source": row["source"],
        "location": row["location"],
        "weight_g": int(row["weight_g"]),
        "marking": row["marking"],
        "marking_place": row["marking_place"],
        "details": details,
    }


def site(directory: Path) -> Process:
    settings = Settings(data_dir=directory, origin="bench.custody/ledger")
    ledger = init(settings, "admin", migrations=[VERSIONS]).ledger
    process = Process(ledger, FileStore(directory / "files"))
    process.found()  # admin, the genesis actor, is the first administrator
    place = {"location": "UNIT", "kind": "unit", "name": "УП г. Алматы", "region": "Алматы"}
    process.run("admin", c.AddLocation.model_validate(place))
    officer = {"username": ACTOR, "name": ACTOR, "roles": ["unit_officer"], "places": ["UNIT"]}
    four_eyes(process, c.CreateAccount.model_validate(officer))  # a unit officer: four eyes
    return process


def by_import(process: Process, path: Path) -> float:
    def no_photo(_: str) -> dict[str, Any]:
        raise AssertionError("the bench's rows have no photo")

    start = time.perf_counter()
    read = intake_file.read(path, no_photo, {"UNIT"})
    ids = process.run(ACTOR, read.command())
    seconds = time.perf_counter() - start
    assert len(ids) == ROWS
    return seconds


def by_command(process: Process, given: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    command = RegisterItemsFromFile(intakes=[IntakeIn.model_validate(g) for g in given])
    ids = process.run(ACTOR, command)
    seconds = time.perf_counter() - start
    assert len(ids) == ROWS
    return seconds


def run() -> None:
    rows = intakes()
    sent = orjson.dumps([as_json(row) for row in rows])  # what a client would send, once
    imports: list[float] = []
    commands: list[float] = []
    with fresh("imports") as work:
        path = work / "intake.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        for n in range(ROUNDS):
            importing, direct = site(work / f"import-{n}"), site(work / f"command-{n}")
            given = loads_strict(sent)  # new objects each round, as the file's are
            if n % 2:
                commands.append(by_command(direct, given))
                imports.append(by_import(importing, path))
            else:
                imports.append(by_import(importing, path))
                commands.append(by_command(direct, given))
            for process in (importing, direct):
                process.ledger.database.dispose()
    imported, baseline = statistics.median(imports), statistics.median(commands)
    report(
        f"imports: a CSV of {ROWS:,} rows in one transaction, SQLite, medians of {ROUNDS}",
        [
            Figure(
                "custody import's path (file to entries), against the command",
                ROWS / imported,
                "rows/s",
                ROWS / baseline,
                ">= 0.90 x",
            ),
            Figure(
                "baseline: intakes decoded afresh, validated, Process.run",
                ROWS / baseline,
                "rows/s",
            ),
        ],
    )
