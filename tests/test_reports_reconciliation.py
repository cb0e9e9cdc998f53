"""Stock and weight reconciliation: an item lost between cutting and the furnace shows in the
warehouse's flows and against its last count; a charge a kilogram too heavy shows against the
sum of its items' weights."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support import report_year
from tests.support.report_year import ZONE, Troubles
from tests.support.site import FORENSICS, PLANT, UNIT, WAREHOUSE, Site
from tests.test_reports_annual import checkpoint
from workflows.reports.recompute import ReportRequest, at_checkpoint

FLOWS = ("opening", "received", "sent", "destroyed", "returned", "lost", "closing")


@pytest.fixture
def month(site: Site) -> Troubles:
    return report_year.troubles(site)


def reconciliation(site: Site, month: Troubles) -> tuple[dict[str, Any], Any]:
    request = ReportRequest.between(
        "reconciliation", month.first, month.first + dt.timedelta(days=60), ZONE
    )
    return at_checkpoint(site.ledger.database, request, checkpoint(site))


def test_every_place_balances_and_the_lost_item_is_named(site: Site, month: Troubles) -> None:
    report, _ = reconciliation(site, month)
    places = report["places"]
    flows = {p: tuple(places[p][f] for f in FLOWS) for p in (UNIT, WAREHOUSE, FORENSICS, PLANT)}
    assert flows[UNIT] == (0, 4, 3, 0, 0, 0, 1)  # D stays at the unit
    assert flows[WAREHOUSE] == (0, 6, 5, 0, 0, 1, 0)  # 3 arrive, 3 back from forensics
    assert flows[FORENSICS] == (0, 3, 3, 0, 0, 0, 0)
    assert flows[PLANT] == (0, 2, 0, 2, 0, 0, 0)
    assert all(place["balanced"] for place in places.values())
    assert places[WAREHOUSE]["lost_items"] == [month.items["C"]]


def test_the_last_count_lists_the_item_it_did_not_find(site: Site, month: Troubles) -> None:
    report, _ = reconciliation(site, month)
    count = report["places"][WAREHOUSE]["last_count"]
    assert count["missing"] == [month.items["C"]]
    assert count["ledger_stock"] == 3  # what the ledger held there when it was counted
    assert report["places"][WAREHOUSE]["differences"] == [
        {"item": month.items["C"], "difference": "missing", "seq": count["seq"]}
    ]


def test_the_overweight_charge_is_flagged_against_its_items(site: Site, month: Troubles) -> None:
    report, tally = reconciliation(site, month)
    batch = report["batches"][month.batch]
    assert [i["item"] for i in batch["items"]] == [month.items["A"], month.items["B"]]
    assert batch["items_weight_g"] == 6000
    assert batch["charge_weight_g"] == 7000
    assert batch["scrap_weight_g"] == 6900
    assert batch["difference_g"] == 1000
    assert batch["within_tolerance"] is False
    [discrepancy] = batch["discrepancies"]
    assert discrepancy["resolution"] == "corrected"
    behind = tally.behind[f"batches.{month.batch}.items_weight_g"]
    assert sum(amount for _, _, amount in behind) == 6000


def test_stock_is_closed_at_the_end_of_the_period(site: Site, month: Troubles) -> None:
    request = ReportRequest.between(
        "reconciliation",
        month.first - dt.timedelta(days=30),
        month.first - dt.timedelta(days=1),
        ZONE,
    )
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    assert report["batches"] == {}
    assert all(p["received"] == 0 for p in report["places"].values())
