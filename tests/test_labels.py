"""Intake labels (certificates.labels): Cyrillic markings read back from the PDF, one 62 mm
page per label or A4 sheets of 24, and a QR code carrying the record number."""

from __future__ import annotations

import io

import pypdf
import pytest

from certificates import labels
from certificates.pdf_reading import read_pdf
from certificates.words import UnknownLanguage

MM = 72 / 25.4
ITEMS = [
    labels.LabelItem("KZ-0000A1", "ҚҰ 104233", None, "firearm", "АКМ", "7.62x39"),
    labels.LabelItem("KZ-0000B2", None, "Т-2026-0042", "edged", None, None),
    labels.LabelItem("KZ-0000C3", "Ә 77", None, "gas", "ИЖ-79", "9 мм"),
]


def test_a_sheet_prints_every_marking_record_number_and_kind() -> None:
    pdf = labels.render(ITEMS, "kk")
    text = read_pdf(pdf, "none").text
    for item in ITEMS:
        assert item.id in text
    assert "ҚҰ 104233" in text
    assert "Т-2026-0042" in text  # R10: the internal tag stands for a missing marking
    assert "суық қару" in text  # the kind, in Kazakh
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width) / MM) == 210


def test_single_labels_are_62_mm_one_per_page() -> None:
    reader = pypdf.PdfReader(io.BytesIO(labels.render(ITEMS, "ru", single=True)))
    assert len(reader.pages) == len(ITEMS)
    for page, item in zip(reader.pages, ITEMS, strict=True):
        assert round(float(page.mediabox.width) / MM) == 62
        assert item.id in page.extract_text()


def test_the_qr_code_carries_the_record_number() -> None:
    shown = labels.label(ITEMS[0], "en")
    assert labels.qr_text("KZ-0000A1") == "custody-item:v1;id=KZ-0000A1"
    assert shown.qr == labels.segno.make(labels.qr_text("KZ-0000A1"), error="m").svg_data_uri(
        scale=4, border=1
    )
    assert shown.qr in labels.html(ITEMS[:1], "en")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(UnknownLanguage):
        labels.render(ITEMS, "de")
