"""Reports for the ways in (CLI and HTTP): computed at a checkpoint by workflows.reports,
written as JSON, CSV, .xlsx or PDF by certificates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from certificates import report_sheet
from custody.ledger import Ledger
from workflows.errors import InvalidRequest
from workflows.reports.recompute import ReportRequest, at_checkpoint, choose_checkpoint
from workflows.reports.tally import Tally
from workflows.reports.verification import ShownCheck

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
CSV_HEAD = b"figure,value"  # report_sheet.to_csv's first line
VERIFIABLE = "verify-report reads a report's .json, .xlsx or .pdf"


def compute(
    ledger: Ledger, request: ReportRequest, note: str | None = None
) -> tuple[dict[str, Any], Tally]:
    """The report at the checkpoint `note` names, or at today's (workflows.reports)."""
    return at_checkpoint(ledger.database, request, choose_checkpoint(ledger, note))


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidRequest(f"no report format {fmt!r}: choose {', '.join(FORMATS)}")
    return fmt


def check_pdf(report: dict[str, Any]) -> None:
    if report.get("report") != "annual":
        raise InvalidRequest("a PDF is made of the annual report; choose json, csv or xlsx")


def written(report: dict[str, Any], fmt: str, lang: str) -> bytes:
    """The report as JSON, CSV or .xlsx (a PDF is rendered by certificates.worker)."""
    check_format(fmt)
    if fmt == "json":
        return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "csv":
        return report_sheet.to_csv(report)
    if fmt == "xlsx":
        return report_sheet.to_xlsx(report, lang)
    raise InvalidRequest(f"the {fmt} of a report is rendered by the worker")


@dataclass
class ReportFile:
    """A report as a file carries it, and what the file shows a reader, to be checked against
    it (certificates.report_check; None for JSON, which shows nothing else)."""

    report: dict[str, Any]
    shown: ShownCheck | None = None


def read_report(data: bytes) -> ReportFile:
    """A report from the file `written` made: JSON, the PDF's attachment, or the workbook's
    hidden sheet. Raises InvalidRequest, saying so plainly for a CSV (it carries no signed
    checkpoint, so it cannot be verified) and for any other file."""
    from certificates import report_check
    from certificates.pdf_reading import UnreadablePdf, read_pdf
    from certificates.report_pdf import ATTACHMENT, PAGE

    if data.startswith(CSV_HEAD):
        raise InvalidRequest(
            f"a CSV report cannot be verified (it carries no signed checkpoint): {VERIFIABLE}"
        )
    shown: ShownCheck | None = None
    try:
        if data.startswith(b"%PDF"):
            content = read_pdf(data, ATTACHMENT)
            if content.attachment is None:
                raise InvalidRequest(f"the PDF carries no {ATTACHMENT}")
            report = json.loads(content.attachment)
            if isinstance(report, dict):
                shown = report_check.PdfShown(content, report.pop(PAGE, None))
        elif data.startswith(b"PK"):
            report = report_sheet.from_xlsx(data)
            shown = report_check.SheetShown(data)
        else:
            report = json.loads(data)
    except (UnreadablePdf, ValueError, RecursionError) as exc:
        raise InvalidRequest(f"not a report ({exc}): {VERIFIABLE}") from exc
    if not isinstance(report, dict):
        raise InvalidRequest("not a report: the JSON is not an object")
    return ReportFile(report, shown)
