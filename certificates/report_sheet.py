"""Reports as spreadsheets: CSV (every figure by its path) and .xlsx (openpyxl).

openpyxl writes Office Open XML that Excel and LibreOffice open, and reads it back, which is
how the tests check what a ministry clerk will see. The workbook of an annual report has a
sheet each for the national figures, the OSCE and UNODC tables, the year by month and the
places; every report's workbook has the figures by path and, on a hidden sheet, the
report's JSON, so that `custody verify-report` checks the workbook itself.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from certificates import report_tables as tables
from certificates.report_words import report_words
from workflows.reports.figures import flatten

JSON_SHEET = "report.json"
_CELL = 30_000  # under the 32,767 characters a cell holds


def to_csv(report: dict[str, Any]) -> bytes:
    """figure,value: one row per figure, by its path."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "value"])
    for path, value in flatten(report):
        if path.startswith("checkpoint.note"):
            continue
        writer.writerow([path, json.dumps(value) if isinstance(value, list) else value])
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
            figures.append([path, json.dumps(value) if isinstance(value, list) else value])
    hidden = book.create_sheet(JSON_SHEET)
    text = json.dumps(report, ensure_ascii=False, sort_keys=True)
    for start in range(0, len(text), _CELL):
        hidden.append([text[start : start + _CELL]])
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
        sheet.append([heading])
        sheet["A1"].font = bold
        if name == "national":
            sheet.append([tables.paragraph(report, w)])
        sheet.append(head)
        for row in rows:
            sheet.append(list(row))
        sheet.column_dimensions["A"].width = 60
    months = book.create_sheet("by_month")
    months.append(["", w["registered"], w["destroyed"]])
    for index, month in enumerate(w["months"].split()):
        months.append(
            [month, report["by_month"]["registered"][index], report["by_month"]["destroyed"][index]]
        )
    places = book.create_sheet("by_place")
    figures = (*tables.SOURCES, *tables.OUTCOMES)
    places.append([w["place"], *(tables.label(w, f) for f in figures)])
    for place, shown in sorted(report["by_place"].items()):
        places.append([place, *(shown["weapons"][f]["total"] for f in figures)])


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
