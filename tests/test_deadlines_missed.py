"""A pause or a reversal dated after R1's term had run out keeps the miss on record (issue
19, H2): the deadline is `missed` (or `missed_cancelled`) with the days overdue at the
pause, in `custody deadlines`, `--why`, the API's reasons and the compliance report of the
period the term ran out in; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from api.deadline_reasons import reasons
from tests.support.processes import environment, run
from tests.support.report_year import ZONE
from tests.support.site import DECISION, Site
from tests.test_deadlines_by_law import ALMATY
from tests.test_reports_annual import checkpoint
from workflows.deadlines import explain
from workflows.model import Deadline
from workflows.reports.recompute import ReportRequest, at_checkpoint
from workflows.repository import Repository


def _today(site: Site) -> dt.date:
    return site.clock().astimezone(ALMATY).date()


def _decided_30_days_ago(site: Site) -> tuple[str, dt.date]:
    """A rifle decided 30 days ago (entered today): its term ran out at the end of day 10."""
    rifle = site.register_rifle()
    decided = _today(site) - dt.timedelta(days=30)
    site.process.record_decision(
        "unit.serikbaev", [rifle], {**DECISION, "date": decided.isoformat()}
    )
    return rifle, decided


def _r1(site: Site, rifle: str) -> Deadline:
    with site.ledger.database.read() as conn:
        [deadline] = [d for d in Repository(conn).deadlines(open_only=False) if d.item == rifle]
    return deadline


def _step(site: Site, step: str, rifle: str, day: dt.date) -> Deadline:
    site.process.decision_step("unit.serikbaev", step, [rifle], date=day.isoformat())
    return _r1(site, rifle)


def _compliance(site: Site, first: dt.date, last: dt.date) -> dict:  # type: ignore[type-arg]
    request = ReportRequest.between("compliance", first, last, ZONE)
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    return report


def test_an_appeal_dated_after_the_term_ran_out_does_not_erase_the_miss(site: Site) -> None:
    rifle, decided = _decided_30_days_ago(site)
    [running] = site.process.deadlines()
    missed_due = running.due_at
    appealed = decided + dt.timedelta(days=27)  # 17 days after the tenth day
    deadline = _step(site, "decision_appealed", rifle, appealed)
    assert deadline.status(site.clock()) == "missed"
    [miss] = deadline.misses()
    assert (miss["missed"], miss["missed_due_at"], miss["days_overdue"]) == (
        "missed",
        missed_due,
        17,
    )
    why = explain(deadline, 3)
    assert any("MISSED, 17 days overdue" in line for line in why)
    shown = reasons(deadline, site.clock(), 3, [])
    assert shown["status"] == "missed"
    assert shown["facts"][-1]["days_overdue"] == 17
    # Final today: ten days run again, and the miss stays on record.
    deadline = _step(site, "decision_final", rifle, _today(site))
    assert deadline.status(site.clock()) == "running"
    assert [m["days_overdue"] for m in deadline.misses()] == [17]


def test_an_appeal_within_the_term_entered_late_is_a_pause_not_a_miss(site: Site) -> None:
    rifle, decided = _decided_30_days_ago(site)
    deadline = _step(site, "decision_appealed", rifle, decided + dt.timedelta(days=10))
    assert deadline.status(site.clock()) == "paused"  # lodged on the tenth day: in time
    assert deadline.misses() == []


def test_a_reversal_dated_after_the_term_ran_out_is_missed_cancelled(site: Site) -> None:
    rifle, decided = _decided_30_days_ago(site)
    deadline = _step(site, "decision_reversed", rifle, decided + dt.timedelta(days=12))
    assert deadline.status(site.clock()) == "missed_cancelled"
    assert deadline.misses()[0]["days_overdue"] == 2
    other, decided = _decided_30_days_ago(site)
    site.process.decision_step(
        "unit.serikbaev", "decision_reversed", [other], date=decided.isoformat()
    )
    assert _r1(site, other).status(site.clock()) == "cancelled"


def test_a_miss_erased_by_a_later_appeal_counts_in_the_report_of_its_period(
    site: Site,
) -> None:
    rifle, decided = _decided_30_days_ago(site)
    _step(site, "decision_appealed", rifle, decided + dt.timedelta(days=27))
    _step(site, "decision_final", rifle, _today(site))
    term_ran_out = decided + dt.timedelta(days=10)
    report = _compliance(site, term_ran_out, term_ran_out + dt.timedelta(days=5))
    assert report["deadlines"]["R1"]["missed"] == 1
    [row] = report["missed"]
    assert (row["item"], row["status"], row["days_overdue"]) == (rifle, "missed", 17)
    assert row["late_by_hours"] == 17 * 24
    # The term that runs again from finality is the later period's, and not missed.
    later = _compliance(site, _today(site), _today(site) + dt.timedelta(days=30))
    assert later["deadlines"]["R1"]["running"] == 1
    assert later["deadlines"]["R1"]["missed"] == 0
    assert later["missed"] == []


def test_the_command_line_shows_a_miss_kept_after_an_appeal(site: Site, tmp_path: Path) -> None:
    rifle, decided = _decided_30_days_ago(site)
    _step(site, "decision_appealed", rifle, decided + dt.timedelta(days=27))
    url = site.ledger.database.engine.url.render_as_string(hide_password=False)
    site.ledger.database.dispose()
    env = environment(tmp_path, url)
    listed = run(env, "deadlines", "--tz", "Asia/Almaty", "--why")
    assert listed.returncode == 0, listed.stderr
    assert f"MISSED    R1 {rifle}" in listed.stdout
    assert "17 days overdue" in listed.stdout
    as_json = json.loads(run(env, "deadlines", "--json").stdout)
    assert [(d["item"], d["status"]) for d in as_json] == [(rifle, "missed")]
