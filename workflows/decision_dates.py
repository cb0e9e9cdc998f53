"""The dates a decision's entries carry (R1): checked against the calendar at the unit, and
the facts about them the entry records.

Each of `decision_recorded`, `decision_appealed`, `decision_suspended`, `decision_final`
carries the date of the event itself (the decision taken, the appeal lodged, the suspension
ordered, the decision final), because R1 counts from those dates, not from when a clerk typed
them in. So a date is refused when it is in the future at the unit, or before the event it
follows; and one entered more than CUSTODY_LATE_ENTRY_DAYS after it is written with
`entered_late_days`, a fact of its own in the ledger. The entry also names the zone the unit
counts days in (`time_zone`, on `decision_recorded`), so that replay needs no settings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from custody.entries import decode
from custody.store import Store
from workflows import terms
from workflows.deadlines import R1
from workflows.diversion import BLOCKED
from workflows.errors import InvalidRequest
from workflows.model import Item, Location
from workflows.unit_of_work import Work
from workflows.world import World


def zone_of_place(place: Location | None) -> str:
    """The zone a place counts days in: its own, its region's, else terms.DEFAULT_ZONE
    (terms.place_zone: from the ledger, whatever CUSTODY_TIMEZONE says)."""
    if place is None:
        return terms.DEFAULT_ZONE
    return terms.place_zone(place.time_zone, place.region)


def step_zone(world: World, item: Item) -> str:
    """The zone a dated step of `item`'s decision is counted in: its R1 deadline's (the
    zone its `decision_recorded` named), else its unit's (zone_of_place). The command that
    writes the step and `custody verify` (workflows.destruction_flags) both ask this."""
    deadline = world.deadline(item.id, R1)
    if deadline is not None and deadline.zone:
        return deadline.zone
    return zone_of_place(world.find("locations", item.unit))


def check_day(
    step: str, day: dt.date, today: dt.date, zone: str, item: Item, facts: list[dict[str, Any]]
) -> None:
    """The date rules of a decision's dated step (R1): `day` not after `today` (the day of
    its entry at the unit, in `zone`), and not before the facts it follows (_not_before).
    Raises InvalidRequest ("R1: ..."). The command asks it before writing the step, and
    `custody verify` again of each such entry (one rule, two callers)."""
    if day > today:
        raise InvalidRequest(
            f"R1: {day.isoformat()} is in the future (today is {today.isoformat()} "
            f"at {item.unit}, {zone}); a decision's dates are when it happened "
            f"(item {item.id})",
            rule="R1",
            item=item.id,
        )
    _not_before(step, day, facts, item.id)


def day_of(text: str) -> dt.date:
    """A date YYYY-MM-DD that exists in the calendar; raises InvalidRequest."""
    try:
        return terms.parse_date(text)
    except ValueError:
        raise InvalidRequest(f"{text!r} is not a calendar date YYYY-MM-DD") from None


def dated(work: Work, step: str, item_ids: Sequence[str], date: str | None) -> dict[str, Any]:
    """The per-item data of a dated decision step: its date (today at the unit, if none is
    given), the zone (for `decision_recorded`), and `entered_late_days` when late.
    Raises InvalidRequest ("R1: ...") for a date in the future or before what it follows."""
    work.load("items", item_ids)
    items = [work.world.item(i) for i in item_ids]
    work.load("locations", {item.unit for item in items})
    work.load("deadlines", [(i, R1) for i in item_ids])
    per_item: dict[str, Any] = {}
    for item in items:
        zone = step_zone(work.world, item)
        deadline = work.world.deadline(item.id, R1)
        today = terms.local_date(work.now, zone)
        day = day_of(date) if date is not None else today
        check_day(step, day, today, zone, item, deadline.facts if deadline is not None else [])
        data: dict[str, Any] = {}
        if step == "decision_recorded":  # the decision's date is in the shared data
            data["time_zone"] = zone
        else:
            data["date"] = day.isoformat()
        if step in PAUSING:
            flag = after_destruction(destruction_began(work, item.id, zone), day.isoformat())
            if flag is not None:
                data[AFTER_DESTRUCTION] = flag
        delay = (today - day).days
        if delay > work.config.late_entry_days:
            data["entered_late_days"] = delay
        per_item[item.id] = data
    return per_item


# The steps that stop a decision, and the fact one of them carries when the item's
# destruction had begun on or after its date (fix19h M3): accepted, the fact happened, and
# flagged: "appealed after destruction began".
PAUSING = ("decision_appealed", "decision_suspended")
AFTER_DESTRUCTION = "after_destruction"


def after_destruction(began: dict[str, Any] | None, day: str) -> dict[str, Any] | None:
    """The `after_destruction` flag an appeal or suspension dated `day` (YYYY-MM-DD) carries,
    given the first destroying step of its item recorded before it (`began`: {step, seq,
    date}, or None): that step when it was dated on or after `day` (a step on the appeal's
    own date counts as after it: the ledger cannot tell which came first that day), else
    None. The command writes it and `custody verify` checks it by this one function."""
    if began is not None and day <= began["date"]:
        return began
    return None


def destruction_began(work: Work, item: str, zone: str) -> dict[str, Any] | None:
    """{step, seq, date} of the first step that destroyed or altered `item` (a kind of
    workflows.diversion.BLOCKED: parts removal, deformation, cutting, loading, melting...),
    its date the entry's at the place (`zone`), from the ledger's entries about the item
    (by its index); None when none is recorded."""
    for entry in Store(work.conn).item_entries(item):
        body = decode(entry.body)
        if body.kind in BLOCKED:
            return {
                "step": body.kind,
                "seq": body.seq,
                "date": terms.local_date(body.time, zone).isoformat(),
            }
    return None


def _not_before(step: str, day: dt.date, facts: list[dict[str, Any]], item: str) -> None:
    """The decision's dated steps are in the order of their dates: an appeal, suspension,
    finality or reversal cannot precede any step before it, not the latest one alone (issue
    19, M4): no finality before any appeal or suspension it ends, no pause dated inside an
    earlier pause that finality already ended (pauses do not overlap)."""
    if step == "decision_recorded" or not facts:
        return
    # The latest-dated of the facts before (the last of them on that date): what it follows.
    follows = max(reversed(facts), key=lambda f: f["date"])
    if day.isoformat() < follows["date"]:
        raise InvalidRequest(
            f"R1: {day.isoformat()} is before the {follows['fact']} of {follows['date']} "
            f"it follows (item {item})",
            rule="R1",
            item=item,
        )
