"""Intake labels: the item's marking (or the internal tag R10 gave it), its record number and a
QR code a scanner reads back, on a sheet of 24 (A4, 70 x 37 mm) or one 62 mm label for a
label printer. The QR code carries `custody-item:v1;id=<record number>`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import segno

from certificates.render import templates
from certificates.words import word, words


@dataclass(frozen=True)
class LabelItem:
    """What a label prints about an item (from workflows.model.Item)."""

    id: str
    marking: str | None
    internal_tag: str | None
    category: str
    model: str | None
    calibre: str | None


@dataclass(frozen=True)
class Label:
    id: str
    marking: str
    what: str
    qr: str


def qr_text(item_id: str) -> str:
    return f"custody-item:v1;id={item_id}"


def label(item: LabelItem, lang: str) -> Label:
    what = " · ".join(p for p in (word(lang, item.category), item.model, item.calibre) if p)
    return Label(
        id=item.id,
        marking=item.marking or item.internal_tag or item.id,
        what=what,
        qr=segno.make(qr_text(item.id), error="m").svg_data_uri(scale=4, border=1),
    )


def html(items: Sequence[LabelItem], lang: str = "ru", single: bool = False) -> str:
    words(lang)  # an unknown language fails here
    return templates.get_template("labels.html.j2").render(
        labels=[label(item, lang) for item in items],
        lang=lang,
        single=single,
        title=", ".join(item.id for item in items[:3]),
    )


def render(items: Sequence[LabelItem], lang: str = "ru", single: bool = False) -> bytes:
    """Labels as a PDF: one page per label when `single`, else sheets of 24."""
    from weasyprint import HTML

    return bytes(HTML(string=html(items, lang, single)).write_pdf())
