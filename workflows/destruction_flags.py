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
"""

from __future__ import annotations

from typing import Any

from custody.entries import EntryBody
from workflows import terms
from workflows.deadlines import R1
from workflows.decision_dates import AFTER_DESTRUCTION, PAUSING, after_destruction, zone_of_place
from workflows.diversion import BLOCKED
from workflows.errors import FoldError
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
        # An entry without its date was written before the flag was: it carries none.
        if body.kind not in PAUSING or first is None or not isinstance(date, str):
            return None
        kind, seq, time = first
        day = terms.local_date(time, _zone(world, item)).isoformat()
        return after_destruction({"step": kind, "seq": seq, "date": day}, date)


def _zone(world: World, item_id: str) -> str:
    """The zone the command counted the step's date in: the R1 deadline's (the unit's zone
    the decision named), else the unit's own or its region's."""
    deadline = world.deadline(item_id, R1)
    if deadline is not None and deadline.zone:
        return deadline.zone
    item = world.find("items", item_id)
    place = world.find("locations", item.unit) if item is not None else None
    return zone_of_place(place, terms.DEFAULT_ZONE)


def _said(flag: Any) -> str:
    if isinstance(flag, dict):
        return f"{flag.get('step')} at entry {flag.get('seq')} on {flag.get('date')}"
    return "none" if flag is None else repr(flag)
