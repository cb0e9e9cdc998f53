"""No export is a formula (OWASP, CSV injection): a marking, a place's name or any text that
begins with `= + - @` is written to the CSV and XLSX reports with an apostrophe before it, and
the workbook's hidden JSON reads back exactly even where a chunk begins with `=`. Each export
is read back as a spreadsheet reads it (csv, openpyxl)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from certificates.report_sheet import CELL, from_xlsx, spreadsheet_safe, to_csv, to_xlsx

FORMULAS = ["=1+1", "+7(777)", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("http://x","y")', "\t=1"]


def _report(texts: list[str]) -> dict[str, Any]:
    return {
        "report": "compliance",
        "places": {f"place-{n}": {"name": text, "count": n} for n, text in enumerate(texts)},
        "note": texts[0],
    }


def _cells(data: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            cells.extend(row)
    return cells


@pytest.mark.parametrize("text", FORMULAS)
def test_a_csv_report_neutralises_a_formula(text: str) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(_report([text])).decode())))
    values = [value for _, value in rows[1:]]
    assert "'" + text in values
    assert not any(v.startswith(("=", "+", "-", "@", "\t")) for v in values)


@pytest.mark.parametrize("text", FORMULAS)
def test_an_xlsx_report_holds_no_formula_and_its_json_reads_back(text: str) -> None:
    report = _report([text])
    data = to_xlsx(report)
    cells = _cells(data)
    assert all(cell.data_type != "f" for cell in cells)
    assert "'" + text in [cell.value for cell in cells]
    assert from_xlsx(data) == report


def test_a_json_chunk_beginning_with_equals_is_text_not_a_formula() -> None:
    prefix = '{"note": "'  # json.dumps of the report below, sort_keys: "note" first
    report = {"note": "x" * (CELL - len(prefix)) + "=1+1", "report": "compliance"}
    data = to_xlsx(report)
    assert all(cell.data_type != "f" for cell in _cells(data))
    assert from_xlsx(data) == report


@given(st.text(max_size=20))
def test_spreadsheet_safe_prefixes_exactly_what_a_spreadsheet_evaluates(text: str) -> None:
    safe = spreadsheet_safe(text)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert safe == "'" + text
    else:
        assert safe == text
    assert spreadsheet_safe(7) == 7
