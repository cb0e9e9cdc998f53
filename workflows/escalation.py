"""Who is told of a deadline, and when (plain data in, notices to write out; no I/O).

Every deadline has a responsible place (its unit for R1, its warehouse for R2, the sending
place for the transit watch: workflows.deadlines), and through
the place's supervision register (workflows.supervision) the people on duty there and above
them. For a deadline not met:

- from CUSTODY_NOTICE_DUE_SOON_HOURS before its due time, a `due_soon` notice to the place's
  staff;
- once it is overdue, an `overdue` notice to the place's staff;
- an overdue notice of one level goes, CUSTODY_NOTICE_ACK_HOURS after its writing, to the
  next level: supervisor, then regional head, for as long as the deadline is not met (the
  item has not moved). Acknowledging a notice says it was read; it is not acting, so it does
  not stop the climb (issue 19, M3). A level with nobody on it is passed over at once, and
  so is one whose people's accounts are all disabled (`on_duty`): a disabled account reads
  no notice, so it may neither hold the climb up nor count as someone to tell.
- a deadline stopped (appeal, suspension) after its term had run out, or by an entry made
  after it had (`missed_due_at`, `overdue_due_at` of the pause's fact: workflows.deadlines),
  stays overdue at that due time for its notices while it is stopped: the staff's overdue
  notice and the climb go on as above (`escalating_due`; issue 19 fix, M1: the stop had
  kept the supervisor from ever hearing of the miss).

- a clock stopped (appeal, suspension) longer than CUSTODY_LONG_PAUSE_DAYS gives one
  `long_pause` notice to the place's supervisor (the regional head if it has none), its due
  time the moment the pause passed that many days (`long_pause`; fix19f M3: a unit officer
  alone had stopped R1 for 200 days with nobody told).

Each notice is one (item, rule, due time, kind, level, person): a clock that starts again
after an appeal has a new due time, and so new notices. Nothing here sends anything.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Set
from dataclasses import dataclass

from custody.clock import format_time, parse_time
from workflows.deadlines import PAUSES, long_pause_at
from workflows.machines import DESTROYED
from workflows.model import Deadline, Item, Location
from workflows.rules import CONTESTED
from workflows.vocabulary import LEVELS, STAFF

DUE_SOON, OVERDUE, LONG_PAUSE = "due_soon", "overdue", "long_pause"
# A decision appealed or suspended after the item left its unit (R1 met by the transfer):
# the deciding unit and the place that holds the item are told that destruction waits
# (`appeal_waits`, fix19h M2).
APPEALED_IN_PROCESS = "appeal_waits"
# What an `appeal_waits` notice says of its item as it stands when read (appeal_waits_case):
# it waits ("waits"), or its decision is still contested and it is already melted or burned
# ("melted") or destroyed ("destroyed"): "it may not be destroyed" is then untrue (r19).
WAITS, MELTED_ALREADY, DESTROYED_ALREADY = "waits", "melted", "destroyed"


def appeal_waits_case(item: Item | None) -> str:
    """How an `appeal_waits` notice about `item` is worded now: DESTROYED_ALREADY for an
    item destroyed (statement final) and MELTED_ALREADY for one melted or burned (statement
    not final yet) while its decision is still appealed or suspended; else WAITS (the item
    waits for the decision, or the decision is final or reversed since: the notice's rule,
    no destruction until final, held). `item`: workflows.model.Item, None when unknown."""
    if item is None or (item.decision or {}).get("status") not in ("appealed", "suspended"):
        return WAITS
    if item.state == DESTROYED:
        return DESTROYED_ALREADY
    return MELTED_ALREADY if item.state in ("melted", "burned") else WAITS


# An appeal or suspension dated on or before a step that had already destroyed or altered
# the item: the deciding unit's staff and its supervisor are told (fix19h M3).
DESTROYED_EARLY = "destroyed_early"


@dataclass(frozen=True)
class Notice:
    """A notice to write (or one written: then with when, and whether acknowledged)."""

    item: str
    rule: str
    due_at: str
    kind: str  # due_soon | overdue
    level: str  # staff | supervisor | regional_head
    person: str
    place: str
    created_at: str | None = None
    acknowledged_at: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str, str, str]:
        return (self.item, self.rule, self.due_at, self.kind, self.level, self.person)


@dataclass(frozen=True)
class Timing:
    due_soon: dt.timedelta
    ack_within: dt.timedelta


@dataclass(frozen=True)
class Moment:
    """A pass's now, and the latest due time that is due soon at it, as RFC 3339 UTC text
    (compared as text, which is the time order: custody.clock), worked out once a pass."""

    now: dt.datetime
    now_text: str
    soon_text: str

    @classmethod
    def at(cls, now: dt.datetime, timing: Timing) -> Moment:
        return cls(now, format_time(now), format_time(now + timing.due_soon))


def escalating_due(deadline: Deadline) -> str | None:
    """The due time a deadline's notices go by (RFC 3339 UTC), or None: its running due
    time; while it is stopped, the due time it had run past when stopped (a miss, or overdue
    until a late entry: the pause's `missed_due_at` or `overdue_due_at`); None when met,
    cancelled, or stopped in time."""
    if deadline.closed is not None:
        return None
    if deadline.due_at is not None:
        return deadline.due_at
    for fact in reversed(deadline.facts):
        if fact["fact"] in PAUSES:
            due = fact.get("missed_due_at") or fact.get("overdue_due_at")
            if due:  # the pause that stopped the clock: later ones found it stopped
                return str(due)
        elif fact["fact"] == "decision" or "paused_days" in fact:
            return None  # the clock ran again after the pause
    return None


def kind_now(deadline: Deadline, moment: Moment) -> str | None:
    """`overdue`, `due_soon`, or None (not yet, stopped in time, met or cancelled)."""
    return kind_at(escalating_due(deadline), moment)


def kind_at(due_at: str | None, moment: Moment) -> str | None:
    """`kind_now` of a deadline not met nor cancelled, by its due time (None: paused)."""
    if due_at is None:
        return None
    if moment.now_text > due_at:
        return OVERDUE
    return DUE_SOON if due_at <= moment.soon_text else None


# No one disabled: the default of the functions below that take the disabled accounts.
NOBODY: frozenset[str] = frozenset()


def on_duty(place: Location, level: str, disabled: Set[str] = NOBODY) -> list[str]:
    """The people a notice of `level` at the place goes to: those assigned there now
    (Location.on_duty) whose accounts are not `disabled` (usernames). A disabled account
    reads no notice: counted as someone, it had hidden a place with nobody to tell and held
    the climb up a day at its level (issue 19 re-attack)."""
    return [person for person in place.on_duty(level) if person not in disabled]


def attended(place: Location | None, disabled: Set[str] = NOBODY) -> bool:
    """Someone is on duty at the place at some level (staff, supervisor, regional head),
    their account not `disabled`: a place with nobody, or no place, has its deadlines'
    notices go to no one, which is said (`unattended`; issue 19 fix: it failed silently)."""
    return place is not None and any(on_duty(place, level, disabled) for level in LEVELS)


def unattended(
    due: Iterable[tuple[str, str, str, str | None]],
    places: dict[str, Location],
    now_text: str,
    disabled: Set[str] = NOBODY,
) -> dict[str, int]:
    """Place → how many of the deadlines `due` (item, rule, due_at, place) are overdue at
    `now_text` (RFC 3339 UTC) with nobody to notify at the place, at any level (`disabled`:
    the usernames of disabled accounts, who count as nobody)."""
    counts: dict[str, int] = {}
    for *_, due_at, place_id in due:
        if now_text > due_at and not attended(places.get(place_id or ""), disabled):
            where = place_id or "?"
            counts[where] = counts.get(where, 0) + 1
    return dict(sorted(counts.items()))


def levels_reached(
    written: Iterable[Notice],
    place: Location,
    now: dt.datetime,
    timing: Timing,
    disabled: Set[str] = NOBODY,
) -> list[str]:
    """The levels an overdue deadline's notices have reached by `now`: staff, and each
    level above whose level below has a notice older than the ack time, acknowledged or not
    (or nobody on duty there, a disabled account being nobody): only meeting the deadline
    stops it."""
    overdue = [n for n in written if n.kind == OVERDUE]
    reached = [STAFF]
    for lower, upper in itertools.pairwise(LEVELS):
        if on_duty(place, lower, disabled):
            mine = [n for n in overdue if n.level == lower]
            if not mine:
                break
            first = min(parse_time(n.created_at or "") for n in mine)
            if now < first + timing.ack_within:
                break
        reached.append(upper)
    return reached


def recipients(
    kind: str,
    place: Location,
    written: list[Notice],
    moment: Moment,
    timing: Timing,
    disabled: Set[str] = NOBODY,
) -> list[tuple[str, str]]:
    """(level, person) of everyone a deadline's `kind` notice goes to at `moment`, given
    the notices written for its due time (those already written among them too), none of
    them `disabled`. With none written, a function of the place and the kind alone: the
    notice worker asks once per place and kind."""
    if kind == OVERDUE:
        levels = levels_reached(written, place, moment.now, timing, disabled)
    else:
        levels = [STAFF]
    return [(level, person) for level in levels for person in on_duty(place, level, disabled)]


def plan(
    deadline: Deadline,
    place: Location | None,
    written: list[Notice],
    moment: Moment,
    timing: Timing,
    disabled: Set[str] = NOBODY,
) -> list[Notice]:
    """The notices to write at `moment` for one deadline, given those written for its due
    time, to no one whose account is `disabled`."""
    due_at = escalating_due(deadline)
    kind = kind_at(due_at, moment)
    if kind is None or place is None or due_at is None:
        return []
    have = {n.key for n in written}
    new = []
    for level, person in recipients(kind, place, written, moment, timing, disabled):
        notice = Notice(deadline.item, deadline.rule, due_at, kind, level, person, place.id)
        if notice.key not in have:
            new.append(notice)
    return new


def first_on_duty(place: Location, disabled: Set[str] = NOBODY) -> list[tuple[str, str]]:
    """(level, person) of the lowest level with someone on duty at the place: its staff, or,
    with none, its supervisor, else its regional head; [] with nobody at any level."""
    for level in LEVELS:
        people = on_duty(place, level, disabled)
        if people:
            return [(level, person) for person in people]
    return []


def appealed_in_process(
    item: str,
    entered_at: str,
    places: Iterable[Location | None],
    disabled: Set[str] = NOBODY,
) -> list[Notice]:
    """The `appeal_waits` notices of an appeal or suspension entered at `entered_at`
    (RFC 3339 UTC, its due time: one notice per entry and person) for an item that had left
    its unit: to those on duty first (`first_on_duty`) at each of `places` (the unit that
    decided, the place that holds the item; fix19h M2: nobody had been told, and the long
    pause notice covers only a clock still running at the unit)."""
    made: dict[tuple[str, str], Notice] = {}
    for place in places:
        if place is None:
            continue
        for level, person in first_on_duty(place, disabled):
            notice = Notice(item, "R1", entered_at, APPEALED_IN_PROCESS, level, person, place.id)
            made.setdefault((person, place.id), notice)
    return list(made.values())


def destroyed_early(
    item: str, entered_at: str, unit: Location | None, disabled: Set[str] = NOBODY
) -> list[Notice]:
    """The `destroyed_early` notices of an appeal or suspension entered at `entered_at`
    (RFC 3339 UTC) dated on or before a destroying step already recorded: to the deciding
    unit's staff and to its supervisor, or its regional head where it has none."""
    if unit is None:
        return []
    told = [(STAFF, person) for person in on_duty(unit, STAFF, disabled)]
    for level in LEVELS[1:]:
        people = on_duty(unit, level, disabled)
        if people:
            told += [(level, person) for person in people]
            break
    return [
        Notice(item, "R1", entered_at, DESTROYED_EARLY, level, person, unit.id)
        for level, person in told
    ]


def long_pause(
    deadline: Deadline,
    place: Location | None,
    long_after_days: int,
    now_text: str,
    disabled: Set[str] = NOBODY,
) -> list[Notice]:
    """The `long_pause` notices of a deadline whose clock a pause has held stopped longer
    than `long_after_days` at `now_text` (RFC 3339 UTC): one to each supervisor on duty at
    the place, or, with none, to each regional head; [] when not stopped so long or nobody
    is above the staff (a disabled account is nobody: `on_duty`). Their due time is the
    moment the pause passed that long (deadlines.long_pause_at): the same every pass, so
    each is written once."""
    since = long_pause_at(deadline, long_after_days)
    if place is None or since is None or now_text <= since:
        return []
    for level in LEVELS[1:]:
        people = on_duty(place, level, disabled)
        if people:
            return [
                Notice(deadline.item, deadline.rule, since, LONG_PAUSE, level, person, place.id)
                for person in people
            ]
    return []


def away_and_contested(item: Item) -> bool:
    """The item's decision is appealed or suspended now, and the item has left the unit
    that decided (a transfer met R1): destruction waits for the decision wherever it is
    (the notice worker's `appeal_waits`, fix19h M2)."""
    decision = item.decision or {}
    return decision.get("status") in CONTESTED and (
        item.location != item.unit or item.transfer is not None
    )
