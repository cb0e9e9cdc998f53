"""An intake file (.csv or .xlsx, chosen by its extension) read whole into the one
`RegisterItems` command (RegisterItemsFromFile: the same, for up to 100,000 rows) that
registers all its rows or none.

Every row becomes the same `IntakeIn` the HTTP API takes; what the process then refuses
(RuleViolation naming an item) is traced back to the row by `where`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from api.imports.csv_table import CsvTable, Row, TableError
from api.imports.intake_rows import Photo, RowError, intake_of
from api.imports.xlsx_table import XlsxTable
from workflows.commands.intake import FILE_ROWS, IntakeIn, RegisterItemsFromFile
from workflows.heap import collector_paused
from workflows.subjects import folded

SUFFIXES = (".csv", ".xlsx")


class Table(Protocol):
    header: list[str]

    @property
    def described(self) -> str: ...

    def rows(self) -> Iterator[Row]: ...


def open_table(
    path: Path, encoding: str | None = None, delimiter: str | None = None, name: str = ""
) -> Table:
    """The table of a .csv (encoding and delimiter as given, or found) or an .xlsx file.
    Raises TableError for another extension, or options that do not fit the file's kind; a
    refusal names the file by `name` (the name it was sent by), else by the path's."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if encoding is not None or delimiter is not None:
            raise TableError("", "--encoding and --delimiter are for CSV files, not .xlsx")
        return XlsxTable(path, name)
    if suffix == ".csv":
        return CsvTable(path, encoding, delimiter)
    raise TableError("", f"an intake file is .csv or .xlsx, not {name or path.name!r}")


@dataclass
class IntakeFile:
    """The intakes of a file and where each came from (item id -> "line 17")."""

    table: Table
    intakes: list[IntakeIn] = field(default_factory=list)
    where: dict[str, str] = field(default_factory=dict)

    def command(self) -> RegisterItemsFromFile:
        return RegisterItemsFromFile(intakes=self.intakes)


def read(
    path: Path,
    photo: Photo,
    places: set[str],
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Callable[[], Any] = lambda: None,
    max_rows: int = FILE_ROWS,
    name: str = "",
) -> IntakeFile:
    """Every row as an intake, or TableError naming the first bad row and column.

    `photo(cell)` stores the marking photo a photo cell names (api.imports.photos) and
    returns its file reference; `places` are the registered locations (a row naming another
    is refused here, naming its line). `max_rows`: the rows a file may hold (FILE_ROWS for
    `custody import`; the web page's form takes what one API request takes, WEB_ROWS).
    `name`: the file's name as the person sent it (a web upload is kept as `table.xlsx`)."""
    read_file = IntakeFile(open_table(path, encoding, delimiter, name))
    with collector_paused():  # up to 100,000 rows' models, all kept (workflows.heap)
        _read_rows(read_file, photo, places, progress, max_rows)
    if not read_file.intakes:
        raise TableError("", "the file has a header but no rows")
    return read_file


def _read_rows(
    read_file: IntakeFile,
    photo: Photo,
    places: set[str],
    progress: Callable[[], Any],
    max_rows: int,
) -> None:
    """Each row of the file's table into `read_file`, or TableError (see `read`)."""
    alike: dict[str, str] = {}  # an id's folded form -> the id as its row wrote it
    for row in read_file.table.rows():
        try:
            intake = intake_of(row.cells, photo)
        except RowError as exc:
            raise TableError(row.where, str(exc)) from None
        assert intake.item is not None
        if intake.location not in places:
            raise TableError(
                row.where, f"column location: no location {intake.location!r} is registered"
            )
        if intake.item in read_file.where:
            raise TableError(
                row.where,
                f"column item: item {intake.item} is on {read_file.where[intake.item]} too",
            )
        first = alike.setdefault(folded(intake.item), intake.item)
        if first != intake.item:  # `QW-1` and `qw 1`: one id (docs/identifiers.md)
            raise TableError(
                row.where,
                f"column item: item {intake.item} reads alike item {first} on "
                f"{read_file.where[first]}: an id names one subject for ever",
            )
        if len(read_file.intakes) == max_rows:
            raise TableError(row.where, f"a file holds at most {max_rows:,} rows; split it")
        read_file.where[intake.item] = row.where
        read_file.intakes.append(intake)
        progress()
