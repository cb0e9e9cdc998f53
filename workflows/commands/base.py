"""What a command is, and the registry every way in looks commands up in."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from workflows import access, reading
from workflows.unit_of_work import Work
from workflows.world import unknown


class Command(BaseModel):
    """One action a person can cause.

    Its fields are its input, checked whole before anything runs (pydantic: a wrong field is a
    `pydantic.ValidationError` naming it, and nothing is written). `kind` is the ledger entry
    kind the command writes: the permission a role needs for it (api.access.roles) and its
    path. `run` does it inside one unit of work (workflows.unit_of_work.Work) and returns what
    the caller should learn: ids it made, discrepancies it opened, or None. It raises the
    workflows.errors family (RuleViolation naming the rule, UnknownObject, InvalidRequest).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str]
    summary: ClassVar[str]
    # Whether POST /steps/{kind} does it; accounts have routes of their own (/users), which
    # keep the password beside the entry.
    step_route: ClassVar[bool] = True

    @classmethod
    def permission(cls) -> str:
        """The permission a role must hold to run this command: its entry kind."""
        return cls.kind

    def run(self, work: Work) -> Any:
        raise NotImplementedError

    def subjects(self) -> list[str]:
        """The items the command acts on, where it names them (items, item, weights)."""
        given = self.__dict__
        if given.get("items"):
            return list(given["items"])
        if given.get("weights"):
            return list(given["weights"])
        if isinstance(given.get("item"), str):
            return [given["item"]]
        return []

    def objects(self) -> list[tuple[str, str]]:
        """The registered objects the command acts on, as (World table, id) in the order it
        names them: by default its items (`subjects`). Items it only scans (a receipt, a
        load, a count), which may be unknown, are none of them."""
        return [("items", item) for item in self.subjects()]

    def acts_at(self, work: Work) -> set[str]:
        """The places it acts at, from the state before it (workflows.access.place_of): by
        default where its items are. Objects nobody registered add none (the command then
        refuses them itself)."""
        subjects = self.subjects()
        work.load("items", subjects)
        found = (access.place_of(work.world, self.kind, i, {}) for i in subjects)
        return {place for place in found if place is not None}

    def perform(self, work: Work) -> Any:
        """Check that the objects it names exist for the actor (`seen`), that the actor may
        do it at every place it acts at (their roles and places as the ledger says, in this
        transaction), then run it. Raises UnknownObject, or AccessRefused (ACCESS) naming
        the place; the unit of work checks each entry again as it writes it."""
        places = self.acts_at(work)
        self.seen(work)
        work.gate.admit(work, self.kind, sorted(places))
        return self.run(work)

    def seen(self, work: Work) -> None:
        """Raise UnknownObject, word for word the answer for an id nobody registered
        (workflows.world.unknown), for the first of its `objects` that is not registered or
        that the actor may not read (workflows.reading, `read_at`: an item at another
        warehouse, a transfer between two places not theirs, a discrepancy or a payment
        about an item elsewhere). A refusal naming the place would tell a
        clerk of one warehouse where a weapon of another is, or where a transfer goes
        (docs/access.md, issue 14). No one acts where they may not read, so this refuses
        nothing the access check would allow; an actor refused whatever the object (no
        account, disabled) is left to that check."""
        wanted = self.objects()
        if not wanted:
            return
        reader = work.gate.reads(work)
        if reader is False:
            return
        for table, key in wanted:
            work.load(table, [key])
            found = work.world.find(table, key)
            if found is None or not reading.sees(reader, read_at(work, table, found)):
                raise unknown(table, key)


def read_at(work: Work, table: str, document: Any) -> frozenset[str]:
    """Where `document` (of World `table`) is read (workflows.reading): a discrepancy where
    it was counted or found and where its subject (an item, batch or transfer) is; a
    payment where its item is; anything else by reading.places_of. Loads what it needs."""
    if table == "discrepancies":
        subject: Any = None
        for kind in ("items", "batches", "transfers"):  # what a discrepancy may be about
            work.load(kind, [document.subject])
            if subject is None:
                subject = work.world.find(kind, document.subject)
        return reading.discrepancy_places(document, subject)
    if table == "payments":
        work.load("items", [document.item])
        item = work.world.items.get(document.item)
        return reading.item_places(item) if item is not None else frozenset()
    return reading.places_of(document)


C = TypeVar("C", bound=type[Command])

REGISTRY: dict[str, type[Command]] = {}
"""Every command, by its kind, in the order the process goes."""


def command(cls: C) -> C:
    """Register a command class under its kind (a kind is registered once)."""
    if cls.kind in REGISTRY:
        raise ValueError(f"a command for {cls.kind} is registered already")
    REGISTRY[cls.kind] = cls
    return cls


def parse(kind: str, given: Any) -> Command:
    """The command of `kind` from JSON-like data; raises KeyError for an unknown kind and
    pydantic.ValidationError for bad input."""
    return REGISTRY[kind].model_validate(given)
