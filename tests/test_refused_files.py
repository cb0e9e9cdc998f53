"""A refused import or form leaves the file store as it was (issue 12: the photos of a refused
`custody import`, /web/import, intake or cut stayed in files/xx/). The photos wait beside the
store (workflows.files.FileStore.staged) and go into it only inside the action that names
them, once it is checked. A real served demo site, real forms, the store read from the disk."""

from __future__ import annotations

import hashlib
import html
import re
import struct
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.demo.data import PASSWORD
from tests.support.processes import environment, run, server

OFFICER, CLERK = "unit.serikbaev", "sklad.omarov"
HEADER = "item,category,source,location,weight_g,marking,unmarked,photo\n"


def _png(seed: int) -> bytes:
    """A real 16x16 PNG the demo never stores, one per seed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + bytes([seed % 256, 7, y]) * 16 for y in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(rows))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idat + chunk(b"IEND", b"")


@dataclass
class Site:
    data: Path
    env: dict[str, str]
    base: str

    def store(self) -> dict[str, int]:
        """Every file under the store (path -> size), staging folders included."""
        root = self.data / "files"
        return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}

    def stored(self, content: bytes) -> bool:
        sha = hashlib.sha256(content).hexdigest()
        return (self.data / "files" / sha[:2] / sha).is_file()

    def client(self, username: str, page: str, language: str = "en") -> tuple[httpx.Client, str]:
        client = httpx.Client(base_url=self.base, timeout=120)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/login").text)
        assert token
        login = {
            "username": username,
            "password": PASSWORD,
            "language": language,
            "csrf": token[1],
        }
        assert client.post("/web/login", data=login).status_code == 303
        token = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text)
        assert token
        return client, token[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("refused-files")
    env = environment(root / "data")
    assert run(env, "demo").returncode == 0
    with server(env) as base:
        yield Site(root / "data", env, base)


def test_a_refused_web_import_leaves_the_store_as_it_was(site: Site) -> None:
    photo = _png(11)
    rows = (
        "RF-0001,firearm,found,UNIT-ALM,500,АК RF1,,marking.png\n"
        "RF-0002,edged,found,UNIT-ALM,400,,no,\n"  # R10: neither a marking nor unmarked
    )
    client, csrf = site.client(OFFICER, "/web/import")
    before = site.store()
    with closing(client):
        answer = client.post(
            "/web/import",
            data={"csrf": csrf},
            files=[
                ("table", ("t.csv", (HEADER + rows).encode())),
                ("photos", ("marking.png", photo)),
            ],
        )
        assert answer.status_code == 422, answer.text[:500]
        assert "Nothing was imported" in answer.text
        assert site.store() == before
        # the same file, the bad row left out: imported, and its photo kept
        good = HEADER + rows.splitlines()[0] + "\n"
        taken = client.post(
            "/web/import",
            data={"csrf": csrf},
            files=[("table", ("t.csv", good.encode())), ("photos", ("marking.png", photo))],
        )
    assert taken.status_code == 200, taken.text[:500]
    assert site.stored(photo)
    assert set(site.store()) - set(before) == {
        f"{hashlib.sha256(photo).hexdigest()[:2]}/{hashlib.sha256(photo).hexdigest()}"
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"weight_g": "35x0"},  # the model refuses it
        {"location": "NOWHERE"},  # no such place
    ],
    ids=["bad_weight", "unknown_place"],
)
def test_a_refused_web_intake_leaves_the_store_as_it_was(
    site: Site, fields: dict[str, str]
) -> None:
    client, csrf = site.client(OFFICER, "/web/intake")
    form = {
        "csrf": csrf,
        "location": "UNIT-ALM",
        "category": "firearm",
        "source": "found",
        "weight_g": "3500",
        "marking": "АК 1",
        **fields,
    }
    before = site.store()
    with closing(client):
        answer = client.post(
            "/web/intake", data=form, files={"photo": ("p.png", _png(20 + len(str(fields))))}
        )
    assert answer.status_code == 422, answer.text[:500]
    assert site.store() == before


def test_a_refused_cut_leaves_the_store_as_it_was(site: Site) -> None:
    client, csrf = site.client(CLERK, "/web/cut")
    photos = {
        "before": ("b.png", _png(33)),
        "after": ("a.png", _png(34)),
        "marking": ("m.png", _png(35)),
    }
    before = site.store()
    with closing(client):
        for chosen in ([], ["NO-SUCH-ITEM"]):
            answer = client.post("/web/cut", data={"csrf": csrf, "items": chosen}, files=photos)
            assert answer.status_code == 422, answer.text[:500]
            assert site.store() == before


def test_an_intake_taken_keeps_its_photo_in_the_store(site: Site) -> None:
    client, csrf = site.client(OFFICER, "/web/intake")
    photo = _png(44)
    form = {
        "csrf": csrf,
        "location": "UNIT-ALM",
        "category": "firearm",
        "source": "found",
        "weight_g": "3500",
        "marking": "АК 44",
    }
    with closing(client):
        answer = client.post("/web/intake", data=form, files={"photo": ("p.png", photo)})
        assert answer.status_code == 303, answer.text[:500]
        item = client.get(answer.headers["location"])
    assert site.stored(photo)
    assert hashlib.sha256(photo).hexdigest() in item.text or item.status_code == 200
    assert not list((site.data / "files").glob(".staged-*"))


# -- b12r: the web intake drops nothing and guesses nothing ------------------------------------


def _intake(site: Site, language: str, **fields: str) -> httpx.Response:
    """The intake form posted (a firearm at UNIT-ALM, with a photo) with `fields` over it."""
    client, csrf = site.client(OFFICER, "/web/intake", language)
    form = {
        "csrf": csrf,
        "location": "UNIT-ALM",
        "category": "firearm",
        "source": "found",
        "weight_g": "3500",
        "marking": "АК 91",
        **fields,
    }
    with closing(client):
        return client.post("/web/intake", data=form, files={"photo": ("p.png", _png(91))})


def _size(site: Site) -> int:
    """The ledger's entries, as `custody verify` counts them."""
    done = run(site.env, "verify")
    assert done.returncode == 0, done.stderr
    return int(re.findall(r"(\d+) entries", done.stdout + done.stderr)[-1])


@pytest.mark.parametrize(
    ("language", "fields", "said"),
    [
        ("en", {"decision_date": "2026-01-15"}, "Decision number is missing"),
        ("ru", {"decision_date": "2026-01-15"}, "не указано «Номер решения»"),
        ("kk", {"decision_ref": "2-91/2026"}, "«Күні» көрсетілмеген"),
        ("en", {"decision_ref": "2-91/2026", "decision_date": "  "}, "Date is missing"),
    ],
    ids=["date_only_en", "date_only_ru", "ref_only_kk", "blank_date_en"],
)
def test_a_web_decision_with_a_field_missing_is_refused_naming_it(
    site: Site, language: str, fields: dict[str, str], said: str
) -> None:
    before = (site.store(), _size(site))
    answer = _intake(site, language, **fields)
    assert answer.status_code == 422, answer.text[:500]
    assert said in html.unescape(answer.text)
    for value in fields.values():  # what was typed is kept
        assert f'value="{value}"' in answer.text
    assert (site.store(), _size(site)) == before


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "R10: the marking is missing; if the item has none, register it as unmarked"),
        ("ru", "R10: не указана маркировка"),
        ("kk", "R10: таңба көрсетілмеген"),
    ],
)
def test_a_blank_marking_without_the_unmarked_box_is_refused(
    site: Site, language: str, said: str
) -> None:
    before = (site.store(), _size(site))
    answer = _intake(site, language, marking="   ")
    assert answer.status_code == 422, answer.text[:500]
    assert said in html.unescape(answer.text)
    assert (site.store(), _size(site)) == before


def test_the_unmarked_box_registers_an_item_without_a_marking(site: Site) -> None:
    page = site.client(OFFICER, "/web/intake", "ru")[0]
    with closing(page):
        shown = page.get("/web/intake").text
    assert 'name="unmarked"' in shown
    assert "Без маркировки" in shown
    answer = _intake(site, "en", marking="   ", unmarked="true")
    assert answer.status_code == 303, answer.text[:500]
    both = _intake(site, "en", marking="АК 92", unmarked="true")
    assert both.status_code == 422
    assert "give the marking, or mark it unmarked, not both" in html.unescape(both.text)


def test_a_refused_model_is_named_by_its_label(site: Site) -> None:
    answer = _intake(site, "en", model="АКМ\u3164")
    assert answer.status_code == 422, answer.text[:500]
    assert "Check the field Model:" in html.unescape(answer.text)
    taken = _intake(site, "en", marking="АК 93", model="\tАКМ  ")
    assert taken.status_code == 303, taken.text[:500]
