"""Who held office in a commission at a moment, replayed from the commission's own entries
(commission_member_added, commission_member_removed) with the server's own definition of a
membership period (workflows.membership): the page names the chair and the signers from it,
and verify-statement checks that each signer was a member. Every period counts: a member
removed and added again (a new position) stays a member for what they signed before."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workflows import membership


def periods(entries: Iterable[tuple[str, Mapping[str, Any], str]]) -> list[dict[str, Any]]:
    """Every membership period of a commission from its entries as (kind, data, time), in
    log order (workflows.membership.replay)."""
    return membership.replay(entries)


def in_office(entries: Iterable[tuple[str, Mapping[str, Any], str]], moment: str) -> dict[str, str]:
    """person -> role ("chair" or "member") for everyone in office at `moment`, from the
    commission's entries as (kind, data, time), in log order; a person in office in two
    periods at once (never by the server's rules) is a chair if either period is."""
    held: dict[str, str] = {}
    for period in membership.in_office(periods(entries), moment):
        if held.get(period["person"]) != "chair":
            held[period["person"]] = period["role"]
    return held
