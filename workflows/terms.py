"""Terms counted in days as the law counts them, in the time zone of the place they run at.

Kazakhstan's Civil Procedure Code (art. 124-125; the Criminal Procedure Code says the same)
counts a term in days from the day after the event that starts it, and ends it at 24:00 of
its last day: a decision taken on 1 March starts a 10-day term on 2 March, and the term is
over at midnight at the end of 11 March. "Midnight" is the place's, so the instant in UTC
depends on the zone: the tz database's zones of Kazakhstan, where Almaty and the east moved
from UTC+6 to UTC+5 on 1 March 2024 (tzdata 2024a); zoneinfo knows it.

Pure functions of dates, zones and instants: no clock, no database.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from custody.clock import format_time, parse_time
from workflows import grammar
from workflows.errors import ZonesOutdated

DEFAULT_ZONE = "Asia/Almaty"

# Kazakhstan's regions and cities of republican status, and the tz database's zone for each
# (zone.tab's comments). Places outside these, or named otherwise, carry their own
# `time_zone` or are counted in the configured zone (CUSTODY_TIMEZONE).
REGION_ZONES: dict[str, str] = {
    "aktobe": "Asia/Aqtobe",
    "atyrau": "Asia/Atyrau",
    "kostanay": "Asia/Qostanay",
    "kyzylorda": "Asia/Qyzylorda",
    "mangystau": "Asia/Aqtau",
    "west kazakhstan": "Asia/Oral",
    "almaty": "Asia/Almaty",
    "astana": "Asia/Almaty",
    "shymkent": "Asia/Almaty",
    # The same in Russian, as the places' registers write them.
    "актюбинская область": "Asia/Aqtobe",
    "атырауская область": "Asia/Atyrau",
    "костанайская область": "Asia/Qostanay",
    "кызылординская область": "Asia/Qyzylorda",
    "мангистауская область": "Asia/Aqtau",
    "западно-казахстанская область": "Asia/Oral",
    "алматы": "Asia/Almaty",
    "астана": "Asia/Almaty",
    "шымкент": "Asia/Almaty",
    # And in Kazakh ("Ақтөбе облысы": " облысы", region, is taken off as " region" is).
    "ақтөбе": "Asia/Aqtobe",
    "атырау": "Asia/Atyrau",
    "қостанай": "Asia/Qostanay",
    "қызылорда": "Asia/Qyzylorda",
    "маңғыстау": "Asia/Aqtau",
    "батыс қазақстан": "Asia/Oral",
}


# The tz database's zones of Kazakhstan (zone1970.tab, country code KZ, tzdata 2024a and
# later): the only ones a place may name (issue 19, M5). Written out, not read from the
# system's files at run time: a rule of the ledger must not change with the machine.
# tests/test_deadlines_by_law.py checks the list against the system's zone1970.tab.
KAZAKHSTAN_ZONES: tuple[str, ...] = (
    "Asia/Almaty",
    "Asia/Qyzylorda",
    "Asia/Qostanay",
    "Asia/Aqtobe",
    "Asia/Aqtau",
    "Asia/Atyrau",
    "Asia/Oral",
)


class UnknownZone(ValueError):
    """A time zone the tz database does not know."""


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The tz database's zone of this name; raises UnknownZone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownZone(f"unknown time zone {grammar.shown(name)}") from exc


# A day after Kazakhstan's 2024 change, and Almaty's offset on it (tzdata 2024a and later).
_AFTER_CHANGE, _OFFSET_AFTER = dt.datetime(2024, 3, 2, 12), dt.timedelta(hours=5)


@cache
def check_zone_data(almaty: dt.tzinfo | None = None) -> None:
    """Refuse a tz database older than Kazakhstan's change of 1 March 2024 (tzdata 2024a):
    with tzdata 2023.4 R1 of a unit in Almaty fell due at 18:00 UTC, not 19:00 (issue 19
    re-attack), so a service or a replay running on one would write and judge every due
    time an hour early. Checked by Asia/Almaty's offset on 2 March 2024 (`almaty`: that
    zone as another database has it, for tests). Raises ZonesOutdated, one line saying what
    to do; the process checks it on opening (workflows.process) and before a replay."""
    there = _AFTER_CHANGE.replace(tzinfo=almaty or zone(DEFAULT_ZONE))
    if there.utcoffset() != _OFFSET_AFTER:
        raise ZonesOutdated(
            "the time zone database is older than tzdata 2024a: Asia/Almaty is UTC"
            f"{there.isoformat()[19:]} "
            "on 2024-03-02, not UTC+05:00, so every due time would be wrong; update the "
            "system's tzdata package"
        )


def zone_of_region(region: str) -> str | None:
    """The zone of a region of Kazakhstan by its name in en, ru or kk ("Kostanay region",
    "Костанайская область", "Қостанай облысы" -> Asia/Qostanay), or None."""
    words = " ".join(region.lower().split())
    return REGION_ZONES.get(words) or REGION_ZONES.get(
        words.removesuffix(" region").removesuffix(" oblast").removesuffix(" облысы")
    )


def place_zone(time_zone: str | None, region: str | None) -> str:
    """The zone a place counts R1's days in: its own (`location_added` writes it), its
    region's, else DEFAULT_ZONE (Almaty's). Read from the ledger alone, never from the
    settings: the command that dates a decision's step and `custody verify`, which checks
    it, ask this one function, so an honest ledger verifies whatever CUSTODY_TIMEZONE says
    (issue 19, fix19k)."""
    return time_zone or (zone_of_region(region) if region else None) or DEFAULT_ZONE


def local_date(moment: str, zone_name: str) -> dt.date:
    """The calendar date at the place of an RFC 3339 UTC instant."""
    # The tz database's offsets are whole minutes, so the minute decides the date: a replay
    # asks for the dates of thousands of entries written in the same few minutes.
    return _local_date(moment[:16], zone_name)


@lru_cache(maxsize=4096)
def _local_date(minute: str, zone_name: str) -> dt.date:
    return parse_time(f"{minute}:00.000000Z").astimezone(zone(zone_name)).date()


def end_of_day(day: dt.date, zone_name: str) -> str:
    """24:00 at the end of `day` at the place, as an RFC 3339 UTC instant."""
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone(zone_name))
    return format_time(midnight.astimezone(dt.UTC))


@lru_cache(maxsize=4096)
def term_end(event: dt.date, days: int, zone_name: str) -> str:
    """The instant a term of `days` days, started by an event on `event`, is over: it runs
    from the day after the event, and its last day is `event + days`, to its end (24:00)."""
    return end_of_day(event + dt.timedelta(days=days), zone_name)


def as_the_law_words(local: dt.datetime) -> str:
    """A local time `YYYY-MM-DD HH:MM`, a midnight as 24:00 at the end of the day before
    (`2026-12-11 24:00`, not `2026-12-12 00:00`): a term ends at 24:00 of its last day, and
    the CLI, the web pages and the notices' e-mail say so alike (issue 19 re-attack: the
    e-mail had said the next day's 00:00)."""
    if (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0):
        return f"{local:%Y-%m-%d %H:%M}"
    return f"{local.date() - dt.timedelta(days=1):%Y-%m-%d} 24:00"


def whole_days(first: dt.date, last: dt.date) -> int:
    """Days from one date to a later one (a pause from its lodging to finality)."""
    return (last - first).days


@lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date:
    """A calendar date YYYY-MM-DD; raises ValueError for one that does not exist."""
    if len(text) != 10:
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD")
    return dt.date.fromisoformat(text)
