"""An .xlsx workbook's first sheet as a table of rows, with the CSV's columns.

Read by openpyxl in read-only mode, which streams the sheet's XML rather than building the
whole workbook in memory, with the values the cells hold (`data_only`: a formula's last
computed value, never the formula). A cell becomes the text a CSV cell would hold, so one
function (intake_rows.intake_of) reads both: a number Excel stores whole is its ASCII digits
(3500), any other (3500.5, 1e3) its repr, which the whole-number check refuses; TRUE/FALSE
are yes/no; a date is YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from api.imports.csv_table import Row, TableError
from api.imports.intake_rows import RowError, check_header


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class XlsxTable:
    """Open with `XlsxTable(path)`, then iterate rows. Raises TableError naming the row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheet = ""
        self.header: list[str] = []

    @property
    def described(self) -> str:
        return f"sheet {self.sheet!r}"

    def rows(self) -> Iterator[Row]:
        from openpyxl import load_workbook  # a few hundred ms: only when an .xlsx comes

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise TableError("", f"{self.path} is not an .xlsx workbook ({exc})") from None
        try:
            sheet = book.worksheets[0]
            self.sheet = sheet.title
            values = sheet.iter_rows(values_only=True)
            header = [_text(v).strip() for v in next(values, ())]
            while header and not header[-1]:
                header.pop()
            self.header = header
            try:
                check_header(header)
            except RowError as exc:
                raise TableError("row 1", str(exc)) from None
            for number, cells in enumerate(values, start=2):
                texts = [_text(v) for v in cells]
                while texts and not texts[-1].strip():
                    texts.pop()
                if not texts:
                    continue
                if len(texts) > len(header):
                    raise TableError(
                        f"row {number}", f"{len(texts)} cells, the header has {len(header)}"
                    )
                yield Row(f"row {number}", dict(zip(header, texts, strict=False)))
        finally:
            book.close()
