"""Bar charts as inline SVG, drawn on the server from the dashboard's figures.

Presentation attributes only: no <style>, no style="", no script, so that a chart lives under
the pages' strict Content Security Policy (style-src 'self', no inline script), which a chart
library's SVG (pygal's inline <style> and <script>) does not. Each bar is an SVG 2 `<a href>`
to the list behind it, its label and value the link's text (its accessible name); the page gives the
same figures as a table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

INK, BAR, GRID = "#1f2933", "#2f5d8a", "#c3ccd5"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    href: str
    shown: str  # the value as written beside the bar ("1 204", "3.5 t")


def columns(bars: Sequence[Bar], title: str, width: int = 480, height: int = 220) -> Markup:
    """Vertical bars, one per label left to right (months), the value above each."""
    top, bottom, left, right = 18, 34, 8, 8
    plot = height - top - bottom
    peak = max([0.0, *(b.value for b in bars)]) or 1.0
    step = (width - left - right) / max(1, len(bars))
    thick = step * 0.62
    parts = [_open(width, height, title)]
    base = top + plot
    parts.append(_line(left, base, width - right, base))
    for index, bar in enumerate(bars):
        x = left + index * step + (step - thick) / 2
        tall = plot * bar.value / peak
        y = base - tall
        # One text, label then value, so that the link's name is "2026-11 133" as seen.
        parts.append(
            f'<a href="{escape(bar.href)}">'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{thick:.1f}" height="{max(tall, 0.5):.1f}" '
            f'fill="{BAR}"/><text text-anchor="middle" fill="{INK}">'
            f'<tspan x="{x + thick / 2:.1f}" y="{base + 14}">{escape(bar.label)}</tspan>'
            f'<tspan x="{x + thick / 2:.1f}" y="{y - 4:.1f}"> {escape(bar.shown)}</tspan>'
            "</text></a>"
        )
    parts.append("</svg>")
    # Every text put in above is a number or passed through escape().
    return Markup("".join(parts))  # noqa: S704


def rows(bars: Sequence[Bar], title: str, width: int = 640) -> Markup:
    """Horizontal bars, one per line (states), the label left and the value at the end."""
    line, gap, label_w, value_w = 16, 5, 190, 60
    height = len(bars) * (line + gap) + gap
    peak = max([0.0, *(b.value for b in bars)]) or 1.0
    room = width - label_w - value_w
    parts = [_open(width, max(height, line), title)]
    for index, bar in enumerate(bars):
        y = gap + index * (line + gap)
        long = room * bar.value / peak
        parts.append(
            f'<a href="{escape(bar.href)}">'
            f'<rect x="{label_w}" y="{y}" width="{max(long, 0.5):.1f}" height="{line}" '
            f'fill="{BAR}"/><text fill="{INK}">'
            f'<tspan x="{label_w - 8}" y="{y + line * 0.72:.1f}" text-anchor="end">'
            f"{escape(bar.label)}</tspan>"
            f'<tspan x="{label_w + long + 6:.1f}" y="{y + line * 0.72:.1f}"> '
            f"{escape(bar.shown)}</tspan></text></a>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704


def _open(width: int, height: int, title: str) -> str:
    # role="group": the bars are links, each with its own name; the title names the group.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="group" aria-label="{escape(title)}" font-size="13" '
        f'font-family="sans-serif"><title>{escape(title)}</title>'
    )


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{GRID}" stroke-width="1"/>'
