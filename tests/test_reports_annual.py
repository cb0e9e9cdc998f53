"""The annual report against a year built through the real process with known numbers, and
against a count of the same figures written here, over the raw entry bodies."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from custody.store import Store
from tests.support import report_year
from tests.support.report_year import EXPECTED_AMMUNITION, EXPECTED_WEAPONS, ZONE, Year
from tests.support.site import FORENSICS, PLANT, UNIT, WAREHOUSE, Site
from workflows.reports.recompute import Checkpoint, ReportRequest, at_checkpoint


def checkpoint(site: Site) -> Checkpoint:
    with site.ledger.database.write() as conn:
        issued = site.ledger.issue_checkpoint(conn)
    return Checkpoint.from_note(issued.note)


def annual(site: Site, number: int, place: str | None = None) -> tuple[dict[str, Any], Any]:
    return at_checkpoint(
        site.ledger.database, ReportRequest.annual(number, ZONE, place), checkpoint(site)
    )


def bodies(site: Site) -> list[dict[str, Any]]:
    with site.ledger.database.read() as conn:
        store = Store(conn)
        return [orjson.loads(e.body) for e in store.entries(0, store.head().size)]


def local_year(time: str) -> int:
    moment = dt.datetime.fromisoformat(time.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(ZONE)).year


def counted_here(site: Site, number: int) -> dict[str, Counter[str]]:
    """The same figures, counted plainly: source by intake, melted by item, returned."""
    kinds: dict[str, dict[str, Any]] = {}
    counts: dict[str, Counter[str]] = {"total": Counter(), "rifled": Counter()}
    for body in bodies(site):
        data, item = body["data"], body["item"]
        if body["kind"] == "item_registered":
            kinds[item] = data
        if local_year(body["time"]) != number:
            continue
        what = kinds.get(item, {})
        if what.get("category") == "ammunition":
            continue
        figure = {
            "item_registered": data.get("source"),
            "melted": "destroyed" if "batch" in data else None,
            "item_returned": "returned_to_owner",
        }.get(body["kind"])
        if figure is not None:
            counts["total"][figure] += 1
            if what.get("category") == "firearm" and what.get("rifled"):
                counts["rifled"][figure] += 1
    return counts


@pytest.fixture
def year(site: Site) -> Year:
    return report_year.build(site)


def test_every_figure_of_the_year_is_the_number_it_was_built_with(site: Site, year: Year) -> None:
    report, _ = annual(site, year.year)
    assert report["weapons"] == EXPECTED_WEAPONS
    assert report["ammunition"] == EXPECTED_AMMUNITION
    assert report["year"] == year.year
    assert report["time_zone"] == ZONE
    size = site.ledger.database
    with size.read() as conn:
        assert report["checkpoint"]["size"] == Store(conn).head().size


def test_the_figures_equal_a_plain_count_of_the_entries(site: Site, year: Year) -> None:
    report, _ = annual(site, year.year)
    plain = counted_here(site, year.year)
    for figure in ("surrendered", "confiscated", "found", "surplus", "destroyed"):
        assert report["weapons"][figure]["total"] == plain["total"][figure]
        assert report["weapons"][figure]["rifled"] == plain["rifled"][figure]
    assert report["weapons"]["returned_to_owner"]["total"] == plain["total"]["returned_to_owner"]
    held = [i for i in year.items.values() if site.process.item(i).state == "evidence_hold"]
    assert report["weapons"]["held_as_evidence_at_year_end"]["total"] == len(held)


def test_an_entry_after_midnight_in_almaty_counts_in_the_next_year(site: Site, year: Year) -> None:
    _report, tally = annual(site, year.year)
    following, tally_next = annual(site, year.year + 1)
    assert year.items["N1"] in {s for s, _, _ in tally.explain("weapons.surrendered.rifled")}
    assert year.items["N2"] not in {s for s, _, _ in tally.explain("weapons.surrendered.rifled")}
    assert following["weapons"]["surrendered"] == {"total": 1, "rifled": 1}
    [(subject, _, _)] = tally_next.explain("weapons.destroyed.total")
    assert subject == year.items["P2"]  # registered this year, melted the next
    assert following["weapons"]["held_as_evidence_at_year_end"]["total"] == 1


def test_by_place_counts_each_figure_where_it_happened(site: Site, year: Year) -> None:
    report, _ = annual(site, year.year)
    places = report["by_place"]
    assert places[UNIT]["weapons"]["surrendered"] == EXPECTED_WEAPONS["surrendered"]
    assert places[UNIT]["weapons"]["returned_to_owner"]["total"] == 1
    assert places[PLANT]["weapons"]["destroyed"] == EXPECTED_WEAPONS["destroyed"]
    assert places[FORENSICS]["weapons"]["held_as_evidence_at_year_end"]["total"] == 1
    assert places[WAREHOUSE]["ammunition"]["rounds_destroyed"] == 480
    one, _ = annual(site, year.year, place=PLANT)
    assert one["weapons"] == places[PLANT]["weapons"]
    assert list(one["by_place"]) == [PLANT]


def test_explain_names_the_subjects_and_seqs_behind_a_figure(site: Site, year: Year) -> None:
    report, tally = annual(site, year.year)
    behind = tally.explain("weapons.destroyed.rifled")
    assert {s for s, _, _ in behind} == {year.items["S2"], year.items["P1"]}
    by_seq = {b["seq"]: b for b in bodies(site)}
    for subject, seq, _ in behind:
        assert by_seq[seq]["kind"] == "melted"
        assert by_seq[seq]["item"] == subject
    assert sum(report["by_month"]["destroyed"]) == report["weapons"]["destroyed"]["total"]
