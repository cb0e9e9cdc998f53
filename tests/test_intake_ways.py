"""One intake, four ways in, one entry (a unit's decision: its decision_recorded): the HTTP
API, `custody import` of a CSV and of an .xlsx, and the command run directly
(workflows.commands.RegisterItems through Process.run) write the same entry data for the same
generated valid intake (issue 12: every way in builds the one command). Each way writes into
its own copy of one demo site, so ids and markings can be the same in all four."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from api.demo.data import PASSWORD, photo
from api.imports.intake_rows import COLUMNS
from api.system import open_system
from custody.bootstrap import open_readonly
from custody.entries import decode
from custody.settings import Settings
from tests.support.demos import Demos
from tests.support.processes import environment, run, server
from workflows.commands.intake import IntakeIn, RegisterItems

# Who registers: the unit's officer at the unit, the warehouse's clerk state surplus where it
# is stored (each acts only at their own places).
ACTORS = {"UNIT-ALM": "unit.serikbaev", "WH-ALM": "sklad.omarov"}
PHOTO = photo(4242)
WAYS = ("http", "csv", "xlsx", "command")
_numbers = itertools.count(1)


@dataclass
class Ways:
    dirs: dict[str, Path]
    base: str
    tokens: dict[str, str]

    def settings(self, way: str) -> Settings:
        return Settings(data_dir=self.dirs[way], origin="custody.test/ledger")


@pytest.fixture(scope="module")
def ways(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[Ways]:
    root = tmp_path_factory.mktemp("ways")
    dirs = {way: root / way for way in WAYS}
    for directory in dirs.values():
        demos.copy(directory)  # the same demo in each: every way starts from the same ledger
        (directory / "marking.png").write_bytes(PHOTO)
    with server(environment(dirs["http"])) as base:
        tokens = {
            actor: httpx.post(
                f"{base}/auth/token", data={"username": actor, "password": PASSWORD}
            ).json()["access_token"]
            for actor in ACTORS.values()
        }
        yield Ways(dirs, base, tokens)


_text = (
    st.text(
        alphabet="АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯабвгдежзиклмнопрстуфхцчшэюя"
        "ABCDEKMNPTXabc0123456789 №-.",
        min_size=1,
        max_size=24,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, Any]:
    """A valid intake as the HTTP API takes it (ids and markings unique per example)."""
    n = next(_numbers)
    category = draw(st.sampled_from(["firearm", "gas", "edged", "part", "ammunition"]))
    surplus = draw(st.booleans())
    intake: dict[str, Any] = {
        "item": f"EQ-{n:05d}",
        "category": category,
        "source": "surplus" if surplus else draw(st.sampled_from(["confiscated", "found"])),
        "location": "WH-ALM" if surplus else "UNIT-ALM",
        "weight_g": draw(st.integers(1, 99_999)),
        "rifled": category == "firearm" and draw(st.booleans()),
    }
    if draw(st.booleans()):
        intake["unmarked"] = True
    else:
        intake["marking"] = f"{draw(_text)} {n}"
        if draw(st.booleans()):
            intake["marking_place"] = draw(_text)
    if category == "ammunition":
        intake["quantity"] = draw(st.integers(1, 10_000))
    details = {k: draw(_text) for k in ("type", "model", "calibre") if draw(st.booleans())}
    if draw(st.booleans()):
        details["year"] = draw(st.integers(1900, 2026))
    intake["details"] = details
    # state surplus at a warehouse carries its decision; at a unit one is given or not, and
    # recorded as decision_recorded whichever way it came in (b12: once dropped silently)
    if surplus or draw(st.booleans()):
        authority = draw(st.sampled_from(["court", "official", "military_technical_commission"]))
        intake["decision"] = {"ref": draw(_text), "authority": authority, "date": "2026-10-28"}
    return intake


def _cells(intake: dict[str, Any]) -> dict[str, Any]:
    """The row of a table for the intake: typed values (an .xlsx takes them as they are)."""
    cells: dict[str, Any] = {k: v for k, v in intake.items() if k not in ("details", "decision")}
    cells.update(intake["details"])
    for key, value in (intake.get("decision") or {}).items():
        cells[f"decision_{key}"] = value
    cells["photo"] = "marking.png"
    return cells


def _by_http(ways: Ways, intake: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {ways.tokens[ACTORS[intake['location']]]}"}
    uploaded = httpx.post(
        f"{ways.base}/files",
        files={"file": ("marking.png", PHOTO)},
        data={"role": "marking"},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    body = {"intakes": [{**intake, "files": [uploaded.json()]}]}
    answer = httpx.post(f"{ways.base}/steps/item_registered", json=body, headers=headers)
    assert answer.status_code == 200, answer.text


def _by_csv(ways: Ways, intake: dict[str, Any]) -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    cells = _cells(intake)
    writer.writerow({k: _word(v) for k, v in cells.items()})
    path = ways.dirs["csv"] / "intake.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    actor = ACTORS[intake["location"]]
    done = run(environment(ways.dirs["csv"]), "import", str(path), "--actor", actor)
    assert done.returncode == 0, done.stderr


def _word(value: Any) -> Any:
    if isinstance(value, bool):  # not a dict lookup: 1 == True
        return "yes" if value else "no"
    return value


def _by_xlsx(ways: Ways, intake: dict[str, Any]) -> None:
    book = Workbook()
    sheet = book.active
    cells = _cells(intake)
    sheet.append(list(COLUMNS))
    sheet.append([cells.get(column) for column in COLUMNS])
    path = ways.dirs["xlsx"] / "intake.xlsx"
    book.save(path)
    actor = ACTORS[intake["location"]]
    done = run(environment(ways.dirs["xlsx"]), "import", str(path), "--actor", actor)
    assert done.returncode == 0, done.stderr


def _by_command(ways: Ways, intake: dict[str, Any]) -> None:
    system = open_system(ways.settings("command"))
    try:
        ref = system.process.files.put(PHOTO, "marking").to_json()
        command = RegisterItems(intakes=[IntakeIn.model_validate({**intake, "files": [ref]})])
        system.process.run(ACTORS[intake["location"]], command)
    finally:
        system.ledger.database.dispose()


def _last_entry(settings: Settings) -> tuple[str, str | None, dict[str, Any]]:
    ledger = open_readonly(settings)
    try:
        with ledger.database.read() as conn:
            size = ledger.head(conn).size
            [entry] = ledger.entries(conn, size - 1, 1)
    finally:
        ledger.database.dispose()
    body = decode(entry.body)
    # Not the nonce (the leaf salt: 128 fresh random bits in every entry, so two equal
    # intakes never share a leaf hash), nor seq, time and the links: those are the ledger's.
    assert body.nonce is not None
    return body.kind, body.item, body.data


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(intake=intakes())
def test_one_intake_through_every_way_in_writes_the_same_entry(
    ways: Ways, intake: dict[str, Any]
) -> None:
    _by_http(ways, intake)
    _by_csv(ways, intake)
    _by_xlsx(ways, intake)
    _by_command(ways, intake)
    written = {way: _last_entry(ways.settings(way)) for way in WAYS}
    decided_at_unit = "decision" in intake and intake["location"] == "UNIT-ALM"
    kind = "decision_recorded" if decided_at_unit else "item_registered"
    assert written["command"][:2] == (kind, intake["item"])
    if decided_at_unit:
        assert written["command"][2]["date"] == intake["decision"]["date"]
    for way in ("http", "csv", "xlsx"):
        assert written[way] == written["command"], way


def _web_intake(ways: Ways, typed: dict[str, str]) -> httpx.Response:
    """The intake form posted on the served site's page by the unit's officer, as typed."""
    with httpx.Client(base_url=ways.base, timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/login").text)
        assert token
        login = {"username": ACTORS["UNIT-ALM"], "password": PASSWORD, "csrf": token[1]}
        assert client.post("/web/login", data=login).status_code == 303
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/intake").text)
        assert token
        form = {"csrf": token[1], "rifled": "true", **typed}
        return client.post("/web/intake", data=form, files={"photo": ("m.png", PHOTO)})


def test_the_web_intake_form_with_spaces_around_its_fields_writes_the_apis_entry(
    ways: Ways,
) -> None:
    # issue 12: the form removed the spaces of a marking but not of the place, the weight or
    # the decision's date, so " UNIT-ALM " was refused where a CSV cell's was taken
    typed = {
        "location": " UNIT-ALM ",
        "category": " firearm",
        "source": "found\t",
        "weight_g": " 3500 ",
        "marking": " АК-74 №W9 ",
        "model": " AK-74 ",
        "decision_ref": " 2-9/2026 ",
        "decision_authority": "court ",
        "decision_date": " 2026-10-28 ",
    }
    answer = _web_intake(ways, typed)
    assert answer.status_code == 303, answer.text[:500]
    kind, item, data = _last_entry(ways.settings("http"))
    assert item is not None
    intake = {
        "item": item,
        "category": "firearm",
        "source": "found",
        "location": "UNIT-ALM",
        "weight_g": 3500,
        "rifled": True,
        "marking": "АК-74 №W9",
        "details": {"model": "AK-74"},
        "decision": {"ref": "2-9/2026", "authority": "court", "date": "2026-10-28"},
    }
    _by_command(ways, intake)
    assert (kind, item, data) == _last_entry(ways.settings("command"))
    assert kind == "decision_recorded"
