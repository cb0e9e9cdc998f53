"""The supervision register: who is told of a place's deadlines, and who above them."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from workflows import supervision
from workflows.commands.base import Command, command
from workflows.commands.fields import Id
from workflows.unit_of_work import Work

Level = Field(description="staff, supervisor or regional_head")


@command
class AssignSupervisor(Command):
    kind: ClassVar[str] = "supervisor_assigned"
    summary: ClassVar[str] = "A person answers for a place's deadlines (staff, supervisor, head)"
    location: Id
    person: Id = Field(description="their username: notices go to their account's e-mail")
    level: str = Level

    def run(self, work: Work) -> None:
        supervision.assign(work, self.location, self.person, self.level)


@command
class WithdrawSupervisor(Command):
    kind: ClassVar[str] = "supervisor_withdrawn"
    summary: ClassVar[str] = "A person no longer answers for a place's deadlines"
    location: Id
    person: Id
    level: str = Level

    def run(self, work: Work) -> None:
        supervision.withdraw(work, self.location, self.person, self.level)
