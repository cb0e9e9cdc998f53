"""`custody verify-report`: a genuine report recomputes from the ledger, a figure changed by
hand is named, a report stays equal after the ledger grows; and the CLI writes the report
as JSON, CSV, .xlsx and PDF, each of which verify-report reads back."""

from __future__ import annotations

import base64
import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from certificates.pdf_reading import read_pdf
from tests.support import report_year
from tests.support.processes import environment, run
from tests.support.report_year import EXPECTED_WEAPONS, ZONE, Year
from tests.support.site import Site
from workflows.reports.recompute import ReportRequest, at_checkpoint, choose_checkpoint
from workflows.reports.verification import verify_report


@pytest.fixture
def year(site: Site) -> Year:
    return report_year.build(site)


def annual(site: Site, number: int, note: str | None = None) -> dict[str, Any]:
    at = choose_checkpoint(site.ledger, note)
    report, _ = at_checkpoint(site.ledger.database, ReportRequest.annual(number, ZONE), at)
    return report


def test_a_genuine_report_verifies(site: Site, year: Year) -> None:
    verdict = verify_report(site.ledger.database, annual(site, year.year), workers=1)
    assert verdict.ok, verdict.reason
    assert verdict.audit is not None
    assert verdict.audit.checkpoints_checked >= 1


@pytest.mark.parametrize(
    ("figure", "path"),
    [
        (("weapons", "destroyed", "rifled"), "weapons.destroyed.rifled"),
        (("ammunition", "scrap_weight_kg"), "ammunition.scrap_weight_kg"),
        (
            ("weapons", "held_as_evidence_at_year_end", "total"),
            "weapons.held_as_evidence_at_year_end.total",
        ),
    ],
)
def test_a_figure_changed_by_hand_is_named(
    site: Site, year: Year, figure: tuple[str, ...], path: str
) -> None:
    forged = copy.deepcopy(annual(site, year.year))
    shelf = forged
    for key in figure[:-1]:
        shelf = shelf[key]
    shelf[figure[-1]] += 1
    verdict = verify_report(site.ledger.database, forged, workers=1)
    assert not verdict.ok
    assert verdict.step == "figures"
    assert verdict.differing == [path]


def test_false_nested_figure_shadowed_by_a_dotted_top_level_key(site: Site, year: Year) -> None:
    # flattened, {"weapons": {"destroyed": {"rifled": n}}} and {"weapons.destroyed.rifled": n}
    # were one path, and the last one read (the true figure) was the one compared
    forged = copy.deepcopy(annual(site, year.year))
    destroyed = forged["weapons"]["destroyed"]
    forged["weapons.destroyed.rifled"] = destroyed["rifled"]
    destroyed["rifled"] += 5
    verdict = verify_report(site.ledger.database, forged, workers=1)
    assert not verdict.ok
    assert verdict.step == "figures"
    assert sorted(verdict.differing) == ['["weapons.destroyed.rifled"]', "weapons.destroyed.rifled"]


@pytest.mark.parametrize(
    ("added", "path"),
    [
        ({}, "weapons.destroyed.extra"),
        ([], "weapons.destroyed.extra"),
        (True, "weapons.destroyed.extra"),
    ],
    ids=["empty_object", "empty_list", "value"],
)
def test_a_key_the_ledger_does_not_give_is_named(
    site: Site, year: Year, added: object, path: str
) -> None:
    forged = copy.deepcopy(annual(site, year.year))
    forged["weapons"]["destroyed"]["extra"] = added
    verdict = verify_report(site.ledger.database, forged, workers=1)
    assert verdict.step == "figures"
    assert verdict.differing == [path]


def test_a_report_at_a_checkpoint_stays_equal_after_the_ledger_grows(
    site: Site, year: Year
) -> None:
    before = annual(site, year.year)
    more = [report_year.register(site, "firearm", "surrendered", rifled=True) for _ in range(3)]
    site.to_warehouse(*more)
    grown = annual(site, year.year + 1)  # a new checkpoint over the grown ledger
    assert grown["checkpoint"]["size"] > before["checkpoint"]["size"]
    assert annual(site, year.year, before["checkpoint"]["note"]) == before
    assert verify_report(site.ledger.database, before, workers=1).ok


def test_a_report_whose_checkpoint_was_forged_fails_at_the_ledger(site: Site, year: Year) -> None:
    report = annual(site, year.year)
    forged = copy.deepcopy(report)
    forged["checkpoint"]["size"] -= 1
    verdict = verify_report(site.ledger.database, forged, workers=1)
    assert verdict.step == "checkpoint"
    note = report["checkpoint"]["note"]
    lines = note.split("\n")
    # a root one bit away (changing a base64 character could touch only its padding bits,
    # which left the root as it was one time in sixteen)
    root = bytearray(base64.b64decode(lines[2]))
    root[-1] ^= 1
    lines[2] = base64.b64encode(bytes(root)).decode()
    resigned = copy.deepcopy(report)
    resigned["checkpoint"]["note"] = "\n".join(lines)
    resigned["checkpoint"]["root"] = base64.b64decode(lines[2]).hex()
    verdict = verify_report(site.ledger.database, resigned, workers=1)
    assert verdict.step == "ledger"
    assert "checkpoint" in (verdict.reason or "")


# -- the command line, as a user runs it ---------------------------------------------------------


@pytest.fixture
def env(site: Site, year: Year, tmp_path: Path) -> dict[str, str]:
    return environment(tmp_path, site.ledger.database.url)


def test_cli_report_then_verify_report_then_a_changed_figure(
    env: dict[str, str], year: Year, tmp_path: Path
) -> None:
    made = run(env, "report", "annual", "--year", str(year.year), "--out", str(tmp_path / "r.json"))
    assert made.returncode == 0, made.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["weapons"] == EXPECTED_WEAPONS
    checked = run(env, "verify-report", str(tmp_path / "r.json"))
    assert checked.returncode == 0, checked.stderr
    assert "verified" in checked.stdout
    report["weapons"]["surrendered"]["rifled"] -= 1
    (tmp_path / "forged.json").write_text(json.dumps(report))
    refused = run(env, "verify-report", str(tmp_path / "forged.json"))
    assert refused.returncode == 1
    assert "weapons.surrendered.rifled" in refused.stderr.splitlines()[0]


def test_cli_explain_lists_the_subjects_and_seqs(env: dict[str, str], year: Year) -> None:
    shown = run(
        env, "report", "annual", "--year", str(year.year), "--explain", "weapons.destroyed.rifled"
    )
    assert shown.returncode == 0, shown.stderr
    rows = [line.split("\t") for line in shown.stdout.splitlines()]
    assert {subject for _, subject, _ in rows} == {year.items["S2"], year.items["P1"]}
    assert all(seq.isdigit() for seq, _, _ in rows)
    unknown = run(env, "report", "annual", "--year", str(year.year), "--explain", "weapons.nope")
    assert unknown.returncode == 1
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_cli_csv_xlsx_and_pdf_carry_the_same_figures(
    env: dict[str, str], year: Year, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    number = str(year.year)
    as_csv = run(env, "report", "annual", "--year", number, "--format", "csv")
    rows = dict(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows["weapons.surrendered.rifled"] == "3"
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"report.{fmt}"
        done = run(env, "report", "annual", "--year", number, "--format", fmt, "--lang", "en",
                   "--out", str(out))  # fmt: skip
        assert done.returncode == 0, done.stderr
        checked = run(env, "verify-report", str(out))
        assert checked.returncode == 0, checked.stderr
    book = load_workbook(tmp_path / "report.xlsx")
    osce = [list(r) for r in book["OSCE"].iter_rows(values_only=True)]
    assert ["SALW seized (confiscated and found)", 6, 2] in osce
    pdf = read_pdf((tmp_path / "report.pdf").read_bytes(), "report.json")
    text = " ".join(pdf.text.split())
    assert "there were 4 weapons voluntarily surrendered, including 3 rifled weapons" in text
    assert "Firearms surrendered" in text
    assert pdf.attachment is not None
    assert json.loads(pdf.attachment)["weapons"] == EXPECTED_WEAPONS


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "doc"),
        ("--year", "next"),
        ("--tz", "Mars/Olympus"),
        ("--format", "pdf"),  # a PDF goes to a file
    ],
)
def test_cli_bad_input_is_one_line_and_writes_nothing(
    env: dict[str, str], year: Year, args: tuple[str, ...]
) -> None:
    wanted = ["report", "annual", *(("--year", str(year.year)) if "--year" not in args else ())]
    done = run(env, *wanted, *args)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip()


def test_figures_folded_beside_the_ledgers_steps_are_checked_the_same(
    site: Site, year: Year, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a large ledger the figures are folded in a process of their own while the ledger's
    # steps run; here the threshold is lowered so that this small ledger takes that path.
    monkeypatch.setattr("custody.verification.audit.PARALLEL_FROM", 0)
    report = annual(site, year.year)
    assert verify_report(site.ledger.database, report, workers=2).ok
    forged = copy.deepcopy(report)
    forged["weapons"]["destroyed"]["rifled"] += 1
    verdict = verify_report(site.ledger.database, forged, workers=2)
    assert (verdict.step, verdict.differing) == ("figures", ["weapons.destroyed.rifled"])
    forged["checkpoint"]["size"] -= 1
    assert verify_report(site.ledger.database, forged, workers=2).step == "checkpoint"
