"""Dual control (four eyes): a change that makes a signer or an administrator is proposed by
one administrator and takes effect only when another confirms it (workflows.dual).

    id = process.run("admin", ProposeChange(change="role_granted",
                                             fields={"username": "kim", "role": "official"}))
    process.run("admin2", ConfirmChange(proposal=id))   # change_confirmed, then role_granted
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from pydantic import Field

from custody.store import Store
from workflows import dual
from workflows.commands.base import REGISTRY, Command, command
from workflows.commands.fields import Text
from workflows.errors import AccessRefused, InvalidRequest
from workflows.model import Proposal
from workflows.unit_of_work import Work

ProposalId = Field(pattern="^CHG-[0-9A-F]{16}$", description="the proposal's id")


def new_proposal_id() -> str:
    """CHG- and 16 random hex digits (64 bits)."""
    return "CHG-" + secrets.token_hex(8).upper()


class ChangeCommand(Command):
    """Done by administrators through their own routes (/changes), at no place."""

    step_route: ClassVar[bool] = False


def _command(kind: str, fields: dict[str, Any]) -> Command:
    if kind not in dual.SIGNER_KINDS:
        raise InvalidRequest(
            f"{kind} is not a change that needs four eyes; those are: "
            + ", ".join(sorted(dual.SIGNER_KINDS))
        )
    return REGISTRY[kind].model_validate(fields)


@command
class ProposeChange(ChangeCommand):
    kind: ClassVar[str] = dual.PROPOSED
    summary: ClassVar[str] = (
        "Propose a change that makes a signer or an administrator; another administrator "
        "confirms it"
    )
    change: str = Field(
        description="the entry kind it writes once confirmed: account_created, role_granted, "
        "key_added, key_rotated, commission_member_added, commission_member_removed"
    )
    fields: dict[str, Any] = Field(description="that command's input, as POST /steps takes it")
    proposal: str = Field(default_factory=new_proposal_id, pattern="^CHG-[0-9A-F]{16}$")

    def run(self, work: Work) -> str:
        """Checks the change as it would be done now (its command run and its entries
        dropped: unknown role, a member already, an overlapping period are refused here, not
        only at confirmation); writes `change_proposed`. Returns the proposal's id."""
        change = _command(self.change, self.fields)
        fields = change.model_dump(mode="json", exclude_none=True)
        before = len(work.news)
        change.perform(work)
        work.check_new_subjects()  # the id register too, as the commit would check it
        del work.news[before:]
        owner = None
        if self.change == "key_rotated":
            known = Store(work.conn).key_records([fields["key_id"]])
            owner = known[0].owner if known else None
        concerns = dual.concerns(self.change, fields, owner)
        data = {"kind": self.change, "fields": fields, "concerns": concerns}
        work.entry(dual.PROPOSED, self.proposal, data)
        return self.proposal


def _open(work: Work, proposal_id: str) -> Proposal:
    work.load("proposals", [proposal_id])
    proposal: Proposal = work.world.proposal(proposal_id)
    work.load("accounts", [proposal.concerns])
    why = dual.confirmation_refusal(work.world, proposal, work.actor)
    if why is not None:
        raise AccessRefused(why)
    return proposal


@command
class ConfirmChange(ChangeCommand):
    kind: ClassVar[str] = dual.CONFIRMED
    summary: ClassVar[str] = (
        "Confirm another administrator's proposed change: it takes effect now, as your entry"
    )
    proposal: str = ProposalId

    def run(self, work: Work) -> Any:
        """`change_confirmed`, then the change itself (its command, run now by the
        confirming administrator: refused as it would be, and then nothing is written).
        Returns what that command returns."""
        proposal = _open(work, self.proposal)
        change = _command(proposal.kind, proposal.fields)
        work.entry(dual.CONFIRMED, proposal.id, {})
        before = len(work.news)
        result = change.perform(work)
        if len(work.news) != before + 1:  # the change is the one entry right after
            raise InvalidRequest(f"{proposal.id} would write no single {proposal.kind} entry")
        return result


@command
class DeclineChange(ChangeCommand):
    kind: ClassVar[str] = dual.DECLINED
    summary: ClassVar[str] = "Decline another administrator's proposed change"
    proposal: str = ProposalId
    reason: Text

    def run(self, work: Work) -> None:
        proposal = _open(work, self.proposal)
        work.entry(dual.DECLINED, proposal.id, {"reason": self.reason})
