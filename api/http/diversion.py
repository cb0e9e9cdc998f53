"""Reading the diversion signals (R11-R15): open suspicions for the dashboard and the
auditor's views, campaigns with their totals, an item's compensation. Every route needs
`read`, and a place reader sees the suspicions and payments of its places only
(api.access.reading); nothing here writes (the commands are POST /steps/{kind})."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.access import reading
from api.access.auth import system_of
from api.http import paging
from api.http.problems import PROBLEM_RESPONSES
from api.http.reads import Reader, RegisterPage

router = APIRouter(tags=["reading"], responses=PROBLEM_RESPONSES)


@router.get("/diversion/suspicions", response_model=RegisterPage)
async def suspicions(
    request: Request,
    caller: Reader,
    include_resolved: Annotated[bool, Query(description="also those settled")] = False,
    offset: paging.Offset = 0,
    limit: paging.Limit = 100,
) -> RegisterPage:
    """R11: items whose marking is that of one melted, on a signed statement or returned,
    oldest first; each names both items, the old item's batch and statement (`details`)."""
    process = system_of(request).process
    reader = reading.scope_of(caller)
    found = [
        d
        for d in process.suspicions(open_only=not include_resolved)
        if reading.sees_discrepancy(process, reader, d)
    ]
    shown, following = paging.page(found, offset, limit)
    return RegisterPage(entries=[d.to_json() for d in shown], next=following)


@router.get("/campaigns", response_model=RegisterPage)
async def campaigns(
    request: Request, _: Reader, offset: paging.Offset = 0, limit: paging.Limit = 100
) -> RegisterPage:
    """Surrender campaigns, each with its totals (items, rifled, by category, paid, budget
    left, in tenge), a page at a time."""
    process = system_of(request).process
    shown, following = paging.page(process.campaigns(), offset, limit)
    entries = [{**c.to_json(), "totals": process.campaign_totals(c.id)} for c in shown]
    return RegisterPage(entries=entries, next=following)


@router.get("/campaigns/{campaign_id}", response_model=dict[str, Any])
async def campaign(request: Request, campaign_id: str, _: Reader) -> dict[str, Any]:
    """One campaign's totals (404 for a campaign nobody opened)."""
    return system_of(request).process.campaign_totals(campaign_id)


@router.get("/items/{item_id}/payments", response_model=RegisterPage)
async def payments(request: Request, item_id: str, caller: Reader) -> RegisterPage:
    """The compensation paid for an item (R14: at most one), who paid and who checked it;
    the recipient only as the keyed hash of their national identity number."""
    process = system_of(request).process
    reading.item_json(process, caller, item_id)  # 404 for an item elsewhere, or unknown
    found = process.payments(item_id)
    return RegisterPage(entries=[p.to_json() for p in found], next=None)
