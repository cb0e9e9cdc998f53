"""POST /steps/{kind}: one endpoint per step of the process (api.steps), each allowed to the
roles whose permissions name its entry kind, each accepting an Idempotency-Key.

No `from __future__ import annotations` here: FastAPI reads each endpoint's body model from
its annotation, which is a different model per step."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth import require
from api.problems import PROBLEM_RESPONSES
from api.steps import STEPS, Step
from api.tokens import Principal
from api.writes import Writer

router = APIRouter(prefix="/steps", tags=["steps"], responses=PROBLEM_RESPONSES)


class Written(BaseModel):
    entries: int = Field(description="how many ledger entries the step wrote")
    first_seq: int | None
    last_seq: int | None
    result: Any = Field(description="ids the step made (items, discrepancies), if any")


def writer_of(request: Request) -> Writer:
    return request.app.state.writer  # type: ignore[no-any-return]


def _add(step: Step) -> None:
    model = step.model

    async def endpoint(
        request: Request,
        body: model,  # type: ignore[valid-type]
        caller: Annotated[Principal, Depends(require(step.kind))],
    ) -> Response:
        return await writer_of(request).write(request, caller, lambda work: step.run(work, body))

    endpoint.__name__ = step.kind
    router.add_api_route(
        f"/{step.kind}",
        endpoint,
        methods=["POST"],
        response_model=Written,
        summary=step.summary,
        description=f"Writes `{step.kind}` entries. Needs the `{step.kind}` permission. "
        "Send an Idempotency-Key to make retries safe.",
    )


for _step in STEPS:
    _add(_step)
