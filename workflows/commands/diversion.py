"""Diversion signals (R11-R15): settling a suspicion, surrender campaigns, compensation."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field, SecretStr

from workflows import campaigns, comebacks, compensation
from workflows.commands.base import Command, command
from workflows.commands.fields import ActIn, Date, Id, Text
from workflows.commands.inventory import subject_place
from workflows.unit_of_work import Work

Tenge = Annotated[int, Field(strict=True, gt=0, le=10**12, description="whole tenge")]


@command
class ReportDiversion(Command):
    kind: ClassVar[str] = "diversion_suspected"
    summary: ClassVar[str] = (
        "Suspect an item of being one destroyed or returned (R11; intake and batch loading "
        "do it themselves)"
    )
    item: Id
    old_item: Id = Field(description="the item destroyed or returned whose marking it bears")

    def acts_at(self, work: Work) -> set[str]:
        # where the item is, which the entry records as its place (workflows.access.place_of)
        work.load("items", [self.item])
        found = work.world.items.get(self.item)
        return {found.location} if found is not None else set()

    def run(self, work: Work) -> str:
        return comebacks.report(work, self.item, self.old_item)


@command
class ResolveDiversion(Command):
    kind: ClassVar[str] = "diversion_resolved"
    summary: ClassVar[str] = (
        "Settle a diversion suspicion, the authorised official's signed act (R11): "
        "different_weapon, re_marked or diversion_confirmed"
    )
    discrepancy: Id
    act: ActIn = Field(
        description="act {kind, person, key_id, time, item, discrepancy, "
        "outcome, note} and its signature"
    )

    def objects(self) -> list[tuple[str, str]]:
        return [("discrepancies", self.discrepancy)]

    def acts_at(self, work: Work) -> set[str]:
        work.load("discrepancies", [self.discrepancy])
        found = work.world.discrepancies.get(self.discrepancy)
        return subject_place(work, self.kind, found.subject) if found is not None else set()

    def run(self, work: Work) -> None:
        comebacks.resolve(work, self.discrepancy, self.act.signed())


@command
class OpenCampaign(Command):
    kind: ClassVar[str] = "campaign_opened"
    summary: ClassVar[str] = "Open a surrender campaign: period, places, budget, tariffs (R15)"
    campaign: Id
    name: Text
    starts: Date
    ends: Date
    places: list[Id] = Field(min_length=1, max_length=1000)
    budget_tenge: Tenge
    tariffs: dict[str, Annotated[int, Field(strict=True, ge=0, le=10**9)]] = Field(
        description="tenge per item, by category"
    )

    def acts_at(self, work: Work) -> set[str]:
        return set()  # a register: at no place

    def run(self, work: Work) -> str:
        campaigns.open_campaign(
            work,
            self.campaign,
            self.name,
            self.starts,
            self.ends,
            self.places,
            self.budget_tenge,
            self.tariffs,
        )
        return self.campaign


@command
class PayCompensation(Command):
    kind: ClassVar[str] = "compensation_paid"
    summary: ClassVar[str] = (
        "Compensation paid for a surrendered item (R12, R14, R15); a second person checks it"
    )
    item: Id
    amount_tenge: Tenge
    reference: Text = Field(description="the payment order's reference")
    national_id: SecretStr = Field(
        description="the recipient's national identity number (ИИН, 12 digits); only its "
        "keyed hash is kept"
    )

    # Its form (12 digits) is checked by workflows.compensation.recipient_hash, whose
    # refusal does not repeat it: a validation error here would carry the input along.

    def run(self, work: Work) -> str:
        given = self.national_id.get_secret_value()
        return compensation.pay(work, self.item, self.amount_tenge, self.reference, given)


@command
class ConfirmCompensation(Command):
    kind: ClassVar[str] = "compensation_confirmed"
    summary: ClassVar[str] = "Check another person's compensation payment (R13, four eyes)"
    payment: Id

    def objects(self) -> list[tuple[str, str]]:
        return [("payments", self.payment)]

    def acts_at(self, work: Work) -> set[str]:
        work.load("payments", [self.payment])
        found = work.world.payments.get(self.payment)
        if found is None:
            return set()
        work.load("items", [found.item])
        item = work.world.items.get(found.item)
        return {item.location} if item is not None else set()

    def run(self, work: Work) -> Any:
        compensation.confirm(work, self.payment)
        return None
