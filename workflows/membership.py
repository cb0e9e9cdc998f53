"""Commission membership as periods (R8): who held office on a commission at a moment.

A `commission_member_added` entry opens a period for its person, from its `since` (the
entry's time when it has none) with its role and, when recorded, the full name and position a
statement prints; a `commission_member_removed` entry ends every open period of its person at
its `until` (the entry's time when it has none). A person removed and added again (the way an
administrator changes a position) holds two periods, each for its own time: the newer one
does not replace the older.

The fold keeps these periods on `Commission.members` (workflows.fold), and the server's rules
ask `Commission.members_at`; `verify-statement` and the statement's page replay the same
periods from the commission's own entries (`replay`) and ask the same questions here, so the
server's rule and the offline check are one definition and cannot drift. This module is part
of what renders a statement (certificates.renderer_identity.SOURCES).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ADDED, REMOVED = "commission_member_added", "commission_member_removed"
NAMED = ("full_name", "position")  # what a statement prints of a person, when recorded


def joined(periods: list[dict[str, Any]], data: Mapping[str, Any], time: str) -> None:
    """Append the period a `commission_member_added` entry (its `data`, recorded at `time`,
    RFC 3339 UTC) opens: {"person", "role", "since", "until": None[, "full_name",
    "position"]}."""
    period: dict[str, Any] = {
        "person": data["person"],
        "role": data["role"],
        "since": data.get("since", time),
        "until": None,
    }
    period.update({k: data[k] for k in NAMED if k in data})
    periods.append(period)


def left(periods: list[dict[str, Any]], data: Mapping[str, Any], time: str) -> None:
    """End, at the `until` of a `commission_member_removed` entry (else its `time`), every
    period of its person still open."""
    for period in periods:
        if period["person"] == data["person"] and period["until"] is None:
            period["until"] = data.get("until", time)


def overlapping(
    periods: Iterable[Mapping[str, Any]], person: str, since: str
) -> Mapping[str, Any] | None:
    """The first period of `person` that a new one opened at `since` (and open to no end)
    would overlap: one still open, or one that ends after `since`. A person holds one period
    at a time, or the quorum would count them twice (issue 16: re-added with a `since`
    before their first period). None when there is none."""
    for period in periods:
        if period["person"] == person and (period["until"] is None or since < period["until"]):
            return period
    return None


def overlap_refusal(period: Mapping[str, Any], since: str) -> str:
    """R8, in words: why a period from `since` is refused beside `period`."""
    until = period["until"] or "now"
    return (
        f"{period['person']} is in office from {period['since']} to {until} already: a period "
        f"from {since} would overlap it and count them twice for the quorum"
    )


def holds(since: str, until: str | None, moment: str) -> bool:
    """Whether a period [since, until) holds at `moment` (RFC 3339 UTC strings of one
    format, which order as times)."""
    return since <= moment and (until is None or moment < until)


def replay(entries: Iterable[tuple[str, Mapping[str, Any], str]]) -> list[dict[str, Any]]:
    """Every period of a commission from its entries as (kind, data, time), in log order;
    entries of other kinds are passed over."""
    periods: list[dict[str, Any]] = []
    for kind, data, time in entries:
        if kind == ADDED:
            joined(periods, data, time)
        elif kind == REMOVED:
            left(periods, data, time)
    return periods


def in_office(periods: Iterable[Mapping[str, Any]], moment: str) -> list[Mapping[str, Any]]:
    """The periods that hold at `moment`, in the order they were opened."""
    return [p for p in periods if holds(p["since"], p["until"], moment)]


def as_signed(
    periods: Iterable[Mapping[str, Any]], person: str, signed_at: str, destroyed_at: str
) -> Mapping[str, Any] | None:
    """The period that names `person` on a statement they signed at `signed_at`: the one in
    office then, else the one in office at the destruction (`destroyed_at`, the moment R8
    asks membership at; a member may be removed between destruction and signature), else
    their newest period opened by `signed_at`; None when the register has none. Never a
    period opened after the signature: a later edit of the register does not rename the
    signers of an earlier statement."""
    own = [p for p in periods if p["person"] == person]
    for moment in (signed_at, destroyed_at):
        held = in_office(own, moment)
        if held:
            return held[-1]
    opened = [p for p in own if p["since"] <= signed_at]
    return opened[-1] if opened else None
