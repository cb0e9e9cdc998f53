"""POST /steps/{kind}: one endpoint per command of the process (workflows.commands), each
allowed to the roles that hold the command's permission, each accepting an Idempotency-Key.
The route only translates: the command's model is the request body, and the command does it.

No `from __future__ import annotations` here: FastAPI reads each endpoint's body model from
its annotation, which is a different model per step."""

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api import key_requests
from api.access.auth import require
from api.access.tokens import Principal
from api.http.problems import PROBLEM_RESPONSES
from api.http.strict_json import StrictJSONRoute
from api.http.writes import Writer
from workflows.commands import REGISTRY, Command
from workflows.unit_of_work import Work

router = APIRouter(
    prefix="/steps", tags=["steps"], responses=PROBLEM_RESPONSES, route_class=StrictJSONRoute
)


class Written(BaseModel):
    entries: int = Field(description="how many ledger entries the step wrote")
    first_seq: int | None
    last_seq: int | None
    result: Any = Field(description="ids the step made (items, discrepancies), if any")


def writer_of(request: Request) -> Writer:
    return request.app.state.writer  # type: ignore[no-any-return]


def _perform(command: Command, device: str | None, work: Work) -> Any:
    """The command, as its caller may do it: through their device token's role and place,
    if they came with one (workflows.gate)."""
    return command.perform(work.through(device))


def _add(command: type[Command]) -> None:
    async def endpoint(
        request: Request,
        body: command,  # type: ignore[valid-type]
        caller: Annotated[Principal, Depends(require(command.permission()))],
    ) -> Response:
        action: Callable[[Work], Any] = partial(_perform, body, caller.device)
        if command.kind in key_requests.KINDS:  # a person's key only with its owner's request
            action = key_requests.step(body, action)
        return await writer_of(request).write(request, caller, action)

    endpoint.__name__ = command.kind
    router.add_api_route(
        f"/{command.kind}",
        endpoint,
        methods=["POST"],
        response_model=Written,
        summary=command.summary,
        description=f"Writes `{command.kind}` entries. Needs the `{command.permission()}` "
        "permission, at the place it is done (403 naming the place otherwise; 404, as for "
        "an unknown id, for an item, transfer or batch the caller may not read). "
        "Send an Idempotency-Key to make retries safe.",
    )


for _command in REGISTRY.values():
    if _command.step_route:
        _add(_command)
