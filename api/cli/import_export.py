"""`custody import` (intake from CSV or .xlsx, all rows or none) and `custody export` (entries as
JSON lines), with progress bars on long work."""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.access import accounts
from api.access.roles import may_any
from api.cli.numbers import Whole
from api.cli.output import echo
from api.cli.paths import TABLE, readable, writable
from api.config import ApiConfig
from api.errors import Forbidden
from api.imports import intake_file, photos
from api.imports.csv_table import TableError
from api.imports.intake_rows import RowError
from custody.errors import CustodyError
from custody.settings import Settings
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


def import_file(
    table_file: Annotated[
        Path,
        typer.Argument(
            help="a .csv (UTF-8 or Windows-1251, , or ; or tab) or .xlsx file of intakes"
        ),
    ],
    actor: Annotated[
        str, typer.Option("--actor", envvar="CUSTODY_ACTOR", help="the account registering them")
    ],
    encoding: Annotated[
        str | None,
        typer.Option(help="CSV: utf-8 or windows-1251 [default: UTF-8 if it decodes, else 1251]"),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV: , or ; or tab [default: the one the header line uses]")
    ] = None,
) -> None:
    """Register the items of a CSV or .xlsx file in one transaction: every row, or none.

    Columns (the first line or row): item, category, source, location, weight_g (required),
    rifled, marking, marking_place, unmarked, quantity, type, model, calibre, manufacturer,
    country, year, decision_ref, decision_authority, decision_date, photo (a file in the
    table's folder, at most CUSTODY_UPLOAD_MAX_BYTES). Whole numbers in ASCII digits. A bad
    row is named by its line and column.
    """
    from api.system import open_system

    readable(table_file, "", TABLE)
    system = open_system(Settings())
    _require_role(system, actor)
    folder, limit = table_file.parent, ApiConfig().upload_max_bytes
    # The photos wait beside the store until every row is checked: a refused import
    # leaves the store as it was (FileStore.staged).
    with system.process.files.staged() as staged:

        def photo(cell: str) -> dict[str, Any]:
            # Only a file in the table's folder, regular and within the upload limit.
            content = photos.beside(folder, cell, limit)
            try:
                return staged.put(content, "marking").to_json()
            except WorkflowError as exc:
                raise RowError("photo", f"{cell!r}: {exc}") from None

        places = {place.id for place in system.process.locations()}
        try:
            with _progress() as progress:
                task = progress.add_task("reading", total=None)
                read = intake_file.read(
                    table_file, photo, places, encoding, delimiter, lambda: progress.advance(task)
                )
        except (TableError, WorkflowError) as exc:
            raise ImportRefused(f"{exc}; nothing was imported") from None
        try:
            with system.process.work(actor) as work:
                ids = staged.action(read.command().perform)(work)
        except WorkflowError as exc:
            where = _row_of(read.where, exc)
            said = f"{where + ': ' if where else ''}{exc}; nothing was imported"
            raise ImportRefused(said) from None
    echo(f"imported {len(ids)} items from {table_file} ({read.table.described})")


def _row_of(where: dict[str, str], exc: WorkflowError) -> str:
    """The line (or row) of the item a refusal is about: the one a RuleViolation names, or
    the first of the file's item ids among the words of another refusal."""
    if isinstance(exc, RuleViolation) and exc.item in where:
        return where[exc.item]
    words = re.split(r"[\s,;:()]+", str(exc))
    return next((where[word] for word in words if word in where), "")


def _require_role(system: Any, actor: str) -> None:
    with system.ledger.database.read() as conn:
        found = accounts.find(conn, actor)
    if found is None or found[0].disabled:
        raise ImportRefused(f"there is no enabled account {actor!r}")
    if not may_any(found[0].roles, "item_registered"):
        raise Forbidden(found[0].roles[0] if found[0].roles else "none", "item_registered")


def export(
    out: Annotated[
        Path | None, typer.Option("--out", help="a file (default: standard output)")
    ] = None,
    start: Annotated[int, typer.Option(parser=Whole(0), help="the first seq")] = 0,
) -> None:
    """Every entry from `start` as JSON lines: seq, body (base64 of the exact bytes), leaf
    hash, signature and key id, as GET /ledger/entries gives them. Then one line says how
    many entries went where: on standard output with --out, else on standard error (the
    entries are standard output)."""
    from api.system import open_for_reading

    if out is not None:
        writable(out)
    ledger = open_for_reading(Settings()).ledger
    handle = out.open("w", encoding="utf-8") if out else sys.stdout
    seq = start
    try:
        with ledger.database.read() as conn, _progress() as progress:
            size = ledger.head(conn).size
            task = progress.add_task("exporting", total=max(size - start, 0))
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
    written = max(seq - start, 0)
    where = str(out) if out else "standard output"
    span = f" (seq {start} to {seq - 1})" if written else ""
    said = f"exported {written} {'entry' if written == 1 else 'entries'}{span} to {where}"
    echo(said, err=out is None)
