"""Furnace and burn batches, who is present, the destruction itself and its statement
(R7, R8, R9)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator

from workflows import batches, statements
from workflows.access import place_of
from workflows.commands.base import Command, command
from workflows.commands.fields import ActIn, Files, Id, Items, Part, Text, Word, files
from workflows.unit_of_work import Work
from workflows.vocabulary import BURN, FURNACE


class AtBatch(Command):
    """A command done where its batch is (the plant, or the burning site)."""

    batch: Id

    def objects(self) -> list[tuple[str, str]]:
        return [("batches", self.batch)]  # its items, if any, are scanned: maybe unknown

    def acts_at(self, work: Work) -> set[str]:
        work.load("batches", [self.batch])
        place = place_of(work.world, self.kind, self.batch, {"batch": self.batch})
        return {place} if place is not None else set()


@command
class OpenBatch(Command):
    kind: ClassVar[str] = "batch_opened"
    summary: ClassVar[str] = "Open a furnace or burn batch"
    batch: Id
    kind_of_batch: Word = Field(alias="kind", description="furnace or burn")
    location: Id
    installation: Text
    commission: Id

    def acts_at(self, work: Work) -> set[str]:
        return {self.location}

    def run(self, work: Work) -> None:
        batches.open_batch(
            work, self.batch, self.kind_of_batch, self.location, self.installation, self.commission
        )


@command
class LoadBatch(AtBatch):
    kind: ClassVar[str] = "batch_loaded"
    summary: ClassVar[str] = "Load items scanned at the furnace or bunker"
    batch: Id
    items: Items = Field(description="as scanned at the furnace or bunker")

    def run(self, work: Work) -> dict[str, str] | None:
        """None, or {item: suspicion} for the items R11 suspected instead of loading."""
        return batches.load(work, self.batch, self.items) or None


@command
class UnloadItems(Command):
    kind: ClassVar[str] = "unloaded"
    summary: ClassVar[str] = (
        "Take items whose destruction is stopped (appeal, suspension, reversal, R11) out of "
        "a batch not yet destroyed"
    )
    items: Items
    reason: Text = Field(description="why the item is taken out (e.g. the appeal's case)")

    def run(self, work: Work) -> None:
        batches.unload(work, self.items, self.reason)


class PresentIn(Part):
    person: Id
    role: Word = Field(description="commission_member, plant_representative or expert")
    full_name: Text | None = Field(
        default=None,
        description="as the statement prints it (a commission member's: from the commission)",
    )
    position: Text | None = Field(default=None, description="their post, as printed")


@command
class RecordPresence(AtBatch):
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


# A fact the statement must state may be left out here: the process then refuses the step
# naming the rule that wants it (R7, R9), which tells a person more than "field required".
Weight = Annotated[int, Field(strict=True, ge=0, le=100_000_000)] | None


class FurnaceFacts(Part):
    """What a furnace's statement states (R7): the charge and the scrap, in grams."""

    charge_weight_g: Weight = None
    scrap_weight_g: Weight = None


class BurnFacts(FurnaceFacts):
    """What a burn's statement states (R9), beside the charge and the scrap."""

    method: Text | None = None
    quantity: Annotated[int, Field(strict=True, gt=0, le=100_000_000)] | None = None
    explosive_type: Text | None = None
    # Text is taken here so that the process says why it is refused (R9: whole grams).
    explosive_amount: Text | Annotated[int, Field(strict=True)] | None = Field(
        default=None,
        description=f"explosive or fuel used, whole grams, 1 to {batches.MAX_EXPLOSIVE_G} (R9)",
    )


class ItemFiles(Part):
    """What one item of a batch adds to the step: its own photos, nothing else (the batch,
    the weights and the quorum are the server's to write)."""

    files: Files = ()


class Destroy(AtBatch):
    """Melt a furnace batch or burn an ammunition batch."""

    batch_kind: ClassVar[str]
    batch: Id
    files: Files = ()
    per_item: dict[Id, ItemFiles] | None = Field(
        default=None, max_length=1000, description="an item's own photos, by item id"
    )

    def destroy(self, work: Work, facts: FurnaceFacts) -> str | None:
        per_item = (
            {item: {"files": files(own.files)} for item, own in self.per_item.items() if own.files}
            if self.per_item
            else None
        )
        given = facts.model_dump(exclude_none=True)
        kind = self.batch_kind
        return batches.destroy(work, self.batch, given, files(self.files), per_item, kind)


@command
class Melt(Destroy):
    kind: ClassVar[str] = "melted"
    batch_kind: ClassVar[str] = FURNACE
    summary: ClassVar[str] = (
        "Melt a furnace batch; returns a weight discrepancy it opened, if any (R7)"
    )
    facts: FurnaceFacts = Field(description="charge_weight_g, scrap_weight_g")

    def run(self, work: Work) -> str | None:
        return self.destroy(work, self.facts)


@command
class Burn(Destroy):
    kind: ClassVar[str] = "burned"
    batch_kind: ClassVar[str] = BURN
    summary: ClassVar[str] = (
        "Burn an ammunition batch; returns a weight discrepancy it opened, if any (R9)"
    )
    facts: BurnFacts = Field(
        description="charge_weight_g, scrap_weight_g, method, quantity, explosive_type, "
        "explosive_amount"
    )

    def run(self, work: Work) -> str | None:
        return self.destroy(work, self.facts)


class StatementAct(Part):
    """A statement signature act (DESIGN §5; workflows.statements.ACT_FIELDS): these fields
    and no other, so that nothing is signed that the statement does not show."""

    kind: Literal["statement_signed"]
    person: Id
    key_id: str = Field(max_length=100)
    time: str = Field(max_length=40)
    item: Id = Field(description="the batch")
    items: list[Id] = Field(max_length=100_000, description="every item of the batch, sorted")
    statement: str = Field(pattern="^[0-9a-f]{64}$", description="hex SHA-256 of its content")


@command
class SignStatement(AtBatch):
    kind: ClassVar[str] = "statement_signed"
    summary: ClassVar[str] = "Sign a destruction statement with your own key (R8)"
    batch: Id
    act: ActIn = Field(description="its act a StatementAct, exactly")

    @field_validator("act")
    @classmethod
    def _statement_act(cls, value: ActIn) -> ActIn:
        StatementAct.model_validate(value.act)
        return value

    def run(self, work: Work) -> None:
        statements.sign(work, self.batch, self.act.signed())
