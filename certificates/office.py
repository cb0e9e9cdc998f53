"""Who held office in a commission at a moment, replayed from the commission's own entries
(commission_member_added, commission_member_removed): the page names the chair from it, and
verify-statement checks that each signer was a member."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def in_office(entries: Iterable[tuple[str, dict[str, Any]]], moment: str) -> dict[str, str]:
    """person -> role ("chair" or "member") for everyone in office at `moment`, from the
    commission's entries as (kind, data), in log order."""
    held: dict[str, tuple[str, str, str | None]] = {}
    for kind, data in entries:
        if kind == "commission_member_added":
            held[data["person"]] = (data["role"], data["since"], None)
        elif kind == "commission_member_removed" and data["person"] in held:
            role, since, _ = held[data["person"]]
            held[data["person"]] = (role, since, data["until"])
    return {
        person: role
        for person, (role, since, until) in held.items()
        if since <= moment and (until is None or moment < until)
    }
