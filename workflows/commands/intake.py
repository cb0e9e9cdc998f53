"""Intake at the unit (R10) and the decisions that govern an item's hold there (R1)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from workflows import grammar, intake, reading
from workflows.commands.base import Command, command
from workflows.commands.fields import (
    Date,
    Details,
    FileIn,
    Files,
    Flag,
    Grams,
    Id,
    Items,
    Marking,
    Note,
    Part,
    Text,
    Word,
    files,
)
from workflows.intake import new_item_id
from workflows.unit_of_work import Work
from workflows.world import unknown

__all__ = ["IntakeIn", "new_item_id"]  # a label's id, for ways in that print labels first

FILE_ROWS = 100_000  # the rows of one intake file, registered in one transaction
FIRST_YEAR = 1800  # the earliest year of make an intake takes (the last: this year, UTC)


class DecisionIn(Part):
    ref: Text
    authority: Word = Field(description="court, official or military_technical_commission")
    date: Date = Field(description="YYYY-MM-DD: a day of the calendar, not after today")


class IntakeIn(Part):
    category: Word = Field(description="firearm, gas, edged, part or ammunition")
    source: Word = Field(description="confiscated, surrendered, found or surplus")
    location: Id
    weight_g: Grams
    item: Id | None = Field(default=None, description="the id on its label; made if absent")
    rifled: Flag = False
    marking: Marking | None = None
    marking_place: Text | None = None
    unmarked: Flag = Field(default=False, description="R10: its id is then its internal tag")
    quantity: int | None = Field(
        default=None, strict=True, gt=0, le=100_000_000, description="ammunition lots"
    )
    details: Details = Field(
        default_factory=dict, description="type, model, calibre, manufacturer, country, year"
    )
    decision: DecisionIn | None = None
    files: Files = ()
    campaign: Id | None = Field(default=None, description="the surrender campaign it came in")

    # Fields that contradict each other are refused, never one of them dropped (issue 12):
    # each check runs when its field is reached, the fields it compares having been read.
    @field_validator("rifled")
    @classmethod
    def _rifled_firearm(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("category", "firearm") != "firearm":
            raise ValueError("only a firearm is rifled")
        return value

    @field_validator("unmarked")
    @classmethod
    def _unmarked_alone(cls, value: bool, info: ValidationInfo) -> bool:
        if value and (info.data.get("marking") or info.data.get("marking_place")):
            raise ValueError(
                "R10: an item registered as unmarked has no marking nor marking place: "
                "give the marking, or unmarked, not both"
            )
        return value

    @field_validator("files")
    @classmethod
    def _each_file_once(cls, value: tuple[FileIn, ...]) -> tuple[FileIn, ...]:
        seen: set[str] = set()
        for given in value:
            if given.sha256 in seen:
                raise ValueError(f"file {given.sha256} is given twice: name each file once")
            seen.add(given.sha256)
        return value

    @field_validator("quantity")
    @classmethod
    def _quantity_of_a_lot(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("category", "ammunition") != "ammunition":
            raise ValueError("only a lot of ammunition has a quantity")
        return value

    @field_validator("details")
    @classmethod
    def _year_of_make(cls, value: dict[str, Any]) -> dict[str, Any]:
        """details.year, when given: a whole number from FIRST_YEAR to this year (UTC)."""
        if "year" in value:
            year, last = value["year"], dt.datetime.now(dt.UTC).year
            if type(year) is not int or not FIRST_YEAR <= year <= last:
                raise ValueError(f"details.year is a whole number from {FIRST_YEAR} to {last}")
        return value

    def intake(self) -> intake.Intake:
        return intake.Intake(
            category=self.category,
            source=self.source,
            location=self.location,
            weight_g=self.weight_g,
            item=self.item,
            rifled=self.rifled,
            marking=self.marking,
            marking_place=self.marking_place,
            unmarked=self.unmarked,
            quantity=self.quantity,
            details=dict(self.details),
            decision=self.decision.model_dump() if self.decision else None,
            files=files(self.files),
            campaign=self.campaign,
        )


@command
class RegisterItems(Command):
    kind: ClassVar[str] = "item_registered"
    summary: ClassVar[str] = "Register items at intake (R10)"
    intakes: list[IntakeIn] = Field(min_length=1, max_length=1000)

    def acts_at(self, work: Work) -> set[str]:
        return {i.location for i in self.intakes}

    @model_validator(mode="after")
    def _each_item_once(self) -> RegisterItems:
        grammar.not_repeated([i.item for i in self.intakes if i.item is not None])
        return self

    def run(self, work: Work) -> list[str]:
        return intake.register(work, [i.intake() for i in self.intakes])


class RegisterItemsFromFile(RegisterItems):
    """RegisterItems for a whole intake file (`custody import`): the same command, written as
    one transaction (all rows or none), for lists longer than one HTTP request may carry.
    Not registered: no route takes it; its permission is RegisterItems's."""

    intakes: list[IntakeIn] = Field(min_length=1, max_length=FILE_ROWS)


@command
class RecordDecision(Command):
    kind: ClassVar[str] = "decision_recorded"
    summary: ClassVar[str] = "Record the court's or official's decision (starts the R1 clock)"
    items: Items
    decision: DecisionIn
    files: Files = ()

    def run(self, work: Work) -> None:
        intake.record_decision(work, self.items, self.decision.model_dump(), files(self.files))


class DecisionStep(Command):
    """A later step of a decision: appealed, suspended, final or reversed, with the date it
    happened (R1 counts from it): lodged, ordered, final or reversed; today at the unit if
    not given."""

    items: Items
    note: Note | None = None
    files: Files = ()
    date: Date | None = Field(default=None, description="YYYY-MM-DD the event happened")
    document: Text | None = Field(
        default=None,
        description="the document it rests on: the court's case number, the act's reference",
    )

    def run(self, work: Work) -> None:
        given = files(self.files)
        intake.decision_step(
            work, self.kind, self.items, self.note, given, self.date, self.document
        )

    def seen(self, work: Work) -> None:
        """As Command.seen, but an item is seen at the place of its decision too (its
        `unit`), where this step is done (workflows.access.place_of), wherever the item is
        now: the unit that recorded a decision records its appeal after the item has left
        (issue 19). Where the item is now is not told: nothing is returned."""
        reader = work.gate.reads(work)
        if reader is False:
            return
        work.load("items", self.items)
        for item_id in self.items:
            found = work.world.find("items", item_id)
            if found is None or not reading.sees(reader, reading.decision_places(found)):
                raise unknown("items", item_id)


# An appeal or a suspension stops R1's clock for as long as it lasts: one with no date and
# nothing to show for it would let anyone at the unit stop the clock for ever (issue 19,
# fix19f M3). Both are required of them, by every way in (the command is the one door); the
# document is one line of text (fields.Text: not blank, no space at either end).
_LODGED = "YYYY-MM-DD the appeal was lodged (required: R1 stops from that day)"
_ORDERED = "YYYY-MM-DD the suspension was ordered (required: R1 stops from that day)"


@command
class AppealDecision(DecisionStep):
    kind: ClassVar[str] = "decision_appealed"
    summary: ClassVar[str] = "An appeal: the R1 clock stops"
    date: Date = Field(description=_LODGED)
    document: Text = Field(description="the court's case number of the appeal (required)")


@command
class SuspendDecision(DecisionStep):
    kind: ClassVar[str] = "decision_suspended"
    summary: ClassVar[str] = "A suspension: the R1 clock stops"
    date: Date = Field(description=_ORDERED)
    document: Text = Field(
        description="the reference of the act that suspends the decision (required)"
    )


@command
class FinaliseDecision(DecisionStep):
    kind: ClassVar[str] = "decision_final"
    summary: ClassVar[str] = "The decision is final: after a pause, R1's 10 days run from its date"
    date: Date = Field(description="YYYY-MM-DD the decision became final")


@command
class ReverseDecision(DecisionStep):
    kind: ClassVar[str] = "decision_reversed"
    summary: ClassVar[str] = "The decision is reversed: the item goes back to its owner"


@command
class ReturnToOwner(Command):
    kind: ClassVar[str] = "item_returned"
    summary: ClassVar[str] = "Hand items back to their owner after a reversed decision"
    items: Items
    owner: Text

    def run(self, work: Work) -> None:
        intake.return_to_owner(work, self.items, self.owner)
