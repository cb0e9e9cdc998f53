"""Reports over HTTP: the annual report, deadline compliance and reconciliation, each computed
at today's signed checkpoint (workflows.reports) and written as JSON, CSV, .xlsx or PDF."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.access.auth import require, require_everywhere, system_of
from api.access.reading import scope_of, unknown
from api.access.roles import READ
from api.access.tokens import Principal
from api.http.problems import PROBLEM_RESPONSES
from api.http.strict_json import StrictJSONRoute
from api.reports import FORMATS, check_format, check_pdf, compute, written
from certificates.report_words import report_words
from certificates.words import UnknownLanguage
from certificates.worker import Renderer
from workflows.errors import AccessRefused, InvalidRequest
from workflows.reports.recompute import ReportRequest

router = APIRouter(tags=["reports"], responses=PROBLEM_RESPONSES, route_class=StrictJSONRoute)
Reader = Annotated[Principal, Depends(require(READ))]
# Counted over every place at a signed checkpoint: not for a reader of some places.
EveryPlace = Annotated[Principal, Depends(require_everywhere(READ))]
Format = Annotated[str, Query(alias="format", description="json, csv, xlsx or pdf (annual)")]
Lang = Annotated[str, Query(description="ru, kk or en (xlsx, pdf)")]
Zone = Annotated[str | None, Query(description="time zone (default: the server's)")]
First = Annotated[dt.date, Query(alias="from", description="first day of the period")]
Last = Annotated[dt.date, Query(alias="to", description="last day of the period")]
_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {media: {} for media in FORMATS.values()}, "description": "the report"}
}


@router.get("/reports/annual", response_class=Response, responses=_CONTENT)
async def annual_report(
    request: Request,
    caller: Reader,
    year: Annotated[int, Query(ge=1970, le=9998, description="calendar year, in the zone")],
    place: Annotated[str | None, Query(description="one place's figures")] = None,
    fmt: Format = "json",
    lang: Lang = "ru",
    tz: Zone = None,
) -> Response:
    """Small-arms statistics of a year, from the ledger, tied to a signed checkpoint (the
    JSON shape and every definition: docs/reports.md); a place reader's, of one of its
    places (403 for every place or another place); a place nobody registered is 404, not a
    year of zeros."""
    reader = scope_of(caller)
    if reader is not None and (place is None or place not in reader):
        where = place or "every place"
        raise AccessRefused(f"{caller.username} does not read at {where}", place)
    if place is not None:
        places = await anyio.to_thread.run_sync(system_of(request).process.locations)
        if place not in {p.id for p in places}:
            raise unknown("location", place)
    wanted = ReportRequest.annual(year, tz or request.app.state.timezone, place)
    return await _report(request, wanted, fmt, lang)


@router.get("/reports/compliance", response_class=Response, responses=_CONTENT)
async def compliance_report(
    request: Request, _: EveryPlace, first: First, last: Last, fmt: Format = "json",
    lang: Lang = "ru", tz: Zone = None,
) -> Response:  # fmt: skip
    """Every R1 and R2 deadline of the period, met or missed and by how much."""
    zone = tz or request.app.state.timezone
    return await _report(request, ReportRequest.between("compliance", first, last, zone), fmt, lang)


@router.get("/reports/reconciliation", response_class=Response, responses=_CONTENT)
async def reconciliation_report(
    request: Request, _: EveryPlace, first: First, last: Last, fmt: Format = "json",
    lang: Lang = "ru", tz: Zone = None,
) -> Response:  # fmt: skip
    """Stock by place against the last inventory count; weight of each furnace batch."""
    zone = tz or request.app.state.timezone
    wanted = ReportRequest.between("reconciliation", first, last, zone)
    return await _report(request, wanted, fmt, lang)


async def _report(request: Request, wanted: ReportRequest, fmt: str, lang: str) -> Response:
    check_format(fmt)
    try:
        report_words(lang)
    except UnknownLanguage as exc:
        raise InvalidRequest(str(exc)) from exc
    ledger = system_of(request).ledger
    report, _ = await anyio.to_thread.run_sync(compute, ledger, wanted)
    return await report_file(request, report, wanted, fmt, lang)


async def report_file(
    request: Request, report: dict[str, Any], wanted: ReportRequest, fmt: str, lang: str
) -> Response:
    """A computed report as a file to download (json, csv, xlsx, or pdf rendered by the
    service's renderer), named for its kind and period; for the API and the report pages."""
    renderer: Renderer = request.app.state.renderer
    if fmt == "pdf":
        check_pdf(report)
        data = await renderer.report_async(report, lang)
    else:
        data = await anyio.to_thread.run_sync(written, report, fmt, lang)
    name = f"{wanted.kind}-{wanted.period.first}-{wanted.period.last}.{fmt}"
    return Response(
        data,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
