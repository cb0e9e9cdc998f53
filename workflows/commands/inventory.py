"""Discrepancies and inventory counts: what is missing, extra or does not weigh what it
should blocks its subject until an official settles it."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from workflows import inventory
from workflows.commands.base import Command, command
from workflows.commands.fields import Id, Text
from workflows.unit_of_work import Work


@command
class RecordDiscrepancy(Command):
    kind: ClassVar[str] = "discrepancy_recorded"
    summary: ClassVar[str] = "Record an inventory discrepancy; it blocks the item until resolved"
    subject: Id
    reason: Text
    details: dict[str, Any] | None = None

    def run(self, work: Work) -> str:
        return inventory.record(work, self.subject, self.reason, self.details)


@command
class ResolveDiscrepancy(Command):
    kind: ClassVar[str] = "discrepancy_resolved"
    summary: ClassVar[str] = "Settle a discrepancy: found, corrected or lost"
    discrepancy: Id
    resolution: str = Field(description="found, lost or corrected")
    note: Text

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

    def run(self, work: Work) -> dict[str, Any]:
        return inventory.count(work, self.location, self.items)
