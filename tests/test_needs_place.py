"""workflows.accounts.needs_place: the rule the administrator's page asks by before making an
account (api.web.admin): a role that acts only at places, made with no place, is missing it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workflows.access import PLACE_KINDS
from workflows.accounts import needs_place

ROLES = sorted(PLACE_KINDS)


@given(role=st.sampled_from(ROLES), place=st.text(min_size=1, max_size=16))
def test_a_place_given_is_never_missing(role: str, place: str) -> None:
    assert not needs_place(role, place)


def test_a_role_that_acts_at_places_needs_one_and_the_others_do_not() -> None:
    assert {role for role in ROLES if needs_place(role, "")} == {
        role for role, kinds in PLACE_KINDS.items() if kinds
    }
    assert needs_place("warehouse_clerk", "")
    assert not needs_place("administrator", "")
    assert not needs_place("auditor", "")
    assert not needs_place("no_such_role", "")  # unknown: refused by check_role, not here
