"""Furnace and burn batches, who is present, the destruction itself and its statement
(R7, R8, R9)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from workflows import batches, statements
from workflows.commands.base import Command, command
from workflows.commands.fields import ActIn, Files, Id, Items, Part, Text, files
from workflows.unit_of_work import Work
from workflows.vocabulary import BURN, FURNACE


@command
class OpenBatch(Command):
    kind: ClassVar[str] = "batch_opened"
    summary: ClassVar[str] = "Open a furnace or burn batch"
    batch: Id
    kind_of_batch: str = Field(alias="kind", description="furnace or burn")
    location: Id
    installation: Text
    commission: Id

    def run(self, work: Work) -> None:
        batches.open_batch(
            work, self.batch, self.kind_of_batch, self.location, self.installation, self.commission
        )


@command
class LoadBatch(Command):
    kind: ClassVar[str] = "batch_loaded"
    summary: ClassVar[str] = "Load items scanned at the furnace or bunker"
    batch: Id
    items: Items = Field(description="as scanned at the furnace or bunker")

    def run(self, work: Work) -> None:
        batches.load(work, self.batch, self.items)


class PresentIn(Part):
    person: Id
    role: str = Field(description="commission_member, plant_representative or expert")
    full_name: Text | None = Field(
        default=None,
        description="as the statement prints it (a commission member's: from the commission)",
    )
    position: Text | None = Field(default=None, description="their post, as printed")


@command
class RecordPresence(Command):
    kind: ClassVar[str] = "presence_recorded"
    summary: ClassVar[str] = "Record who is present at a batch (R7, R9)"
    batch: Id
    present: list[PresentIn] = Field(min_length=1, max_length=100)

    def run(self, work: Work) -> None:
        batches.record_presence(
            work,
            self.batch,
            [batches.Present(p.person, p.role, p.full_name, p.position) for p in self.present],
        )


class Destroy(Command):
    """Melt a furnace batch or burn an ammunition batch."""

    batch_kind: ClassVar[str]
    batch: Id
    facts: dict[str, Any] = Field(
        description="charge_weight_g, scrap_weight_g; for a burn also method, quantity, "
        "explosive_type, explosive_amount"
    )
    files: Files = ()
    per_item: dict[Id, dict[str, Any]] | None = None

    def run(self, work: Work) -> str | None:
        return batches.destroy(
            work, self.batch, self.facts, files(self.files), self.per_item, self.batch_kind
        )


@command
class Melt(Destroy):
    kind: ClassVar[str] = "melted"
    batch_kind: ClassVar[str] = FURNACE
    summary: ClassVar[str] = (
        "Melt a furnace batch; returns a weight discrepancy it opened, if any (R7)"
    )


@command
class Burn(Destroy):
    kind: ClassVar[str] = "burned"
    batch_kind: ClassVar[str] = BURN
    summary: ClassVar[str] = (
        "Burn an ammunition batch; returns a weight discrepancy it opened, if any (R9)"
    )


@command
class SignStatement(Command):
    kind: ClassVar[str] = "statement_signed"
    summary: ClassVar[str] = "Sign a destruction statement with your own key (R8)"
    batch: Id
    act: ActIn

    def run(self, work: Work) -> None:
        statements.sign(work, self.batch, self.act.signed())
