"""The `photo` column of an intake table names a marking photo, never any file of the server
(issue 12, the breaker's p_*.csv): `custody import` takes only a regular file in the table's
own folder within the upload limit; the web page's import only one of the files sent with the
form. Real files, the real `custody` command and a real served demo site; each refusal leaves
the ledger and the file store as they were, and the web's answer never tells whether a named
file exists on the server."""

from __future__ import annotations

import hashlib
import html
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from api.demo.data import PASSWORD
from api.imports import photos
from api.imports.intake_rows import RowError
from tests.support.demos import Demos
from tests.support.processes import run, server

OFFICER = "unit.serikbaev"
HEADER = "item,category,source,location,weight_g,marking,photo\n"


def _png(seed: int) -> bytes:
    """A real 16x16 PNG the demo never stores (its photos are 8x8), one per seed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + bytes([seed % 256, seed // 256 % 256, y]) * 16 for y in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows)),
            chunk(b"IEND", b""),
        ]
    )


SECRET = _png(777)  # a real PNG outside the table's folder: the old code imported it
INSIDE = _png(778)


@dataclass
class Site:
    root: Path
    data: Path
    env: dict[str, str]
    base: str
    tables: Path
    secret: Path

    def size(self) -> int:
        return int(httpx.get(f"{self.base}/ledger/leaves", params={"limit": 1}).json()["size"])

    def stored(self, content: bytes) -> bool:
        sha = hashlib.sha256(content).hexdigest()
        return (self.data / "files" / sha[:2] / sha).exists()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("photos")
    env = demos.copy(root / "data")
    (root / "outside").mkdir()
    secret = root / "outside" / "secret.png"
    secret.write_bytes(SECRET)
    tables = root / "tables"
    (tables / "sub").mkdir(parents=True)
    (tables / "sub" / "inside.png").write_bytes(INSIDE)
    (tables / "link.png").symlink_to(secret)
    (tables / "zero.png").symlink_to("/dev/zero")
    os.mkfifo(tables / "pipe.png")
    with server(env) as base:
        yield Site(root, root / "data", env, base, tables, secret)


_numbers = iter(range(1, 10_000))


def _table(site: Site, cell: str) -> tuple[Path, str]:
    item = f"PH-{next(_numbers):04d}"
    path = site.tables / f"{item}.csv"
    path.write_text(HEADER + f"{item},firearm,found,UNIT-ALM,500,АК {item},{cell}\n")
    return path, item


# -- custody import ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("{secret}", "a photo is named relative to the table's folder"),
        ("../outside/secret.png", "is outside the table's folder"),
        ("sub/../../outside/secret.png", "is outside the table's folder"),
        ("link.png", "is outside the table's folder"),  # a symbolic link out
        ("zero.png", "is outside the table's folder"),  # a link to /dev/zero
        ("/dev/zero", "a photo is named relative to the table's folder"),
        ("pipe.png", "is not a regular file"),  # a FIFO: never opened to block
        ("sub", "is not a regular file"),
        ("missing.png", "no such file beside the table"),
    ],
    ids=[
        "absolute",
        "dotdot",
        "sub_dotdot",
        "symlink_out",
        "symlink_dev_zero",
        "dev_zero",
        "fifo",
        "directory",
        "missing",
    ],
)
def test_custody_import_takes_a_photo_only_from_the_tables_own_folder(
    site: Site, cell: str, said: str
) -> None:
    path, _ = _table(site, cell.format(secret=site.secret))
    before = site.size()
    done = run(site.env, "import", str(path), "--actor", OFFICER)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("custody: line 2: column photo: "), lines[0]
    assert said in lines[0]
    assert "internal error" not in lines[0]
    assert site.size() == before
    assert not site.stored(SECRET)


def test_custody_import_refuses_a_photo_over_the_upload_limit_before_reading_it(
    site: Site,
) -> None:
    (site.tables / "big.png").write_bytes(_png(779) + b"\0" * 2048)
    path, _ = _table(site, "big.png")
    before = site.size()
    env = {**site.env, "CUSTODY_UPLOAD_MAX_BYTES": "1024"}
    done = run(env, "import", str(path), "--actor", OFFICER)
    assert done.returncode != 0
    assert "'big.png' is larger than 1,024 bytes" in done.stderr
    assert site.size() == before


def test_custody_import_takes_a_photo_in_the_tables_folder_or_below(site: Site) -> None:
    path, _ = _table(site, "sub/inside.png")
    done = run(site.env, "import", str(path), "--actor", OFFICER)
    assert done.returncode == 0, done.stderr
    assert site.stored(INSIDE)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tables/ with inside.png, a link out and sub/; outside/secret.png beside it."""
    root = tmp_path_factory.mktemp("beside")
    (root / "outside").mkdir()
    (root / "outside" / "secret.png").write_bytes(SECRET)
    (root / "tables" / "sub").mkdir(parents=True)
    (root / "tables" / "inside.png").write_bytes(INSIDE)
    (root / "tables" / "sub" / "inside.png").write_bytes(INSIDE)
    (root / "tables" / "link").symlink_to(root / "outside")
    return root / "tables"


_parts = st.sampled_from(
    ["..", ".", "", "tables", "outside", "secret.png", "inside.png", "sub", "link", "\\", "~"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(parts=st.lists(_parts, min_size=1, max_size=7), absolute=st.booleans())
def test_no_photo_name_reads_a_file_outside_the_tables_folder(
    folder: Path, parts: list[str], absolute: bool
) -> None:
    cell = "/".join(parts)
    if absolute:
        cell = f"{folder}/{cell}"
    try:
        content = photos.beside(folder, cell, 1 << 20)
    except RowError as refused:
        content = refused.column.encode() if refused.column else b""
    assert content in (INSIDE, b"photo"), cell


# -- the web page's import -----------------------------------------------------------------------


def _logged_in(site: Site) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=site.base, timeout=60)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/login").text)
    assert token
    login = {"username": OFFICER, "password": PASSWORD, "language": "en", "csrf": token[1]}
    assert client.post("/web/login", data=login).status_code == 303
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/import").text)
    assert token
    return client, token[1]


def _said(page: str) -> str:
    found = re.search(r'id="import-result">(.*?)</p>', page, re.S)
    return html.unescape(found[1]) if found else ""


@pytest.mark.parametrize(
    "cell", ["{secret}", "../../outside/secret.png", "../data/files", "/etc/passwd", "missing.png"]
)
def test_web_import_takes_only_a_photo_sent_with_the_form_and_says_the_same_for_any_other(
    site: Site, cell: str
) -> None:
    client, csrf = _logged_in(site)
    given = cell.format(secret=site.secret)
    path, _ = _table(site, given)
    before = site.size()
    answer = client.post(
        "/web/import",
        data={"csrf": csrf},
        files=[
            ("table", (path.name, path.read_bytes())),
            ("photos", ("marking.png", _png(780))),
        ],
    )
    client.close()
    assert answer.status_code == 422, answer.text[:500]
    assert _said(answer.text) == (
        "Nothing was imported: line 2: column photo (Photo with the marking visible (R10)): "
        f"{given!r} is not among the photos sent with the file"
    )
    assert site.size() == before
    assert not site.stored(SECRET)


def test_web_import_stores_the_photo_sent_under_its_own_name(site: Site) -> None:
    client, csrf = _logged_in(site)
    path, item = _table(site, "фото маркировки.png")
    before = site.size()
    content = _png(781)
    answer = client.post(
        "/web/import",
        data={"csrf": csrf},
        files=[
            ("table", (path.name, path.read_bytes())),
            ("photos", ("фото маркировки.png", content)),
        ],
    )
    client.close()
    assert answer.status_code == 200, _said(answer.text)
    assert item in answer.text
    assert site.size() == before + 1
    assert site.stored(content)


def _workbook(path: Path, sheet: bytes) -> Path:
    book = Workbook()
    book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


_ROWS = (
    '<row r="1">'
    + "".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for c, h in zip("ABCDEF", HEADER.strip().split(","), strict=False)
    )
    + '</row><row r="2"><c r="A2" t="inlineStr"><is><t>PH-X</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>edged</t></is></c>'
    '<c r="C2" t="inlineStr"><is><t>found</t></is></c>'
    '<c r="D2" t="inlineStr"><is><t>UNIT-ALM</t></is></c><c r="E2"><v>500</v></c>'
    '<c r="F2" t="inlineStr"><is>{marking}</is></c></row>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize(
    ("prolog", "marking", "said"),
    [
        ("", "<r><t>АК</t></r><rPh><t>Z</t></rPh>", "the sheet's XML is not as a spreadsheet"),
        (
            '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
            "<t>&b;</t>",
            "declares a document type",
        ),
        ("", "<t>&xxe;</t>", "malformed XML"),
    ],
    ids=["bare_rph", "entity_bomb", "undefined_entity"],
)
def test_a_workbook_the_reader_cannot_take_is_a_422_everywhere_not_a_500(
    site: Site, prolog: str, marking: str, said: str
) -> None:
    sheet = (
        f'<?xml version="1.0"?>{prolog}<worksheet xmlns="{_MAIN}"><sheetData>'
        f"{_ROWS.format(marking=marking)}</sheetData></worksheet>"
    )
    path = _workbook(site.tables / "bad.xlsx", sheet.encode())
    before = site.size()
    client, csrf = _logged_in(site)
    answer = client.post(
        "/web/import",
        data={"csrf": csrf},
        files=[("table", (path.name, path.read_bytes()))],
    )
    client.close()
    assert answer.status_code == 422, answer.text[:300]
    assert said in _said(answer.text)
    done = run(site.env, "import", str(path), "--actor", OFFICER)
    assert done.returncode != 0
    assert said in done.stderr
    assert "internal error" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert site.size() == before


def test_web_import_takes_at_most_what_one_api_request_takes_and_says_so(site: Site) -> None:
    """b12: 100,000 rows in one form post held the write lock for seconds. The page takes
    WEB_ROWS (1,000, what POST /steps/item_registered takes), every row or none, and names
    the limit at the first row past it; `custody import` takes longer files."""
    from api.web.forms import WEB_ROWS

    first = next(_numbers)
    rows = "".join(
        f"W{first}-{n:05d},edged,found,UNIT-ALM,500,НОЖ {first}-{n}\n" for n in range(WEB_ROWS + 1)
    )
    path = site.tables / f"W{first}.csv"
    path.write_text("item,category,source,location,weight_g,marking\n" + rows)
    client, csrf = _logged_in(site)
    assert "At most 1,000 rows in one file" in client.get("/web/import").text
    before = site.size()
    answer = client.post(
        "/web/import", data={"csrf": csrf}, files=[("table", (path.name, path.read_bytes()))]
    )
    client.close()
    assert answer.status_code == 422, answer.text[:500]
    assert _said(answer.text) == (
        f"Nothing was imported: line {WEB_ROWS + 2}: a file holds at most 1,000 rows; split it"
    )
    assert site.size() == before


def test_attack_web_import_with_two_photos_of_one_name_is_refused(site: Site) -> None:
    """Issue 12 (b12final), finding 9: the first of two photos of one name was used."""
    client, csrf = _logged_in(site)
    path, _ = _table(site, "marking.png")
    before = site.size()
    first, second = _png(790), _png(791)
    answer = client.post(
        "/web/import",
        data={"csrf": csrf},
        files=[
            ("table", (path.name, path.read_bytes())),
            ("photos", ("marking.png", first)),
            ("photos", ("marking.png", second)),
        ],
    )
    client.close()
    assert answer.status_code == 422, answer.text[:500]
    assert _said(answer.text) == (
        "Nothing was imported: two photos are named 'marking.png': give each photo its own name"
    )
    assert site.size() == before
    assert not site.stored(first)
    assert not site.stored(second)


def test_attack_web_import_of_a_weight_of_5000_digits_names_line_and_column(site: Site) -> None:
    """Finding 1: int() of over 4,300 digits answered 500."""
    client, csrf = _logged_in(site)
    huge = "1" + "0" * 5000
    path = site.tables / "huge.csv"
    path.write_text(HEADER + f"PH-HUGE,firearm,found,UNIT-ALM,{huge},АК 99,marking.png\n")
    before = site.size()
    answer = client.post(
        "/web/import",
        data={"csrf": csrf},
        files=[("table", (path.name, path.read_bytes())), ("photos", ("marking.png", _png(792)))],
    )
    client.close()
    assert answer.status_code == 422, answer.text[:500]
    assert _said(answer.text) == (
        "Nothing was imported: line 2: column weight_g (Weight, grams): has 5,001 digits, "
        "more than 18"
    )
    assert site.size() == before
