"""An .xlsx workbook's first sheet as a table of rows, with the CSV's columns.

Read by openpyxl in read-only mode, which streams the sheet's XML rather than building the
whole workbook in memory, with the values the cells hold (`data_only`: a formula's last
computed value, never the formula). A cell becomes the text a CSV cell would hold, so one
function (intake_rows.intake_of) reads both: a number Excel stores whole is its ASCII digits
(3500), any other (3500.5, 1e3) in a number column its repr, which the whole-number check
refuses, and in a text or id column refused naming the cell (`NUMERIC`); a formula without
a computed value is refused as one, not read as an empty cell; TRUE/FALSE are yes/no; a date
is YYYY-MM-DD in `decision_date` and refused in any other column (a marking Excel turned into
a date); a text's OOXML escapes (`_x000D_`) are decoded, so the grammar sees (and refuses)
the character itself. A cell is taken only as the person sees it: a number in a text or id
column is refused at 10^15 or more (Excel shows 15 digits) and whenever a number format other
than General shows it (`"АК "0000000`), in a number column when its format adds text or a
unit (`0" кг"`, `0%`: `format_adds_text`); a row or column the sheet hides (`<row
hidden="1">`, `<col hidden="1">`) is refused, naming it, when it holds data.

Before openpyxl reads a byte, `_guard` streams every XML part of the archive through expat (a
member named .xml or .rels, and any other whose first bytes are XML's: a sheet renamed
sheet1.bin is still read by openpyxl, issue 12; a part whose root is <worksheet> is checked as
a sheet whatever its name) and refuses, naming it: more than ROWS_MAX rows or CELLS_MAX cells
in a sheet, or ELEMENTS_MAX elements in all the parts (counted while parsing: 34 MiB of
`<row/>` deflate to 55 KB and took openpyxl 48 s, issue 12), an archive of more than PARTS_MAX
members, or whose XML parts together unpack to more than TOTAL_MAX bytes (both read from the
central directory before anything is inflated, and the unpacked bytes counted again while
inflating, since the directory can lie: a few 250 MB parts of spaces deflate to 250 KB each,
issue 12), a part larger than PART_MAX decompressed (zipfile itself stops at the size the
archive declares), a document type declaration (no workbook has one: entities, the billion
laughs or an external entity), a cell or shared string longer than CELL_MAX characters, and a
row number given twice in a sheet (openpyxl would keep one of them). The sheet read is the
first, and only while it is visible: a hidden or veryHidden first sheet is refused, since Excel
shows the person another.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from api.imports.csv_table import Row, TableError
from api.imports.intake_rows import DIGITS_MAX, RowError, check_header
from workflows import grammar
from workflows.commands.intake import FILE_ROWS

PART_MAX = 256 * 1024 * 1024  # bytes of one XML part, decompressed (the sheet, its strings)
TOTAL_MAX = 320 * 1024 * 1024  # bytes of all the XML parts together, decompressed
PARTS_MAX = 1000  # members of the archive (a workbook Excel saves has a few dozen)
ROWS_MAX = FILE_ROWS + 1  # <row> elements of one sheet: the header and the rows a file holds
CELLS_MAX = 4_000_000  # <c> elements of one sheet (40 a row of 100,000)
ELEMENTS_MAX = 12_000_000  # elements of all the parts together, counted while parsing
CELL_MAX = 64 * 1024  # characters of one cell or shared string
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
_TRUE = frozenset({"1", "true"})  # xsd:boolean's true
# A number cell's <v> as a spreadsheet writes it (xsd:double in ASCII: 3500, -2.5, 1.5E+20),
# at most NUMBER_MAX characters, and a shared string's index as ASCII digits. openpyxl reads
# them with int() and float(), which take `1_2_3`, Arabic-Indic `٣٠٠٠`, `NaN` and `0x10`'s
# neighbours, and raise on 5,000 digits (issue 12, finding 8).
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", re.ASCII)
_INDEX = re.compile(r"[0-9]{1,10}", re.ASCII)
NUMBER_MAX = 32


def _decimal(text: str) -> bool:
    """Whether `text` is ASCII digits 0-9 only: str.isdigit takes `²` and `١`, which int()
    then refuses or reads (a row numbered `²` had crashed the import with a 500: r3)."""
    return text.isascii() and text.isdigit()


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
        self.ref = ""  # the <c> being read (B7), and its type (t: n, s, b, str, e...)
        self.type = "n"
        self.value: list[str] | None = None  # the text of its <v>, while it is read
        self.hidden_rows: set[int] = set()  # rows the sheet hides (<row hidden="1">)
        self.hidden_columns: set[int] = set()  # columns (from 1) it hides (<col hidden="1">)
        self.elements = 0  # the part's elements, counted as they start
        self.budget = ELEMENTS_MAX  # the elements it may hold (what the earlier parts left)
        self.row_count = 0
        self.cell_count = 0
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
        self.elements += 1
        if self.elements == 1 and local == "worksheet":
            self.sheet = True  # a sheet whatever the member's name (sheet1.bin, issue 12)
        if self.elements > self.budget:
            raise TableError("", _too_many("XML elements", ELEMENTS_MAX))
        if self.sheet and local == "row":
            self.row_count += 1
            if self.row_count > ROWS_MAX:
                raise TableError("", _too_many("rows in a sheet", ROWS_MAX))
        elif self.sheet and local == "c":
            self.cell_count += 1
            if self.cell_count > CELLS_MAX:
                raise TableError("", _too_many("cells in a sheet", CELLS_MAX))
        if local in ("c", "si"):
            self.depth, self.size = self.depth + 1, 0
            if local == "c" and self.sheet:
                self.cell, self.valued = attributes.get("r"), False
                self.ref, self.type = attributes.get("r", "?"), attributes.get("t", "n")
        elif local == "f" and self.cell is not None:
            self.formulas.add(self.cell)
        elif local in ("v", "is"):
            self.valued = True
            if local == "v" and self.sheet and self.type in ("n", "s"):
                self.value = []
        elif local == "row" and self.sheet and "r" in attributes:
            number = attributes["r"]
            if number in self.rows:
                raise TableError(f"row {number}", "the sheet gives this row twice")
            self.rows.add(number)
            if attributes.get("hidden") in _TRUE and _decimal(number):
                self.hidden_rows.add(int(number))
        elif local == "col" and self.sheet and attributes.get("hidden") in _TRUE:
            first, last = attributes.get("min", ""), attributes.get("max", "")
            if _decimal(first) and _decimal(last):  # at most 16,384 columns (XFD)
                self.hidden_columns.update(range(int(first), min(int(last), 16_384) + 1))

    def _end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "v" and self.value is not None:
            value, self.value = "".join(self.value), None
            self._number(value)
        if local in ("c", "si"):
            self.depth -= 1
        if local == "c" and self.cell is not None:
            if self.valued:
                self.formulas.discard(self.cell)
            self.cell = None

    def _number(self, value: str) -> None:
        """TableError for a number cell's (or a shared string index's) text that is not as
        a spreadsheet writes it."""
        pattern = _NUMBER if self.type == "n" else _INDEX
        if len(value) <= NUMBER_MAX and pattern.fullmatch(value):
            # The digits as written, leading zeros included, at most DIGITS_MAX: the rule a
            # CSV cell's whole number follows (`0000000000000000500` is refused in both,
            # issue 12); openpyxl would read it as 500
            digits = len(value.lstrip("-").split(".")[0].split("e")[0].split("E")[0])
            if self.type != "n" or digits <= DIGITS_MAX:
                return
            raise TableError(f"cell {self.ref}", f"has {digits:,} digits, more than {DIGITS_MAX}")
        raise TableError(
            f"cell {self.ref}",
            f"holds {grammar.shown(value)}, which is not a number in ASCII digits as a "
            "spreadsheet writes one: type the number again",
        )

    def _text(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)
        if self.depth:
            self.size += len(data)
            if self.size > CELL_MAX:
                raise TableError("", f"{self.part}: a cell holds more than {CELL_MAX:,} characters")

    def feed(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
        """Parse the part; `budget`: the bytes the workbook's parts may still unpack to.
        Returns the bytes this part unpacked to; TableError past the budget (TOTAL_MAX)."""
        unpacked = 0
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                unpacked += len(chunk)
                if unpacked > budget:
                    raise TableError("", _too_large())
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        return unpacked


def _too_many(what: str, most: int) -> str:
    return f"the workbook holds more than {most:,} {what}: refused"


def _too_large() -> str:
    return f"the workbook's XML parts unpack to more than {TOTAL_MAX // (1 << 20):,} MiB: refused"


@dataclass
class _Found:
    """What `_guard` found: the cells (B7) that hold a formula and no value it computed, and
    by sheet part (xl/worksheets/sheet1.xml) the rows and columns (from 1) it hides."""

    formulas: set[str] = field(default_factory=set)
    hidden_rows: dict[str, set[int]] = field(default_factory=dict)
    hidden_columns: dict[str, set[int]] = field(default_factory=dict)


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a member is to be checked as XML: named .xml or .rels, or its first 4 KiB,
    past a byte order mark, are blank or begin with `<` (in UTF-8 or UTF-16); not a member
    zipfile cannot open (encrypted), which openpyxl cannot read either."""
    if info.filename.endswith((".xml", ".rels")):
        return True
    if info.is_dir():
        return False
    try:
        with archive.open(info) as stream:
            head = stream.read(4096)
    except (NotImplementedError, RuntimeError):
        return False  # encrypted, or compressed as zipfile cannot read: openpyxl cannot either
    if not head:
        return False  # empty: nothing to parse (an empty sheet fails openpyxl's reading)
    for bom in _BOMS:
        head = head.removeprefix(bom)
    if b"\x00" in head[:2]:  # UTF-16 (its BOM removed, or none): its ASCII without the NULs
        head = head.replace(b"\x00", b"")
        if not head:
            return False  # NULs only: no XML (printer settings may begin so)
    head = head.lstrip(b" \t\r\n")
    return not head or head.startswith(b"<")


def _guard(path: Path, name: str = "") -> _Found:
    """Every XML part of the archive checked as the module says; TableError names what, and
    the file by `name` (the name the person sent it by; the path's own name by default)."""
    found = _Found()
    name = name or path.name
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > PARTS_MAX:
                raise TableError(
                    "",
                    f"the workbook holds {len(members):,} parts, more than {PARTS_MAX:,}: refused",
                )
            # Every member openpyxl might parse as XML, whatever its name (a sheet renamed
            # sheet1.bin, its rels and content types changed, issue 12): named so, or
            # beginning as XML does; an image or printer settings begin otherwise.
            parts = [i for i in members if _xml(archive, i)]
            if sum(i.file_size for i in parts) > TOTAL_MAX:  # as the directory declares
                raise TableError("", _too_large())
            budget, elements = TOTAL_MAX, ELEMENTS_MAX
            for info in parts:
                if info.file_size > PART_MAX:
                    raise TableError(
                        "", f"{info.filename} is larger than {PART_MAX:,} bytes unpacked"
                    )
                sheet = info.filename.startswith("xl/worksheets/")
                guard = _Guard(info.filename, sheet)
                guard.budget = elements
                budget -= guard.feed(archive, info, budget)
                elements -= guard.elements
                found.formulas |= guard.formulas
                found.hidden_rows[info.filename] = guard.hidden_rows
                found.hidden_columns[info.filename] = guard.hidden_columns
    except expat.ExpatError as exc:
        raise TableError("", f"{name} holds malformed XML ({exc})") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise TableError("", f"{name} is not an .xlsx workbook ({exc})") from None
    return found


# Columns whose cells are numbers: a number cell there is taken as _text makes it, and the
# whole-number check refuses what is not one. In every other (text or id) column a number
# cell is taken only when it is an exact whole number below 10^15 (a marking typed as
# 123456) shown as typed (format General): a float such as 1.234567890123457e+17 has lost
# the digits the person typed, Excel shows only 15 significant digits, and a number format
# (`"АК "0000000`) shows the person another text than the number the cell holds.
NUMERIC = frozenset({"weight_g", "quantity", "year"})
DATES = frozenset({"decision_date"})  # the one column a date cell may be in (YYYY-MM-DD)
_EXACT = 10**15  # Excel keeps 15 significant digits of a number


def format_adds_text(number_format: str) -> bool:
    """Whether an Excel number format shows text or a unit besides the number (`0" кг"`,
    `0%`, `@`), or anything beyond digits, separators and an exponent: the conditions and
    colours in brackets ([Red]) aside. General shows the number as it is."""
    if number_format in ("General", ""):
        return False
    if re.search(r'"[^"]*"|\\.|@|%', number_format):
        return True
    bare = re.sub(r"\[[^\]]*\]", "", number_format)
    return any(c.isalpha() and c not in "Ee" for c in bare)


def _cell(value: Any, column: str, ref: str, number_format: str = "General") -> str:
    """The text of a cell in `column`, its number format as the sheet gives it; RowError for
    a number, a date or a time a text column cannot take, and for a number a number column
    would show with a text or unit the cell does not hold."""
    if isinstance(value, dt.datetime | dt.date | dt.time) and column not in DATES:
        raise RowError(
            column,
            f"cell {ref} holds a date or time ({_text(value)}), not the text typed: format "
            "the column as text and type it again",
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _text(value)
    if column in NUMERIC:
        if format_adds_text(number_format):
            raise RowError(
                column,
                f"cell {ref} shows the number {_text(value)} with the format {number_format}, "
                "which adds text or a unit: format the cell as General",
            )
        return _text(value)
    if number_format not in ("General", ""):
        raise RowError(
            column,
            f"cell {ref} holds the number {_text(value)} shown with the format "
            f"{number_format}, not the text typed: format the column as text and type it again",
        )
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
    """Open with `XlsxTable(path)`, then iterate rows. Raises TableError naming the row, and
    the file by `name` (the name it was sent by: a web upload is kept under another)."""

    def __init__(self, path: Path, name: str = "") -> None:
        self.path = path
        self.name = name or path.name
        self.sheet = ""
        self.header: list[str] = []
        self.found = _Found()
        self.hidden_rows: set[int] = set()
        self.hidden_columns: set[int] = set()

    @property
    def described(self) -> str:
        return f"sheet {self.sheet!r}"

    def rows(self) -> Iterator[Row]:
        from openpyxl import load_workbook  # a few hundred ms: only when an .xlsx comes

        self.found = _guard(self.path, self.name)  # before openpyxl parses any part
        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            # (the file by its name: never the server's path of it)
            raise TableError("", f"{self.name} is not an .xlsx workbook ({exc})") from None
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
            part = getattr(sheet, "_worksheet_path", "")
            self.hidden_rows = self.found.hidden_rows.get(part, set())
            self.hidden_columns = self.found.hidden_columns.get(part, set())
            yield from self._rows(sheet)
        finally:
            book.close()

    def _cell(self, cell: Any, header: list[str], index: int, number: int) -> str:
        from openpyxl.utils import get_column_letter

        value = cell.value
        column = header[index] if index < len(header) else get_column_letter(index + 1)
        ref = f"{get_column_letter(index + 1)}{number}"
        try:
            if value is None and ref in self.found.formulas:
                raise RowError(
                    column,
                    f"cell {ref} holds a formula without a computed value: open the file in "
                    "Excel and save it, or type the value",
                )
            return _cell(value, column, ref, getattr(cell, "number_format", None) or "General")
        except RowError as exc:
            raise TableError(f"row {number}", str(exc)) from None

    def _hidden(self, texts: list[str], number: int) -> None:
        """TableError when row `number` holds data and the sheet hides it or one of the
        columns its data is in: Excel does not show the person what would be imported."""
        from openpyxl.utils import get_column_letter

        held = [i for i, text in enumerate(texts) if text.strip()]
        if held and number in self.hidden_rows:
            raise TableError(
                f"row {number}",
                "the row is hidden and holds data: show it, or delete it, and save the file",
            )
        for i in held:
            if i + 1 in self.hidden_columns:
                letter = get_column_letter(i + 1)
                raise TableError(
                    f"column {letter}",
                    f"the column is hidden and holds data (cell {letter}{number}): show it, or "
                    "delete it, and save the file",
                )

    def _rows(self, sheet: Any) -> Iterator[Row]:
        number = 1
        try:
            rows = sheet.iter_rows()
            first = tuple(next(rows, ()))
            header = [_text(c.value).strip() for c in first]
            while header and not header[-1]:
                header.pop()
            self.header = header
            self._hidden(header, 1)
            try:
                check_header(header)
            except RowError as exc:
                raise TableError("row 1", str(exc)) from None
            for number, cells in enumerate(rows, start=2):
                texts = [self._cell(c, header, i, number) for i, c in enumerate(cells)]
                while texts and not texts[-1].strip():
                    texts.pop()
                if not texts:
                    continue
                self._hidden(texts, number)
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
