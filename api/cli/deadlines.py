"""`custody deadlines`: what is due and what is overdue (R1, R2), in the user's time zone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from custody.clock import parse_time
from custody.settings import Settings
from workflows.model import Deadline

if TYPE_CHECKING:
    from api.system import System

RULES = {"R1": "at the unit after the decision (10 days)", "R2": "to forensics (48 hours)"}


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


def deadlines(
    include_met: Annotated[
        bool, typer.Option("--all", help="also deadlines that were met late")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="as JSON (times in UTC)")] = False,
    tz: Annotated[str | None, typer.Option("--tz", help="time zone (default: settings)")] = None,
) -> None:
    """List what is due and what is overdue: overdue first, then by due time."""
    with reading(tz) as (system, zone):
        now = dt.datetime.now(dt.UTC)
        found = system.process.deadlines(include_closed=include_met)
    if as_json:
        rows = [d.to_json() | {"status": d.status(now)} for d in found]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not found:
        typer.echo("no deadline is running")
        return
    for deadline in found:
        typer.echo(_line(deadline, now, zone))


def _line(deadline: Deadline, now: dt.datetime, zone: ZoneInfo) -> str:
    status = deadline.status(now)
    if status == "paused":
        when = f"paused since {shown(deadline.paused_at, zone)}"
    elif status == "met_late":
        when = f"due {shown(deadline.due_at, zone)}, met late {shown(deadline.met_at, zone)}"
    else:
        when = f"due {shown(deadline.due_at, zone)}"
    return f"{status.upper():9} {deadline.rule} {deadline.item:14} {RULES[deadline.rule]}; {when}"
