"""What a report's file shows a reader, checked against the report it carries (`custody
verify-report`'s step 5, docs/reports.md).

The figures a reader sees are not the JSON a workbook or a PDF carries: a clerk reads the
sheets, a minister the page. Once the carried report has been recomputed from the ledger
(steps 1-4), the file is made again from it by the same code that wrote it, and what it
shows is compared:

- a workbook (.xlsx): `report_sheet.to_xlsx` of the report in the workbook's language (its
  document property `language`; a workbook that records none is compared with the three),
  sheet by sheet: the sheets, their order and visibility, and on each every cell's value
  (a formula as its text) and number format, the hidden rows and columns, merged cells,
  conditional formats, images and charts. The first difference fails, naming the sheet and
  the cell.
- a PDF: `report_pdf.render` of the report in the language its attachment records (its
  "page" member), rendered again in a process of its own (certificates.again, as
  `verify-statement` renders a statement again) started before the ledger's steps, so that
  the render runs beside them; each page's text (pdf_reading) is compared with the render's,
  composed and without spaces (verify_statement.squeeze), and the first difference fails,
  naming the page and quoting both texts there.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from certificates import report_pdf, report_sheet
from certificates.again import RenderAgain, RenderFailed
from certificates.pdf_reading import PdfContent
from certificates.verify_statement import squeeze
from certificates.words import LANGUAGES

_AROUND = 24  # characters of text quoted on each side of a difference


class SheetShown:
    """The workbook's visible content against the report's own workbook."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def start(self, report: dict[str, Any]) -> None:
        """Nothing to start: the workbook is made again in a few milliseconds."""

    def stop(self) -> None:
        """Nothing to stop."""

    def check(self, report: dict[str, Any]) -> str | None:
        """None when the workbook shows what `report` makes; else where it differs."""
        try:
            given = _load(self.data)
        except ValueError as exc:
            return str(exc)
        recorded = given.properties.language
        languages = [recorded] if recorded in LANGUAGES else list(LANGUAGES)
        first: str | None = None
        for lang in languages:
            problem = sheet_difference(_load(report_sheet.to_xlsx(report, lang)), given)
            if problem is None:
                return None
            first = first or problem
        return first


def _load(data: bytes) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data))
    except Exception as exc:  # openpyxl raises several kinds for a file it cannot read
        raise ValueError(f"the workbook cannot be read: {exc}") from exc


def sheet_difference(wanted: Any, given: Any) -> str | None:
    """None when the two workbooks (openpyxl) show the same; else the first difference."""
    if wanted.sheetnames != given.sheetnames:
        return (
            f"the workbook's sheets are {given.sheetnames}; the report's workbook has "
            f"{wanted.sheetnames}"
        )
    for name in wanted.sheetnames:
        a, b = wanted[name], given[name]
        if a.sheet_state != b.sheet_state:
            return f"sheet {name} is {b.sheet_state}; in the report's workbook {a.sheet_state}"
        problem = _sheet(name, a, b)
        if problem is not None:
            return problem
    return None


def _sheet(name: str, a: Any, b: Any) -> str | None:
    rows, columns = max(a.max_row, b.max_row), max(a.max_column, b.max_column)
    for row in range(1, rows + 1):
        for column in range(1, columns + 1):
            mine, theirs = a.cell(row, column), b.cell(row, column)
            if not _same_value(mine.value, theirs.value):
                return (
                    f"sheet {name}, cell {theirs.coordinate}: the file shows "
                    f"{_shown(theirs.value)}, the report {_shown(mine.value)}"
                )
            shows = mine.value is not None or theirs.value is not None
            if shows and mine.number_format != theirs.number_format:
                return (
                    f"sheet {name}, cell {theirs.coordinate}: its number format is "
                    f"{theirs.number_format!r}, the report's {mine.number_format!r}"
                )
    hidden = _hidden(a), _hidden(b)
    if hidden[0] != hidden[1]:
        return f"sheet {name}: it hides rows or columns {sorted(hidden[1] - hidden[0])}"
    for what, of in (
        ("merged cells", lambda s: sorted(str(r) for r in s.merged_cells.ranges)),
        ("conditional formats", lambda s: len(s.conditional_formatting)),
        ("data validations", lambda s: len(s.data_validations.dataValidation)),
        ("images or charts", lambda s: len(s._images) + len(s._charts)),
    ):
        if of(a) != of(b):
            return f"sheet {name}: its {what} are not the report's ({of(b)}, not {of(a)})"
    return None


def _same_value(a: Any, b: Any) -> bool:
    """Equal cells; a boolean is never equal to a number, nor a number to its text."""
    return (type(a) is type(b) and a == b) or (_number(a) and _number(b) and a == b)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _hidden(sheet: Any) -> set[str]:
    rows = {f"row {n}" for n, d in sheet.row_dimensions.items() if d.hidden}
    return rows | {f"column {c}" for c, d in sheet.column_dimensions.items() if d.hidden}


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    text = str(value)
    return repr(text[:60] + "…" if len(text) > 60 else text)


@dataclass
class PdfShown:
    """The PDF's pages against the report rendered again (certificates.again)."""

    content: PdfContent
    shown: Any  # the attachment's "page" member: how the PDF says it was printed
    again: RenderAgain | None = None

    def problem_with_page(self) -> str | None:
        """Why the PDF cannot be rendered again, if it cannot."""
        if not isinstance(self.shown, dict):
            return (
                f"the PDF's {report_pdf.ATTACHMENT} does not say how it was printed (no "
                f'"{report_pdf.PAGE}" member: made before verify-report compared pages); '
                "make the PDF again with `custody report annual --format pdf`"
            )
        if self.shown.get("lang") not in LANGUAGES:
            return (
                f"the PDF's {report_pdf.ATTACHMENT} says it was printed in the language "
                f"{self.shown.get('lang')!r}: not one of {', '.join(LANGUAGES)}"
            )
        return None

    def start(self, report: dict[str, Any]) -> None:
        """Start the render again (a process of its own), beside the ledger's steps."""
        if self.problem_with_page() is not None:
            return
        attached = {**report, report_pdf.PAGE: self.shown}
        self.again = RenderAgain("report")
        self.again.give(attached, report_pdf.dumps(attached))

    def stop(self) -> None:
        if self.again is not None:
            self.again.stop()

    def check(self, report: dict[str, Any]) -> str | None:
        """None when every page's text is the render's; else the first page that differs."""
        problem = self.problem_with_page()
        if problem is not None:
            return problem
        if self.again is None:
            self.start(report)
        assert self.again is not None
        try:
            _, rendered = self.again.result()
        except RenderFailed as exc:
            return f"the report cannot be rendered again: {exc}"
        if rendered is None:  # a report's render never declines; a child that did is broken
            return "the report was not rendered again"
        from certificates.pdf_reading import read_pdf

        return page_difference(read_pdf(rendered, report_pdf.ATTACHMENT).pages, self.content.pages)


def page_difference(wanted: tuple[str, ...], given: tuple[str, ...]) -> str | None:
    """None when each page's text (squeezed: verify_statement.squeeze) is the same."""
    if len(wanted) != len(given):
        return f"the file has {len(given)} pages; the report rendered again has {len(wanted)}"
    for number, (mine, theirs) in enumerate(zip(wanted, given, strict=True), 1):
        a, b = squeeze(mine), squeeze(theirs)
        if a == b:
            continue
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
        at = min(len(a), len(b)) if at is None else at
        start = max(0, at - _AROUND)
        return (
            f"page {number}, at character {at:,} of its text (without spaces): the file "
            f"shows {json.dumps(b[start : at + _AROUND], ensure_ascii=False)}, the report "
            f"rendered again {json.dumps(a[start : at + _AROUND], ensure_ascii=False)}"
        )
    return None
