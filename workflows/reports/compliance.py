"""The deadline compliance report: every R1 and R2 deadline of a period, met or missed and by
how much, by unit and warehouse, with the item behind each missed one.

The deadlines are the process's own: the entries are folded by `workflows.fold` (the fold
the state tables are a cache of), so the counting rules are those of `workflows.deadlines`
and change with them. This module only watches the fold to learn where each deadline ran
(R1: the unit the item was registered at; R2: the warehouse it was received at) and which
entries moved it, and reads each deadline's status at the report's moment: the time of the
last entry up to the checkpoint.

A deadline belongs to the period when it fell due in it (or, paused, started in it).
Statuses (`workflows.model.Deadline.status`): met, met_late, overdue (due and not met by the
report's moment), running, paused, cancelled. `met_late` and `overdue` are missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from custody.clock import parse_time
from custody.entries import EntryBody
from workflows import fold as process_fold
from workflows.deadlines import R1, R2
from workflows.model import Deadline
from workflows.reports.period import Period
from workflows.reports.tally import Tally
from workflows.world import World

RULES = (R1, R2)
STATUSES = ("met", "met_late", "overdue", "running", "paused", "cancelled")
MISSED = frozenset({"met_late", "overdue"})


@dataclass
class ComplianceFold:
    world: World = field(default_factory=World)
    places: dict[tuple[str, str], str] = field(default_factory=dict)
    seqs: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    last_time: str = ""

    def apply(self, body: EntryBody) -> None:
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

    def _deadlines(self, item: str | None) -> dict[str, dict[str, Any]]:
        if item is None:
            return {}
        found = {}
        for rule in RULES:
            deadline = self.world.deadlines.get((item, rule))
            if deadline is not None:
                found[rule] = dict(deadline.to_json())
        return found


def _in_period(deadline: Deadline, period: Period) -> bool:
    return period.holds(deadline.due_at or deadline.started_at)


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
    for key in sorted(compliance.world.deadlines):
        deadline = compliance.world.deadlines[key]
        if not _in_period(deadline, period) or now is None:
            continue
        status = deadline.status(now)
        place = compliance.places.get(key, "")
        totals[deadline.rule][status] += 1
        shelf = by_place.setdefault(place, {rule: dict.fromkeys(STATUSES, 0) for rule in RULES})
        shelf[deadline.rule][status] += 1
        first_seq = compliance.seqs.get(key, [0])[0]
        tally.add(f"deadlines.{deadline.rule}.{status}", deadline.item, first_seq)
        tally.add(f"by_place.{place}.{deadline.rule}.{status}", deadline.item, first_seq)
        if status in MISSED:
            item = compliance.world.items[deadline.item]
            missed.append(
                {
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
            )
    figures = {
        "report": "compliance",
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "time_zone": period.zone,
        "as_of": as_of,
        "deadlines": totals,
        "by_place": dict(sorted(by_place.items())),
        "missed": missed,
    }
    return figures, tally
