"""Discrepancies and inventory counts: what is missing, extra or does not weigh what it
should blocks its subject until an official settles it."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_validator

from workflows import grammar, inventory
from workflows.commands.base import Command, command
from workflows.commands.fields import Details, Flag, Id, Note, Text, Word
from workflows.unit_of_work import Work


@command
class RecordDiscrepancy(Command):
    kind: ClassVar[str] = "discrepancy_recorded"
    summary: ClassVar[str] = "Record an inventory discrepancy; it blocks the item until resolved"
    subject: Id
    reason: Text
    details: Details | None = None

    def run(self, work: Work) -> str:
        return inventory.record(work, self.subject, self.reason, self.details)


@command
class ResolveDiscrepancy(Command):
    kind: ClassVar[str] = "discrepancy_resolved"
    summary: ClassVar[str] = "Settle a discrepancy: found, corrected or lost"
    discrepancy: Id
    resolution: Word = Field(description="found, lost or corrected")
    note: Note

    def run(self, work: Work) -> None:
        inventory.resolve(work, self.discrepancy, self.resolution, self.note)


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

    def run(self, work: Work) -> dict[str, Any]:
        return inventory.count(work, self.location, self.items)
