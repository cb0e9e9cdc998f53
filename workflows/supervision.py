"""The supervision register: who answers for each place's deadlines, at which level (place
staff, supervisor, regional head), kept by administrators as ledger data like the places
themselves. Notices of due and overdue deadlines go to the place's staff, and climb the
levels when nobody acknowledges them (workflows.escalation)."""

from __future__ import annotations

from collections.abc import Sequence

from custody.entries import check_name
from workflows.errors import InvalidRequest, UnknownObject
from workflows.model import Account, Location
from workflows.unit_of_work import Work
from workflows.vocabulary import LEVELS, PLANT_REPRESENTATIVE, STAFF

# Who may not answer above a place's staff (issue 19, M2): an administrator keeps the register
# itself, and a plant's representative is the destroying side, not the police's chain.
NOT_ABOVE = {"administrator": "an administrator", PLANT_REPRESENTATIVE: "a plant representative"}


def _level(level: str) -> str:
    if level not in LEVELS:
        raise InvalidRequest(f"a level is one of {', '.join(LEVELS)}")
    return level


def assign(work: Work, place: str, person: str, level: str) -> None:
    """`person` answers for `place` at `level` from now on; raises InvalidRequest if they do
    already (at this or another level) or their account is disabled, or, for a supervisor or
    regional head, if they are staff of the place (their account acts there), an
    administrator or a plant representative (issue 19, M2); UnknownObject for a place not
    registered or a person with no account (notices go to an account: a name nobody logs
    in as would swallow every notice of the place)."""
    work.load("locations", [place])
    location = work.world.location(place)
    work.load("accounts", [person])
    account: Account | None = work.world.find("accounts", person)
    if account is None:
        raise UnknownObject(f"no account {person}: a supervisor is a person with an account")
    if account.disabled:
        raise InvalidRequest(f"the account {person} is disabled: it would read no notice")
    if person in location.on_duty(_level(level)):
        raise InvalidRequest(f"{person} is {level} of {place} already")
    for other in LEVELS:
        if other != level and person in location.on_duty(other):
            raise InvalidRequest(
                f"{person} is {other} of {place} already: one person answers for a place at "
                "one level"
            )
    if level != STAFF:
        _outside_the_place(account, place)
    try:
        check_name(person, "person")
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    work.entry("supervisor_assigned", place, {"person": person, "level": level})


def _outside_the_place(account: Account, place: str) -> None:
    """A supervisor or regional head is someone the place's staff answer to: not one of its
    staff (an account acting at the place), nor an administrator or plant representative;
    raises InvalidRequest."""
    for role, said in NOT_ABOVE.items():
        if role in account.roles:
            raise InvalidRequest(
                f"{account.id} is {said}: a supervisor or regional head is neither an "
                "administrator nor a plant representative"
            )
    if place in account.places:
        raise InvalidRequest(
            f"{account.id} is staff of {place}: a supervisor or regional head is someone "
            "outside the place's staff"
        )


def above_staff(work: Work, person: str, places: Sequence[str] | None = None) -> None:
    """Refuse making `person` one the register says they may not be while they answer for a
    place above its staff (issue 19 re-attack: the register's check was at assigning only,
    so the supervisor could be made the place's staff, or an administrator, afterwards):
    staff of one of `places` (its account given the place: workflows.accounts.assign), or,
    with `places` None, an administrator or plant representative (a role granted:
    workflows.accounts.grant). Raises InvalidRequest naming the place and level."""
    if places is None:
        located: list[Location] = work.repo.documents("locations")
    else:
        work.load("locations", places)
        located = [work.world.location(place) for place in places]
    for location in sorted(located, key=lambda found: found.id):
        for level in LEVELS:
            if level == STAFF or person not in location.on_duty(level):
                continue
            if places is None:
                raise InvalidRequest(
                    f"{person} is {level} of {location.id}: a supervisor or regional head "
                    "is neither an administrator nor a plant representative"
                )
            raise InvalidRequest(
                f"{person} is {level} of {location.id}: a supervisor or regional head is "
                "someone outside the place's staff (the supervision register)"
            )


def withdraw(work: Work, place: str, person: str, level: str) -> None:
    """`person` no longer answers for `place` at `level`."""
    work.load("locations", [place])
    location = work.world.location(place)
    if person not in location.on_duty(_level(level)):
        raise InvalidRequest(f"{person} is not {level} of {place}")
    work.entry("supervisor_withdrawn", place, {"person": person, "level": level})
