"""Dual control (four eyes), for administrators: the changes that make a signer or an
administrator (workflows.dual), proposed by one administrator and written only when another
confirms them. Each is an entry of the ledger (`change_proposed`, `change_confirmed` then the
change itself, `change_declined`), through the process's commands (api.access.changes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.access import changes
from api.access.auth import require, system_of
from api.access.roles import ADMIN
from api.access.tokens import Principal
from api.http.problems import PROBLEM_RESPONSES
from api.http.strict_json import StrictBody, StrictJSONRoute
from workflows.commands.fields import Text
from workflows.model import Proposal
from workflows.world import unknown

router = APIRouter(
    prefix="/changes",
    tags=["accounts"],
    responses=PROBLEM_RESPONSES,
    route_class=StrictJSONRoute,
)
Admin = Annotated[Principal, Depends(require(ADMIN))]


class ChangeIn(StrictBody):
    change: str = Field(
        description="the entry kind it writes once confirmed: account_created, role_granted, "
        "key_added, key_rotated, commission_member_added, commission_member_removed"
    )
    fields: dict[str, Any] = Field(description="that command's input, as POST /steps takes it")


class ChangeOut(BaseModel):
    id: str
    change: str
    fields: dict[str, Any]
    concerns: str = Field(description="the account it is about")
    proposed_by: str
    proposed_at: str
    state: str = Field(description="proposed, confirmed or declined")
    decided_by: str | None
    decided_at: str | None
    reason: str | None


class DeclineIn(StrictBody):
    reason: Text


def out(proposal: Proposal) -> ChangeOut:
    return ChangeOut(
        id=proposal.id,
        change=proposal.kind,
        fields=proposal.fields,
        concerns=proposal.concerns,
        proposed_by=proposal.proposed_by,
        proposed_at=proposal.proposed_at,
        state=proposal.state,
        decided_by=proposal.decided_by,
        decided_at=proposal.decided_at,
        reason=proposal.reason,
    )


@router.get("", response_model=list[ChangeOut])
async def awaiting(request: Request, _: Admin) -> list[ChangeOut]:
    """The proposals awaiting confirmation, oldest first."""
    found = await run_in_threadpool(changes.pending, system_of(request).process)
    return [out(p) for p in found]


@router.get("/{proposal}", response_model=ChangeOut)
async def one(request: Request, proposal: str, _: Admin) -> ChangeOut:
    found = await run_in_threadpool(changes.find, system_of(request).process, proposal)
    if found is None:
        raise unknown("proposals", proposal)
    return out(found)


@router.post("", response_model=ChangeOut, status_code=201)
async def propose(request: Request, body: ChangeIn, caller: Admin) -> ChangeOut:
    """Propose a change (a `change_proposed` entry): checked as it would be done now, and
    written only when another administrator confirms it."""
    process = system_of(request).process
    made = await run_in_threadpool(
        changes.propose, process, caller.username, body.change, body.fields, True
    )
    found = await run_in_threadpool(changes.find, process, made)
    assert found is not None
    return out(found)


@router.post("/{proposal}/confirm", status_code=204)
async def confirm(request: Request, proposal: str, caller: Admin) -> Response:
    """Confirm another administrator's proposal (`change_confirmed`, then the change itself,
    as your entry). Refused (403, ACCESS "four eyes") to its proposer, to the account it
    concerns and to that account's creator."""
    process = system_of(request).process
    found = await run_in_threadpool(changes.find, process, proposal)
    if found is None:
        raise unknown("proposals", proposal)
    await run_in_threadpool(changes.confirm, process, caller.username, proposal, True)
    request.app.state.accounts.forget_user(found.concerns)
    return Response(status_code=204)


@router.post("/{proposal}/decline", status_code=204)
async def decline(request: Request, proposal: str, body: DeclineIn, caller: Admin) -> Response:
    """Decline another administrator's proposal (`change_declined`): it never takes effect."""
    process = system_of(request).process
    if await run_in_threadpool(changes.find, process, proposal) is None:
        raise unknown("proposals", proposal)
    await run_in_threadpool(changes.decline, process, caller.username, proposal, body.reason)
    return Response(status_code=204)
