"""`custody verify-report` checks what a file shows, not only the JSON it carries: a workbook
whose visible figures were changed, or a PDF whose pages were rendered from other figures
around the genuine attachment, fails naming the sheet and cell or the page; a CSV is said
plainly not to be verifiable; and a report whose own fields are malformed is refused naming
the field, never an internal error (Hypothesis feeds any JSON value into each field)."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.reports import read_report
from certificates import report_pdf
from tests.support import report_year
from tests.support.processes import environment, run
from tests.support.report_year import ZONE, Year
from tests.support.site import Site
from workflows.errors import InvalidRequest
from workflows.reports.recompute import ReportRequest, at_checkpoint, choose_checkpoint
from workflows.reports.verification import verify_report


@pytest.fixture
def year(site: Site) -> Year:
    return report_year.build(site)


@pytest.fixture
def env(site: Site, year: Year, tmp_path: Path) -> dict[str, str]:
    return environment(tmp_path, site.ledger.database.url)


def annual(site: Site, number: int) -> dict[str, Any]:
    at = choose_checkpoint(site.ledger, None)
    report, _ = at_checkpoint(site.ledger.database, ReportRequest.annual(number, ZONE), at)
    return report


def _made(env: dict[str, str], year: Year, tmp_path: Path, fmt: str) -> Path:
    out = tmp_path / f"report.{fmt}"
    done = run(env, "report", "annual", "--year", str(year.year), "--format", fmt,
               "--lang", "en", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def test_a_workbook_whose_visible_figure_was_changed_fails_naming_sheet_and_cell(
    env: dict[str, str], year: Year, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    genuine = _made(env, year, tmp_path, "xlsx")
    checked = run(env, "verify-report", str(genuine))
    assert checked.returncode == 0, checked.stderr
    assert "every sheet shows what the report makes" in checked.stdout
    book = load_workbook(genuine)
    osce = book["OSCE"]
    # the row of SALW seized (confiscated and found): 6 of them, 2 rifled; the hidden
    # report.json sheet is left as it was
    row = next(r for r in osce.iter_rows() if r[0].value == "SALW seized (confiscated and found)")
    assert row[1].value == 6
    row[1].value = 60
    forged = tmp_path / "forged.xlsx"
    book.save(forged)
    refused = run(env, "verify-report", str(forged))
    assert refused.returncode == 1
    line = refused.stderr.strip().splitlines()[0]
    assert f"sheet OSCE, cell {row[1].coordinate}: the file shows '60', the report '6'" in line


def test_a_workbook_with_a_number_format_that_shows_another_figure_fails(
    site: Site, year: Year
) -> None:
    from openpyxl import load_workbook

    from certificates.report_sheet import to_xlsx

    report = annual(site, year.year)
    book = load_workbook(io.BytesIO(to_xlsx(report, "ru")))
    cell = book["figures"]["B2"]
    cell.number_format = '0"0"'  # 6 shown as 60, the value untouched
    out = io.BytesIO()
    book.save(out)
    read = read_report(out.getvalue())
    verdict = verify_report(site.ledger.database, read.report, workers=1, shown=read.shown)
    assert verdict.step == "shown"
    assert "sheet figures, cell B2: its number format is" in (verdict.reason or "")
    # a sheet hidden, or one added, is named too
    book = load_workbook(io.BytesIO(to_xlsx(report, "ru")))
    book["OSCE"].sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    read = read_report(out.getvalue())
    verdict = verify_report(site.ledger.database, read.report, workers=1, shown=read.shown)
    assert (verdict.step, verdict.reason) == (
        "shown",
        "sheet OSCE is hidden; in the report's workbook visible",
    )


def test_a_pdf_whose_pages_show_other_figures_than_its_attachment_fails_naming_the_page(
    site: Site, year: Year
) -> None:
    from weasyprint import HTML, Attachment

    from certificates import renderer_identity

    report = annual(site, year.year)
    genuine = report_pdf.render(report, "en")
    read = read_report(genuine)
    verdict = verify_report(site.ledger.database, read.report, workers=1, shown=read.shown)
    assert verdict.ok, verdict.reason
    shown_figures = copy.deepcopy(report)
    shown_figures["weapons"]["destroyed"]["total"] *= 100
    attached = {**report, "page": {"lang": "en", "renderer": renderer_identity.identity()}}
    forged = HTML(string=report_pdf.html(shown_figures, "en")).write_pdf(
        attachments=[Attachment(string=report_pdf.dumps(attached), name="report.json")],
        pdf_variant="pdf/a-3b",
    )
    read = read_report(forged)
    assert read.report == report  # the attachment is the genuine report
    verdict = verify_report(site.ledger.database, read.report, workers=1, shown=read.shown)
    assert verdict.step == "shown"
    reason = verdict.reason or ""
    assert reason.startswith("page 1, at character"), reason
    total = report["weapons"]["destroyed"]["total"]
    assert f"{total}00" in reason.split("the report rendered again")[0]


def test_a_pdf_that_does_not_say_how_it_was_printed_is_not_verified(site: Site, year: Year) -> None:
    from weasyprint import HTML, Attachment

    report = annual(site, year.year)
    older = HTML(string=report_pdf.html(report, "en")).write_pdf(
        attachments=[Attachment(string=report_pdf.dumps(report), name="report.json")]
    )
    read = read_report(older)
    verdict = verify_report(site.ledger.database, read.report, workers=1, shown=read.shown)
    assert verdict.step == "shown"
    assert 'no "page" member' in (verdict.reason or "")


def test_a_csv_is_said_plainly_not_to_be_verifiable(
    env: dict[str, str], year: Year, tmp_path: Path
) -> None:
    out = _made(env, year, tmp_path, "csv")
    refused = run(env, "verify-report", str(out))
    assert refused.returncode != 0
    assert refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "a CSV report cannot be verified" in lines[0]
    assert ".json, .xlsx or .pdf" in lines[0]


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("year", float("inf"), 'field "year": float inf, not a whole number'),
        ("year", True, 'field "year": bool True, not a whole number'),
        ("year", "2026", "field \"year\": str '2026', not a whole number"),
        ("year", 10**30, "out of range"),
        ("place", {}, 'field "place": dict {}, not text or null'),
        ("time_zone", ["x"], 'field "time_zone": list'),
        ("time_zone", "../../../../etc/passwd", "unknown time zone"),
    ],
)
def test_cli_malformed_fields_are_refused_naming_the_field(
    env: dict[str, str], site: Site, year: Year, tmp_path: Path, field: str, value: Any, said: str
) -> None:
    report = annual(site, year.year)
    report[field] = value
    path = tmp_path / "malformed.json"
    path.write_text(json.dumps(report))  # Infinity, as Python's json writes it
    refused = run(env, "verify-report", str(path))
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "internal error" not in lines[0]
    assert said in lines[0]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and the infinities too: Python's json reads them
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
FIELDS = ["report", "year", "place", "time_zone", "from", "to", "checkpoint"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.dictionaries(st.sampled_from([*FIELDS, "checkpoint.size", "checkpoint.note"]), JSON))
def test_any_json_in_the_reports_fields_is_refused_or_verified_never_an_error(
    site: Site, year: Year, changes: dict[str, Any]
) -> None:
    report = annual(site, year.year)
    for name, value in changes.items():
        if name.startswith("checkpoint.") and isinstance(report.get("checkpoint"), dict):
            report["checkpoint"][name.split(".", 1)[1]] = value
        else:
            report[name] = value
    data = json.dumps(report).encode()
    try:
        read = read_report(data)
    except InvalidRequest:
        return  # refused, as the CLI says in one line
    verdict = verify_report(site.ledger.database, read.report, workers=1)
    assert verdict.ok or (verdict.step and verdict.reason)
    if verdict.ok:  # verified: the report is still the one the ledger gives
        assert ReportRequest.of(read.report) == ReportRequest.annual(year.year, ZONE)
