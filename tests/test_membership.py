"""Commission membership periods (workflows.membership): the one definition the fold, the
server's rules and verify-statement share (issue 16, F3)."""

from __future__ import annotations

from workflows import membership
from workflows.model import Commission

T = [f"2026-11-0{d}T09:00:00.000000Z" for d in range(1, 8)]


def _added(person: str, since: str, **named: str) -> tuple[str, dict[str, str], str]:
    return membership.ADDED, {"person": person, "role": "member", "since": since, **named}, since


def _removed(person: str, until: str) -> tuple[str, dict[str, str], str]:
    return membership.REMOVED, {"person": person, "until": until}, until


# Abenova joins at T0 as a major, leaves at T3 and comes back at T4 under another position.
REGISTER = [
    _added("member.abenova", T[0], full_name="Абенова Г. Ө.", position="майор"),
    _removed("member.abenova", T[3]),
    _added("member.abenova", T[4], full_name="Абенова Г. Ө.", position="подполковник"),
]


def test_a_member_removed_and_added_again_holds_both_periods() -> None:
    periods = membership.replay(REGISTER)
    assert [(p["since"], p["until"]) for p in periods] == [(T[0], T[3]), (T[4], None)]
    held = [m.person for m in Commission(id="TK", name="TK", members=periods).members_at(T[1])]
    assert held == ["member.abenova"]
    assert membership.in_office(periods, T[3]) == []  # between the two periods
    assert [p["since"] for p in membership.in_office(periods, T[5])] == [T[4]]


def test_a_signer_is_named_as_the_register_stood_when_they_signed() -> None:
    periods = membership.replay(REGISTER)
    signed = membership.as_signed(periods, "member.abenova", T[2], T[1])
    assert signed is not None
    assert signed["position"] == "майор"  # not the position given at T4
    # Removed after the destruction, before signing: named by the period of the destruction.
    late = membership.as_signed(periods, "member.abenova", T[3], T[1])
    assert late is not None
    assert late["position"] == "майор"
    assert membership.as_signed(periods, "member.kim", T[2], T[1]) is None
