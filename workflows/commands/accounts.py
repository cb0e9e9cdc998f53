"""Accounts, their roles and places, and device tokens: written as entries of the ledger in the
same transaction as the service's own change (its credentials), so that who may do what,
where, is proven like every other step (workflows.accounts)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from workflows import accounts, grammar
from workflows.commands.base import Command, command
from workflows.commands.fields import Id, Text
from workflows.unit_of_work import Work

Username = Id
Role = str
Place = Id


class AccountCommand(Command):
    """Done by administrators through the accounts' own routes (/users), which keep the
    password beside the entry; at no place."""

    step_route: ClassVar[bool] = False


@command
class CreateAccount(AccountCommand):
    kind: ClassVar[str] = "account_created"
    summary: ClassVar[str] = "Make an account: its person's name, roles and places"
    username: Username
    name: Text
    roles: list[Role] = Field(min_length=1, max_length=8)
    places: list[Place] = Field(default_factory=list, max_length=100)

    @field_validator("roles", "places")
    @classmethod
    def _each_once(cls, given: list[str]) -> list[str]:
        return grammar.not_repeated(given)  # refused, not merged: a proposal signs the list

    def run(self, work: Work) -> None:
        accounts.create(work, self.username, self.name, self.roles, self.places)


@command
class GrantRole(AccountCommand):
    kind: ClassVar[str] = "role_granted"
    summary: ClassVar[str] = "Grant an account a role"
    username: Username
    role: Role

    def run(self, work: Work) -> None:
        accounts.grant(work, self.username, self.role)


@command
class WithdrawRole(AccountCommand):
    kind: ClassVar[str] = "role_withdrawn"
    summary: ClassVar[str] = "Withdraw a role from an account"
    username: Username
    role: Role

    def run(self, work: Work) -> None:
        accounts.withdraw(work, self.username, self.role)


@command
class AssignPlace(AccountCommand):
    kind: ClassVar[str] = "place_assigned"
    summary: ClassVar[str] = "Assign an account a place it acts at"
    username: Username
    place: Place

    def run(self, work: Work) -> None:
        accounts.assign(work, self.username, self.place)


@command
class WithdrawPlace(AccountCommand):
    kind: ClassVar[str] = "place_withdrawn"
    summary: ClassVar[str] = "Withdraw a place from an account"
    username: Username
    place: Place

    def run(self, work: Work) -> None:
        accounts.unassign(work, self.username, self.place)


@command
class DisableAccount(AccountCommand):
    kind: ClassVar[str] = "account_disabled"
    summary: ClassVar[str] = "Disable an account (its tokens stop at once)"
    username: Username

    def run(self, work: Work) -> None:
        accounts.disable(work, self.username)


@command
class EnableAccount(AccountCommand):
    kind: ClassVar[str] = "account_enabled"
    summary: ClassVar[str] = "Enable a disabled account"
    username: Username

    def run(self, work: Work) -> None:
        accounts.enable(work, self.username)


@command
class IssueDeviceToken(AccountCommand):
    kind: ClassVar[str] = "device_token_issued"
    summary: ClassVar[str] = "Issue a device token bound to an account, a role and a place"
    device: str = Field(pattern="^DEV-[0-9A-F]{16}$", description="the token's id")
    username: Username
    role: Role
    place: Place | None = None
    label: Text
    expires_at: str = Field(description="RFC 3339 UTC")

    def run(self, work: Work) -> None:
        accounts.issue_device(
            work, self.device, self.username, self.role, self.place, self.label, self.expires_at
        )


@command
class RevokeDeviceToken(AccountCommand):
    kind: ClassVar[str] = "device_token_revoked"
    summary: ClassVar[str] = "Revoke one device token"
    device: str = Field(pattern="^DEV-[0-9A-F]{16}$")
    reason: Text = "revoked"

    def run(self, work: Work) -> None:
        accounts.revoke_device(work, self.device, self.reason)
