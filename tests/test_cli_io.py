"""`custody import` and `custody export` as a user runs them, on a demo database: a CSV
imports whole or not at all, a bad row is named by its line, and the export holds every
entry with its exact bytes."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from api.demo.data import photo
from tests.support.processes import environment, run

HEADER = "item,category,source,location,weight_g,rifled,marking,marking_place,unmarked,model,photo"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("io")
    env = environment(directory)
    assert run(env, "demo").returncode == 0
    (directory / "marking.png").write_bytes(photo(99))
    return env


def _csv(env: dict[str, str], name: str, *rows: str) -> str:
    path = Path(env["CUSTODY_DATA_DIR"]) / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def _count(env: dict[str, str], state: str) -> int:
    out = run(env, "export").stdout
    return sum(1 for line in out.splitlines() if state in line)


def test_a_csv_imports_every_row(env: dict[str, str]) -> None:
    path = _csv(
        env,
        "good.csv",
        "CSV-001,firearm,confiscated,UNIT-ALM,3500,yes,ЛМ 900001,ствольная коробка,no,АК-74,"
        "marking.png",
        "CSV-002,edged,found,UNIT-ALM,400,no,,,yes,,",
    )
    done = run(env, "import", path, "--actor", "unit.serikbaev")
    assert done.returncode == 0, done.stderr
    assert "imported 2 items" in done.stdout
    exported = run(env, "export").stdout
    assert '"CSV-001"' not in exported  # bodies are base64: look inside them
    bodies = [base64.b64decode(json.loads(line)["body"]) for line in exported.splitlines()]
    assert sum(b'"item":"CSV-00' in body for body in bodies) == 2


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (
            "CSV-101,firearm,confiscated,UNIT-ALM,35x0,yes,ЛМ 1,коробка,no,,marking.png",
            "line 3: weight_g is not a whole number",
        ),
        ("CSV-102,edged,found,UNIT-ALM,400,no,,,no,,", "line 3: R10"),
        ("CSV-103,firearm,confiscated,NOWHERE,3500,yes,ЛМ 2,коробка,no,,marking.png", "line 3: "),
        (
            "CSV-104,firearm,confiscated,UNIT-ALM,3500,yes,ЛМ 3,коробка,no,,missing.png",
            "line 3: photo",
        ),
    ],
)
def test_a_bad_row_is_named_by_its_line_and_nothing_is_imported(
    env: dict[str, str], row: str, words: str
) -> None:
    good = "CSV-100,edged,found,UNIT-ALM,400,no,,,yes,,"
    before = len(run(env, "export").stdout.splitlines())
    done = run(env, "import", _csv(env, "bad.csv", good, row), "--actor", "unit.serikbaev")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert words in done.stderr
    assert "nothing was imported" in done.stderr
    assert len(run(env, "export").stdout.splitlines()) == before


def test_only_a_role_that_registers_items_may_import(env: dict[str, str]) -> None:
    path = _csv(env, "auditor.csv", "CSV-201,edged,found,UNIT-ALM,400,no,,,yes,,")
    done = run(env, "import", path, "--actor", "auditor.li")
    assert done.returncode == 1
    assert "auditor may not do item_registered" in done.stderr


def test_the_export_holds_every_entry_with_its_exact_bytes(env: dict[str, str]) -> None:
    out = Path(env["CUSTODY_DATA_DIR"]) / "entries.jsonl"
    done = run(env, "export", "--out", str(out))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["seq"] for line in lines] == list(range(len(lines)))
    for line in lines:
        body = base64.b64decode(line["body"])
        assert hashlib.sha256(b"\x00" + body).hexdigest() == line["leaf_hash"]
    tail = run(env, "export", "--start", str(len(lines) - 3)).stdout.splitlines()
    assert [json.loads(t)["seq"] for t in tail] == [len(lines) - 3, len(lines) - 2, len(lines) - 1]
