"""Statements over HTTP: the list, and each as a PDF that carries its own evidence."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.access import reading
from api.access.auth import require, system_of
from api.access.roles import READ
from api.access.tokens import Principal
from api.http import paging
from api.http.problems import PROBLEM_RESPONSES
from api.http.reads import RegisterPage
from api.http.strict_json import StrictJSONRoute
from api.statements import gather_evidence, label_items, statement_basis, statements
from api.zones import canonical
from certificates.words import LANGUAGES
from certificates.worker import Renderer
from workflows.errors import InvalidRequest

router = APIRouter(tags=["statements"], responses=PROBLEM_RESPONSES, route_class=StrictJSONRoute)
Reader = Annotated[Principal, Depends(require(READ))]
PDF = "application/pdf"


@router.get("/statements", response_model=RegisterPage)
async def statement_list(
    request: Request, caller: Reader, offset: paging.Offset = 0, limit: paging.Limit = 100
) -> RegisterPage:
    """Every furnace and burn batch (a place reader's: those at its places): its state,
    signatures so far and quorum, a page at a time."""
    reader = reading.scope_of(caller)
    found = await anyio.to_thread.run_sync(statements, system_of(request), reader)
    shown, following = paging.page(found, offset, limit)
    return RegisterPage(entries=shown, next=following)


@router.get(
    "/batches/{batch_id}/statement.pdf",
    response_class=Response,
    responses={200: {"content": {PDF: {}}, "description": "the statement, PDF/A-3"}},
)
async def statement_pdf(
    request: Request,
    batch_id: str,
    caller: Reader,
    lang: Annotated[str, Query(description="ru, kk or en")] = "ru",
    tz: Annotated[
        str | None,
        Query(
            max_length=64,
            description="IANA time zone (default: the server's); a link (an alias) is taken "
            "as its zone; posix/ and right/ names are refused",
        ),
    ] = None,
) -> Response:
    """The statement of a destroyed batch, with its evidence attached (`custody
    verify-statement` checks it offline). 503 with Retry-After when the renderer has as
    many statements rendering or waiting as it takes (a cached one is served all the same)."""
    if lang not in LANGUAGES:
        raise InvalidRequest(f"no statement language {lang!r}: choose {', '.join(LANGUAGES)}")
    # One render per real zone: a link is its zone, posix/ and right/ are refused (api.zones).
    zone = canonical(tz) if tz is not None else request.app.state.timezone
    system = system_of(request)
    batch = await anyio.to_thread.run_sync(system.process.batch, batch_id)
    reading.check(caller, batch, "batch", batch_id)
    basis = await anyio.to_thread.run_sync(statement_basis, system, batch_id)
    renderer: Renderer = request.app.state.renderer
    public_url = request.app.state.public_url
    evidence_of = partial(gather_evidence, system)
    pdf = await renderer.statement_async(basis, lang, zone, evidence_of, public_url)
    name = f"statement-{batch_id}-{lang}.pdf"
    return Response(
        pdf,
        media_type=PDF,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"},
    )


@router.get(
    "/items/{item_id}/label.pdf",
    response_class=Response,
    responses={200: {"content": {PDF: {}}, "description": "the item's label"}},
)
async def item_label(
    request: Request,
    item_id: str,
    caller: Reader,
    lang: Annotated[str, Query(description="ru, kk or en")] = "ru",
    single: Annotated[bool, Query(description="a 62 mm label (else an A4 sheet)")] = True,
) -> Response:
    """The item's intake label: marking, record number and a QR code."""
    if lang not in LANGUAGES:
        raise InvalidRequest(f"no label language {lang!r}: choose {', '.join(LANGUAGES)}")
    system = system_of(request)
    await anyio.to_thread.run_sync(reading.item_json, system.process, caller, item_id)
    items = await anyio.to_thread.run_sync(label_items, system, [item_id])
    renderer: Renderer = request.app.state.renderer
    pdf = await renderer.labels_async(items, lang, single)
    return Response(pdf, media_type=PDF)


def _quote(name: str) -> str:
    return quote(name, safe="")
