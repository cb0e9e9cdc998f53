"""A pause or a reversal dated after R1's term had run out keeps the miss on record (issue
19, H2): the deadline is `missed` (or `missed_cancelled`) with the days overdue at the
pause, in `custody deadlines`, `--why`, the API's reasons and the compliance report of the
period the term ran out in; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import math
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
    why = explain(deadline)
    assert any("MISSED, 17 days overdue" in line for line in why)
    shown = reasons(deadline, site.clock(), [])
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


# Issue 19 re-attack, H1: a pause, finality or reversal dated INSIDE the term but entered
# after the term had run out counts as the law counts it, and the overdue time stays on
# record in the deadline's facts, `custody deadlines`, the API and the compliance report.


def _overdue_days(site: Site, due_at: str) -> int:
    overdue = site.clock() - dt.datetime.fromisoformat(due_at.replace("Z", "+00:00"))
    return math.ceil(overdue / dt.timedelta(days=1))


def test_an_appeal_dated_in_the_term_entered_after_it_ran_out_keeps_the_overdue_time(
    site: Site, tmp_path: Path
) -> None:
    rifle, decided = _decided_30_days_ago(site)
    [running] = site.process.deadlines()
    due = running.due_at
    assert due is not None
    hidden = _overdue_days(site, due)
    assert hidden >= 19
    deadline = _step(site, "decision_appealed", rifle, decided + dt.timedelta(days=5))
    assert deadline.status(site.clock()) == "paused"  # lodged in time: the law's pause
    [fact] = deadline.overdue_until_late_entry()
    assert (fact["fact"], fact["overdue_until_late_entry"], fact["overdue_due_at"]) == (
        "appealed",
        hidden,
        due,
    )
    assert fact in deadline.late_entries()
    assert any(f"OVERDUE {hidden} days on record" in line for line in explain(deadline))
    shown = reasons(deadline, site.clock(), [])
    assert shown["overdue_until_late_entry"] == [hidden]
    assert any(f.get("overdue_until_late_entry") == hidden for f in shown["late_entries"])
    # Final today: ten days run again, and the overdue time stays on record.
    deadline = _step(site, "decision_final", rifle, _today(site))
    assert deadline.status(site.clock()) == "running"
    assert [f["overdue_until_late_entry"] for f in deadline.overdue_until_late_entry()] == [hidden]
    report = _compliance(site, decided, _today(site) + dt.timedelta(days=30))
    assert report["overdue_until_late_entry"] == {"R1": 1, "R2": 0}
    assert [
        (e["item"], e["fact"], e.get("overdue_until_late_entry"))
        for e in report["late_entries"]
        if e["fact"] == "appealed"
    ] == [(rifle, "appealed", hidden)]
    url = site.ledger.database.engine.url.render_as_string(hide_password=False)
    site.ledger.database.dispose()
    env = environment(tmp_path, url)
    listed = run(env, "deadlines", "--tz", "Asia/Almaty", "--why")
    assert listed.returncode == 0, listed.stderr
    assert f"RUNNING   R1 {rifle}" in listed.stdout
    assert f"OVERDUE {hidden} days on record until a late entry (appealed" in listed.stdout
    as_json = json.loads(run(env, "deadlines", "--json").stdout)
    assert [d["overdue_until_late_entry"] for d in as_json] == [[hidden]]


def test_an_appeal_dated_the_last_day_entered_two_days_later_is_on_record(site: Site) -> None:
    # Within CUSTODY_LATE_ENTRY_DAYS of its date, it carried no late flag and erased the miss.
    rifle = site.register_rifle()
    decided = _today(site) - dt.timedelta(days=12)
    site.process.record_decision(
        "unit.serikbaev", [rifle], {**DECISION, "date": decided.isoformat()}
    )
    [running] = site.process.deadlines()
    assert running.due_at is not None
    deadline = _step(site, "decision_appealed", rifle, decided + dt.timedelta(days=10))
    assert deadline.status(site.clock()) == "paused"
    [fact] = deadline.overdue_until_late_entry()
    assert not fact.get("entered_late")
    assert fact["delay_days"] == 2
    assert fact["overdue_until_late_entry"] == _overdue_days(site, running.due_at)


def test_a_reversal_dated_in_the_term_entered_after_it_ran_out_is_listed_and_reported(
    site: Site, tmp_path: Path
) -> None:
    rifle, decided = _decided_30_days_ago(site)
    [running] = site.process.deadlines()
    assert running.due_at is not None
    hidden = _overdue_days(site, running.due_at)
    deadline = _step(site, "decision_reversed", rifle, decided + dt.timedelta(days=10))
    assert deadline.status(site.clock()) == "cancelled"
    [fact] = deadline.overdue_until_late_entry()
    assert (fact["fact"], fact["overdue_until_late_entry"]) == ("reversed", hidden)
    # A closed deadline is shown when closed ones are asked for (M1).
    assert site.process.deadlines() == []
    assert [d.item for d in site.process.deadlines(include_closed=True)] == [rifle]
    report = _compliance(site, decided, _today(site) + dt.timedelta(days=30))
    assert report["overdue_until_late_entry"]["R1"] == 1
    assert ("reversed", hidden) in [
        (e["fact"], e.get("overdue_until_late_entry")) for e in report["late_entries"]
    ]
    url = site.ledger.database.engine.url.render_as_string(hide_password=False)
    site.ledger.database.dispose()
    env = environment(tmp_path, url)
    listed = run(env, "deadlines", "--all", "--tz", "Asia/Almaty")
    assert listed.returncode == 0, listed.stderr
    assert f"CANCELLED R1 {rifle}" in listed.stdout
    assert f"OVERDUE {hidden} days on record" in listed.stdout


def test_a_reversal_in_time_and_entered_in_time_is_plainly_cancelled(site: Site) -> None:
    rifle = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [rifle], DECISION)
    deadline = _step(site, "decision_reversed", rifle, _today(site))
    assert deadline.status(site.clock()) == "cancelled"
    assert deadline.overdue_until_late_entry() == []
    assert deadline.late_entries() == []
    assert [f["fact"] for f in deadline.facts] == ["decision"]


def _rows(report: dict, rifle: str) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(row["status"], row["due_at"]) for row in report["missed"] if row["item"] == rifle]


def test_a_late_appeal_keeps_the_overdue_term_in_its_own_period(site: Site) -> None:
    # Issue 19 attack 1: the appeal dated inside the term, entered 20 days after it ran out,
    # then final today: the overdue term stays in the report of the period it fell due in.
    rifle, decided = _decided_30_days_ago(site)
    [running] = site.process.deadlines()
    due = running.due_at
    assert due is not None
    hidden = _overdue_days(site, due)
    _step(site, "decision_appealed", rifle, decided + dt.timedelta(days=5))
    deadline = _step(site, "decision_final", rifle, _today(site))
    assert deadline.status(site.clock()) == "running"
    assert deadline.due_at is not None
    assert deadline.due_at > due
    before = _compliance(site, decided, _today(site))  # holds the old due time, not the new
    assert _rows(before, rifle) == [("overdue", due)]
    [row] = [r for r in before["missed"] if r["item"] == rifle]
    assert row["days_overdue"] == hidden
    assert before["deadlines"]["R1"]["overdue"] == 1
    assert before["deadlines"]["R1"]["running"] == 0
    assert before["overdue_until_late_entry"] == {"R1": 1, "R2": 0}
    after = _compliance(
        site, _today(site) + dt.timedelta(days=1), _today(site) + dt.timedelta(days=30)
    )
    assert _rows(after, rifle) == []
    assert after["deadlines"]["R1"]["running"] == 1
    assert after["overdue_until_late_entry"] == {"R1": 0, "R2": 0}


def test_a_lost_item_keeps_the_miss_of_its_overdue_term(site: Site) -> None:
    # Issue 19 attack 2: declared lost 20 days after R1 ran out: missed_cancelled, not erased.
    rifle, decided = _decided_30_days_ago(site)
    [running] = site.process.deadlines()
    due = running.due_at
    assert due is not None
    opened = site.process.record_discrepancy("unit.serikbaev", rifle, "не найден")
    site.process.resolve_discrepancy("official.zhakupov", opened, "lost", "утрата")
    deadline = _r1(site, rifle)
    assert deadline.status(site.clock()) == "missed_cancelled"
    [miss] = deadline.misses()
    assert (miss["fact"], miss["missed"], miss["missed_due_at"]) == (
        "lost",
        "missed_cancelled",
        due,
    )
    assert miss["days_overdue"] == _overdue_days(site, due)
    report = _compliance(site, decided, _today(site))
    assert _rows(report, rifle) == [("missed_cancelled", due)]
    assert any("declared lost" in line and "MISSED" in line for line in explain(deadline))


def test_a_lost_item_keeps_the_miss_of_its_overdue_r2_term(site: Site) -> None:
    rifle = site.register_rifle()
    site.to_warehouse(rifle)
    site.clock.advance(hours=50)  # R2's 48 hours ran out 2 hours ago
    with site.ledger.database.read() as conn:
        [r2] = [d for d in Repository(conn).deadlines(open_only=False) if d.rule == "R2"]
    opened = site.process.record_discrepancy("sklad.omarov", rifle, "не найден")
    site.process.resolve_discrepancy("official.zhakupov", opened, "lost", "утрата")
    with site.ledger.database.read() as conn:
        [lost] = [d for d in Repository(conn).deadlines(open_only=False) if d.rule == "R2"]
    assert lost.status(site.clock()) == "missed_cancelled"
    [miss] = lost.misses()
    assert (miss["missed_due_at"], miss["days_overdue"]) == (r2.due_at, 1)
    assert 2 <= miss["hours_overdue"] < 3


def test_a_loss_before_the_due_time_is_plainly_cancelled(site: Site) -> None:
    rifle = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [rifle], DECISION)
    opened = site.process.record_discrepancy("unit.serikbaev", rifle, "не найден")
    site.process.resolve_discrepancy("official.zhakupov", opened, "lost", "утрата")
    deadline = _r1(site, rifle)
    assert deadline.status(site.clock()) == "cancelled"
    assert deadline.misses() == []


def test_a_finality_with_no_pause_is_not_a_late_entry(site: Site) -> None:
    # Issue 19 attack 3: final dated after the term (or inside it), entered today, no pause
    # before it: it hides no overdue time and leaves the overdue term as it was.
    for offset in (13, 5):
        rifle, decided = _decided_30_days_ago(site)
        deadline = _step(site, "decision_final", rifle, decided + dt.timedelta(days=offset))
        assert deadline.status(site.clock()) == "overdue"
        assert deadline.overdue_until_late_entry() == []
        assert all("overdue_due_at" not in f for f in deadline.late_entries())
        assert not any("OVERDUE" in line for line in explain(deadline))


def test_the_command_line_says_lost_for_a_loss_and_reversed_for_a_reversal(
    site: Site, tmp_path: Path
) -> None:
    # Issue 19 fix: every missed_cancelled deadline was listed as "MISSED: reversed".
    lost, _ = _decided_30_days_ago(site)
    opened = site.process.record_discrepancy("unit.serikbaev", lost, "не найден")
    site.process.resolve_discrepancy("official.zhakupov", opened, "lost", "утрата")
    reversed_, decided = _decided_30_days_ago(site)
    _step(site, "decision_reversed", reversed_, decided + dt.timedelta(days=27))
    url = site.ledger.database.engine.url.render_as_string(hide_password=False)
    site.ledger.database.dispose()
    listed = run(environment(tmp_path, url), "deadlines", "--all", "--tz", "Asia/Almaty")
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[2]: line for line in listed.stdout.splitlines() if "MISSED" in line}
    assert "MISSED: declared lost " in lines[lost]
    assert "reversed" not in lines[lost]
    assert "MISSED: reversed " in lines[reversed_]


def test_a_late_entry_is_reported_in_the_period_it_was_entered_whatever_comes_after(
    site: Site,
) -> None:
    # Issue 19, L: a decision entered late was listed in the period of its deadline's due
    # time, so a finality entered later (a new due time) moved it to another period.
    rifle, decided = _decided_30_days_ago(site)  # entered today, 30 days after its date
    today = _today(site)

    def late_decisions(first: dt.date, last: dt.date) -> list[str]:
        report = _compliance(site, first, last)
        return [e["item"] for e in report["late_entries"] if e["fact"] == "decision"]

    assert late_decisions(today, today) == [rifle]
    assert late_decisions(decided, today - dt.timedelta(days=1)) == []  # its old due time
    _step(site, "decision_appealed", rifle, decided + dt.timedelta(days=27))
    _step(site, "decision_final", rifle, today)  # ten days run again: due in 10 days
    assert late_decisions(today, today) == [rifle]
    assert late_decisions(decided, today - dt.timedelta(days=1)) == []
