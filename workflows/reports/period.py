"""Calendar periods in the configured time zone, as the ledger's UTC time text.

An entry belongs to a day, month or year by the time of its entry read in the report's zone
(CUSTODY_TIMEZONE): at Asia/Almaty (UTC+5) an entry written at 2026-12-31T19:30:00Z is
01:30 on 1 January 2027 there and counts in 2027. Entry times are RFC 3339 UTC text of fixed
width (custody.clock), so comparing the text compares the instants.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from custody.clock import format_time, parse_time
from workflows.errors import InvalidRequest


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC time text; `first` and `last` are the calendar days, inclusive."""

    zone: str
    first: dt.date
    last: dt.date
    start: str
    end: str

    def holds(self, time: str) -> bool:
        return self.start <= time < self.end

    def month(self, time: str) -> int:
        """1-12: the month of an entry's time in the zone."""
        return _month(time[:16], self.zone)  # zones are offset by whole minutes


@lru_cache(maxsize=65_536)
def _month(minute: str, zone: str) -> int:
    return parse_time(minute + ":00.000000Z").astimezone(ZoneInfo(zone)).month


def zone_info(zone: str) -> ZoneInfo:
    """Raises InvalidRequest for a zone the tz database does not know."""
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRequest(f"unknown time zone {zone!r}") from exc


def days(first: dt.date, last: dt.date, zone: str) -> Period:
    """From the start of `first` to the end of `last`, both in `zone`."""
    if last < first:
        raise InvalidRequest(f"the period ends ({last}) before it starts ({first})")
    tz = zone_info(zone)
    try:
        start = dt.datetime.combine(first, dt.time(), tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
        return Period(zone, first, last, format_time(start), format_time(end))
    except OverflowError as exc:  # days at the ends of the calendar
        raise InvalidRequest(f"the period {first} to {last} is out of range") from exc


def year(number: int, zone: str) -> Period:
    if not 1970 <= number <= 9998:
        raise InvalidRequest(f"year {number} is out of range")
    return days(dt.date(number, 1, 1), dt.date(number, 12, 31), zone)
