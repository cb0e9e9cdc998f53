"""The annual report's PDF and workbook in each language: the national report's paragraph with
the year's figures, the OSCE and UNODC fields named, the chart, the report attached."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from certificates import report_pdf, report_sheet, report_tables
from certificates.pdf_reading import read_pdf
from certificates.report_words import report_words
from certificates.words import UnknownLanguage
from tests.support.report_year import EXPECTED_AMMUNITION, EXPECTED_WEAPONS

REPORT: dict[str, Any] = {
    "report": "annual",
    "year": 2026,
    "time_zone": "Asia/Almaty",
    "place": None,
    "checkpoint": {"size": 321, "root": "ab" * 32, "note": "custody.test/ledger\n321\n..."},
    "weapons": EXPECTED_WEAPONS,
    "ammunition": EXPECTED_AMMUNITION,
    "by_place": {},
    "by_month": {"registered": [0] * 10 + [12, 1], "destroyed": [0] * 11 + [5]},
}


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("ru", "В 2026 году добровольно сдано 4 единиц оружия, в том числе 3 нарезного"),
        ("kk", "2026 жылы 4 қару өз еркімен тапсырылды, оның ішінде 3 ойық ұңғылы"),
        ("en", "In 2026, there were 4 weapons voluntarily surrendered, including 3 rifled"),
    ],
)
def test_each_language_has_the_paragraph_and_the_named_fields(lang: str, sentence: str) -> None:
    page = report_pdf.html(REPORT, lang)
    assert sentence in page
    words = report_words(lang)
    for key in ("osce.seized", "osce.destroyed", "unodc.found", "unodc.surrendered"):
        assert words[key] in page
    assert "<svg" in page
    assert page.count("<rect") >= 2 + 2  # a bar for each month with a figure, and the legend


def test_the_osce_table_adds_confiscated_and_found_as_seized() -> None:
    rows = report_tables.osce(REPORT, report_words("en"))
    assert rows[0] == ("SALW seized (confiscated and found)", 6, 2)
    assert rows[2] == ("SALW destroyed", 5, 2)


def test_the_pdf_reads_back_with_its_paragraph_and_its_report_attached() -> None:
    pdf = read_pdf(report_pdf.render(REPORT, "ru"), report_pdf.ATTACHMENT)
    assert "добровольно сдано 4 единиц оружия" in " ".join(pdf.text.split())
    assert pdf.attachment is not None
    attached = json.loads(pdf.attachment)
    # how it was printed, for verify-report to render it again; not a figure
    shown = attached.pop(report_pdf.PAGE)
    assert shown["lang"] == "ru"
    assert set(shown["renderer"]) >= {"packages", "pango", "fonts"}
    assert attached == REPORT


def test_the_workbook_carries_the_report_and_reads_back_equal() -> None:
    from openpyxl import load_workbook

    data = report_sheet.to_xlsx(REPORT, "kk")
    assert report_sheet.from_xlsx(data) == REPORT
    book = load_workbook(io.BytesIO(data))
    assert book[report_sheet.JSON_SHEET].sheet_state == "hidden"
    assert [row[1] for row in book["by_month"].iter_rows(min_row=12, values_only=True)] == [12, 1]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(UnknownLanguage):
        report_pdf.html(REPORT, "fr")
