"""Issue 19 (fix19h, M3): destruction waits for a final decision, and an appeal dated before
a destroying step already recorded is accepted and flagged.

The attack: a smoothbore sent under a decision not final yet was cut the next day; the
appeal lodged before the cutting was then accepted without a word. Now every step that
destroys or alters an item is refused while its decision is recorded and not final (the
ledger knows finality only from `decision_final`, or a decision an intake carries). An
appeal dated on or before a destroying step recorded before this rule (a ledger written
then) is accepted, the fact having happened, and flagged: the entry carries the step
(`after_destruction`), the item's decision shows it, and the deciding unit's staff and
supervisor are told (`destroyed_early`). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

import tests.support.forge as forge
from api.deadline_reasons import reasons
from api.notices.config import NoticeConfig
from api.notices.worker import one_pass
from api.system import System
from api.web.render import text as page_text
from api.web.report_pages import FACT_STEPS, NAMES
from certificates.words import words as paper_words
from custody.clock import utc_now
from custody.entries import decode
from custody.store import Store
from custody.verify import Audit
from tests.support.forge import append_unchecked
from tests.support.mailbox import Mailbox
from tests.support.notices import notices_of
from tests.support.site import COMMISSION, DECISION, PLANT, UNIT, Site
from tests.test_notices import box, system
from tests.test_reports_annual import checkpoint
from tests.test_unload_from_batch import _as_before, _verified
from workflows import fold
from workflows.deadline_replay import rederive
from workflows.errors import RuleViolation
from workflows.escalation import MELTED_ALREADY, WAITS, appeal_waits_case
from workflows.replay import rewrite_rows, verify_steps
from workflows.reports.recompute import ReportRequest, at_checkpoint
from workflows.world import World

__all__ = ["box", "system"]  # the fixtures of tests/test_notices.py

WHO = ("person", "level", "place")  # whom a notice is for, by level (notices_of)
NOT_FINAL = "the decision is not final yet; the item may not be destroyed until its finality"


def test_a_destroying_step_waits_for_the_decision_to_be_final(site: Site) -> None:
    item = site.sent_not_final()
    with pytest.raises(RuleViolation) as refusal:
        site.process.remove_parts("sklad.omarov", [item], ["приклад"])
    assert refusal.value.rule == "R1"
    assert NOT_FINAL in refusal.value.message
    assert site.process.item(item).state == "at_warehouse"
    site.process.decision_step("unit.serikbaev", "decision_final", [item])
    site.prepare(item)
    assert site.process.item(item).state == "cut"


def _cut_before_the_appeal(site: Site) -> str:
    """Cut under a decision not final, as a ledger written before this rule holds it."""
    item = site.sent_not_final()
    other = site.register_rifle(rifled=False)
    site.to_warehouse(other)
    site.prepare(other)
    with site.ledger.database.read() as conn:
        done = [decode(e.body) for e in Store(conn).item_entries(other)]
    preparing = ("parts_removed", "parts_incinerated", "deformed", "cut")
    _as_before(site, [(b.kind, item, b.data) for b in done if b.kind in preparing])
    return item


def _appeal(site: Site, item: str, date: str) -> None:
    site.process.decision_step(
        "unit.serikbaev", "decision_appealed", [item], date=date, document="дело 2а-9/2026"
    )


def test_appeal_dated_before_a_recorded_cutting_is_accepted_flagged_and_told(
    site: Site, system: System, box: Mailbox
) -> None:
    item = _cut_before_the_appeal(site)
    _appeal(site, item, DECISION["date"])
    held = site.process.item(item)
    assert held.state == "cut"  # accepted: the fact happened
    assert held.decision is not None
    assert held.decision["status"] == "appealed"
    flag = held.decision["after_destruction"]
    assert flag["step"] == "parts_removed"
    assert flag["by"] == "appealed"
    assert flag["date"] == DECISION["date"]
    with site.ledger.database.read() as conn:
        [appeal] = [
            b
            for b in (decode(e.body) for e in Store(conn).item_entries(item))
            if b.kind == "decision_appealed"
        ]
    assert appeal.data["after_destruction"]["step"] == "parts_removed"
    # The deadlines list: R1, met by the transfer, keeps the appeal's fact with the flag,
    # the same from the fold and from `custody deadlines --rederive`.
    [r1] = [d for d in site.process.deadlines(include_closed=True) if d.item == item]
    assert r1.met_at is not None
    [fact] = [f for f in r1.facts if f["fact"] == "appealed"]
    assert fact["after_destruction"]["step"] == "parts_removed"
    said = reasons(r1, site.clock(), [])
    assert any("APPEALED AFTER DESTRUCTION BEGAN" in line for line in said["why"])
    rederive(site.ledger.database)
    assert [d for d in site.process.deadlines(include_closed=True) if d.item == item] == [r1]
    # The compliance report of the period lists it.
    today = dt.date.fromisoformat(DECISION["date"])
    request = ReportRequest.between(
        "compliance", today - dt.timedelta(days=1), today + dt.timedelta(days=2), "Asia/Almaty"
    )
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    [row] = report["appealed_after_destruction"]
    assert (row["item"], row["fact"], row["step"]) == (item, "appealed", "parts_removed")
    one_pass(system, NoticeConfig(smtp_url=box.url))
    assert notices_of(system, "destroyed_early", WHO, order="level") == [
        ("unit.ospanov", "staff", UNIT),
        ("chief.bekov", "supervisor", UNIT),
    ]
    [told] = box.to("chief.bekov@police.kz")
    assert "Appealed after destruction began" in told["Subject"]
    assert one_pass(system, NoticeConfig(smtp_url=box.url)).written == 0
    _verified(site)


def test_appeal_dated_after_the_cutting_is_not_flagged(
    site: Site, system: System, box: Mailbox
) -> None:
    item = _cut_before_the_appeal(site)
    site.clock.advance(days=1)
    later = (dt.date.fromisoformat(DECISION["date"]) + dt.timedelta(days=1)).isoformat()
    _appeal(site, item, later)
    held = site.process.item(item)
    assert held.decision is not None
    assert "after_destruction" not in held.decision
    # The compliance report of the period lists none.
    today = dt.date.fromisoformat(DECISION["date"])
    request = ReportRequest.between(
        "compliance", today - dt.timedelta(days=1), today + dt.timedelta(days=2), "Asia/Almaty"
    )
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    assert report["appealed_after_destruction"] == []
    one_pass(system, NoticeConfig(smtp_url=box.url))
    assert notices_of(system, "destroyed_early", WHO, order="level") == []


def test_an_appeal_after_destruction_began_is_told_though_the_item_is_gone_by_the_pass(
    site: Site, system: System, box: Mailbox
) -> None:
    """r19 HIGH: the worker read only the appeals of items not gone, so an item flagged and
    then destroyed (or, here, reversed and returned) before its next pass was never told of."""
    item = _cut_before_the_appeal(site)
    _appeal(site, item, DECISION["date"])
    site.process.decision_step("unit.serikbaev", "decision_reversed", [item])
    site.process.return_to_owner("sklad.omarov", [item], "Иванов И. И.")
    assert site.process.item(item).state == "returned"
    one_pass(system, NoticeConfig(smtp_url=box.url))
    assert notices_of(system, "destroyed_early", WHO, order="level") == [
        ("unit.ospanov", "staff", UNIT),
        ("chief.bekov", "supervisor", UNIT),
    ]
    # it waits for nothing now: not said
    assert notices_of(system, "appeal_waits", WHO, order="level") == []


def test_appeal_waits_for_an_item_already_melted_says_so_not_that_it_waits(
    site: Site, system: System, box: Mailbox
) -> None:
    """r19 LOW: the `appeal_waits` notice of an item melted before its appeal (a ledger
    written before the rule) said "it may not be destroyed until the decision is final"."""
    item = _cut_before_the_appeal(site)
    batch = site.next_id("B")
    site.process.open_batch("sklad.omarov", batch, "furnace", PLANT, "ДСП-3", COMMISSION)
    _as_before(site, [("batch_loaded", item, {"batch": batch}), ("melted", item, {"batch": batch})])
    assert site.process.item(item).state == "melted"
    assert appeal_waits_case(site.process.item(item)) == WAITS  # not contested yet
    _appeal(site, item, DECISION["date"])
    # the home page's words and the e-mail's come from this
    assert appeal_waits_case(site.process.item(item)) == MELTED_ALREADY
    one_pass(system, NoticeConfig(smtp_url=box.url))
    assert ("unit.ospanov", "staff", UNIT) in notices_of(system, "appeal_waits", WHO, order="level")
    [waits] = [m for m in box.to("unit.ospanov@police.kz") if "расплавлен" in m["Subject"]]
    assert "Решение обжаловано" in waits["Subject"]
    said = waits.get_content()
    assert "may not be destroyed" not in said
    assert "нельзя уничтожать" not in said
    assert "жоюға болмайды" not in said
    assert "the item is already melted or burned" in said
    assert "предмет уже расплавлен или сожжён" in said
    assert "зат балқытылған немесе өртелген" in said


# -- fix19j: custody verify checks the flag an appeal carries --------------------------------

STATE = 10  # custody verify's state replay (tests/test_state_forgeries.py)


def _forge_appeal(site: Site, item: str, data: dict[str, Any]) -> int:
    """An insider with the ledger key appends the unit's appeal as they like it, then writes
    the state rows the fold makes of it (checking nothing), so that no row tells: the seq."""
    signer = site.ledger.signer
    assert signer is not None
    with site.ledger.database.engine.begin() as conn:
        forged = append_unchecked(conn, signer, "decision_appealed", "unit.serikbaev", item, data)
    with site.ledger.database.read() as conn:
        store = Store(conn)
        bodies = [decode(e.body) for e in store.entries(0, store.head().size)]
    world = World()
    for body in bodies:
        fold.apply(world, body)
    rewrite_rows(site.ledger.database, world)
    return forged.seq


def _fails_at_the_forged_appeal(site: Site, seq: int) -> str:
    report = Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run()
    failure = report.first_failure
    assert failure is not None, "the forged flag went unnoticed"
    assert (failure.number, failure.name, failure.seq) == (STATE, "state replay", seq)
    return str(failure.reason)


def test_forged_appeal_hiding_that_destruction_began_fails_verify(site: Site) -> None:
    """The appeal dated before the recorded cutting, written without its flag: the report,
    the item page and the notices would never say the item was cut under an appeal."""
    item = _cut_before_the_appeal(site)
    data = {"date": DECISION["date"], "document": "дело 2а-9/2026", "files": []}
    seq = _forge_appeal(site, item, data)
    reason = _fails_at_the_forged_appeal(site, seq)
    assert f"entry {seq}: R1: decision_appealed of item {item}" in reason
    assert "after_destruction=none, but the ledger says parts_removed at entry" in reason


def test_forged_appeal_claiming_destruction_that_never_began_fails_verify(site: Site) -> None:
    """An appeal flagged as after destruction though nothing destroyed the item: a unit's
    clean record smeared (and its supervisor told) by an entry the command never writes."""
    item = site.sent_not_final()
    flag = {"step": "cut", "seq": 3, "date": DECISION["date"]}
    data = {"date": DECISION["date"], "document": "дело 2а-9/2026", "files": []}
    seq = _forge_appeal(site, item, {**data, "after_destruction": flag})
    reason = _fails_at_the_forged_appeal(site, seq)
    assert f"entry {seq}: R1: decision_appealed of item {item}" in reason
    assert "after_destruction=cut at entry 3" in reason
    assert "but the ledger says none" in reason


def test_the_flag_the_command_wrote_passes_verify_and_a_later_final_carries_none(
    site: Site,
) -> None:
    item = _cut_before_the_appeal(site)
    _appeal(site, item, DECISION["date"])
    site.process.decision_step("unit.serikbaev", "decision_final", [item])
    _verified(site)


# -- fix19j: the compliance report lists an item destroyed under a decision not final ---------

NOT_FINAL_TITLE = {
    "en": "Destroyed while the decision was not final",
    "ru": "Уничтожено до вступления решения в силу",
    "kk": "Шешім күшіне енгенге дейін жойылды",
}


def _compliance_today(site: Site) -> dict[str, Any]:
    today = dt.date.fromisoformat(DECISION["date"])
    request = ReportRequest.between(
        "compliance", today - dt.timedelta(days=1), today + dt.timedelta(days=2), "Asia/Almaty"
    )
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    return report


def test_compliance_report_lists_an_item_destroyed_while_its_decision_was_never_final(
    site: Site,
) -> None:
    """A legacy ledger (forged here as one written before R1 refused it): the smoothbore cut
    and melted under a decision recorded and never final, and nobody appealed, so no other
    finding showed it. The report lists it once, at its first such step, from the ledger."""
    final = site.register_rifle(rifled=False)
    site.to_warehouse(final)
    site.prepare(final)  # cut under a final decision: no finding
    item = _cut_before_the_appeal(site)
    batch = site.next_id("B")
    site.process.open_batch("sklad.omarov", batch, "furnace", PLANT, "ДСП-3", COMMISSION)
    _as_before(site, [("batch_loaded", item, {"batch": batch}), ("melted", item, {"batch": batch})])
    assert site.process.item(item).state == "melted"
    with site.ledger.database.read() as conn:
        bodies = [decode(e.body) for e in Store(conn).item_entries(item)]
    first = next(b for b in bodies if b.kind == "parts_removed")
    report = _compliance_today(site)
    [row] = report["destroyed_not_final"]
    assert row["item"] == item
    assert (row["step"], row["seq"], row["at"]) == ("parts_removed", first.seq, first.time)
    assert (row["decision_status"], row["decision_date"]) == ("recorded", DECISION["date"])
    assert row["place"] == UNIT
    # Shown on the report's page, in the reader's language.
    for language, title in NOT_FINAL_TITLE.items():
        html = page_text(
            "report_compliance.html.j2",
            language,
            None,
            report=report,
            words=NAMES,
            paper_words=paper_words(language),
            cancelled_by={},
            fact_steps=FACT_STEPS,
            names={},
            query="",
            formats=[],
        )
        section = html.split('id="h-not-final"')[1].split("</section>")[0]
        assert title in section
        assert f'data-item="{item}" data-seq="{first.seq}"' in section
        assert str(final) not in section
    _verified(site)


def test_compliance_report_lists_no_item_destroyed_after_its_finality(site: Site) -> None:
    item = site.register_rifle(rifled=False)
    site.to_warehouse(item)
    site.prepare(item)
    assert _compliance_today(site)["destroyed_not_final"] == []


# -- fix19k: verify re-checks the date rules of a decision's dated steps ----------------------


def _day(days: int) -> str:
    return (dt.date.fromisoformat(DECISION["date"]) + dt.timedelta(days=days)).isoformat()


def _forge_unfolded(site: Site, kind: str, item: str, data: dict[str, Any]) -> int:
    """A forged decision step appended with the ledger key, its rows left as they were (the
    fold itself could not take a date that is no string): the seq."""
    signer = site.ledger.signer
    assert signer is not None
    with site.ledger.database.engine.begin() as conn:
        return append_unchecked(conn, signer, kind, "unit.serikbaev", item, data).seq


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            {"document": "дело 2а-9/2026", "files": []},
            "R1: decision_appealed of item .* carries no date",
        ),
        ({"date": "2026-02-30", "document": "d", "files": []}, "R1: .*is not a calendar date"),
        ({"date": "2026-1-5", "document": "d", "files": []}, "R1: .*is not a calendar date"),
        ({"date": _day(5), "document": "d", "files": []}, "R1: .* is in the future"),
        ({"date": _day(-30), "document": "d", "files": []}, "R1: .* is before the decision of"),
    ],
    ids=["no-date", "no-such-day", "not-yyyy-mm-dd", "after-its-entry", "before-the-decision"],
)
def test_a_forged_appeal_breaking_a_date_rule_fails_verify_naming_it(
    site: Site, data: dict[str, Any], said: str
) -> None:
    """The rules `decision_dates.check_day` holds the command to, asked again by verify of
    the entry as the ledger has it (r19j P1, P1c, P7): step 10 names the entry and R1."""
    item = site.sent_not_final()
    seq = _forge_unfolded(site, "decision_appealed", item, data)
    reason = _fails_at_the_forged_appeal(site, seq)
    assert re.search(said, reason), reason
    assert f"entry {seq}" in reason


def test_a_forged_finality_dated_before_the_appeal_it_ends_fails_verify(site: Site) -> None:
    item = site.sent_not_final()
    site.process.decision_step(
        "unit.serikbaev", "decision_appealed", [item], date=_day(0), document="дело 2а-9/2026"
    )
    seq = _forge_unfolded(site, "decision_final", item, {"date": _day(-1), "files": []})
    reason = _fails_at_the_forged_appeal(site, seq)
    assert f"R1: {_day(-1)} is before the " in reason, reason


@pytest.mark.parametrize("date", [[DECISION["date"]], 20260101, {"d": 1}, None])
def test_an_appeal_whose_date_is_no_string_fails_verify_and_does_not_crash(
    site: Site, date: Any
) -> None:
    """r19j P1b: a list as the date had verify raise TypeError in the fold."""
    item = site.sent_not_final()
    seq = _forge_unfolded(
        site, "decision_appealed", item, {"date": date, "document": "d", "files": []}
    )
    reason = _fails_at_the_forged_appeal(site, seq)
    assert f"R1: decision_appealed of item {item} carries no date" in reason, reason


def test_the_commands_dated_steps_pass_verify(site: Site) -> None:
    item = site.sent_not_final()
    site.process.decision_step(
        "unit.serikbaev", "decision_appealed", [item], date=_day(0), document="дело 2а-9/2026"
    )
    site.process.decision_step("unit.serikbaev", "decision_final", [item], date=_day(0))
    _verified(site)


# -- fix19k: destroyed_not_final judged by the law's dates, step by step in each period -------


def _forge_at(
    site: Site, monkeypatch: pytest.MonkeyPatch, when: dt.datetime, entries: list[Any]
) -> None:
    """Entries as a ledger written before R1 refused them holds them, entered at `when`."""
    monkeypatch.setattr(forge, "utc_now", lambda: when)
    _as_before(site, entries)
    monkeypatch.undo()


def _compliance(site: Site, first: int, last: int) -> dict[str, Any]:
    """The compliance report of the days `first` to `last` after the decision's date."""
    day = dt.date.fromisoformat(DECISION["date"])
    request = ReportRequest.between(
        "compliance", day + dt.timedelta(days=first), day + dt.timedelta(days=last), "Asia/Almaty"
    )
    report, _ = at_checkpoint(site.ledger.database, request, checkpoint(site))
    return report


CUT = {"weight_g": 3000, "barrel_cut_along": True, "barrel_cut_across": True}


def test_an_item_cut_in_a_later_period_under_a_decision_not_final_is_listed_there(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """r19j P3: only the item's first step ever was kept, then dropped as outside the
    period, so a later period's cutting under the same open decision was listed nowhere."""
    item = site.sent_not_final()
    now = utc_now()
    _forge_at(site, monkeypatch, now + dt.timedelta(seconds=1), [("parts_removed", item, {})])
    later = now + dt.timedelta(days=3)
    steps = [("parts_incinerated", item, {}), ("deformed", item, {})]
    _forge_at(site, monkeypatch, later, [*steps, ("cut", item, {**CUT, "parts_cut_through": True})])
    site.clock.now = later + dt.timedelta(minutes=1)
    [first] = _compliance(site, -1, 1)["destroyed_not_final"]
    [second] = _compliance(site, 2, 4)["destroyed_not_final"]
    assert (first["item"], first["step"]) == (item, "parts_removed")
    assert (second["item"], second["step"], second["decision_status"]) == (
        item,
        "parts_incinerated",
        "recorded",
    )


def test_a_finality_entered_late_but_dated_before_the_step_makes_it_final(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """r19j P3b: the decision final (by its date) two days before the step, entered a day
    after it: by the law's dates the item was not destroyed while the decision was open."""
    item = site.sent_not_final()
    later = utc_now() + dt.timedelta(days=3)
    _forge_at(site, monkeypatch, later, [("parts_removed", item, {})])
    site.clock.now = later + dt.timedelta(days=1)
    site.process.decision_step("unit.serikbaev", "decision_final", [item], date=_day(1))
    assert _compliance(site, -1, 6)["destroyed_not_final"] == []


def test_a_finality_dated_after_the_step_leaves_it_listed(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = site.sent_not_final()
    later = utc_now() + dt.timedelta(days=3)
    _forge_at(site, monkeypatch, later, [("parts_removed", item, {})])
    site.clock.now = later + dt.timedelta(days=1)
    site.process.decision_step("unit.serikbaev", "decision_final", [item], date=_day(4))
    [row] = _compliance(site, -1, 6)["destroyed_not_final"]
    assert (row["item"], row["step"], row["decision_status"]) == (item, "parts_removed", "recorded")
