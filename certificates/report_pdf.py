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
PAGE = "page"  # the attachment's member saying how the PDF was printed (not a figure)
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
    """The PDF; its attachment is the report's JSON with a "page" member saying how it was
    printed (`lang`, and what rendered it: renderer_identity), so that `verify-report`
    renders it again and compares the pages' text. Raises UnknownLanguage."""
    from weasyprint import HTML, Attachment  # imported here: it takes a second to load

    from certificates import renderer_identity

    shown = {"lang": lang, "renderer": renderer_identity.identity()}
    attachment = Attachment(
        string=dumps({**report, PAGE: shown}),
        name=ATTACHMENT,
        description="custody report: recompute with custody verify-report",
        relationship="Source",
    )
    return bytes(
        HTML(string=html(report, lang)).write_pdf(attachments=[attachment], pdf_variant=PDF_VARIANT)
    )


def render_again(attached: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """For verify-report: this machine's renderer identity, and the PDF rendered again from
    `attached` (the report as the PDF carries it, with its "page" member). Raises KeyError,
    TypeError or ValueError (UnknownLanguage) for an attachment that does not say how."""
    from certificates import renderer_identity

    shown = attached[PAGE]
    report = {name: value for name, value in attached.items() if name != PAGE}
    return renderer_identity.identity(), render(report, shown["lang"])
