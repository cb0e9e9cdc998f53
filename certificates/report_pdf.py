"""The annual report as a PDF/A-3: the national report's paragraph, the OSCE and UNODC tables,
the year by month, and the report's JSON attached (`report.json`), so that `custody
verify-report` checks the PDF itself. Render it in a process of its own
(certificates.worker), as statements are."""

from __future__ import annotations

import json
from typing import Any

from certificates import report_tables as tables
from certificates.render import PDF_VARIANT, templates
from certificates.report_words import report_words

ATTACHMENT = "report.json"
PLACE_FIGURES = (*tables.SOURCES, "destroyed", "returned_to_owner")


def html(report: dict[str, Any], lang: str) -> str:
    """Raises UnknownLanguage; an annual report only (its JSON shape, docs/reports.md)."""
    w = report_words(lang)
    title = w["title.annual"].format(year=report["year"])
    return templates.get_template("report.html.j2").render(
        lang=lang,
        title=title,
        report=report,
        words=w,
        paragraph=tables.paragraph(report, w),
        tables=[
            (w["table.national"], tables.national(report, w)),
            (w["table.osce"], tables.osce(report, w)),
            (w["table.unodc"], tables.unodc(report, w)),
        ],
        chart=tables.chart_svg(report["by_month"], w),
        places=sorted(report["by_place"].items()),
        place_figures=PLACE_FIGURES,
    )


def dumps(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True).encode()


def render(report: dict[str, Any], lang: str) -> bytes:
    from weasyprint import HTML, Attachment  # imported here: it takes a second to load

    attachment = Attachment(
        string=dumps(report),
        name=ATTACHMENT,
        description="custody report: recompute with custody verify-report",
        relationship="Source",
    )
    return bytes(
        HTML(string=html(report, lang)).write_pdf(attachments=[attachment], pdf_variant=PDF_VARIANT)
    )
