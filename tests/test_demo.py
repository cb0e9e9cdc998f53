"""`custody demo`, run as a user would: a new database with every state of both workflows,
overdue deadlines, signed statements, people's keys encrypted on disk, and logins that work;
and it refuses to touch a database that holds a ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from custody import keyfile
from tests.support.processes import environment, run, server
from tests.support.service import Service
from workflows.machines import WORKFLOWS

PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path, str]]:
    directory = tmp_path_factory.mktemp("demo")
    env = environment(directory)
    done = run(env, "demo")
    assert done.returncode == 0, done.stderr
    return env, directory, done.stdout


def test_the_demo_holds_every_state_of_both_workflows(
    demo: tuple[dict[str, str], Path, str],
) -> None:
    env, _directory, out = demo
    counts = dict(part.rsplit(" ", 1) for part in out.splitlines()[1].strip().split(", "))
    every = {s for w in WORKFLOWS.values() for s in w.states()} - {"new"}
    # burned lots and melted items are destroyed once their statement is signed; a melted
    # batch still waiting for signatures shows the melted state.
    assert every - set(counts) <= {"burned"}, every - set(counts)
    assert run(env, "verify").returncode == 0


def test_the_demo_has_overdue_deadlines_of_both_rules(
    demo: tuple[dict[str, str], Path, str],
) -> None:
    env, _, _ = demo
    listed = json.loads(run(env, "deadlines", "--json").stdout)
    overdue = {d["rule"] for d in listed if d["status"] == "overdue"}
    # and items on the road past the transit watch (not a rule of the law: issue 19)
    assert overdue == {"R1", "R2", "transit"}
    # Overdue deadlines are listed, not a failure: exit 0 (README, `deadlines --help`).
    done = run(env, "deadlines")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OVERDUE")
    wrong = run(env, "deadlines", "--tz", "Nowhere/Else")
    assert wrong.returncode == 2
    said = run(env, "deadlines", "--help").stdout
    assert all(f"Exit code {code}" in said for code in (0, 1, 2))


def test_the_demo_logins_work_and_their_keys_open(demo: tuple[dict[str, str], Path, str]) -> None:
    env, directory, out = demo
    assert "auditor.li" in out
    assert PASSWORD in out
    key = keyfile.read(directory / "demo-keys" / "expert.sadykova.key", PASSWORD)
    assert len(key.public_key) == 32
    assert (directory / "demo-keys" / "expert.sadykova.key").stat().st_mode & 0o077 == 0
    with server(env) as base:
        service = Service(base, env, directory, password=PASSWORD)
        with service.client("auditor.li") as auditor:
            page = auditor.get("/items", params={"state": "evidence_hold"}).json()
        assert len(page["items"]) == 1
        assert page["items"][0]["case_ref"].startswith("уг. дело")


def test_the_demo_refuses_a_database_with_a_ledger(demo: tuple[dict[str, str], Path, str]) -> None:
    env, _, _ = demo
    again = run(env, "demo")
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1
    assert "holds a ledger already" in again.stderr
    quiet = run(env, "demo", "--if-empty")
    assert quiet.returncode == 0
    assert "demo logins" in quiet.stdout


def test_demo_if_empty_leaves_a_real_ledger_alone(tmp_path: Path) -> None:
    env = environment(tmp_path)
    assert run(env, "init").returncode == 0
    done = run(env, "demo", "--if-empty")
    assert (done.returncode, done.stdout) == (0, "")


def test_the_demos_statements_render_and_verify_offline(
    demo: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, _directory, _out = demo
    listed = json.loads(run(env, "statement", "list", "--json").stdout)
    final = {s["kind"]: s["batch"] for s in listed if s["final"]}
    assert set(final) == {"furnace", "burn"}
    for kind, lang in (("furnace", "en"), ("burn", "kk")):
        pdf = tmp_path / f"{kind}.pdf"
        done = run(env, "statement", "render", final[kind], "--lang", lang, "--out", str(pdf))
        assert done.returncode == 0, done.stderr
        checked = run(env, "verify-statement", str(pdf))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "10. page              ok" in checked.stdout
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdf.read_bytes()[:4000])
    failed = run(env, "verify-statement", str(cut))
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1
    assert "step 1 (attachment)" in failed.stderr


def test_a_batch_not_yet_destroyed_has_no_statement(
    demo: tuple[dict[str, str], Path, str], tmp_path: Path
) -> None:
    env, _directory, _out = demo
    listed = json.loads(run(env, "statement", "list", "--json").stdout)
    still_open = next(s["batch"] for s in listed if s["state"] == "open")
    pdf = tmp_path / "open.pdf"
    done = run(env, "statement", "render", still_open, "--out", str(pdf))
    assert done.returncode == 1
    assert done.stderr == f"custody: batch {still_open} is open: nothing destroyed to state yet\n"
    assert not pdf.exists()


def test_every_demo_place_is_named_in_russian_kazakh_and_english(
    demo: tuple[dict[str, str], Path, str],
) -> None:
    import base64

    from api.demo.data import PLACES
    from custody.entries import decode

    env, directory, _ = demo
    named: dict[str, dict[str, str]] = {}
    with server(env) as base:
        service = Service(base, env, directory, password=PASSWORD)
        with service.client("auditor.li") as auditor:
            start: int | None = 0
            while start is not None:
                page = auditor.get("/ledger/entries", params={"start": start, "limit": 1000})
                for entry in page.json()["entries"]:
                    body = decode(base64.b64decode(entry["body"]))
                    if body.kind == "location_added":
                        named[body.item] = dict(body.data.get("names") or {})
                start = page.json()["next"]
    assert set(named) == {place for place, _, _ in PLACES}
    kazakh = set("әғқңөұүһі")
    for place, names in named.items():
        assert set(names) == {"ru", "kk", "en"}, place
        assert all(name.strip() for name in names.values()), place
        assert len({names["ru"], names["kk"], names["en"]}) == 3, place
        assert kazakh & set(names["kk"].lower()), (place, names["kk"])  # written in Kazakh
        assert names["en"].isascii(), (place, names["en"])
