"""Discrepancies and inventory counts: what is missing, extra or does not weigh what it
should blocks its subject until an official settles it."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_validator

from workflows import grammar, inventory
from workflows.access import place_of
from workflows.commands.base import Command, command
from workflows.commands.fields import Details, Flag, Grams, Id, Note, Text, Word
from workflows.unit_of_work import Work


def subject_place(work: Work, kind: str, subject: str) -> set[str]:
    """Where a discrepancy's subject is: its item, or its batch."""
    work.load("items", [subject])
    work.load("batches", [subject])
    place = place_of(work.world, kind, subject, {})
    return {place} if place is not None else set()


@command
class RecordDiscrepancy(Command):
    kind: ClassVar[str] = "discrepancy_recorded"
    summary: ClassVar[str] = "Record an inventory discrepancy; it blocks the item until resolved"
    subject: Id
    reason: Text
    details: Details | None = None

    def objects(self) -> list[tuple[str, str]]:
        return [("items", self.subject)]  # an item the actor does not read: as unknown

    def acts_at(self, work: Work) -> set[str]:
        return subject_place(work, self.kind, self.subject)

    def run(self, work: Work) -> str:
        return inventory.record_given(work, self.subject, self.reason, self.details)


@command
class ResolveDiscrepancy(Command):
    kind: ClassVar[str] = "discrepancy_resolved"
    summary: ClassVar[str] = "Settle a discrepancy: found, corrected or lost"
    discrepancy: Id
    resolution: Word = Field(description="found, lost or corrected")
    note: Note
    corrected_charge_g: Grams | None = Field(
        default=None,
        description=(
            "grams: the right charge weight, required when a batch's weight discrepancy is "
            "settled corrected (it must reconcile with the items' weight), given for no other"
        ),
    )

    def objects(self) -> list[tuple[str, str]]:
        return [("discrepancies", self.discrepancy)]

    def acts_at(self, work: Work) -> set[str]:
        work.load("discrepancies", [self.discrepancy])
        found = work.world.discrepancies.get(self.discrepancy)
        return subject_place(work, self.kind, found.subject) if found is not None else set()

    def run(self, work: Work) -> None:
        inventory.resolve(
            work, self.discrepancy, self.resolution, self.note, self.corrected_charge_g
        )


@command
class CountInventory(Command):
    kind: ClassVar[str] = "inventory_counted"
    summary: ClassVar[str] = (
        "An inventory count: discrepancies for what is missing and what is extra"
    )
    location: Id
    items: list[Id] = Field(max_length=100_000, description="every item scanned at the place, once")
    empty: Flag = Field(
        default=False, description="true when nothing was found at the place (items is then [])"
    )

    @model_validator(mode="after")
    def _an_empty_place_is_said_so(self) -> CountInventory:
        # An empty list would otherwise turn every item on hand into a discrepancy: a count
        # sent before the scans were attached must not read as "the shelves are bare".
        if not self.items and not self.empty:
            raise ValueError('an empty count says so: send "empty": true, or the items scanned')
        if self.items and self.empty:
            raise ValueError("a count with items scanned is not empty")
        grammar.not_repeated(self.items)
        return self

    def objects(self) -> list[tuple[str, str]]:
        return []  # the items scanned at the count: unknown ones are what it records

    def acts_at(self, work: Work) -> set[str]:
        return {self.location}

    def run(self, work: Work) -> dict[str, Any]:
        return inventory.count(work, self.location, self.items)
