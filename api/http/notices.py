"""Notices of due and overdue deadlines: a person's own (GET /notices), and acknowledging
one (POST /notices/{id}/ack), which records that its person read it (it does not stop an
overdue notice climbing: only the deadline met does)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.access.auth import require, system_of
from api.access.roles import READ
from api.access.tokens import Principal
from api.http.problems import PROBLEM_RESPONSES
from api.http.strict_json import StrictJSONRoute
from api.notices import outbox
from api.notices.acknowledging import acknowledge_own

router = APIRouter(tags=["notices"], responses=PROBLEM_RESPONSES, route_class=StrictJSONRoute)
Reader = Annotated[Principal, Depends(require(READ))]


class NoticeOut(BaseModel):
    id: int
    item: str
    rule: str
    due_at: str
    kind: str = Field(
        description="due_soon, overdue, long_pause (a clock stopped longer than "
        "CUSTODY_LONG_PAUSE_DAYS), appeal_waits (a decision appealed or suspended after "
        "the item left the unit: destruction waits), destroyed_early (one dated on or before a "
        "destroying step already recorded), or key_registered (item: the key id)"
    )
    level: str = Field(description="staff, supervisor or regional_head")
    person: str
    place: str
    created_at: str
    sent_at: str | None
    acknowledged_at: str | None
    acknowledged_by: str | None


def _out(row: dict[str, Any]) -> NoticeOut:
    return NoticeOut(**{k: row[k] for k in NoticeOut.model_fields})


@router.get("/notices", response_model=list[NoticeOut])
async def notices(
    request: Request,
    caller: Reader,
    unacknowledged: Annotated[bool, Query(description="only those not acknowledged")] = False,
) -> list[NoticeOut]:
    """The caller's own notices, newest first."""
    where = "person = :person" + (" AND acknowledged_at IS NULL" if unacknowledged else "")
    with system_of(request).ledger.database.read() as conn:
        rows = outbox.listed(conn, where, {"person": caller.username})
    return [_out(row) for row in rows]


@router.post("/notices/{notice_id}/ack", response_model=NoticeOut)
async def acknowledge(request: Request, notice_id: int, caller: Reader) -> NoticeOut:
    """The addressee has read the notice (it still climbs while the deadline is overdue and
    not met). The first acknowledgement stands (who and when); acknowledging again changes
    nothing. 403 (in the Accept-Language asked for) for a notice written to someone else."""
    system = system_of(request)
    # Off the event loop: on SQLite a write may wait for another process's lock.
    row = await run_in_threadpool(acknowledge_own, system, caller, notice_id)
    return _out(row)
