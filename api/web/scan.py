"""Scanning: a field that takes what a USB or Bluetooth scanner types (a label's QR payload, an
item id or a marking) and Enter, a list that grows with each item, flagged at once when the
item is not at the person's places or the chosen step's rules would stop it; then the step
applied to the whole list in one command, all or nothing (workflows.steps.advance).

The same apply route serves the home page's bulk actions. Refusals name the item and the rule
in the reader's language (api.web.i18n.refusal).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.errors import Forbidden
from api.web import i18n, queues, sessions
from api.web.render import Visitor, page, system_of, visitor
from certificates.labels import qr_text
from workflows.commands import REGISTRY
from workflows.errors import InvalidRequest, RuleViolation, UnknownObject, WorkflowError
from workflows.model import Item
from workflows.repository import Repository

router = APIRouter(prefix="/web", include_in_schema=False)
Me = Annotated[Visitor, Depends(visitor)]
PAYLOAD = qr_text("")  # "custody-item:v1;id=" and the id after it


@dataclass(frozen=True)
class Field_:
    name: str
    label: str  # msgid
    kind: str  # text | place:<kind>
    default: str = ""


def N_(message: str) -> str:
    return message


# The steps a list of scanned items can be given at once, and what each asks besides the list.
STEP_FIELDS: dict[str, tuple[Field_, ...]] = {
    "transfer_received": (Field_("transfer", N_("Transfer"), "text"),),
    "forensic_sent": (Field_("forensics", N_("Forensic unit"), "place:forensics"),),
    "forensic_received": (),
    "test_fired": (),
    "forensic_returned": (Field_("warehouse", N_("Warehouse"), "place:warehouse"),),
    "parts_removed": (
        Field_("parts", N_("Parts removed (comma between)"), "text", "приклад, цевьё"),
    ),
    "parts_incinerated": (),
    "deformed": (Field_("method", N_("Method"), "text", "гидравлический пресс"),),
    "transfer_sent": (Field_("destination", N_("Destination"), "place:warehouse"),),
    "decision_final": (),
}


def steps_for(me: Visitor) -> list[str]:
    return [step for step in STEP_FIELDS if me.may(step)]


def payload(step: str, items: list[str], given: dict[str, str]) -> dict[str, Any]:
    """The command's input from the list and the step's fields, as the API would take it."""
    data: dict[str, Any] = {"items": items}
    for field in STEP_FIELDS[step]:
        value = given.get(field.name, "").strip()
        if field.name == "parts":
            data["parts"] = [p.strip() for p in value.split(",") if p.strip()]
        elif value:
            data[field.name] = value
    if step == "transfer_sent":
        data["transfer"] = given.get("transfer") or f"T-{secrets.token_hex(4).upper()}"
    return data


def read_code(code: str) -> str:
    """What the scanner typed, without the label's prefix."""
    code = code.strip()
    return code[len(PAYLOAD) :] if code.startswith(PAYLOAD) else code


def find(repo: Repository, code: str) -> str | None:
    """The item a scanned code names: its id, else its marking (exact)."""
    for column in ("id", "marking"):
        sql = repo._sql(f"SELECT id FROM wf_items WHERE {column} = ? LIMIT 1")  # noqa: S608
        row = repo.raw.execute(sql, (code,)).fetchone()
        if row is not None:
            return str(row[0])
    return None


@router.get("/scan", response_class=HTMLResponse)
async def scan_page(request: Request, me: Me, step: str | None = None) -> Response:
    steps = steps_for(me)
    chosen = step if step in steps else (steps[0] if steps else None)
    places = await run_in_threadpool(system_of(request).process.locations)
    return page(
        "scan.html.j2", me.language, me, steps=steps, step=chosen, fields=STEP_FIELDS, places=places
    )


@router.post("/scan/check", response_class=HTMLResponse)
async def check(
    request: Request,
    me: Me,
    code: Annotated[str, Form(max_length=512)],
    step: Annotated[str, Form(max_length=64)],
    items: Annotated[list[str] | None, Form()] = None,
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    sessions.check_csrf(me.session, csrf)
    gettext = i18n.gettext_of(me.language)
    wanted = read_code(code)
    if not wanted:
        return page(
            "scan_status.html.j2",
            me.language,
            me,
            outcome="empty",
            message=gettext("Nothing was scanned"),
        )
    process = system_of(request).process

    def look() -> tuple[Item | None, RuleViolation | None, str | None]:
        with process.ledger.database.read() as conn:
            found = find(Repository(conn), wanted)
        if found is None:
            return None, None, None
        item = process.item(found)
        places = queues.places_of(me.principal)
        if places is not None and item.location not in places:
            return item, None, "place"
        if step not in STEP_FIELDS:
            return item, None, None
        return item, process.refusal(step, item.id, _preview(step)), None

    item, refused, elsewhere = await run_in_threadpool(look)
    listed = items or []
    if item is None:
        message = gettext("No item %(code)s is registered") % {"code": wanted}
        return page("scan_status.html.j2", me.language, me, outcome="bad", message=message)
    if item.id in listed:
        message = gettext("%(name)s is in the list already") % {"name": item.name}
        return page("scan_status.html.j2", me.language, me, outcome="repeat", message=message)
    if elsewhere:
        problem = gettext("%(name)s is not at your places (it is at %(place)s)") % {
            "name": item.name,
            "place": item.location,
        }
    elif refused is not None:
        problem = i18n.refusal(refused, me.language)
    else:
        problem = None
    return page(
        "scan_status.html.j2",
        me.language,
        me,
        outcome="flag" if problem else "ok",
        code=wanted,
        message=problem or gettext("%(name)s added") % {"name": item.name},
        item=item,
        problem=problem,
    )


def _preview(step: str) -> dict[str, Any]:
    """What the step's rules look at beyond the item, for the flag at scan time."""
    return {"method": "-"} if step == "deformed" else {}


@router.post("/steps/apply", response_class=HTMLResponse)
async def apply(request: Request, me: Me) -> Response:
    form = await request.form()
    sessions.check_csrf(me.session, str(form.get("csrf") or ""))
    gettext = i18n.gettext_of(me.language)
    step = str(form.get("step") or "")
    items = [str(v) for v in form.getlist("items")]
    if step not in STEP_FIELDS:
        return _outcome(me, gettext("Choose a step"), False)
    if not me.may(step):
        raise Forbidden(me.role, step)
    if not items:
        return _outcome(me, gettext("Scan or choose at least one item"), False)
    given = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        command = REGISTRY[step].model_validate(payload(step, items, given))
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        return _outcome(me, gettext("Check the field: %(field)s") % {"field": where}, False)
    try:
        written, _ = await request.app.state.writer.run(me.principal, command.perform)
    except RuleViolation as refused:
        return _outcome(me, i18n.refusal(refused, me.language), False)
    except (UnknownObject, InvalidRequest, WorkflowError) as exc:
        return _outcome(me, gettext("Refused: %(why)s") % {"why": str(exc)}, False)
    message = gettext("%(step)s: %(n)s items, %(e)s ledger entries written") % {
        "step": gettext(i18n.STEPS[step]),
        "n": len(items),
        "e": written,
    }
    return _outcome(me, message, True, len(items))


def _outcome(me: Visitor, message: str, done: bool, count: int = 0) -> Response:
    return page("outcome.html.j2", me.language, me, 200, message=message, done=done, count=count)
