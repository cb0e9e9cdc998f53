"""Intake tables as `custody import` reads them (api/imports): real CSV files in the encodings
and delimiters offices save, and real .xlsx workbooks, read back into the `IntakeIn` the HTTP
API takes. Each test is named for the defect it proves gone (issue 12: lines split before the
parser, Windows-1251 an internal error, int() taking `1_200` and Arabic-Indic digits)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from api.imports import intake_file
from api.imports.csv_table import CsvTable, TableError
from api.imports.intake_rows import COLUMNS

HEADER = ["item", "category", "source", "location", "weight_g", "marking", "marking_place"]
PLACES = {"UNIT-ALM"}


def _no_photo(path: Path) -> dict[str, Any]:
    raise AssertionError(f"no photo expected, got {path}")


def _write(
    path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def _row(item: str, marking: str = "АК 7713", weight: str = "3300") -> list[str]:
    return [item, "edged", "found", "UNIT-ALM", weight, marking, "клинок"]


def _read(path: Path, **options: Any) -> intake_file.IntakeFile:
    return intake_file.read(path, _no_photo, PLACES, **options)


def test_a_utf8_bom_does_not_become_part_of_the_first_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.csv", [_row("KZ-1")], encoding="utf-8-sig")
    read = _read(path)
    assert [i.item for i in read.intakes] == ["KZ-1"]
    assert read.table.described == "UTF-8 with BOM, cells separated by ','"


def test_windows_1251_with_semicolons_is_read_and_said(tmp_path: Path) -> None:
    path = _write(tmp_path / "excel.csv", [_row("KZ-1", "ЛМ №7713")], "cp1251", ";")
    read = _read(path)
    assert read.intakes[0].marking == "ЛМ №7713"
    assert read.table.described == "Windows-1251, cells separated by ';'"
    asked = _read(path, encoding="windows-1251", delimiter=";")
    assert asked.intakes == read.intakes


def test_windows_1251_read_as_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    ascii_row = ["KZ-1", "edged", "found", "UNIT-ALM", "400", "AK 1", "blade"]
    path = _write(tmp_path / "excel.csv", [ascii_row, _row("KZ-2", "ЛМ 2")], "cp1251")
    with pytest.raises(TableError) as refused:
        _read(path, encoding="utf-8")
    assert str(refused.value).startswith("line 3: byte 0xcb is not UTF-8")


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\u2028"])
def test_a_quoted_line_break_stays_in_the_marking_and_lines_still_count(
    tmp_path: Path, separator: str
) -> None:
    marking = f"АК 7713{separator}левая сторона"
    path = _write(tmp_path / "break.csv", [_row("KZ-1", marking), _row("KZ-2", weight="x")])
    table = CsvTable(path)
    rows = list(table.rows())
    assert rows[0].cells["marking"] == marking  # never joined, never split
    # the first record spans two lines when its break is a line break, one with U+2028
    second = 4 if separator != "\u2028" else 3
    assert rows[1].where == f"line {second}"
    with pytest.raises(TableError) as refused:
        _read(path)
    # kept as read, the break is then refused by the grammar (docs/identifiers.md), by name
    assert str(refused.value).startswith("line 2: column marking:")
    assert f"U+{ord(separator[0]):04X}" in str(refused.value)


@pytest.mark.parametrize(
    "weight", ["1_200", "١٢٠٠", "１２００", "+1200", "1200.0", " 12 00", "1e3"], ids=repr
)
def test_a_whole_number_is_ascii_digits_only_and_the_refusal_names_line_and_column(
    tmp_path: Path, weight: str
) -> None:
    path = _write(tmp_path / "n.csv", [_row("KZ-1"), _row("KZ-2", "АК 2", weight)])
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value) == (
        f"line 3: column weight_g: {weight.strip(' ')!r} is not a whole number in ASCII digits"
    )


def test_a_model_refusal_names_the_column_it_came_from(tmp_path: Path) -> None:
    path = _write(tmp_path / "w.csv", [_row("KZ-1", weight="0")])
    with pytest.raises(TableError) as refused:
        _read(path)
    assert str(refused.value).startswith("line 2: column weight_g: ")


def test_too_many_cells_suggest_the_delimiter(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.csv", [[*_row("KZ-1"), "extra"]])
    with pytest.raises(TableError, match="line 2: 8 cells, the header has 7"):
        _read(path)


def test_another_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableError, match=r"an intake file is \.csv or \.xlsx"):
        _read(path)


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Лист1"
    for row in [HEADER, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_gives_the_same_intakes_as_the_same_csv(tmp_path: Path) -> None:
    rows = [_row("KZ-1", "ЛМ 1"), _row("KZ-2", "АК 7713 левая сторона")]
    from_csv = _read(_write(tmp_path / "t.csv", rows))
    typed = [[*r[:4], int(r[4]), *r[5:]] for r in rows]  # weights as Excel numbers
    from_xlsx = _read(_xlsx(tmp_path / "t.xlsx", typed))
    assert from_xlsx.intakes == from_csv.intakes
    assert from_xlsx.where == {"KZ-1": "row 2", "KZ-2": "row 3"}
    assert from_xlsx.table.described == "sheet 'Лист1'"


@pytest.mark.parametrize("weight", [1200.5, True, "1_200"], ids=repr)
def test_an_xlsx_weight_that_is_not_whole_names_row_and_column(tmp_path: Path, weight: Any) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [[*_row("KZ-1")[:4], weight, "ЛМ 1", "клинок"]])
    with pytest.raises(TableError, match=r"row 2: column weight_g: .* is not a whole number"):
        _read(path)


def test_the_samples_in_docs_hold_the_same_columns(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parent.parent / "docs"
    seen = {}
    for name in ("intake-sample.csv", "intake-sample-cp1251.csv", "intake-sample.xlsx"):
        table = intake_file.open_table(docs / name)
        seen[name] = [row.cells for row in table.rows()]
        assert table.header == list(COLUMNS)
    assert len({len(rows) for rows in seen.values()}) == 1
