"""Time as the ledger writes it: RFC 3339 in UTC with exactly six fractional digits.

The fixed width makes the text order the time order, so the ledger can keep entry times
non-decreasing by comparing strings. Times are shown to people in their own zone by the
ways in (`api/`); the ledger stores only UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache

Clock = Callable[[], dt.datetime]

_RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", re.ASCII)  # ASCII digits


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def format_time(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("refusing a naive datetime: the ledger needs to know it is UTC")
    # isoformat, not strftime: a tenth of the cost, and this runs for every entry.
    text = moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return text + "Z"


def parse_time(text: str) -> dt.datetime:
    if not _RFC3339_UTC.fullmatch(text):
        raise ValueError(f"{text!r} is not RFC 3339 UTC with six fractional digits")
    # fromisoformat also refuses impossible dates (month 13, February 30).
    return dt.datetime.fromisoformat(text)


def is_moment_shaped(text: object) -> bool:
    """Whether `text` has the ledger's time's shape, be its day and hour real or not."""
    return isinstance(text, str) and _RFC3339_UTC.fullmatch(text) is not None


def is_time(text: object) -> bool:
    """Whether `text` is a time as the ledger writes it (RFC 3339 UTC, six fractional
    digits, a real date)."""
    return isinstance(text, str) and _is_time_text(text)


@lru_cache(maxsize=1024)
def _is_time_text(text: str) -> bool:
    # Cached: `custody verify` asks this of every entry, twice, and the entries of one
    # append (a bulk step of 500) share their time; a miss costs a dict look-up more.
    try:
        parse_time(text)
    except ValueError:
        return False
    return True
