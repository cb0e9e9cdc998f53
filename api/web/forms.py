"""Forms beyond scanning: an intake file uploaded from the page (api.imports, as `custody
import` reads it: every row or none), and cutting (R6) with each item's weight after cutting
and the photos before and after (R10 at cut: a firearm's marking must show).

Each builds the same command the API and the CLI build and runs it through the API's writer.
"""

from __future__ import annotations

import re
import tempfile
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from api.access import reading
from api.access.roles import READ
from api.errors import Forbidden, TooLarge
from api.http.strict_json import StrictJSONRoute
from api.imports import intake_file
from api.imports import photos as intake_photos
from api.imports.csv_table import TableError
from api.imports.intake_rows import RowError
from api.web import i18n, queues, sessions
from api.web.acts import upload as keep_upload
from api.web.places import names as place_names
from api.web.render import Visitor, page, system_of, visitor
from api.web.resubmit import already_applied, applied_twice
from workflows import grammar
from workflows.commands import CloseTransfer, Cut, RegisterItems
from workflows.errors import RuleViolation, UnknownObject, WorkflowError
from workflows.model import Discrepancy, Item, Transfer
from workflows.repository import Repository
from workflows.world import World

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
_CHUNK = 1 << 20
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
# The rows one file sent from the page may hold: what one API request takes (RegisterItems),
# registered in one short transaction, all or none; a longer list is split, or imported with
# `custody import` (b12: 100,000 rows held the write lock for seconds).
WEB_ROWS = 1000


def _require(me: Visitor, permission: str) -> None:
    if not me.may(permission):
        raise Forbidden(me.role, permission)


# -- an intake file ------------------------------------------------------------------------------


@router.get("/import", response_class=HTMLResponse)
async def import_page(me: Me) -> Response:
    _require(me, RegisterItems.kind)
    return page("import.html.j2", me.language, me, most=WEB_ROWS)


async def _save(request: Request, upload: UploadFile, folder: Path, name: str) -> Path:
    """The upload kept under `folder` as `name` (made safe), within the upload limit."""
    limit = request.app.state.accounts.config.upload_max_bytes
    path, size = folder / (_SAFE_NAME.sub("_", name) or "file"), 0
    with path.open("wb") as handle:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"a file is at most {limit} bytes")
            handle.write(chunk)
    return path


@router.post("/import", response_class=HTMLResponse)
async def import_file(
    request: Request,
    me: Me,
    table: Annotated[UploadFile, File()],
    photos: Annotated[list[UploadFile] | None, File()] = None,
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    """Register every row of the uploaded .csv or .xlsx file, or none: the page names the
    first bad line and column, or the rule a row's item broke. Photos named in its `photo`
    column come in the same form."""
    sessions.check_csrf(me.session, csrf)
    _require(me, RegisterItems.kind)
    gettext = i18n.gettext_of(me.language)
    system = system_of(request)
    limit = request.app.state.accounts.config.upload_max_bytes
    with tempfile.TemporaryDirectory(prefix="custody-import-") as work:
        folder = Path(work)
        # The table by its own extension; the photos kept apart, each by its number, and
        # known by the plain file name they were sent with: a photo cell names one of them
        # or nothing (api.imports.photos.sent), never a file of the server.
        suffix = Path(table.filename or "").suffix.lower()
        path = await _save(request, table, folder, f"table{suffix}")
        sent: dict[str, Path] = {}
        (folder / "photos").mkdir()
        for number, photo in enumerate(photos or []):
            if photo.filename:
                if photo.filename in sent:  # which one a cell means, nobody could tell
                    error = gettext("Nothing was imported: %(why)s") % {
                        "why": gettext(
                            "two photos are named %(name)s: give each photo its own name"
                        )
                        % {"name": grammar.shown(photo.filename)}
                    }
                    return page("import.html.j2", me.language, me, 422, error=error, most=WEB_ROWS)
                sent[photo.filename] = await _save(request, photo, folder / "photos", str(number))

        # The photos wait beside the store until every row is checked (FileStore.staged).
        with system.process.files.staged() as staged:

            def stored(cell: str) -> dict[str, Any]:
                content = intake_photos.sent(sent, cell, limit)
                try:
                    return staged.put(content, "marking").to_json()
                except WorkflowError as exc:
                    raise RowError("photo", f"{cell!r}: {exc}") from None

            places = {p.id for p in await run_in_threadpool(system.process.locations)}
            try:
                read = await run_in_threadpool(
                    partial(
                        intake_file.read,
                        path,
                        stored,
                        places,
                        max_rows=WEB_ROWS,
                        name=Path(table.filename or "").name,
                    )
                )
            except (TableError, WorkflowError) as exc:
                error = gettext("Nothing was imported: %(why)s") % {
                    "why": i18n.reason(exc, me.language)
                }
                return page("import.html.j2", me.language, me, 422, error=error, most=WEB_ROWS)
            try:
                command = RegisterItems(intakes=read.intakes)  # at most WEB_ROWS, as the API's
                _, ids = await request.app.state.writer.run(
                    me.principal, staged.action(command.perform)
                )
            except RuleViolation as refused:
                where = read.where.get(refused.item or "", "")
                error = gettext("Nothing was imported: %(why)s") % {
                    "why": (where + ": " if where else "") + i18n.refusal(refused, me.language)
                }
                return page("import.html.j2", me.language, me, 422, error=error, most=WEB_ROWS)
            except WorkflowError as exc:
                error = gettext("Nothing was imported: %(why)s") % {
                    "why": i18n.reason(exc, me.language)
                }
                return page("import.html.j2", me.language, me, 422, error=error, most=WEB_ROWS)
    return page(
        "import.html.j2",
        me.language,
        me,
        imported=ids,
        described=read.table.described,
        most=WEB_ROWS,
    )


# -- cutting (R6) --------------------------------------------------------------------------------


def _deformed(request: Request, me: Visitor) -> list[Item]:
    spec = queues.spec_of(me.role, "cut")
    if spec is None:
        return []
    process = system_of(request).process
    shown = queues.one_page(process, spec, queues.places_of(me.principal), 1)
    return [row.item for row in shown.rows]


def _cut_invalid(exc: ValidationError, waiting: list[Item], language: str) -> str:
    """The cutting form's first field the command refused, by its label on the page: an
    item's weight after cutting (a whole number of grams), else the field's name."""
    gettext = i18n.gettext_of(language)
    where = [str(p) for p in exc.errors()[0]["loc"]]
    if where[:1] == ["weights"] and len(where) > 1:
        names = {i.id: i.name for i in waiting}
        label = gettext("Weight after cutting, grams") + ": " + names.get(where[1], where[1])
        return gettext("%(field)s: a whole number of grams above zero, digits 0-9") % {
            "field": label
        }
    why = i18n.invalid_why(exc, language)
    field = i18n.field_label(".".join(where), gettext)
    if why is not None:  # the grammar's sentence: the character it names
        return gettext("Check the field %(field)s: %(why)s") % {"field": field, "why": why}
    return gettext("%(field)s: check what was typed") % {"field": field}


@router.get("/cut", response_class=HTMLResponse)
async def cut_page(request: Request, me: Me) -> Response:
    _require(me, Cut.kind)
    waiting = await run_in_threadpool(_deformed, request, me)
    return page("cut.html.j2", me.language, me, waiting=waiting)


@router.post("/cut", response_class=HTMLResponse)
async def cut(request: Request, me: Me) -> Response:
    """Cut the chosen items: each with its weight after cutting (grams), the three cuts R6
    asks confirmed, the photos before and after (and, for firearms, one with the marking)."""
    form = await request.form()
    sessions.check_csrf(me.session, str(form.get("csrf") or ""))
    _require(me, Cut.kind)
    gettext = i18n.gettext_of(me.language)
    chosen = [grammar.typed(str(v)) for v in form.getlist("items")]
    weights: dict[str, Any] = {}
    typed: dict[str, str] = {}  # every weight typed, chosen or not: kept after a refusal
    for key, value in form.multi_items():
        if key.startswith("weight-") and isinstance(value, str) and value.strip():
            typed[key.removeprefix("weight-")] = grammar.typed(value)[:32]
    for item in chosen:
        given = typed.get(item, "")
        weights[item] = int(given) if given.isascii() and given.isdigit() else given
    cuts = {c: form.get(c) == "true" for c in ("barrel_along", "barrel_across", "parts_through")}
    # The photos wait beside the store until the cut is checked (FileStore.staged).
    with system_of(request).process.files.staged() as staged:
        files = []
        for field, role in (("before", "before"), ("after", "after"), ("marking", "marking")):
            upload = form.get(field)
            if isinstance(upload, StarletteUpload) and upload.filename:
                files.append(await keep_upload(request, upload, role, staged))
        waiting = await run_in_threadpool(_deformed, request, me)

        def again(message: str) -> Response:
            """The page again with the refusal, and what was typed and ticked kept (a browser
            cannot keep the chosen photos: the page says to choose them again)."""
            kept = {"items": set(chosen), "weights": typed, "cuts": cuts}
            return page(
                "cut.html.j2", me.language, me, 422, waiting=waiting, error=message, kept=kept
            )

        if not chosen:
            return again(gettext("Scan or choose at least one item"))
        try:
            command = Cut.model_validate({"weights": weights, **cuts, "files": files})
            written, _ = await request.app.state.writer.run(
                me.principal, staged.action(command.perform)
            )
        except ValidationError as exc:
            return again(_cut_invalid(exc, waiting, me.language))
        except RuleViolation as refused:
            system, actor = system_of(request), me.principal.username
            if await run_in_threadpool(already_applied, system, actor, Cut.kind, chosen):
                said = applied_twice(Cut.kind, len(chosen), me.language)
                return page("cut.html.j2", me.language, me, waiting=waiting, done=said)
            return again(i18n.refusal(refused, me.language))
        except UnknownObject:  # or at a place the clerk does not read at: the same words
            return again(gettext("Nothing of that id is registered"))
        except WorkflowError as exc:
            return again(gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)})
        waiting = await run_in_threadpool(_deformed, request, me)
        message = gettext("%(step)s: %(n)s items, %(e)s ledger entries written") % {
            "step": gettext(i18n.STEPS["cut"]),
            "n": i18n.number(len(chosen), me.language),
            "e": i18n.number(written, me.language),
        }
        return page("cut.html.j2", me.language, me, waiting=waiting, done=message)


# -- a transfer coming in, with its discrepancies ---------------------------------------------


def _transfer(
    request: Request, me: Visitor, transfer_id: str
) -> tuple[Transfer, list[Discrepancy]]:
    """The transfer and the discrepancies about its items on its route (received but never
    sent, sent but not received), read from the state tables; UnknownObject for one
    nobody sent, or one neither from nor to the visitor's places (api.access.reading)."""
    system = system_of(request)
    transfer = system.process.transfer(transfer_id)
    reading.check(me.principal, transfer, "transfer", transfer_id)
    subjects = [*transfer.sent, *transfer.unexpected]
    with system.ledger.database.read() as conn:
        repo = Repository(conn)
        world = World()
        repo.load(world, "items", subjects)
        ids = [world.items[i].discrepancy for i in subjects if i in world.items]
        repo.load(world, "discrepancies", [i for i in ids if i])
        found = [
            d for d in world.discrepancies.values() if d.details.get("transfer") == transfer_id
        ]
    return transfer, sorted(found, key=lambda d: d.opened_seq)


@router.get("/transfers/{transfer_id}", response_class=HTMLResponse)
async def transfer_page(request: Request, me: Me, transfer_id: str) -> Response:
    """What was sent, what has arrived, what is missing or came unexpected, and the
    discrepancies opened for them; receiving is scanning (the scan page, this transfer's
    step), closing turns what has not arrived into discrepancies."""
    _require(me, READ)
    try:
        transfer, found = await run_in_threadpool(_transfer, request, me, transfer_id)
    except UnknownObject:
        gettext = i18n.gettext_of(me.language)
        message = gettext("No transfer %(id)s") % {"id": transfer_id}
        return page("error.html.j2", me.language, me, 404, message=message)
    names = place_names(system_of(request).process, me.language)
    return page(
        "transfer.html.j2", me.language, me, transfer=transfer, discrepancies=found, names=names
    )


@router.post("/transfers/{transfer_id}/close", response_class=HTMLResponse)
async def close_transfer(
    request: Request,
    me: Me,
    transfer_id: str,
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    """Close the transfer (CloseTransfer): each item sent and not received gets its
    discrepancy. Then the transfer's page again, showing them."""
    sessions.check_csrf(me.session, csrf)
    _require(me, CloseTransfer.kind)
    gettext = i18n.gettext_of(me.language)
    try:
        command = CloseTransfer(transfer=transfer_id)
        await request.app.state.writer.run(me.principal, command.perform)
    except UnknownObject:
        # Nobody sent it, or it is neither from nor to the visitor's places: the same page
        # as the transfer's own for such an id, naming no place (docs/access.md).
        message = gettext("No transfer %(id)s") % {"id": transfer_id}
        return page("error.html.j2", me.language, me, 404, message=message)
    except RuleViolation as refused:
        message = i18n.refusal(refused, me.language)
        return page("error.html.j2", me.language, me, 422, message=message)
    except WorkflowError as exc:
        message = gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)}
        return page("error.html.j2", me.language, me, 422, message=message)
    return RedirectResponse(f"/web/transfers/{transfer_id}?closed=1", status_code=303)
