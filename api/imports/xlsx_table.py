"""An .xlsx workbook's first sheet as a table of rows, with the CSV's columns.

Read by openpyxl in read-only mode, which streams the sheet's XML rather than building the
whole workbook in memory, with the values the cells hold (`data_only`: a formula's last
computed value, never the formula). A cell becomes the text a CSV cell would hold, so one
function (intake_rows.intake_of) reads both: a number Excel stores whole is its ASCII digits
(3500), any other (3500.5, 1e3) in a number column its repr, which the whole-number check
refuses, and in a text or id column refused naming the cell (`NUMERIC`); a formula without
a computed value is refused as one, not read as an empty cell; TRUE/FALSE
are yes/no; a date is YYYY-MM-DD; a text's OOXML escapes (`_x000D_`) are decoded, so the
grammar sees (and refuses) the character itself.

Before openpyxl reads a byte, `_guard` streams every XML part of the archive through expat and
refuses, naming it: a part larger than PART_MAX decompressed (zipfile itself stops at the
size the archive declares, so the declared size bounds what is inflated), a document type
declaration (no workbook has one: entities, the billion laughs or an external entity), a
cell or shared string longer than CELL_MAX characters, and a row number given twice in a
sheet (openpyxl would keep one of them). The sheet read is the first, and only while it is
visible: a hidden or veryHidden first sheet is refused, since Excel shows the person another.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from api.imports.csv_table import Row, TableError
from api.imports.intake_rows import RowError, check_header

PART_MAX = 256 * 1024 * 1024  # bytes of one XML part, decompressed (the sheet, its strings)
CELL_MAX = 64 * 1024  # characters of one cell or shared string
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def _unescaped(text: str) -> str:
    """OOXML's `_xHHHH_` escapes (ECMA-376 Part 1, 22.9.2.19 ST_Xstring) decoded in one
    pass: `_x000D_` is a CR, `_x005F_x000D_` the literal text `_x000D_`."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


class _Guard:
    """One expat pass over an XML part: refuses a DTD, an over-long cell or shared string,
    and (`sheet`) a row number given twice. Raises TableError."""

    def __init__(self, part: str, sheet: bool) -> None:
        self.part, self.sheet = part, sheet
        self.rows: set[str] = set()
        self.depth = 0  # inside a <c> or <si>
        self.size = 0
        self.formulas: set[str] = set()  # cells (B7) with a formula and no computed value
        self.cell: str | None = None  # the <c> being read, while it has a formula and no <v>
        self.valued = False
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser = parser

    def _doctype(self, *_: Any) -> None:
        raise TableError("", f"{self.part} declares a document type (entities): refused")

    def _entity(self, *_: Any) -> None:
        raise TableError("", f"{self.part} declares an entity: refused")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local in ("c", "si"):
            self.depth, self.size = self.depth + 1, 0
            if local == "c" and self.sheet:
                self.cell, self.valued = attributes.get("r"), False
        elif local == "f" and self.cell is not None:
            self.formulas.add(self.cell)
        elif local in ("v", "is"):
            self.valued = True
        elif local == "row" and self.sheet and "r" in attributes:
            number = attributes["r"]
            if number in self.rows:
                raise TableError(f"row {number}", "the sheet gives this row twice")
            self.rows.add(number)

    def _end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local in ("c", "si"):
            self.depth -= 1
        if local == "c" and self.cell is not None:
            if self.valued:
                self.formulas.discard(self.cell)
            self.cell = None

    def _text(self, data: str) -> None:
        if self.depth:
            self.size += len(data)
            if self.size > CELL_MAX:
                raise TableError("", f"{self.part}: a cell holds more than {CELL_MAX:,} characters")

    def feed(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)


def _guard(path: Path) -> set[str]:
    """Every XML part of the archive checked as the module says; TableError names what.
    The cells of the sheets (B7) that hold a formula and no value it computed."""
    formulas: set[str] = set()
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                if info.file_size > PART_MAX:
                    raise TableError(
                        "", f"{info.filename} is larger than {PART_MAX:,} bytes unpacked"
                    )
                sheet = info.filename.startswith("xl/worksheets/")
                guard = _Guard(info.filename, sheet)
                guard.feed(archive, info)
                formulas |= guard.formulas
    except expat.ExpatError as exc:
        raise TableError("", f"{path.name} holds malformed XML ({exc})") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise TableError("", f"{path.name} is not an .xlsx workbook ({exc})") from None
    return formulas


# Columns whose cells are numbers: a number cell there is taken as _text makes it, and the
# whole-number check refuses what is not one. In every other (text or id) column a number
# cell is taken only when it is an exact whole number (a marking typed as 123456): a float
# such as 1.234567890123457e+17 has lost the digits the person typed, and is refused.
NUMERIC = frozenset({"weight_g", "quantity", "year"})
_EXACT = 2**53  # a float's integers are exact below this


def _cell(value: Any, column: str, ref: str) -> str:
    """The text of a cell in `column`; RowError for a number a text column cannot take."""
    if column in NUMERIC or isinstance(value, bool) or not isinstance(value, int | float):
        return _text(value)
    if isinstance(value, int) and abs(value) < _EXACT:
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT:
        return str(int(value))
    raise RowError(
        column,
        f"cell {ref} holds the number {value!r}, not the text typed: format the column as "
        "text and type it again",
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _unescaped(value)
    return str(value)


class XlsxTable:
    """Open with `XlsxTable(path)`, then iterate rows. Raises TableError naming the row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheet = ""
        self.header: list[str] = []
        self.formulas: set[str] = set()

    @property
    def described(self) -> str:
        return f"sheet {self.sheet!r}"

    def rows(self) -> Iterator[Row]:
        from openpyxl import load_workbook  # a few hundred ms: only when an .xlsx comes

        self.formulas = _guard(self.path)  # before openpyxl parses any part
        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise TableError("", f"{self.path} is not an .xlsx workbook ({exc})") from None
        try:
            sheet = book.worksheets[0]
            self.sheet = sheet.title
            if sheet.sheet_state != "visible":
                shown = [s.title for s in book.worksheets if s.sheet_state == "visible"]
                raise TableError(
                    "",
                    f"the first sheet {sheet.title!r} is hidden ({sheet.sheet_state}), and Excel "
                    f"shows {shown[0] if shown else 'none'!r}: put the sheet to import first "
                    "and visible",
                )
            yield from self._rows(sheet)
        finally:
            book.close()

    def _cell(self, value: Any, header: list[str], index: int, number: int) -> str:
        from openpyxl.utils import get_column_letter

        column = header[index] if index < len(header) else get_column_letter(index + 1)
        ref = f"{get_column_letter(index + 1)}{number}"
        try:
            if value is None and ref in self.formulas:
                raise RowError(
                    column,
                    f"cell {ref} holds a formula without a computed value: open the file in "
                    "Excel and save it, or type the value",
                )
            return _cell(value, column, ref)
        except RowError as exc:
            raise TableError(f"row {number}", str(exc)) from None

    def _rows(self, sheet: Any) -> Iterator[Row]:
        number = 1
        try:
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
                texts = [self._cell(v, header, i, number) for i, v in enumerate(cells)]
                while texts and not texts[-1].strip():
                    texts.pop()
                if not texts:
                    continue
                if len(texts) > len(header):
                    raise TableError(
                        f"row {number}", f"{len(texts)} cells, the header has {len(header)}"
                    )
                yield Row(f"row {number}", dict(zip(header, texts, strict=False)))
        except (TypeError, ValueError, SyntaxError) as exc:
            # openpyxl on XML that is well formed but not what Excel writes (an inline
            # string's <rPh> without its attributes: TypeError); ParseError is a SyntaxError.
            if isinstance(exc, TableError):
                raise
            raise TableError(
                f"row {number + 1}", f"the sheet's XML is not as a spreadsheet writes it ({exc})"
            ) from None
