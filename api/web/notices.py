"""The person's own notices of due and overdue deadlines (issue 19) on their home page, and
acknowledging one there: through api.notices.acknowledging, as the API does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import text
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from api.http.strict_json import StrictJSONRoute
from api.notices.acknowledging import acknowledge_own
from api.web import sessions
from api.web.render import Visitor, system_of, visitor

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
SHOWN = 10


@dataclass(frozen=True)
class Open:
    """The person's notices not yet acknowledged: how many, and the newest SHOWN."""

    total: int
    rows: list[dict[str, Any]]


def open_of(conn: Connection, person: str) -> Open:
    """Reads the indexed rows of one person (ix_api_notices_person)."""
    where = "person = :person AND acknowledged_at IS NULL"
    total = conn.execute(
        text(f"SELECT COUNT(*) FROM api_notices WHERE {where}"),  # noqa: S608
        {"person": person},
    ).scalar_one()
    rows = conn.execute(
        text(
            "SELECT id, item, rule, due_at, kind, level, place, created_at "  # noqa: S608
            f"FROM api_notices WHERE {where} ORDER BY id DESC LIMIT {SHOWN}"
        ),
        {"person": person},
    )
    return Open(int(total), [dict(row) for row in rows.mappings()])


@router.post("/notices/{notice_id}/ack")
async def acknowledge(
    request: Request,
    me: Me,
    notice_id: int,
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    """The person has read their notice (Forbidden for another's); reading is not acting:
    an overdue one still climbs until the item moves."""
    sessions.check_csrf(me.session, csrf)
    await run_in_threadpool(acknowledge_own, system_of(request), me.principal, notice_id)
    return RedirectResponse(f"/web/?acknowledged={notice_id}#notices", status_code=303)
