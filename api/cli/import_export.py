"""`custody import` (intake from CSV, all rows or none) and `custody export` (entries as
JSON lines), with progress bars on long work."""

from __future__ import annotations

import base64
import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.access import accounts
from api.access.roles import may
from api.errors import Forbidden
from api.imports.csv_intake import RowError, check_header, intake_of
from custody.errors import CustodyError
from custody.settings import Settings
from workflows.commands.intake import IntakeIn, RegisterItems
from workflows.errors import RuleViolation, WorkflowError

_BATCH = 1000


class ImportRefused(CustodyError):
    pass


def _progress() -> Progress:
    # On a terminal only, and gone when done: stderr is left to the one line of an error.
    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def import_csv(
    csv_file: Annotated[
        Path, typer.Argument(help="UTF-8 CSV; the header is in `custody import --help`")
    ],
    actor: Annotated[
        str, typer.Option("--actor", envvar="CUSTODY_ACTOR", help="the account registering them")
    ],
) -> None:
    """Register the items of a CSV file in one transaction: every row, or none.

    Columns: item, category, source, location, weight_g (required), rifled, marking,
    marking_place, unmarked, quantity, type, model, calibre, manufacturer, country, year,
    decision_ref, decision_authority, decision_date, photo (a path beside the file).
    """
    from api.system import open_system

    system = open_system(Settings())
    _require_role(system, actor)
    intakes, lines = _read(system, csv_file)
    try:
        ids = system.process.run(actor, RegisterItems(intakes=intakes))
    except RuleViolation as exc:
        where = lines.get(exc.item or "", "?")
        raise ImportRefused(f"line {where}: {exc}; nothing was imported") from None
    except WorkflowError as exc:
        raise ImportRefused(f"{exc}; nothing was imported") from None
    typer.echo(f"imported {len(ids)} items from {csv_file}")


def _require_role(system: Any, actor: str) -> None:
    with system.ledger.database.read() as conn:
        found = accounts.find(conn, actor)
    if found is None or found[0].disabled:
        raise ImportRefused(f"there is no enabled account {actor!r}")
    if not may(found[0].role, "item_registered"):
        raise Forbidden(found[0].role, "item_registered")


def _read(system: Any, csv_file: Path) -> tuple[list[IntakeIn], dict[str, int]]:
    """Every row as an intake, or ImportRefused naming the first bad line."""
    files = system.process.files

    def photo(path: Path) -> dict[str, Any]:
        try:
            return files.put(path.read_bytes(), "marking").to_json()  # type: ignore[no-any-return]
        except OSError as exc:
            raise RowError(f"photo {path}: {exc.strerror}") from None

    text = csv_file.read_text(encoding="utf-8-sig").splitlines()
    reader = csv.DictReader(text)
    try:
        check_header(reader.fieldnames)  # type: ignore[arg-type]
    except RowError as exc:
        raise ImportRefused(f"line 1: {exc}; nothing was imported") from None
    places = {place.id for place in system.process.locations()}
    intakes: list[IntakeIn] = []
    lines: dict[str, int] = {}
    with _progress() as progress:
        task = progress.add_task("reading", total=max(len(text) - 1, 0))
        for row in reader:
            line = reader.line_num
            try:
                intake = intake_of(row, photo, csv_file.parent)
            except (RowError, WorkflowError) as exc:
                raise ImportRefused(f"line {line}: {exc}; nothing was imported") from None
            assert intake.item is not None
            if intake.location not in places:
                raise ImportRefused(
                    f"line {line}: no location {intake.location!r} is registered; "
                    "nothing was imported"
                )
            if intake.item in lines:
                raise ImportRefused(
                    f"line {line}: item {intake.item} is on line {lines[intake.item]} too; "
                    "nothing was imported"
                )
            lines[intake.item] = line
            intakes.append(intake)
            progress.advance(task)
    if not intakes:
        raise ImportRefused("the file has a header but no rows")
    return intakes, lines


def export(
    out: Annotated[
        Path | None, typer.Option("--out", help="a file (default: standard output)")
    ] = None,
    start: Annotated[int, typer.Option(help="the first seq")] = 0,
) -> None:
    """Every entry from `start` as JSON lines: seq, body (base64 of the exact bytes), leaf
    hash, signature and key id, as GET /ledger/entries gives them."""
    from api.system import open_for_reading

    ledger = open_for_reading(Settings()).ledger
    handle = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        with ledger.database.read() as conn, _progress() as progress:
            size = ledger.head(conn).size
            task = progress.add_task("exporting", total=max(size - start, 0))
            seq = start
            while seq < size:
                for entry in ledger.entries(conn, seq, _BATCH):
                    record = {
                        "seq": entry.seq,
                        "body": base64.b64encode(entry.body).decode(),
                        "leaf_hash": entry.leaf_hash.hex(),
                        "sig": base64.b64encode(entry.sig).decode(),
                        "key_id": entry.key_id,
                    }
                    handle.write(json.dumps(record) + "\n")
                    seq = entry.seq + 1
                progress.update(task, completed=seq - start)
    finally:
        if out:
            handle.close()
