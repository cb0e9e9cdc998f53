"""`custody verify`'s check of the `after_destruction` flag a decision's entry carries (R1,
fix19h M3), against the ledger's own entries.

The command that records an appeal or suspension writes the flag when the item's first
destroying or altering step (a kind of workflows.diversion.BLOCKED) was recorded before it
and dated on or after the appeal's date (workflows.decision_dates.after_destruction). A
forger with the ledger key could write an appeal that says the opposite: no flag though the
item was cut before it (hiding an appeal after destruction began from the report, the item
page and the notices), or a flag though nothing was destroyed. The replay sees every entry
in order, so it keeps each item's first destroying step and asks the same function what the
entry should carry; any other decision step carries no flag at all.

The same pass re-checks each dated decision step against the date rules its command
enforced (fix19k): the date present and a real YYYY-MM-DD, not after its entry's day at the
unit, not before the fact it follows, by the command's own workflows.decision_dates.check_day
in the zone the command counted in (decision_dates.step_zone). A forged entry breaking one
fails as FoldError naming it and R1, before the fold takes it (a date that is no string had
made the fold raise TypeError).
"""

from __future__ import annotations

from typing import Any

from custody.entries import EntryBody
from workflows import terms
from workflows.deadlines import R1
from workflows.decision_dates import (
    AFTER_DESTRUCTION,
    PAUSING,
    after_destruction,
    check_day,
    step_zone,
)
from workflows.diversion import BLOCKED
from workflows.errors import FoldError, InvalidRequest
from workflows.world import World

# The decision's entries: only an appeal or a suspension may carry the flag.
_DECISION_STEPS = frozenset(
    {"decision_recorded", "decision_appealed", "decision_suspended", "decision_final"}
    | {"decision_reversed"}
)
# One membership test an entry on the replay's fast path.
WATCHED = frozenset(BLOCKED | _DECISION_STEPS)


class FirstDestruction:
    """The first destroying step of each item met so far in a replay: (kind, seq, time)."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[str, int, str]] = {}

    def see(self, world: World, body: EntryBody) -> None:
        """Note `body` (an entry of a WATCHED kind, not folded yet) and check its flag
        against the entries before it. Raises FoldError naming the entry when the flag is
        not the one the command would have written."""
        item = body.item
        if item is None:
            return
        if body.kind in BLOCKED:
            self.first.setdefault(item, (body.kind, body.seq, body.time))
            return
        _check_date(world, body, item)
        carried = body.data.get(AFTER_DESTRUCTION)
        wanted = self._wanted(world, body, item)
        if carried != wanted:
            raise FoldError(
                body.seq,
                f"R1: {body.kind} of item {item} carries after_destruction={_said(carried)}, "
                f"but the ledger says {_said(wanted)}",
            )

    def _wanted(self, world: World, body: EntryBody, item: str) -> dict[str, Any] | None:
        date = body.data.get("date")
        first = self.first.get(item)
        # A dated step without its date failed _check_date already: this is for the rest.
        if body.kind not in PAUSING or first is None or not isinstance(date, str):
            return None
        kind, seq, time = first
        held = world.find("items", item)
        zone = step_zone(world, held) if held is not None else terms.DEFAULT_ZONE
        day = terms.local_date(time, zone).isoformat()
        return after_destruction({"step": kind, "seq": seq, "date": day}, date)


def _check_date(world: World, body: EntryBody, item_id: str) -> None:
    """The date rules the command enforced when it wrote a decision's step (R1, fix19k):
    its date present, a real date YYYY-MM-DD, not after its entry's own day at the unit,
    not before the facts it follows; asked of the command's own check_day. Raises
    FoldError naming the entry and the rule."""
    item = world.find("items", item_id)
    if item is None:  # the fold refuses an entry about an unknown item itself
        return
    date = body.data.get("date")
    if not isinstance(date, str):
        raise FoldError(
            body.seq,
            f"R1: {body.kind} of item {item_id} carries no date YYYY-MM-DD "
            f"(date={date!r}); its command writes the date of the event",
        )
    try:
        day = terms.parse_date(date)
    except ValueError:
        raise FoldError(
            body.seq, f"R1: {body.kind} of item {item_id}: {date!r} is not a calendar date"
        ) from None
    given = body.data.get("time_zone") if body.kind == "decision_recorded" else None
    zone = given if isinstance(given, str) else step_zone(world, item)
    deadline = world.deadline(item_id, R1) if body.kind != "decision_recorded" else None
    facts = deadline.facts if deadline is not None else []
    try:
        check_day(body.kind, day, terms.local_date(body.time, zone), zone, item, facts)
    except terms.UnknownZone as unknown:  # a forged `time_zone`
        raise FoldError(body.seq, f"R1: {body.kind} of item {item_id}: {unknown}") from None
    except InvalidRequest as refused:
        raise FoldError(body.seq, f"{refused} ({body.kind})") from None


def _said(flag: Any) -> str:
    if isinstance(flag, dict):
        return f"{flag.get('step')} at entry {flag.get('seq')} on {flag.get('date')}"
    return "none" if flag is None else repr(flag)
