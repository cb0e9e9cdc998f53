"""The registers of places and commissions, kept in the ledger like everything else."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field

from workflows import grammar, registers
from workflows.commands.base import Command, command
from workflows.commands.fields import Id, Text, Word
from workflows.unit_of_work import Work


@command
class AddLocation(Command):
    kind: ClassVar[str] = "location_added"
    summary: ClassVar[str] = "Add a unit, warehouse, forensic unit or plant"
    location: Id
    kind_of_place: Word = Field(alias="kind", description="unit, warehouse, forensics or plant")
    name: Text
    region: Text
    time_zone: Annotated[str, AfterValidator(grammar.zone_name)] | None = Field(
        default=None,
        max_length=grammar.MAX_ZONE,
        description="tz database zone its days are counted in (R1), e.g. Asia/Qostanay; "
        "default: its region's, else CUSTODY_TIMEZONE",
    )
    names: dict[str, Text] | None = Field(
        default=None, description="the name in the statement languages: {ru, kk, en}, any"
    )

    def run(self, work: Work) -> None:
        registers.add_location(
            work,
            self.location,
            self.kind_of_place,
            self.name,
            self.region,
            self.time_zone,
            self.names,
        )


@command
class AddCommissionMember(Command):
    kind: ClassVar[str] = "commission_member_added"
    summary: ClassVar[str] = "A person joins a commission"
    commission: Id
    person: Id
    role: Word = Field(description="chair or member")
    name: Text | None = Field(default=None, description="the commission's name, when new")
    names: dict[str, Text] | None = Field(
        default=None, description="the new commission's name in {ru, kk, en}, any"
    )
    since: str | None = Field(
        default=None,
        max_length=32,  # 27, and room for an offset (+05:00), refused naming it
        description="RFC 3339 UTC with six fractional digits; not before the record horizon "
        "(CUSTODY_RECORD_HORIZON), not in the future; default: now",
    )
    full_name: Text | None = Field(default=None, description="as the statement prints it")
    position: Text | None = Field(default=None, description="their post, as printed")

    def run(self, work: Work) -> None:
        registers.add_member(
            work,
            self.commission,
            self.person,
            self.role,
            self.name,
            self.since,
            self.full_name,
            self.position,
            self.names,
        )


@command
class RemoveCommissionMember(Command):
    kind: ClassVar[str] = "commission_member_removed"
    summary: ClassVar[str] = "A person leaves a commission"
    commission: Id
    person: Id

    def run(self, work: Work) -> None:
        registers.remove_member(work, self.commission, self.person)
