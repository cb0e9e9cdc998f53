"""The supervision register: who answers for each place's deadlines, at which level (place
staff, supervisor, regional head), kept by administrators as ledger data like the places
themselves. Notices of due and overdue deadlines go to the place's staff, and climb the
levels when nobody acknowledges them (workflows.escalation)."""

from __future__ import annotations

from custody.entries import check_name
from workflows.errors import InvalidRequest, UnknownObject
from workflows.model import Account
from workflows.unit_of_work import Work
from workflows.vocabulary import LEVELS


def _level(level: str) -> str:
    if level not in LEVELS:
        raise InvalidRequest(f"a level is one of {', '.join(LEVELS)}")
    return level


def assign(work: Work, place: str, person: str, level: str) -> None:
    """`person` answers for `place` at `level` from now on; raises InvalidRequest if they do
    already or their account is disabled, UnknownObject for a place not registered or a
    person with no account (notices go to an account: a name nobody logs in as would
    swallow every notice of the place)."""
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
    try:
        check_name(person, "person")
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    work.entry("supervisor_assigned", place, {"person": person, "level": level})


def withdraw(work: Work, place: str, person: str, level: str) -> None:
    """`person` no longer answers for `place` at `level`."""
    work.load("locations", [place])
    location = work.world.location(place)
    if person not in location.on_duty(_level(level)):
        raise InvalidRequest(f"{person} is not {level} of {place}")
    work.entry("supervisor_withdrawn", place, {"person": person, "level": level})
