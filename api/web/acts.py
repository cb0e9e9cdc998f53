"""Forms that record what people do and sign: an intake with its marking photo and decision
(RegisterItems), and a registry result signed in the browser with the examiner's own key
(RecordRegistryResults). The key file is opened by the page (static/web/sign.js: libsodium's
Argon2id and secretbox, then Ed25519); only the signed act comes here, never the key or the
passphrase."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from api.errors import Forbidden, TooLarge
from api.http.strict_json import StrictBody, StrictJSONRoute
from api.web import i18n, sessions
from api.web.i18n import N_
from api.web.render import Visitor, page, system_of, visitor
from custody.errors import CustodyError
from workflows import grammar, reading
from workflows.commands import RecordRegistryResults, RegisterItems
from workflows.errors import RuleViolation, UnknownObject, WorkflowError
from workflows.files import FileStore
from workflows.model import Location
from workflows.repository import ItemSearch

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
_CHUNK = 1 << 20
# The intake form's fields by the labels the page shows them under (a refusal names them so).
_LABELS = {
    "details.model": N_("Model"),
    "marking": N_("Marking"),
    "weight_g": N_("Weight, grams"),
    "decision.ref": N_("Decision number"),
    "decision.date": N_("Date"),
}


def _require(me: Visitor, permission: str) -> None:
    if not me.may(permission):
        raise Forbidden(me.role, permission)


@router.get("/intake", response_class=HTMLResponse)
async def intake_page(request: Request, me: Me) -> Response:
    _require(me, RegisterItems.kind)
    places = await _intake_places(request, me)
    today = dt.datetime.now(ZoneInfo(me.zone)).date().isoformat()  # the person's day
    return page("intake.html.j2", me.language, me, places=places, today=today, form={})


async def _intake_places(request: Request, me: Visitor) -> list[Location]:
    """The places the person may register items at: a unit or a warehouse, and of those
    only the person's own when they have places (any other is refused: ACCESS)."""
    places = await run_in_threadpool(system_of(request).process.locations)
    mine = set(getattr(me.principal, "places", None) or ())
    return [p for p in places if p.kind in ("unit", "warehouse") and (not mine or p.id in mine)]


async def upload(
    request: Request, given: StarletteUpload, role: str, staged: FileStore
) -> dict[str, Any]:
    """Keep an uploaded photo or document under `role` in `staged` (FileStore.staged: into
    the store only once the form's command is checked; TooLarge past the limit, checked as it
    comes); its file reference for a command's `files`."""
    limit = request.app.state.accounts.config.upload_max_bytes
    content = bytearray()
    while chunk := await given.read(_CHUNK):
        content += chunk
        if len(content) > limit:
            raise TooLarge(f"a file is at most {limit} bytes")
    ref = await run_in_threadpool(staged.put, bytes(content), role)
    return ref.to_json()


def intake_given(
    typed_in: dict[str, str], rifled: bool, unmarked: bool, files: list[dict[str, Any]]
) -> dict[str, Any]:
    """The intake form's fields (`typed_in`: location, category, source, weight_g, marking,
    model, decision_ref, decision_authority, decision_date, as typed) as the API's JSON gives
    the intake: every text through `grammar.typed` (spaces and tabs at the ends removed, as
    a CSV cell's are, docs/identifiers.md), so " UNIT-ALM " and " 3500 " make the command
    the API makes of "UNIT-ALM" and 3500; nothing else is changed."""
    cell = {name: grammar.typed(value) for name, value in typed_in.items()}
    weight = cell["weight_g"]
    given: dict[str, Any] = {
        "category": cell["category"],
        "source": cell["source"],
        "location": cell["location"],
        # A form is text; the command takes whole numbers as integers (docs/identifiers.md).
        # ASCII digits only: anything else goes on as given, for the model to refuse by name.
        "weight_g": int(weight) if weight.isascii() and weight.isdigit() else weight,
        "rifled": rifled,
        "files": files,
        "details": {"model": cell["model"]} if cell["model"] else {},
    }
    # R10: an item without a marking is registered as unmarked only when the form says so
    # (its checkbox); a blank marking alone is refused by the process as the API's is.
    if cell["marking"]:
        given["marking"] = cell["marking"]
    if unmarked:
        given["unmarked"] = True
    # The decision is all of its fields or none: a date without its number (or the reverse)
    # is refused by the route naming the missing one, never dropped (the authority has a
    # default, so it alone says nothing). Recorded as its own step (workflows.intake).
    ref, date = cell["decision_ref"], cell["decision_date"]
    if ref or date:
        given["decision"] = {"ref": ref, "authority": cell["decision_authority"], "date": date}
    return given


@router.post("/intake", response_class=HTMLResponse)
async def intake(
    request: Request,
    me: Me,
    location: Annotated[str, Form(max_length=128)],
    category: Annotated[str, Form(max_length=32)],
    source: Annotated[str, Form(max_length=32)],
    weight_g: Annotated[str, Form(max_length=32)],
    marking: Annotated[str, Form(max_length=2000)] = "",
    model: Annotated[str, Form(max_length=200)] = "",
    rifled: Annotated[bool, Form()] = False,
    unmarked: Annotated[bool, Form()] = False,
    decision_ref: Annotated[str, Form(max_length=2000)] = "",
    decision_authority: Annotated[str, Form(max_length=64)] = "court",
    decision_date: Annotated[str, Form(max_length=32)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    sessions.check_csrf(me.session, csrf)
    _require(me, RegisterItems.kind)
    gettext = i18n.gettext_of(me.language)
    # A photo waits beside the store until the intake is checked (FileStore.staged).
    with system_of(request).process.files.staged() as staged:
        files = (
            [await upload(request, photo, "marking", staged)]
            if photo is not None and photo.filename
            else []
        )
        fields = {
            "location": location,
            "category": category,
            "source": source,
            "weight_g": weight_g,
            "marking": marking,
            "model": model,
            "decision_ref": decision_ref,
            "decision_authority": decision_authority,
            "decision_date": decision_date,
        }
        given = intake_given(fields, rifled, unmarked, files)
        ref, date = grammar.typed(decision_ref), grammar.typed(decision_date)
        missing = [
            label
            for label, value in ((N_("Decision number"), ref), (N_("Date"), date))
            if not value
        ]
        places = await _intake_places(request, me)
        # What was typed, drawn again with a refusal (a file cannot be: the page says so).
        typed = {
            "location": location,
            "category": category,
            "source": source,
            "weight_g": weight_g,
            "marking": marking,
            "model": model,
            "rifled": rifled,
            "unmarked": unmarked,
            "decision_ref": decision_ref,
            "decision_date": decision_date,
            "decision_authority": decision_authority,
            "photo": bool(files),
        }

        def refused_page(error: str) -> Response:
            return page(
                "intake.html.j2",
                me.language,
                me,
                422,
                places=places,
                error=error,
                today=today,
                form=typed,
            )

        today = dt.datetime.now(ZoneInfo(me.zone)).date().isoformat()
        if (ref or date) and missing:
            return refused_page(
                gettext("The decision needs all its fields: %(field)s is missing")
                % {"field": gettext(missing[0])}
            )

        try:
            command = RegisterItems.model_validate({"intakes": [given]})
            _, ids = await request.app.state.writer.run(
                me.principal, staged.action(command.perform)
            )
        except ValidationError as exc:
            return refused_page(i18n.invalid_field(exc, me.language, skip=2, labels=_LABELS))
        except RuleViolation as refused:
            # The item's id was made for this intake and never written: not named.
            unnamed = RuleViolation(refused.rule, refused.message)
            return refused_page(i18n.refusal(unnamed, me.language))
        except WorkflowError as exc:
            return refused_page(
                gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)}
            )
        return RedirectResponse(f"/web/items/{ids[0]}?registered=1", status_code=303)


# -- registry results, signed in the browser ---------------------------------------------------


@router.get("/registry", response_class=HTMLResponse)
async def registry_page(request: Request, me: Me, item: str | None = None) -> Response:
    _require(me, RecordRegistryResults.kind)
    system = system_of(request)

    # Only the items at the examiner's own places: a select naming another laboratory's
    # items would tell what is there (docs/access.md).
    reader = reading.scope(me.principal.roles, me.principal.places)

    def read() -> tuple[list[Any], list[Any]]:
        waiting = system.process.items(ItemSearch(state="test_fired", limit=200, places=reader))
        waiting += system.process.items(ItemSearch(state="at_forensics", limit=200, places=reader))
        with system.ledger.database.read() as conn:
            keys = [
                k
                for k in system.ledger.keys(conn)
                if k.owner == me.username
                and k.purpose == "act"
                and k.revoked_at_seq is None
                and k.rotated_at_seq is None
            ]
        return waiting, keys

    waiting, keys = await run_in_threadpool(read)
    return page("registry.html.j2", me.language, me, waiting=waiting, keys=keys, chosen=item)


class SignedResult(StrictBody):
    item: str = Field(min_length=1, max_length=128)
    act: dict[str, Any]
    sig: str = Field(max_length=200)


@router.post("/registry")
async def record_result(request: Request, me: Me, signed: SignedResult) -> Response:
    sessions.check_csrf(me.session, request.headers.get(sessions.CSRF_HEADER))
    _require(me, RecordRegistryResults.kind)
    gettext = i18n.gettext_of(me.language)
    case = signed.act.get("case")
    if signed.act.get("result") == "match" and (not isinstance(case, str) or not case.strip()):
        # A match without its case reference is a missing field, not a damaged act: the
        # newcomer read "the signed act is malformed: ... the text is blank" (issue 15, R4).
        message = gettext("A match needs the case reference: enter the criminal case's number.")
        return JSONResponse({"ok": False, "message": message}, 422)
    try:
        command = RecordRegistryResults.model_validate(
            {"results": [{"item": signed.item, "act": {"act": signed.act, "sig": signed.sig}}]}
        )
        written, _ = await request.app.state.writer.run(me.principal, command.perform)
    except ValidationError as exc:
        # the field and, where the grammar's sentence is known, why (the desk's newcomer: a
        # match without its case reference was only "malformed")
        why = i18n.invalid_field(exc, me.language, skip=3)
        message = gettext("The signed act is malformed") + ": " + why
        return JSONResponse({"ok": False, "message": message}, 422)
    except RuleViolation as refused:
        return JSONResponse({"ok": False, "message": i18n.refusal(refused, me.language)}, 422)
    except UnknownObject:  # or at a place the examiner does not read at: the same words
        message = gettext("No item %(code)s is registered") % {"code": signed.item}
        return JSONResponse({"ok": False, "message": message}, 404)
    except CustodyError as exc:
        return JSONResponse(
            {
                "ok": False,
                "message": gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)},
            },
            422,
        )
    message = gettext("Registry result recorded for %(item)s, signed by you") % {
        "item": signed.item
    }
    return JSONResponse({"ok": True, "message": message, "entries": written})
