"""`custody deadlines`: what is due and what is overdue (R1, R2, and the transit watch), in the
user's time zone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from api.cli.output import echo
from api.deadline_reasons import nobody_to_notify, notices_of, reasons, unattended_places
from custody.clock import format_time, parse_time
from custody.settings import Settings
from workflows import terms
from workflows.deadlines import PAUSES, days, explain, is_late, paused_so_far
from workflows.model import Deadline

if TYPE_CHECKING:
    from api.system import System

RULES = {
    "R1": "at the unit after the decision (10 days)",
    "R2": "to forensics (48 hours)",
    # Not a rule of the law: the ministry's configured watch (workflows.deadlines).
    "transit": "sent, to be received (transit watch, not a rule of the law)",
}


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise typer.BadParameter(f"unknown time zone {name!r}") from exc


@contextmanager
def reading(tz: str | None) -> Iterator[tuple[System, ZoneInfo]]:
    """The database opened for reading and the zone to show times in (--tz or settings),
    for a command that lists; the database is let go when it is done."""
    from api.system import open_for_reading

    settings = Settings()
    zone = zone_of(tz or settings.timezone)
    system = open_for_reading(settings)
    try:
        yield system, zone
    finally:
        system.ledger.database.dispose()


def shown(moment: str | None, zone: ZoneInfo) -> str:
    """A time as people read it: in their zone, with UTC beside it."""
    if moment is None:
        return "-"
    utc = parse_time(moment)
    local = utc.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local:%Z} ({utc:%H:%M} UTC)"


def due_shown(moment: str | None, zone: ZoneInfo) -> str:
    """A due time as the law words it: midnight is 24:00 at the end of the day before."""
    if moment is None:
        return "-"
    utc = parse_time(moment)
    local = utc.astimezone(zone)
    return f"{terms.as_the_law_words(local)} {local:%Z} ({utc:%H:%M} UTC)"


def deadlines(
    include_met: Annotated[
        bool,
        typer.Option("--all", help="also deadlines met late, cancelled or missed and cancelled"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="as JSON (times in UTC)")] = False,
    tz: Annotated[str | None, typer.Option("--tz", help="time zone (default: settings)")] = None,
    why: Annotated[bool, typer.Option("--why", help="with the reason each is where it is")] = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="first derive the deadline rows (and all state rows) again from the ledger: "
            "for a database made before R1 was counted by the law's days",
        ),
    ] = False,
    rederive: Annotated[
        bool,
        typer.Option(
            "--rederive",
            help="first derive the deadline rows alone again from the ledger, in one quick "
            "pass (the other state rows as they are)",
        ),
    ] = False,
) -> None:
    """List what is due and what is overdue: overdue first, then by due time.

    Exit code 0: the list was written, whether or not anything in it is overdue.

    Exit code 1: the database could not be read, or the list was cut short (as by `| head`).

    Exit code 2: an option used wrongly (an unknown --tz).
    """
    if rebuild:
        _rebuild()
    elif rederive:
        _rederive()
    with reading(tz) as (system, zone):
        now = dt.datetime.now(dt.UTC)
        found = system.process.deadlines(include_closed=include_met)
        notices = notices_of(system.ledger.database, found)
        nobody = unattended_places(system.process.locations(), system.process.disabled_accounts())
    long_pause = system.process.config.long_pause_days
    if as_json:
        rows = [
            reasons(d, now, notices.get((d.item, d.rule), []), nobody, long_pause) for d in found
        ]
        echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not found:
        echo("no deadline is running")
        return
    for deadline in found:
        echo(_line(deadline, now, zone))
        if why:
            paused = paused_so_far(deadline, format_time(now), long_pause)
            for said in explain(deadline) + paused + nobody_to_notify(deadline, now, nobody):
                echo(f"    {said}")
            for notice in notices.get((deadline.item, deadline.rule), []):
                echo(f"    {_notice_line(notice, zone)}")


def _notice_line(row: dict[str, Any], zone: ZoneInfo) -> str:
    sent = f"sent {shown(row['sent_at'], zone)}" if row["sent_at"] else "not sent yet"
    acked = (
        f"acknowledged by {row['acknowledged_by']} {shown(row['acknowledged_at'], zone)}"
        if row["acknowledged_at"]
        else "not acknowledged"
    )
    return f"notice {row['id']} {row['kind']} to {row['person']} ({row['level']}): {sent}, {acked}"


def _rebuild() -> None:
    from api.system import initialise
    from custody.bootstrap import require_database
    from workflows.replay import refold

    settings = Settings()
    require_database(settings)  # maintains a ledger; never makes one where there is none
    _, system = initialise(settings)
    try:
        counts = refold(system.ledger.database)
    finally:
        system.ledger.database.dispose()
    echo(f"rebuilt from the ledger: {counts['deadlines']} deadlines, {counts['items']} items")


def _rederive() -> None:
    from api.system import initialise
    from custody.bootstrap import require_database
    from workflows.deadline_replay import rederive

    settings = Settings()
    require_database(settings)  # maintains a ledger; never makes one where there is none
    _, system = initialise(settings)
    try:
        count = rederive(system.ledger.database)
    finally:
        system.ledger.database.dispose()
    echo(f"derived from the ledger: {count} deadlines")


# What stopped a missed term, by the fact that did (workflows.deadlines): an appeal or a
# suspension pauses it, a reversal or a loss cancels it.
STOPPED_BY = {"reversed": "reversed", "lost": "declared lost"}


def _paused_on(deadline: Deadline) -> str:
    pauses = [f for f in deadline.facts if f["fact"] in PAUSES]
    return pauses[-1]["date"] if pauses else str(deadline.paused_at)


def _line(deadline: Deadline, now: dt.datetime, zone: ZoneInfo) -> str:
    status = deadline.status(now)
    if status == "paused":
        # The pause's own date (the appeal lodged, the suspension ordered), not its entry's.
        when = f"paused since {_paused_on(deadline)}"
    elif status in ("missed", "missed_cancelled"):
        [*_, miss] = deadline.misses()
        stop = STOPPED_BY.get(miss["fact"], "paused")  # a loss is no reversal (issue 19 fix)
        when = (
            f"due {due_shown(miss['missed_due_at'], zone)}, MISSED: {stop} {miss['date']}, "
            f"{days(miss['days_overdue'])} overdue"
        )
    elif status == "met_late":
        when = f"due {due_shown(deadline.due_at, zone)}, met late {shown(deadline.met_at, zone)}"
    else:
        when = f"due {due_shown(deadline.due_at, zone)}"
    for hid in deadline.overdue_until_late_entry():  # issue 19 re-attack, H1
        when += (
            f"; OVERDUE {days(hid['overdue_until_late_entry'])} on record until a late entry "
            f"({hid['fact']} {hid['date']}, entered {shown(hid['entered_at'], zone)})"
        )
    late = [f for f in deadline.facts if is_late(f)]
    if late:
        said = ", ".join(f"{f['fact']} {days(f['delay_days'])}" for f in late)
        when += f"; ENTERED LATE ({said})"
    said = RULES.get(deadline.rule, deadline.rule)
    return f"{status.upper():9} {deadline.rule} {deadline.item:14} {said}; {when}"
