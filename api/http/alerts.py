"""Login alerts for administrators: the accounts and addresses whose failed logins reached
the limit (api.access.throttle writes them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.access.auth import accounts_of, require
from api.access.roles import ADMIN
from api.access.tokens import Principal
from api.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["login"], responses=PROBLEM_RESPONSES)


class AlertOut(BaseModel):
    at: str = Field(description="RFC 3339 UTC")
    scope: str = Field(description="account, address or known (an address the account used)")
    username: str
    address: str
    failures: int


@router.get("/auth/alerts", response_model=list[AlertOut])
async def alerts(
    request: Request,
    _: Annotated[Principal, Depends(require(ADMIN))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertOut]:
    """Newest first: who was guessed at, from where, how many failures (administrators)."""
    found = await run_in_threadpool(accounts_of(request).alerts, limit)
    return [AlertOut(**alert.to_json()) for alert in found]
