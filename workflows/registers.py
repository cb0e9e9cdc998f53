"""The places and the commissions of the process, kept in the ledger like everything else.

What a statement prints of them is signed here, in their entries: a place's and a
commission's name, and optionally the same in each statement language (`names`: {"ru", "kk",
"en"}); a commission member's full name and position (`full_name`, `position`), so that the
statement names people as a legal act must, and verify-statement checks the page against the
entries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from custody.clock import is_moment_shaped, is_time, parse_time
from custody.entries import check_name
from workflows import membership, terms
from workflows.errors import InvalidRequest, RuleViolation
from workflows.model import Account, Commission, Location
from workflows.unit_of_work import Work
from workflows.vocabulary import (
    CHAIR,
    COMMISSION_MEMBER,
    COMMISSION_ROLES,
    LOCATION_KINDS,
    NAME_LANGUAGES,
)


def _name(value: str, what: str) -> str:
    try:
        return check_name(value, what)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc


def names_in_languages(names: Mapping[str, str] | None) -> dict[str, str]:
    """{"ru": ..., "kk": ..., "en": ...}, any of them; InvalidRequest for another key or a
    name that is not text of 1 to 200 characters."""
    if not names:
        return {}
    unknown = sorted(set(names) - set(NAME_LANGUAGES))
    if unknown:
        raise InvalidRequest(f"names are given in {', '.join(NAME_LANGUAGES)}, not {unknown[0]}")
    return {lang: _name(names[lang], f"name in {lang}") for lang in NAME_LANGUAGES if lang in names}


def add_location(
    work: Work,
    location_id: str,
    kind: str,
    name: str,
    region: str,
    time_zone: str | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """A place; the zone it counts days in is written in its entry (R1), given or found
    from its region, else the configured one, so that replay needs no settings; its name in
    the statement languages, where given. Raises InvalidRequest ("R1: ...") for a zone, given
    or found (CUSTODY_TIMEZONE for a region of no known zone), that is not one of
    Kazakhstan's (terms.KAZAKHSTAN_ZONES)."""
    _name(location_id, "location id")
    if kind not in LOCATION_KINDS:
        raise InvalidRequest(f"a location is one of {', '.join(sorted(LOCATION_KINDS))}")
    work.load("locations", [location_id])
    if work.world.find("locations", location_id) is not None:
        raise InvalidRequest(f"location {location_id} exists already")
    zone_name = time_zone or terms.zone_of_region(region) or work.config.timezone
    if zone_name not in terms.KAZAKHSTAN_ZONES:
        # A place counts R1's days at its own midnight: one of Kazakhstan's (issue 19, M5),
        # given or not: CUSTODY_TIMEZONE=Europe/Moscow had made a place of an unknown region
        # count in Moscow (issue 19 re-attack).
        raise InvalidRequest(
            f"R1: a place's time zone is one of Kazakhstan's: {', '.join(terms.KAZAKHSTAN_ZONES)}",
            rule="R1",
        )
    try:
        terms.zone(zone_name)
    except terms.UnknownZone as exc:
        raise InvalidRequest(str(exc)) from None
    data: dict[str, Any] = {
        "kind": kind,
        "name": _name(name, "name"),
        "region": _name(region, "region"),
        "time_zone": zone_name,
    }
    translated = names_in_languages(names)
    if translated:
        data["names"] = translated
    work.entry("location_added", location_id, data)


def add_member(
    work: Work,
    commission_id: str,
    person: str,
    role: str,
    name: str | None,
    since: str | None,
    full_name: str | None = None,
    position: str | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """A person joins a commission from `since` (default: now), named as the statement will
    print them (`full_name`, `position`); `name` and `names` name a new commission."""
    _name(commission_id, "commission id")
    if role not in COMMISSION_ROLES:
        raise InvalidRequest(f"a commission role is one of {', '.join(sorted(COMMISSION_ROLES))}")
    if since is not None:
        _check_since(work, since)
    work.load("commissions", [commission_id])
    commission: Commission | None = work.world.find("commissions", commission_id)
    if commission is not None and any(
        m.person == person for m in commission.members_at(since or work.now)
    ):
        raise InvalidRequest(f"{person} is a member of {commission_id} already")
    _may_sign(work, commission, commission_id, person, role, since or work.now)
    if commission is not None:
        period = membership.overlapping(commission.members, person, since or work.now)
        if period is not None:
            raise RuleViolation("R8", membership.overlap_refusal(period, since or work.now))
    data: dict[str, Any] = {
        "person": _name(person, "person"),
        "role": role,
        "since": since or work.now,
    }
    if full_name is not None:
        data["full_name"] = _name(full_name, "full name")
    if position is not None:
        data["position"] = _name(position, "position")
    if commission is None:
        data["name"] = _name(name or commission_id, "commission name")
        translated = names_in_languages(names)
        if translated:
            data["names"] = translated
    elif names:
        raise InvalidRequest(f"{commission_id} is named already; names go with its first member")
    work.entry("commission_member_added", commission_id, data)


def _may_sign(
    work: Work, commission: Commission | None, commission_id: str, person: str, role: str, at: str
) -> None:
    """R8: a member signs the statements of the batches they attend with their own key, so
    a member is an account holding the commission_member role (not an auditor, not a name
    with no account); and a commission has one chair at a time. RuleViolation otherwise."""
    work.load("accounts", [person])
    account: Account | None = work.world.find("accounts", person)
    if account is None or account.disabled or COMMISSION_MEMBER not in account.roles:
        raise RuleViolation("R8", f"{person} is not an account holding the commission_member role")
    if role == CHAIR and commission is not None:
        chairs = [m.person for m in commission.members_at(at) if m.role == CHAIR]
        if chairs:
            raise RuleViolation("R8", f"{commission_id} has a chair already: {chairs[0]}")


def _check_since(work: Work, since: str) -> None:
    """A membership starts at a moment already past (an act signed before it was recorded may
    need the member in office), and not before the record horizon: backdated years, or set
    to 9999, it would put a person in office for acts they were never part of (R7)."""
    if not is_time(since):
        raise InvalidRequest(_since_refusal(since))
    moment = parse_time(since).replace(tzinfo=dt.UTC)
    if moment > work.moment:
        raise InvalidRequest(f"since {since} is in the future: a membership starts by now")
    horizon = work.config.record_horizon
    if moment.date() < horizon:
        raise InvalidRequest(f"since {since} is before {horizon} (the record horizon)")


# A time with an offset (RFC 3339 section 5.6): +05:00, -03:30
_OFFSET = re.compile(
    r"(?P<moment>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(?P<offset>[+-]\d\d:\d\d)", re.ASCII
)


def _since_refusal(since: str) -> str:
    """Why `since` is not a time as the ledger writes it, naming the cause (issue 12, b12 #8):
    a day or hour that does not exist (2026-02-30, hour 25), an offset other than UTC's Z
    (with the same moment in UTC, to write instead), or another shape."""
    if is_moment_shaped(since):
        return (
            f"since {since} is not a date and time that exists (its day, hour, minute or "
            "second is out of range)"
        )
    offset = _OFFSET.fullmatch(since)
    if offset is not None:
        try:
            moment = dt.datetime.fromisoformat(since).astimezone(dt.UTC)
        except ValueError:
            pass
        else:
            return (
                f"since {since} must be UTC (Z), not the offset {offset['offset']}: "
                f"{moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"
            )
    return "since is an RFC 3339 UTC time with six fractional digits"


def remove_member(work: Work, commission_id: str, person: str) -> None:
    work.load("commissions", [commission_id])
    commission = work.world.commission(commission_id)
    if not any(m.person == person for m in commission.members_at(work.now)):
        raise InvalidRequest(f"{person} is not a member of {commission_id}")
    work.entry("commission_member_removed", commission_id, {"person": person, "until": work.now})


def location_of_kind(work: Work, location_id: str, *kinds: str) -> Location:
    work.load("locations", [location_id])
    location = work.world.location(location_id)
    if location.kind not in kinds:
        raise InvalidRequest(f"{location_id} is a {location.kind}, not a {' or '.join(kinds)}")
    return location
