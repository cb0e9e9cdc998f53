"""The deadline compliance report: every R1 and R2 deadline of a period, met or missed and by
how much, by unit and warehouse, with the item behind each missed one.

The deadlines are the process's own: the entries are folded by `workflows.fold` (the fold
the state tables are a cache of), so the counting rules are those of `workflows.deadlines`
and change with them. This module only watches the fold to learn where each deadline ran
(R1: the unit the item was registered at; R2: the warehouse it was received at) and which
entries moved it, and reads each deadline's status at the report's moment: the time of the
last entry up to the checkpoint.

A deadline belongs to the period when it fell due in it (or, paused, started in it). A term
that stood overdue until a late entry dated inside it (`overdue_until_late_entry`) is counted
`overdue` and listed in the period its overdue due time (`overdue_due_at`) fell in, whatever
became of the deadline after (issue 19, H1); one cancelled after its due time (a loss, a
reversal) is `missed_cancelled` there (issue 19, H2).
Statuses (`workflows.model.Deadline.status`): met, met_late, overdue (due and not met by the
report's moment), running, paused, cancelled, missed (stopped by an appeal or suspension
dated after its term had run out), missed_cancelled (reversed after it had run out).
`met_late`, `overdue`, `missed` and `missed_cancelled` are missed. A term missed before a
pause belongs to the period its missed due time fell in, whatever became of the deadline
after (issue 19, H2): a term that ran again after finality is counted apart, in its own
period.
`late_entries` lists the decisions, appeals, suspensions and finalities entered late in the
period (by their own entry time, which no later entry moves; the `entered_late_days` their
command recorded), reversals included, and every pause, finality or reversal dated inside
its term but entered after the term had run out (with `overdue_until_late_entry`, the days
the term stood overdue until it, in the period of its `overdue_due_at`).
`appealed_after_destruction` lists the appeals and suspensions entered in the period dated
on or before a step that had already destroyed or altered their item (its `step` and
`step_date`; fix19h M3).
`destroyed_not_final` lists the items a step destroyed or altered (a kind of
workflows.diversion.BLOCKED) in the period while their decision was not final by the law's
dates, as `appealed_after_destruction` judges them: the decision's facts dated before the
step's own date at the unit (a finality on that date too) leave it recorded and no more,
appealed, suspended or reversed (rules.R1_HOLDING), a finality entered later but dated on
or before the step included (status_on). One row an item: its first such step within the
period, whatever steps it had before. R1 refuses it now, but a ledger written before that
rule (fix19h M3) may hold it, and nothing else showed it (fix19j, fix19k).
`overdue_until_late_entry` counts, by rule, the period's deadlines with such an entry: the
law counts them as it counts an appeal lodged in time, but the term was overdue on record
until the late entry (issue 19 re-attack, H1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from custody.clock import parse_time
from custody.entries import EntryBody
from workflows import fold as process_fold
from workflows import terms
from workflows.deadlines import AFTER_DESTRUCTION, R1, R2
from workflows.decision_dates import step_zone
from workflows.diversion import BLOCKED
from workflows.model import Deadline
from workflows.reports.period import Period
from workflows.reports.tally import Tally
from workflows.rules import NOT_FINAL, R1_HOLDING
from workflows.world import World

RULES = (R1, R2)
STATUSES = (
    "met",
    "met_late",
    "overdue",
    "running",
    "paused",
    "cancelled",
    "missed",
    "missed_cancelled",
)
MISSED = frozenset({"met_late", "overdue", "missed", "missed_cancelled"})
_OVERDUE_KEYS = ("overdue_until_late_entry", "overdue_due_at")


@dataclass
class ComplianceFold:
    world: World = field(default_factory=World)
    places: dict[tuple[str, str], str] = field(default_factory=dict)
    seqs: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # item -> its decision's dated facts, (date, seq, status), as the entries carry them
    decided: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)
    # item -> each step that destroyed or altered it after a decision was recorded
    destroying: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    last_time: str = ""

    def apply(self, body: EntryBody) -> None:
        if body.kind in BLOCKED and body.item is not None:
            self._destroyed_not_final(body, body.item)
        elif body.kind in _DECISION_STATUS and body.item is not None:
            self._decision_fact(body, body.item)
        before = self._deadlines(body.item)
        process_fold.apply(self.world, body)
        self.last_time = body.time
        if body.item is None:
            return
        for rule in RULES:
            key = (body.item, rule)
            deadline = self.world.deadlines.get(key)
            if deadline is None or deadline.to_json() == before.get(rule):
                continue
            if key not in self.places:
                item = self.world.items[body.item]
                self.places[key] = item.unit if rule == R1 else item.location
            self.seqs.setdefault(key, []).append(body.seq)

    def _destroyed_not_final(self, body: EntryBody, item_id: str) -> None:
        """Note a destroying step of an item with a decision (the fold has not taken this
        one yet), its date at the unit: whether the decision was final then is judged at
        the report, by the dates of all its facts up to the checkpoint (a finality entered
        later may be dated before the step: fix19k)."""
        item = self.world.items.get(item_id)  # a batch's own `melted` names the batch
        if item is None or not item.decision:
            return
        day = terms.local_date(body.time, step_zone(self.world, item)).isoformat()
        self.destroying.setdefault(item_id, []).append(
            {
                "item": item_id,
                "marking": item.name,
                "place": item.unit,
                "step": body.kind,
                "seq": body.seq,
                "at": body.time,
                "step_date": day,
                "decision_date": item.decision.get("date"),
            }
        )

    def _decision_fact(self, body: EntryBody, item_id: str) -> None:
        """Note a decision's dated fact (its date, else its entry's day at the unit)."""
        date = body.data.get("date")
        if not isinstance(date, str):
            item = self.world.items.get(item_id)
            zone = step_zone(self.world, item) if item is not None else terms.DEFAULT_ZONE
            date = terms.local_date(body.time, zone).isoformat()
        status = _DECISION_STATUS[body.kind]
        self.decided.setdefault(item_id, []).append((date, body.seq, status))

    def not_final(self, period: Period) -> list[dict[str, Any]]:
        """Each item's first step in `period` that destroyed or altered it while its
        decision was not final by the law's dates (status_on), with that status."""
        found = []
        for item_id, steps in self.destroying.items():
            facts = sorted(self.decided.get(item_id, ()))
            for step in steps:
                if not period.holds(step["at"]):
                    continue
                status = status_on(facts, step["step_date"])
                if status in R1_HOLDING:
                    found.append({**step, "decision_status": status})
                    break
        return sorted(found, key=lambda row: row["seq"])

    def _deadlines(self, item: str | None) -> dict[str, dict[str, Any]]:
        if item is None:
            return {}
        found = {}
        for rule in RULES:
            deadline = self.world.deadlines.get((item, rule))
            if deadline is not None:
                found[rule] = dict(deadline.to_json())
        return found


# The status each of a decision's entries gives it.
_DECISION_STATUS = {
    "decision_recorded": NOT_FINAL,
    "decision_appealed": "appealed",
    "decision_suspended": "suspended",
    "decision_final": "final",
    "decision_reversed": "reversed",
}


def status_on(facts: list[tuple[str, int, str]], day: str) -> str:
    """The decision's status on `day` (YYYY-MM-DD) by the dates of its facts ((date, seq,
    status), sorted): the last dated before that day, or on it if a finality (a finality
    dated on a step's own day counts as before it; an appeal or suspension on that day as
    after it, as workflows.decision_dates.after_destruction judges); NOT_FINAL when none
    is (a decision dated on the step's day)."""
    status = NOT_FINAL
    for date, _seq, fact in facts:
        if date < day or (date == day and fact == "final"):
            status = fact
    return status


def _terms(deadline: Deadline, status: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(due time, status, fact or {}) of each term of a deadline, in order: each one missed
    before a pause or cancellation (its fact's `missed_due_at`), each one that stood overdue
    until a late entry dated inside it (`overdue`, at its `overdue_due_at`: issue 19, H1),
    then the running one unless the last of those ended it and no term has run since."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    ended = False  # the last term found is the deadline's last: nothing ran after it
    for fact in deadline.facts:
        if "missed" in fact:
            found.append((fact["missed_due_at"], fact["missed"], fact))
            ended = True
        elif _OVERDUE_KEYS[0] in fact:
            found.append((fact["overdue_due_at"], "overdue", fact))
            ended = fact["fact"] != "final"
        elif fact["fact"] == "final" and "paused_days" in fact:
            ended = False  # a term ran again
    if status in ("missed", "missed_cancelled"):
        found[-1] = (found[-1][0], status, found[-1][2])
    elif not (ended and status in ("paused", "cancelled")):
        found.append((deadline.due_at or deadline.started_at, status, {}))
    return found


def _late_by_hours(deadline: Deadline, status: str, as_of: str) -> float | None:
    if status not in MISSED or deadline.due_at is None:
        return None
    until = deadline.met_at if status == "met_late" else as_of
    assert until is not None
    seconds = (parse_time(until) - parse_time(deadline.due_at)).total_seconds()
    return round(seconds / 3600, 2)


def fold(bodies: Iterable[EntryBody]) -> ComplianceFold:
    compliance = ComplianceFold()
    for body in bodies:
        compliance.apply(body)
    return compliance


def report(compliance: ComplianceFold, period: Period) -> tuple[dict[str, Any], Tally]:
    """The report's figures (the caller adds the checkpoint), and the deadlines behind them."""
    tally = Tally()
    as_of = compliance.last_time
    now = parse_time(as_of) if as_of else None
    totals = {rule: dict.fromkeys(STATUSES, 0) for rule in RULES}
    by_place: dict[str, dict[str, dict[str, int]]] = {}
    missed = []
    late_entries = []
    after_destruction = []
    hidden = dict.fromkeys(RULES, 0)  # overdue until a late entry dated inside the term
    for key in sorted(compliance.world.deadlines):
        deadline = compliance.world.deadlines[key]
        if now is None or deadline.rule not in RULES:
            continue  # the transit watch is the ministry's, not a rule of the law
        place = compliance.places.get(key, "")
        first_seq = compliance.seqs.get(key, [0])[0]
        # A late entry is a fact of its own (issue 19): listed in the period it was entered
        # in, its own entry time, which no later entry moves (issue 19, L: it had followed
        # the deadline's due time, which a finality entered later moves); one that hid
        # overdue time belongs to the period its overdue due time fell in, as the term it
        # hid does (issue 19, H1), a time also fixed when it was entered.
        hiding = False
        for fact in deadline.late_entries():
            if "overdue_due_at" in fact:
                if not period.holds(fact["overdue_due_at"]):
                    continue
                hiding = True
            elif not period.holds(fact["entered_at"]):
                continue
            late_entries.append(
                {"item": deadline.item, "rule": deadline.rule, "place": place}
                | {k: fact[k] for k in ("fact", "date", "entered_at", "seq", "delay_days")}
                | {k: fact[k] for k in _OVERDUE_KEYS if k in fact}
            )
        for fact in deadline.facts:  # an appeal after destruction began (fix19h M3)
            began = fact.get(AFTER_DESTRUCTION)
            if isinstance(began, dict) and period.holds(fact["entered_at"]):
                after_destruction.append(
                    {"item": deadline.item, "rule": deadline.rule, "place": place}
                    | {k: fact[k] for k in ("fact", "date", "entered_at", "seq")}
                    | {"step": began.get("step"), "step_date": began.get("date")}
                )
        if hiding:
            hidden[deadline.rule] += 1
            tally.add(f"overdue_until_late_entry.{deadline.rule}", deadline.item, first_seq)
        for due, status, miss in _terms(deadline, deadline.status(now)):
            if not period.holds(due):
                continue
            totals[deadline.rule][status] += 1
            shelf = by_place.setdefault(place, {rule: dict.fromkeys(STATUSES, 0) for rule in RULES})
            shelf[deadline.rule][status] += 1
            tally.add(f"deadlines.{deadline.rule}.{status}", deadline.item, first_seq)
            tally.add(f"by_place.{place}.{deadline.rule}.{status}", deadline.item, first_seq)
            if status not in MISSED:
                continue
            item = compliance.world.items[deadline.item]
            row = {
                "item": deadline.item,
                "marking": item.name,
                "category": item.category,
                "rule": deadline.rule,
                "place": place,
                "status": status,
                "started_at": deadline.started_at,
                "due_at": deadline.due_at,
                "met_at": deadline.met_at,
                "late_by_hours": _late_by_hours(deadline, status, as_of),
                "seqs": compliance.seqs.get(key, []),
            }
            if _OVERDUE_KEYS[0] in miss:  # overdue until a late entry dated inside it
                overdue = parse_time(miss["entered_at"]) - parse_time(miss["overdue_due_at"])
                row |= {
                    "due_at": miss["overdue_due_at"],
                    "met_at": None,
                    "late_by_hours": round(overdue.total_seconds() / 3600, 2),
                    "days_overdue": miss[_OVERDUE_KEYS[0]],
                    "overdue_until": miss["entered_at"],
                }
            elif miss:  # stopped after its term had run out: as of the stopping fact's date
                row |= {
                    "due_at": miss["missed_due_at"],
                    "met_at": None,
                    "late_by_hours": float(miss.get("hours_overdue", 24 * miss["days_overdue"])),
                    "days_overdue": miss["days_overdue"],
                    "missed_on": miss["date"],
                }
            missed.append(row)
    figures = {
        "report": "compliance",
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "time_zone": period.zone,
        "as_of": as_of,
        "deadlines": totals,
        "by_place": dict(sorted(by_place.items())),
        "missed": missed,
        "late_entries": late_entries,
        "overdue_until_late_entry": hidden,
        "appealed_after_destruction": after_destruction,
        "destroyed_not_final": compliance.not_final(period),
    }
    return figures, tally
