"""The item page: what the item is, its photos, its state, the steps allowed next (and for a
step not allowed, the rule that stops it), and its whole chain of entries as a timeline, each
with a button that checks its inclusion proof against the signed checkpoint in the browser
(static/web/proof.js: SHA-256 and Ed25519 in WebCrypto). Also its label and its files.

Staff read the items at their places only (api.access.reading): another place's item is
answered as an unknown one."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access import reading
from api.access.roles import READ
from api.errors import Forbidden
from api.http.files import INLINE_FILE_HEADERS
from api.http.strict_json import StrictJSONRoute
from api.statements import label_items
from api.web import i18n
from api.web.places import names as place_names
from api.web.render import Visitor, page, system_of, visitor
from api.web.scan import STEP_FIELDS
from custody.entries import decode
from workflows.errors import RuleViolation, UnknownObject
from workflows.machines import WORKFLOWS
from workflows.model import Item
from workflows.repository import Repository
from workflows.world import World

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]


@dataclass(frozen=True)
class Moment:
    """One entry of the item's chain, as the timeline shows it."""

    seq: int
    time: str
    actor: str
    kind: str
    body: str  # base64 of the exact stored bytes: what proof.js hashes
    leaf_hash: str
    act: dict[str, Any] | None


def _reader(me: Visitor) -> None:
    if not me.may(READ):
        raise Forbidden(me.role, READ)


def _read(
    request: Request, me: Visitor, item_id: str
) -> tuple[Item, list[Moment], list[tuple[str, RuleViolation | None]], dict[str, str]]:
    """The item, its entries, the steps next with the rule that stops each, and the names
    of the people who wrote its entries (username -> name, as the accounts register has it)."""
    system = system_of(request)
    item = system.process.item(item_id)
    reading.check(me.principal, item, "item", item_id)
    with system.ledger.database.read() as conn:
        entries = system.ledger.item_history(conn, item_id)
        world = World()
        actors = {decode(e.body).actor for e in entries}
        Repository(conn).load(world, "accounts", sorted(actors))
        people = {a.id: a.name for a in world.accounts.values()}
    moments = []
    for entry in entries:
        body = decode(entry.body)
        moments.append(
            Moment(
                entry.seq,
                body.time,
                body.actor,
                body.kind,
                base64.b64encode(entry.body).decode(),
                entry.leaf_hash.hex(),
                body.data.get("act"),
            )
        )
    steps = WORKFLOWS[item.workflow].steps_from(item.state)
    next_steps = [(step, system.process.refusal(step, item_id)) for step in steps]
    return item, moments, next_steps, people


@router.get("/items/{item_id}", response_class=HTMLResponse)
async def item_page(request: Request, item_id: str, me: Me) -> Response:
    _reader(me)
    try:
        item, moments, next_steps, people = await run_in_threadpool(_read, request, me, item_id)
    except UnknownObject:
        gettext = i18n.gettext_of(me.language)
        message = gettext("No item %(code)s is registered") % {"code": item_id}
        return page("error.html.j2", me.language, me, 404, message=message)
    refusals = {step: i18n.refusal(v, me.language) for step, v in next_steps if v is not None}
    # The steps this person may take here now, each a small form (through /web/steps/apply).
    doable = [s for s, v in next_steps if v is None and s in STEP_FIELDS and me.may(s)]
    process = system_of(request).process
    places = await run_in_threadpool(process.locations) if doable else []
    return page(
        "item.html.j2",
        me.language,
        me,
        item=item,
        moments=moments,
        next_steps=[s for s, _ in next_steps],
        refusals=refusals,
        doable=doable,
        fields=STEP_FIELDS,
        places=places,
        names=place_names(process, me.language, (item.location,)),
        people=people,
    )


@router.get("/items/{item_id}/label.pdf")
async def label(request: Request, item_id: str, me: Me) -> Response:
    """The intake label in the reader's language (the API's label, certificates.labels)."""
    _reader(me)
    system = system_of(request)
    await anyio.to_thread.run_sync(reading.item_json, system.process, me.principal, item_id)
    items = await anyio.to_thread.run_sync(label_items, system, [item_id])
    pdf = await request.app.state.renderer.labels_async(items, me.language, True)
    return Response(pdf, media_type="application/pdf")


@router.get("/files/{sha256}")
async def file(request: Request, sha256: str, me: Me) -> Response:
    _reader(me)
    path, media_type = system_of(request).process.files.stored(sha256)
    # Shown inline in the page, but never sniffed or run as a page of this origin.
    return FileResponse(path, media_type=media_type, headers=INLINE_FILE_HEADERS)
