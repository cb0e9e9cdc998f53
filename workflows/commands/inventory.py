"""Discrepancies and inventory counts: what is missing, extra or does not weigh what it
should blocks its subject until an official settles it."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from workflows import inventory
from workflows.access import place_of
from workflows.commands.base import Command, command
from workflows.commands.fields import Id, Text
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
    details: dict[str, Any] | None = None

    def acts_at(self, work: Work) -> set[str]:
        return subject_place(work, self.kind, self.subject)

    def run(self, work: Work) -> str:
        return inventory.record(work, self.subject, self.reason, self.details)


@command
class ResolveDiscrepancy(Command):
    kind: ClassVar[str] = "discrepancy_resolved"
    summary: ClassVar[str] = "Settle a discrepancy: found, corrected or lost"
    discrepancy: Id
    resolution: str = Field(description="found, lost or corrected")
    note: Text

    def acts_at(self, work: Work) -> set[str]:
        work.load("discrepancies", [self.discrepancy])
        found = work.world.discrepancies.get(self.discrepancy)
        return subject_place(work, self.kind, found.subject) if found is not None else set()

    def run(self, work: Work) -> None:
        inventory.resolve(work, self.discrepancy, self.resolution, self.note)


@command
class CountInventory(Command):
    kind: ClassVar[str] = "inventory_counted"
    summary: ClassVar[str] = (
        "An inventory count: discrepancies for what is missing and what is extra"
    )
    location: Id
    items: list[Id] = Field(max_length=100_000, description="every item scanned at the place")

    def acts_at(self, work: Work) -> set[str]:
        return {self.location}

    def run(self, work: Work) -> dict[str, Any]:
        return inventory.count(work, self.location, self.items)
