"""The legal time limits of the process, as data with due times (never timers).

The counting rules, exactly (docs/process.md repeats them, with their source):

R1  At the unit, after a decision: 10 days, counted as the law counts days (workflows.terms):
    from the day after the decision's own date (the `date` of `decision_recorded`), to 24:00
    at the end of the tenth day in the unit's time zone. A `decision_appealed` or
    `decision_suspended` entry stops the clock; the `decision_final` that follows starts a
    full 10 days again from the date the decision became final (its `date`), counted the
    same way. The pause is recorded in whole days (lodged to final). A `decision_final` with
    no pause before it leaves the running term alone. It is met by the `transfer_sent` entry
    that takes the item from the unit, and cancelled by `decision_reversed`.
    A pause or reversal dated after the term had run out does not erase the miss (issue 19,
    H2): its fact keeps `missed` (`missed`, or `missed_cancelled` for a reversal), the due
    time that was missed (`missed_due_at`) and the days overdue at its date
    (`days_overdue`), and the deadline's status is `missed` (stopped) or `missed_cancelled`.
    A pause or reversal dated inside the term but ENTERED after the term in force
    had run out (entry time > due time) counts as the law counts it (an appeal lodged in
    time stops the term), but the deadline keeps the overdue time on record (issue 19
    re-attack, H1): its fact gets `overdue_until_late_entry` (whole days from the due time
    to the entry, at least 1) and `overdue_due_at` (the due time then in force), and counts
    as a late entry (`Deadline.late_entries`).
    A pause has no end of its own: while the clock is stopped its days so far are counted
    (`paused_days`) and said (`paused_so_far`), and past CUSTODY_LONG_PAUSE_DAYS the place's
    supervisor is told (`long_pause_at`, workflows.escalation.long_pause; fix19f M3).
R2  At the warehouse, for rifled firearms that were confiscated, surrendered or found (not
    state surplus, not smoothbore): 48 hours from the `transfer_received` entry (or from
    intake, for an item registered at the warehouse), met by the `forensic_sent` entry.

transit  Not a rule of the law (the sources' R1-R10 set no term for an item on the road): the
    ministry's configured watch on items in transit, against diversion on the way. From the
    `transfer_sent` entry, its `transit_hours` (CUSTODY_TRANSIT_HOURS when it was sent;
    72 for an entry written before the watch, `TRANSIT_HOURS`) of elapsed time, as R2 counts:
    a vehicle on the road does not stop at midnight, so no law days. The sending place is
    responsible (the item is its until received). Met by the `transfer_received` entry of
    the item; cancelled by a discrepancy resolved as lost (kept missed after its due time, as
    R1 and R2). A later transfer of the same item starts it again (one row per item and rule).

An appeal, suspension or finality entry written before these entries carried their own date
is counted from the date of its entry time at the place, and its fact says so
(`date_from: entry_time`).

A deadline is due at an instant in UTC; it is overdue once that instant has passed without
being met. Missing it blocks nothing: it is reported, and a late meeting stays on the record.
An item that is lost has its running deadlines cancelled; one cancelled after its due time
keeps the miss (`missed_cancelled`, the days overdue), for R1, R2 and the transit watch
(issue 19, H2).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from custody.clock import format_time, parse_time
from workflows import terms
from workflows.model import Deadline

R1, R2 = "R1", "R2"
TRANSIT = "transit"  # the ministry's watch, not a rule of the law: no R-number
R1_DAYS = 10
R2_HOURS = dt.timedelta(hours=48)
TRANSIT_HOURS = 72
"""The transit watch of a `transfer_sent` entry that names none (written before the watch
was configured): the default of CUSTODY_TRANSIT_HOURS, 3 days."""
PAUSES = ("appealed", "suspended")


def fact(
    name: str, date: str | None, at: str, seq: int, zone: str, late: bool = False
) -> dict[str, Any]:
    """A dated event as a deadline records it: its date (or, for an entry that had none,
    the date of its entry time at the place), when it was entered and how many days after."""
    day, delay = _dated(date, at[:16], zone)
    made: dict[str, Any] = {
        "fact": name,
        "date": day,
        "entered_at": at,
        "seq": seq,
        "delay_days": delay,
    }
    if date is None:
        made["date_from"] = "entry_time"  # written before entries carried their date
    if late:
        made["entered_late"] = True
    return made


@lru_cache(maxsize=4096)
def _dated(date: str | None, minute: str, zone: str) -> tuple[str, int]:
    """(the event's date YYYY-MM-DD, days from it to its entry at the place) for an entry
    written in `minute` (YYYY-MM-DDTHH:MM, UTC): asked the same thousands of times in a
    replay, and the tz database's offsets are whole minutes."""
    entered_on = terms.local_date(minute, zone)
    day = terms.parse_date(date) if date is not None else entered_on
    return day.isoformat(), (entered_on - day).days


def start_r1(item: str, place: str, zone: str, decision: dict[str, Any]) -> Deadline:
    """R1's clock, from the decision's fact (see `fact`)."""
    # Made from its fields as a dict: a replay starts 100,000 of these. The dict has exactly
    # the dataclass's fields (tests/test_deadlines_rederive.py compares every field with the
    # fold's), so the check Document.adopt makes of any dict, half the cost, is left out.
    made = object.__new__(Deadline)
    made.__dict__ = {
        "item": item,
        "rule": R1,
        "started_at": decision["entered_at"],
        "due_at": _r1_due(decision["date"], zone),
        "paused_at": None,
        "met_at": None,
        "cancelled_at": None,
        "place": place,
        "zone": zone,
        "counted_from": decision["date"],
        "facts": [decision],
    }
    return made


@lru_cache(maxsize=4096)
def _r1_due(date: str, zone: str) -> str:
    """R1's due time from a decision dated `date` (YYYY-MM-DD) at a place in `zone`: asked
    for 100,000 decisions of a few hundred dates in a replay, once per (date, zone)."""
    return terms.term_end(terms.parse_date(date), R1_DAYS, zone)


def start_r2(item: str, place: str, at: str) -> Deadline:
    """R2's clock: 48 hours of elapsed time from the receipt at the warehouse."""
    due = format_time(parse_time(at) + R2_HOURS)
    return Deadline(item=item, rule=R2, started_at=at, due_at=due, place=place)


def move_r2(deadline: Deadline, place: str) -> None:
    """R2's responsible place follows the item: received at another warehouse before it went
    to forensics, its clock (due time unchanged: 48 hours from the first receipt) is that
    warehouse's, whose staff and supervisors are told (issue 19 re-attack: it had stayed
    with the warehouse the item had left). A met or cancelled one stays where it was."""
    if _open(deadline):
        deadline.place = place


def start_transit(item: str, sent: dict[str, Any], at: str, seq: int) -> Deadline:
    """The transit watch from a `transfer_sent` entry at `at` (RFC 3339 UTC), number `seq`,
    whose data is `sent` (transfer, origin, destination[, transit_hours]): due that many
    hours of elapsed time later; the sending place (`origin`) is responsible."""
    hours = sent.get("transit_hours", TRANSIT_HOURS)
    due = format_time(parse_time(at) + dt.timedelta(hours=hours))
    started = {
        "fact": "sent",
        "date": at[:10],
        "entered_at": at,
        "seq": seq,
        "delay_days": 0,
        "transfer": sent["transfer"],
        "destination": sent["destination"],
        "transit_hours": hours,
    }
    return Deadline(
        item=item, rule=TRANSIT, started_at=at, due_at=due, place=sent["origin"], facts=[started]
    )


EARLIER_TRANSIT = "earlier_transit"


def restart_transit(earlier: Deadline | None, new: Deadline, at: str) -> Deadline:
    """The transit watch of a later transfer of the item (`new`), keeping the misses of the
    `earlier` one on record (fix19h LOW: the row of the new transfer had replaced a missed
    watch): an earlier watch met after its due time, or still open past it at `at` (RFC 3339
    UTC), is added to the new one's facts (`earlier_transit`: its transfer, due time, when it
    was met or null, whole hours overdue), after the new sending, with the misses it kept."""
    if earlier is None or earlier.rule != TRANSIT:
        return new
    kept = [f for f in earlier.facts if f.get("fact") == EARLIER_TRANSIT]
    due, met = earlier.due_at, earlier.met_at
    end = met or (at if earlier.cancelled_at is None else None)
    if due is not None and end is not None and end > due and earlier.facts:
        sent = earlier.facts[0]
        late = parse_time(end) - parse_time(due)
        hours = max(
            1, int(late.total_seconds() // 3600) + (1 if late % dt.timedelta(hours=1) else 0)
        )
        kept.append(
            {
                "fact": EARLIER_TRANSIT,
                "date": sent.get("date"),
                "entered_at": earlier.started_at,
                "seq": sent.get("seq"),
                "delay_days": 0,
                "transfer": sent.get("transfer"),
                "missed_transit_due_at": due,
                "received_at": met,
                "hours_overdue": hours,
            }
        )
    new.facts.extend(kept)
    return new


def _open(deadline: Deadline) -> bool:
    return deadline.met_at is None and deadline.cancelled_at is None


MISSED, MISSED_CANCELLED = "missed", "missed_cancelled"


def _with_miss(deadline: Deadline, event: dict[str, Any], kind: str) -> dict[str, Any]:
    """`event` (a pause or reversal of a running R1 term) with the miss it comes after, if
    its date is after the term's last day: the term had run out, and stays missed."""
    if deadline.rule != R1 or deadline.due_at is None:
        return event
    zone = deadline.zone or terms.DEFAULT_ZONE
    # The due time is 24:00 at the end of the last day: its local date is the day after it.
    first_overdue = terms.local_date(deadline.due_at, zone)
    day = terms.parse_date(event["date"])
    if day < first_overdue:
        return event
    overdue = terms.whole_days(first_overdue, day) + 1
    return {**event, "missed": kind, "missed_due_at": deadline.due_at, "days_overdue": overdue}


OVERDUE_UNTIL_LATE_ENTRY = "overdue_until_late_entry"


def _with_late_entry(deadline: Deadline, event: dict[str, Any]) -> dict[str, Any]:
    """`event` with the overdue time it hides, if it was entered after the running term's
    due time though dated inside it (no miss of its own): the term stood overdue from the
    due time to the entry, and that stays on record (issue 19 re-attack, H1)."""
    due = deadline.due_at
    if deadline.rule != R1 or due is None or "missed" in event or event["entered_at"] <= due:
        return event
    zone = deadline.zone or terms.DEFAULT_ZONE
    if terms.parse_date(event["date"]) >= terms.local_date(due, zone):
        return event  # dated after the term: a miss of its own (`_with_miss`), not hidden
    overdue = parse_time(event["entered_at"]) - parse_time(due)
    days = max(1, overdue.days + (1 if overdue % dt.timedelta(days=1) else 0))
    return {**event, OVERDUE_UNTIL_LATE_ENTRY: days, "overdue_due_at": due}


AFTER_DESTRUCTION = "after_destruction"


def with_destruction(event: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """`event` (an appeal's or suspension's fact) with the destroying step its entry names
    (`after_destruction` of its data: workflows.decision_dates), if it names one."""
    began = data.get(AFTER_DESTRUCTION)
    if not isinstance(began, dict):
        return event
    return {**event, AFTER_DESTRUCTION: {"step": began.get("step"), "date": began.get("date")}}


def pause(deadline: Deadline, event: dict[str, Any]) -> None:
    """An appeal or suspension: the clock stops (from the day it was lodged or ordered). One
    dated after the term ran out stops it too, and the miss stays on record (`_with_miss`).
    One dated on or before a destroying step already recorded (`after_destruction`) is kept
    among the facts even of a deadline met or cancelled, so that the deadlines list shows
    it (fix19h M3); nothing else moves."""
    if not _open(deadline):
        if AFTER_DESTRUCTION in event:
            deadline.facts.append(event)
        return
    if deadline.due_at is not None:
        event = _with_late_entry(deadline, _with_miss(deadline, event, MISSED))
        deadline.paused_at, deadline.due_at = event["entered_at"], None
    deadline.facts.append(event)


def finalise(deadline: Deadline, event: dict[str, Any]) -> None:
    """The decision became final: after a pause, the full term again from that date; a
    running clock is left alone (nothing stopped it), and its fact carries no overdue time:
    a finality that ends no pause hides nothing (issue 19, M3)."""
    if not _open(deadline):
        return
    if deadline.due_at is None:
        lodged = _stopped_by(deadline.facts)
        final_day = terms.parse_date(event["date"])
        paused = terms.whole_days(terms.parse_date(lodged["date"]), final_day)
        event = {**event, "paused_days": paused}
        zone = deadline.zone or terms.DEFAULT_ZONE
        deadline.started_at, deadline.paused_at = event["entered_at"], None
        deadline.due_at = terms.term_end(final_day, R1_DAYS, zone)
        deadline.counted_from = event["date"]
    deadline.facts.append(event)


def _stopped_by(facts: list[dict[str, Any]]) -> dict[str, Any]:
    """The pause that stopped the clock: the first since it last ran (an appeal and then a
    suspension while it is stopped are one pause, from the appeal)."""
    stopped: dict[str, Any] | None = None
    for fact in reversed(facts):
        if fact["fact"] in PAUSES:
            stopped = fact
        elif fact["fact"] in ("decision", "final"):
            break
    assert stopped is not None, "finalise after a pause"
    return stopped


def stopping_pause(deadline: Deadline) -> dict[str, Any] | None:
    """The fact of the pause (appeal, suspension) that holds the clock stopped now, or None:
    the deadline runs, or is met or cancelled."""
    if deadline.due_at is not None or deadline.closed is not None:
        return None
    if not any(f["fact"] in PAUSES for f in deadline.facts):
        return None
    return _stopped_by(deadline.facts)


def paused_days(deadline: Deadline, now: str) -> int | None:
    """Whole days the clock has stood stopped at `now` (RFC 3339 UTC): from the date of the
    pause that stopped it to today at the place; None when it is not stopped (fix19f M3: a
    pause with no end was paused for ever, unseen)."""
    pause = stopping_pause(deadline)
    if pause is None:
        return None
    zone = deadline.zone or terms.DEFAULT_ZONE
    return max(0, terms.whole_days(terms.parse_date(pause["date"]), terms.local_date(now, zone)))


def long_pause_at(deadline: Deadline, long_after_days: int) -> str | None:
    """The instant (RFC 3339 UTC) the stopped clock's pause has lasted `long_after_days`
    days, counted as the law counts a term (workflows.terms: to 24:00 of the last day at the
    place), or None when it is not stopped. A pause longer than that is told (escalation)."""
    pause = stopping_pause(deadline)
    if pause is None:
        return None
    zone = deadline.zone or terms.DEFAULT_ZONE
    return terms.term_end(terms.parse_date(pause["date"]), long_after_days, zone)


def paused_so_far(deadline: Deadline, now: str, long_after_days: int) -> list[str]:
    """["paused N days so far, since <date> (<what>)..."] for a stopped clock, with the
    warning once it is longer than `long_after_days`; [] else (English, as `explain`)."""
    pause = stopping_pause(deadline)
    count = paused_days(deadline, now)
    if pause is None or count is None:
        return []
    what = "appeal lodged" if pause["fact"] == "appealed" else "suspended"
    line = f"paused {days(count)} so far, since {pause['date']} ({what})"
    long_at = long_pause_at(deadline, long_after_days)
    if long_at is not None and now > long_at:
        line += (
            f": LONGER THAN {days(long_after_days)} (CUSTODY_LONG_PAUSE_DAYS); the unit's "
            "supervisor is told"
        )
    return [line]


def meet(deadline: Deadline, at: str) -> None:
    if _open(deadline):
        deadline.met_at = at


def cancel(deadline: Deadline, at: str, seq: int = 0, why: str = "lost") -> None:
    """The deadline cancelled at `at` (RFC 3339 UTC) by the entry `seq` (`why`: `lost`). One
    cancelled after its due time keeps the miss on record, for R1 and R2 alike (issue 19,
    H2): a fact `missed_cancelled` with the due time missed (`missed_due_at`), the whole
    days overdue at the cancellation (`days_overdue`, at least 1) and `hours_overdue`."""
    if not _open(deadline):
        return
    due = deadline.due_at
    if due is not None and at > due:
        overdue = parse_time(at) - parse_time(due)
        whole = overdue.days + (1 if overdue % dt.timedelta(days=1) else 0)
        zone = deadline.zone or terms.DEFAULT_ZONE
        deadline.facts.append(
            {
                "fact": why,
                "date": terms.local_date(at[:16], zone).isoformat(),
                "entered_at": at,
                "seq": seq,
                "delay_days": 0,
                "missed": MISSED_CANCELLED,
                "missed_due_at": due,
                "days_overdue": max(1, whole),
                "hours_overdue": round(overdue.total_seconds() / 3600, 2),
            }
        )
    deadline.cancelled_at = at


def reverse(deadline: Deadline, event: dict[str, Any]) -> None:
    """The decision reversed: R1 is cancelled at the entry. One dated after the term ran out
    keeps the miss on record (its fact, `missed_cancelled`: `_with_miss`); one entered after
    it ran out keeps the overdue time (`_with_late_entry`). Either way, or entered late,
    its fact is kept; an ordinary reversal leaves the facts as they were."""
    if not _open(deadline):
        return
    kept = _with_late_entry(deadline, _with_miss(deadline, event, MISSED_CANCELLED))
    if kept is not event or event.get("entered_late"):
        deadline.facts.append(kept)
    deadline.cancelled_at = event["entered_at"]


def is_late(event: dict[str, Any]) -> bool:
    """Entered late, as the ledger says: as its command found (`entered_late`, from the
    entry's `entered_late_days`, by CUSTODY_LATE_ENTRY_DAYS then), or after the term in
    force had run out (`overdue_until_late_entry`). Never by today's setting: GET
    /deadlines and the CLI had judged by it while the item page and the compliance report
    went by the stored fact, so one entry was late on one page and not on another (issue
    19 re-attack); Deadline.late_entries is the same test."""
    return bool(event.get("entered_late")) or OVERDUE_UNTIL_LATE_ENTRY in event


def days(count: int) -> str:
    """`1 day`, `2 days`: a count of days in English (the CLI's and `explain`'s language)."""
    return f"{count} day" if count == 1 else f"{count} days"


_SAID = {
    "decision": "decision of {date}",
    "appealed": "appeal lodged {date}: the clock stops",
    "suspended": "suspended {date}: the clock stops",
    "final": "final {date}",
    "reversed": "reversed {date}",
    "lost": "declared lost {date}",
    "sent": "sent {date}",
    "earlier_transit": "sent {date}",
}


def explain(deadline: Deadline) -> list[str]:
    """Why the deadline is due when it is, one line per fact (English; times in UTC)."""
    lines = []
    for event in deadline.facts:
        line = _SAID.get(event["fact"], event["fact"]).format(date=event["date"])
        if "paused_days" in event:
            line += f" after {days(event['paused_days'])} paused: 10 days run again from it"
        line += f", entered {event['entered_at'][:10]}"
        if event.get("date_from") == "entry_time":
            line += " (no date in the entry: its entry day counts)"
        elif is_late(event):
            line += f" — ENTERED LATE, {days(event['delay_days'])} after its date"
        if "missed" in event:
            line += (
                f" — after the term had run out ({event['missed_due_at']}): MISSED, "
                f"{days(event['days_overdue'])} overdue, kept on record"
            )
        if AFTER_DESTRUCTION in event:
            began = event[AFTER_DESTRUCTION]
            line += (
                f" — APPEALED AFTER DESTRUCTION BEGAN: dated on or before {began['step']} "
                f"of {began['date']}, already recorded"
            )
        if event["fact"] == EARLIER_TRANSIT:
            received = event["received_at"] or "never"
            line += (
                f" — an earlier transfer ({event['transfer']}): its watch was due "
                f"{event['missed_transit_due_at']}, received {received}: MISSED, "
                f"{event['hours_overdue']} hours overdue, kept on record"
            )
        if OVERDUE_UNTIL_LATE_ENTRY in event:
            line += (
                f" — entered after the term had run out ({event['overdue_due_at']}): OVERDUE "
                f"{days(event[OVERDUE_UNTIL_LATE_ENTRY])} on record until this late entry "
                "dated inside the term"
            )
        lines.append(line)
    if deadline.rule == R1 and deadline.counted_from and deadline.due_at:
        lines.append(
            f"{R1_DAYS} days from the day after {deadline.counted_from}, to 24:00 of the last "
            f"day in {deadline.zone}"
        )
    elif deadline.rule == R2:
        lines.append(f"48 hours from the receipt at {deadline.place} ({deadline.started_at})")
    elif deadline.rule == TRANSIT:
        lines.append(_transit_said(deadline))
    return lines


def _transit_said(deadline: Deadline) -> str:
    """The transit watch's reason in one line (English, times in UTC)."""
    sent = deadline.facts[0]
    return (
        f"{sent['transit_hours']} hours from the sending at {deadline.place} "
        f"({deadline.started_at}) on transfer {sent['transfer']} to {sent['destination']}, "
        "until received there: the ministry's transit watch (CUSTODY_TRANSIT_HOURS), "
        "not a rule of the law; the sending place answers for it"
    )
