"""Reports as spreadsheets: CSV (every figure by its path) and .xlsx (openpyxl).

openpyxl writes Office Open XML that Excel and LibreOffice open, and reads it back, which is
how the tests check what a ministry clerk will see. The workbook of an annual report has a
sheet each for the national figures, the OSCE and UNODC tables, the year by month and the
places; every report's workbook has the figures by path and, on a hidden sheet, the
report's JSON, so that `custody verify-report` checks the workbook itself.

No cell is a formula (OWASP, CSV injection): a text that begins with `= + - @`, a tab or a
carriage return (a place's name, a marking: the grammar lets them begin so) is written with
an apostrophe before it (`spreadsheet_safe`), which Excel and LibreOffice show as text and do
not evaluate; the hidden JSON sheet's cells are typed as text, so that its chunks read back
exactly.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from certificates import report_tables as tables
from certificates.report_words import report_words
from workflows.grammar import FORMULA_FIRST
from workflows.reports.figures import flatten

JSON_SHEET = "report.json"
CELL = 30_000
"""The most characters of the JSON one hidden cell holds (under the 32,767 a cell may)."""


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a cell may hold it: a text that a spreadsheet would read as a formula
    (FORMULA_FIRST) gets an apostrophe before it; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_FIRST):
        return "'" + value
    return value


def _row(values: Any) -> list[Any]:
    return [spreadsheet_safe(v) for v in values]


def to_csv(report: dict[str, Any]) -> bytes:
    """figure,value: one row per figure, by its path."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "value"])
    for path, value in flatten(report):
        if path.startswith("checkpoint.note"):
            continue
        writer.writerow(_row([path, json.dumps(value) if isinstance(value, list) else value]))
    return out.getvalue().encode()


def to_xlsx(report: dict[str, Any], lang: str = "ru") -> bytes:
    """Raises UnknownLanguage."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    w = report_words(lang)
    book = Workbook()
    first = book.active
    book.remove(first)
    bold = Font(bold=True)
    if report.get("report") == "annual":
        _annual(book, report, w, bold)
    figures = book.create_sheet("figures")
    figures.append(["figure", "value"])
    for path, value in flatten(report):
        if not path.startswith("checkpoint.note"):
            figures.append(_row([path, json.dumps(value) if isinstance(value, list) else value]))
    hidden = book.create_sheet(JSON_SHEET)
    text = json.dumps(report, ensure_ascii=False, sort_keys=True)
    for row, start in enumerate(range(0, len(text), CELL), start=1):
        cell = hidden.cell(row=row, column=1, value=text[start : start + CELL])
        cell.data_type = "s"  # text, even when a chunk begins with "=": read back exactly
    hidden.sheet_state = "hidden"
    book.properties.language = lang  # verify-report makes the workbook again in it
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _annual(book: Any, report: dict[str, Any], w: dict[str, str], bold: Any) -> None:
    head = [w["col.figure"], w["col.total"], w["col.rifled"]]
    for name, heading, rows in (
        ("national", w["table.national"], tables.national(report, w)),
        ("OSCE", w["table.osce"], tables.osce(report, w)),
        ("UNODC", w["table.unodc"], tables.unodc(report, w)),
    ):
        sheet = book.create_sheet(name)
        sheet.append(_row([heading]))
        sheet["A1"].font = bold
        if name == "national":
            sheet.append(_row([tables.paragraph(report, w)]))
        sheet.append(_row(head))
        for row in rows:
            sheet.append(_row(row))
        sheet.column_dimensions["A"].width = 60
    months = book.create_sheet("by_month")
    months.append(_row(["", w["registered"], w["destroyed"]]))
    for index, month in enumerate(w["months"].split()):
        months.append(
            [month, report["by_month"]["registered"][index], report["by_month"]["destroyed"][index]]
        )
    places = book.create_sheet("by_place")
    figures = (*tables.SOURCES, *tables.OUTCOMES)
    places.append(_row([w["place"], *(tables.label(w, f) for f in figures)]))
    for place, shown in sorted(report["by_place"].items()):
        places.append(_row([place, *(shown["weapons"][f]["total"] for f in figures)]))


def from_xlsx(data: bytes) -> dict[str, Any]:
    """The report's JSON from a workbook this module wrote. Raises ValueError."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True)
        sheet = book[JSON_SHEET]
    except Exception as exc:  # openpyxl raises several kinds for a file it cannot read
        raise ValueError(f"not a report workbook: {exc}") from exc
    text = "".join(str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0])
    report: dict[str, Any] = json.loads(text)
    return report
