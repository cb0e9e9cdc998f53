"""Deadline compliance: R1 and R2 met, met late and overdue, by unit and warehouse, with the
item behind each missed one; read through the process's own fold of the entries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from custody.clock import parse_time
from tests.support import report_year
from tests.support.report_year import ZONE, Troubles
from tests.support.site import UNIT, WAREHOUSE, Site
from tests.test_reports_annual import checkpoint
from workflows.model import Deadline
from workflows.reports.recompute import ReportRequest, at_checkpoint
from workflows.repository import Repository


@pytest.fixture
def month(site: Site) -> Troubles:
    return report_year.troubles(site)


def compliance(site: Site, month: Troubles) -> dict:  # type: ignore[type-arg]
    request = ReportRequest.between(
        "compliance", month.first, month.first + dt.timedelta(days=60), ZONE
    )
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    return report


def test_each_deadline_is_met_late_or_overdue_as_the_month_went(
    site: Site, month: Troubles
) -> None:
    report = compliance(site, month)
    assert report["deadlines"]["R1"] | {} == {
        "met": 2, "met_late": 1, "overdue": 1, "running": 0, "paused": 0, "cancelled": 0,
        "missed": 0, "missed_cancelled": 0,
    }  # fmt: skip
    assert report["deadlines"]["R2"]["met"] == 2
    assert report["deadlines"]["R2"]["met_late"] == 1
    assert report["by_place"][UNIT]["R1"]["met_late"] == 1
    assert report["by_place"][WAREHOUSE]["R2"]["met_late"] == 1
    assert set(report["by_place"]) == {UNIT, WAREHOUSE}


def test_a_missed_deadline_names_its_item_and_by_how_much(site: Site, month: Troubles) -> None:
    report = compliance(site, month)
    missed = {(m["item"], m["rule"]): m for m in report["missed"]}
    assert set(missed) == {
        (month.items["A"], "R1"),
        (month.items["A"], "R2"),
        (month.items["D"], "R1"),
    }
    # R1 by the law's days (issue 19): 24:00 at the end of the tenth day after the decision's
    # date at the unit; A left on the eleventh day.
    late_r1 = missed[month.items["A"], "R1"]
    due = dt.datetime.combine(month.first + dt.timedelta(days=11), dt.time(), ZoneInfo(ZONE))
    expected_r1 = parse_time(late_r1["met_at"]) - due
    assert late_r1["late_by_hours"] == round(expected_r1.total_seconds() / 3600, 2)
    assert 0 < late_r1["late_by_hours"] < 24
    assert missed[month.items["A"], "R1"]["place"] == UNIT
    assert missed[month.items["A"], "R2"]["late_by_hours"] == 2.0
    assert missed[month.items["A"], "R2"]["place"] == WAREHOUSE
    overdue = missed[month.items["D"], "R1"]
    expected = parse_time(report["as_of"]) - parse_time(overdue["due_at"])
    assert overdue["status"] == "overdue"
    assert overdue["late_by_hours"] == round(expected.total_seconds() / 3600, 2)
    assert overdue["late_by_hours"] > 24


def test_the_statuses_are_those_the_state_tables_give_at_the_same_moment(
    site: Site, month: Troubles
) -> None:
    report = compliance(site, month)
    now = parse_time(report["as_of"])
    counted: dict[str, dict[str, int]] = {"R1": {}, "R2": {}}
    with site.ledger.database.read() as conn:
        stored: list[Deadline] = Repository(conn).documents("deadlines", None)
    for deadline in stored:
        if deadline.rule == "transit":
            continue  # the ministry's watch, not a rule of the law: not in the report
        status = deadline.status(now)
        counted[deadline.rule][status] = counted[deadline.rule].get(status, 0) + 1
    for rule in ("R1", "R2"):
        assert {k: v for k, v in report["deadlines"][rule].items() if v} == counted[rule]


def test_a_period_before_the_deadlines_fell_due_holds_none(site: Site, month: Troubles) -> None:
    request = ReportRequest.between(
        "compliance", month.first - dt.timedelta(days=30), month.first - dt.timedelta(days=1), ZONE
    )
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    assert report["missed"] == []
    assert all(v == 0 for rule in report["deadlines"].values() for v in rule.values())
