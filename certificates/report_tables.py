"""The annual report's figures laid out as people file them: the national report's paragraph
(section A.6 (vi) of the UN Programme of Action report), the OSCE and UNODC tables with
their fields named, and a chart of the year by month drawn as inline SVG. Shared by the
PDF and the spreadsheet, so both show the same rows."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

Cell = int | float | str | None
Row = tuple[str, Cell, Cell]  # label, total (or value), rifled (or None)

SOURCES = ("surrendered", "confiscated", "found", "surplus")
OUTCOMES = ("destroyed", "returned_to_owner", "held_as_evidence_at_year_end")
CATEGORIES = ("firearm", "gas", "edged", "part")
AMMUNITION = (
    "lots_registered",
    "rounds_registered",
    "lots_destroyed",
    "rounds_destroyed",
    "scrap_weight_kg",
    "explosive_used_kg",
)


def _pair(report: dict[str, Any], figure: str) -> tuple[int, int]:
    found = report["weapons"][figure]
    return int(found["total"]), int(found["rifled"])


def label(w: dict[str, str], figure: str) -> str:
    """A weapon figure's name: the sources have their own row names."""
    return w.get(f"row.{figure}", w[figure])


def national(report: dict[str, Any], w: dict[str, str]) -> list[Row]:
    rows: list[Row] = [(label(w, f), *_pair(report, f)) for f in (*SOURCES, *OUTCOMES)]
    by_category = report["weapons"]["destroyed"]["by_category"]
    rows += [(f"{w['destroyed']}: {w[c]}", by_category[c], None) for c in CATEGORIES]
    rows += [(w[f], report["ammunition"][f], None) for f in AMMUNITION]
    return rows


def osce(report: dict[str, Any], w: dict[str, str]) -> list[Row]:
    confiscated, found = _pair(report, "confiscated"), _pair(report, "found")
    return [
        (w["osce.seized"], confiscated[0] + found[0], confiscated[1] + found[1]),
        (w["osce.surplus"], *_pair(report, "surplus")),
        (w["osce.destroyed"], *_pair(report, "destroyed")),
        (w["osce.method"], w["osce.method.value"], None),
    ]


def unodc(report: dict[str, Any], w: dict[str, str]) -> list[Row]:
    ammunition = report["ammunition"]
    return [
        (w["unodc.seized"], *_pair(report, "confiscated")),
        (w["unodc.found"], *_pair(report, "found")),
        (w["unodc.surrendered"], *_pair(report, "surrendered")),
        (w["unodc.destroyed"], *_pair(report, "destroyed")),
        (w["unodc.ammunition_seized"], ammunition["rounds_registered"], None),
        (w["unodc.ammunition_destroyed"], ammunition["rounds_destroyed"], None),
    ]


def paragraph(report: dict[str, Any], w: dict[str, str]) -> str:
    values: dict[str, Any] = {"year": report["year"]}
    for figure in (*SOURCES, "destroyed"):
        values[figure], values[f"{figure}_rifled"] = _pair(report, figure)
    values["returned"] = report["weapons"]["returned_to_owner"]["total"]
    values["held"] = report["weapons"]["held_as_evidence_at_year_end"]["total"]
    values |= {k: report["ammunition"][k] for k in ("rounds_destroyed", "lots_destroyed")}
    values["scrap"] = report["ammunition"]["scrap_weight_kg"]
    return w["paragraph"].format(**values)


def chart_svg(by_month: dict[str, list[int]], w: dict[str, str]) -> Markup:
    """Weapons registered and destroyed in each month, as paired bars (inline SVG)."""
    width, height, top, bottom, left = 520, 180, 12, 30, 30
    months = w["months"].split()
    series = (("registered", "#4a6fa5"), ("destroyed", "#b5473a"))
    peak = max([1, *by_month["registered"], *by_month["destroyed"]])
    step = (width - left) / 12
    bar = step * 0.38
    plot = height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="8">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#000" stroke-width="0.5"/>',
        f'<text x="{left - 4}" y="{top + 3}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    for month in range(12):
        x0 = left + month * step + step * 0.1
        for offset, (what, colour) in enumerate(series):
            value = by_month[what][month]
            tall = plot * value / peak
            x = x0 + offset * bar
            y = height - bottom - tall
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{tall:.1f}" '
                f'fill="{colour}"><title>{escape(w[what])}: {value}</title></rect>'
            )
            if value:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle">'
                    f"{value}</text>"
                )
        parts.append(
            f'<text x="{x0 + bar:.1f}" y="{height - bottom + 11}" text-anchor="middle">'
            f"{escape(months[month])}</text>"
        )
    for offset, (what, colour) in enumerate(series):
        x = left + offset * 150
        parts.append(f'<rect x="{x}" y="{height - 10}" width="8" height="8" fill="{colour}"/>')
        parts.append(f'<text x="{x + 12}" y="{height - 3}">{escape(w[what])}</text>')
    parts.append("</svg>")
    # Every text put in above is a number or passed through escape().
    return Markup("".join(parts))  # noqa: S704
