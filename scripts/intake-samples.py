"""Write the intake samples the README shows, from one list of rows, so that they agree:

    docs/intake-sample.csv         UTF-8, `,`             (what most tools save)
    docs/intake-sample-cp1251.csv  Windows-1251, `;`      (what Russian Excel saves)
    docs/intake-sample.xlsx        the same columns in a workbook
    docs/intake-sample-marking.png the marking photo the firearm rows name

Each file's ids and markings differ (-C, -W, -X), so all three import into one demo database
(`make run`) one after the other. The workbook is made byte for byte the same on every run:
fixed document times, fixed zip entry times.

    .venv/bin/python scripts/intake-samples.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

from api.demo.data import photo
from api.imports.intake_rows import COLUMNS

DOCS = Path(__file__).resolve().parent.parent / "docs"
PHOTO = "intake-sample-marking.png"
FIXED = dt.datetime(2026, 11, 23, 9, 0, 0)
STAMP = b"2026-11-23T09:00:00Z"


def rows(tag: str) -> list[dict[str, str]]:
    """The sample's rows: a rifle and a pistol (with the marking photo), an unmarked knife,
    an ammunition lot, and surplus at a warehouse under its decision."""
    n = {"C": 1, "W": 2, "X": 3}[tag]
    return [
        {
            "item": f"IMP-{tag}-001",
            "category": "firearm",
            "source": "confiscated",
            "location": "UNIT-ALM",
            "weight_g": "3300",
            "rifled": "да",
            "marking": f"ЛМ 77{n}101",
            "marking_place": "ствольная коробка, левая сторона",
            "type": "автомат",
            "model": "АК-74",
            "calibre": "5.45x39",
            "manufacturer": "Ижмаш",
            "country": "СССР",
            "year": "1986",
            "photo": PHOTO,
        },
        {
            "item": f"IMP-{tag}-002",
            "category": "firearm",
            "source": "surrendered",
            "location": "UNIT-AST",
            "weight_g": "730",
            "rifled": "yes",
            "marking": f"ТЕ 77{n}102",
            "marking_place": "рамка",
            "type": "пистолет",
            "model": "ПМ",
            "calibre": "9x18",
            "photo": PHOTO,
        },
        {
            "item": f"IMP-{tag}-003",
            "category": "edged",
            "source": "found",
            "location": "UNIT-ALM",
            "weight_g": "420",
            "unmarked": "yes",
            "type": "нож охотничий",
        },
        {
            "item": f"IMP-{tag}-004",
            "category": "ammunition",
            "source": "confiscated",
            "location": "UNIT-SHY",
            "weight_g": "1200",
            "quantity": "120",
            "marking": f"539-77{n}",
            "marking_place": "коробка",
            "type": "патроны",
            "calibre": "7.62x39",
        },
        {
            "item": f"IMP-{tag}-005",
            "category": "edged",
            "source": "found",
            "location": "UNIT-SHY",
            "weight_g": "900",
            "marking": f"ШО 77{n}105",
            "marking_place": "клинок",
            "type": "штык-нож",
        },
    ]


def write_csv(path: Path, tag: str, encoding: str, delimiter: str) -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, COLUMNS, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(tag))
    path.write_bytes(out.getvalue().encode(encoding))


def write_xlsx(path: Path, tag: str) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Приём"
    sheet.append(list(COLUMNS))
    for row in rows(tag):
        sheet.append([_cell(column, row.get(column, "")) for column in COLUMNS])
    book.properties.created = FIXED
    raw = io.BytesIO()
    book.save(raw)
    _fix_zip_times(raw.getvalue(), path)


def _cell(column: str, text: str) -> object:
    # Numbers as a clerk types them into Excel: cells holding numbers, not text.
    if column in ("weight_g", "quantity", "year") and text:
        return int(text)
    return text or None


def _fix_zip_times(data: bytes, path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the saving time
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + STAMP, content)
            target.writestr(fixed, content)


def main() -> None:
    (DOCS / PHOTO).write_bytes(photo(7))
    write_csv(DOCS / "intake-sample.csv", "C", "utf-8", ",")
    write_csv(DOCS / "intake-sample-cp1251.csv", "W", "cp1251", ";")
    write_xlsx(DOCS / "intake-sample.xlsx", "X")
    for name in ("intake-sample.csv", "intake-sample-cp1251.csv", "intake-sample.xlsx", PHOTO):
        print(DOCS / name)


if __name__ == "__main__":
    main()
