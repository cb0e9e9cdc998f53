"""Scanning: a field that takes what a USB or Bluetooth scanner types (a label's QR payload, an
item id or a marking) and Enter, a list that grows with each item, flagged at once when the
item is not at the person's places or the chosen step's rules would stop it; then the step
applied to the whole list in one command, all or nothing (workflows.steps.advance).

The same apply route serves the home page's bulk actions. Refusals name the item and the rule
in the reader's language (api.web.i18n.refusal).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.errors import Forbidden
from api.web import i18n, queues, sessions
from api.web.render import KEPT, Visitor, page, system_of, text, visitor
from certificates.labels import qr_text
from workflows import reading
from workflows.commands import REGISTRY
from workflows.errors import InvalidRequest, RuleViolation, UnknownObject, WorkflowError
from workflows.model import Item
from workflows.process import Process
from workflows.reading import item_places
from workflows.repository import Repository

router = APIRouter(prefix="/web", include_in_schema=False)
Me = Annotated[Visitor, Depends(visitor)]
PAYLOAD = qr_text("")  # "custody-item:v1;id=" and the id after it
MAX_CODES = 200  # codes in one check: what a scanner reads while one answer is on the way


@dataclass(frozen=True)
class Field_:
    name: str
    label: str  # msgid
    kind: str  # text | date | place:<kind> | choice:<value>=<msgid>|<value>=<msgid>...
    default: str = ""
    required: bool = True

    @property
    def choices(self) -> list[tuple[str, str]]:
        """A choice field's (value, msgid) pairs."""
        pairs = self.kind.removeprefix("choice:").split("|")
        return [(p.split("=", 1)[0], p.split("=", 1)[1]) for p in pairs]


def N_(message: str) -> str:
    return message


_AUTHORITIES = (
    "choice:court="
    + N_("court")
    + "|official="
    + N_("empowered official")
    + "|military_technical_commission="
    + N_("a military technical commission")
)

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
    # R1 runs again from the date the decision became final (issue 19): it is asked for.
    "decision_final": (Field_("date", N_("Date"), "text", ""),),
    # A decision and its later steps carry their own dates: R1 counts from them (issue 19).
    "decision_recorded": (
        Field_("ref", N_("Decision reference"), "text"),
        Field_("authority", N_("Decided by"), _AUTHORITIES),
        Field_("date", N_("Date of the decision"), "date"),
    ),
    "decision_appealed": (
        Field_("date", N_("Date the appeal was lodged"), "date"),
        Field_("note", N_("Note"), "text", required=False),
    ),
    "decision_suspended": (
        Field_("date", N_("Date of the suspension"), "date"),
        Field_("note", N_("Note"), "text", required=False),
    ),
    "decision_reversed": (
        Field_("date", N_("Date of the reversal"), "date"),
        Field_("note", N_("Note"), "text", required=False),
    ),
    # An inventory count: every item found at the place scanned, then one count (CountInventory).
    "inventory_counted": (Field_("location", N_("Place counted"), "place:warehouse"),),
}

# Steps that are not an item's own step: nothing to preview per item at scan time.
NOT_PREVIEWED = frozenset({"inventory_counted"})


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
    if step == "decision_recorded":
        data["decision"] = {k: data.pop(k, "") for k in ("ref", "authority", "date")}
    if step == "transfer_sent":
        data["transfer"] = given.get("transfer") or f"T-{secrets.token_hex(4).upper()}"
    return data


def read_code(code: str) -> str:
    """What the scanner typed, without the label's prefix."""
    code = code.strip()
    return code[len(PAYLOAD) :] if code.startswith(PAYLOAD) else code


def find(repo: Repository, code: str) -> str | None:
    """The item a scanned code names: its id, else its marking (exact)."""
    return find_all(repo, [code]).get(code)


def find_all(repo: Repository, codes: Sequence[str]) -> dict[str, str]:
    """The items the codes name (code -> item id), by id, then by marking (exact), in two
    indexed reads for any number of codes. Codes naming nothing are left out."""
    found: dict[str, str] = {}
    wanted = sorted({c for c in codes if c})
    for column in ("id", "marking"):
        left = [c for c in wanted if c not in found]
        if not left:
            break
        marks = ", ".join("?" * len(left))
        sql = repo._sql(f"SELECT id, {column} FROM wf_items WHERE {column} IN ({marks})")  # noqa: S608
        for item_id, value in repo.raw.execute(sql, left).fetchall():
            found.setdefault(str(value), str(item_id))
    return found


@router.get("/scan", response_class=HTMLResponse)
async def scan_page(
    request: Request,
    me: Me,
    step: str | None = None,
    transfer: Annotated[str | None, Query(max_length=128)] = None,
    location: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    """The scan page, kept (render.KEPT) while the ledger is the same: its place lists are
    the ledger's registers."""
    steps = steps_for(me)
    chosen = step if step in steps else (steps[0] if steps else None)
    # A link may fill a field in: the transfer being received, the place being counted.
    given = {k: v for k, v in (("transfer", transfer), ("location", location)) if v}
    key = KEPT.key(me, "scan", chosen, tuple(given.items()))
    process = system_of(request).process

    def draw() -> str:
        return text(
            "scan.html.j2",
            me.language,
            me,
            steps=steps,
            step=chosen,
            fields=STEP_FIELDS,
            places=process.locations(),
            given=given,
        )

    return await KEPT.page(key, draw)


@dataclass(frozen=True)
class Answer:
    """What the page shows for one scanned code."""

    outcome: str  # ok | flag | bad | repeat | empty
    message: str
    code: str = ""
    item: Item | None = None
    problem: str | None = None
    elsewhere: bool = False  # at a place the reader does not read at: no state, no place


@router.post("/scan/check", response_class=HTMLResponse)
async def check(request: Request, me: Me) -> Response:
    """Each code the scanner read (the page sends the codes read while its last check was
    on the way together, in the order read; `code` repeated, `step`, `csrf`): its item
    added to the list, flagged with the place or the rule that stops the step, or said
    unknown or repeated. One read for all. The form is read as it is, without a model: a
    check is the page's most frequent request."""
    form = await request.form(max_fields=MAX_CODES + 8)
    sessions.check_csrf(me.session, str(form.get("csrf") or ""))
    step = str(form.get("step") or "")[:64]
    code = [str(c) for c in form.getlist("code")]
    listed = {str(i) for i in form.getlist("items")}
    process = system_of(request).process
    places = queues.places_of(me.principal)
    wanted = [read_code(c[:512]) for c in code[:MAX_CODES]]
    looked = await run_in_threadpool(_look, process, wanted, step, places)
    answers = _answers(me, wanted, looked, listed)
    return page("scan_status.html.j2", me.language, me, answers=answers)


def _look(
    process: Process, codes: list[str], step: str, places: Sequence[str] | None
) -> dict[str, tuple[Item, RuleViolation | None, bool]]:
    """Each code's item, the rule that stops `step` for it, and whether it is elsewhere."""
    with process.ledger.database.read() as conn:
        repo = Repository(conn)
        ids = find_all(repo, codes)
    known = sorted(set(ids.values()))
    previewed = step in STEP_FIELDS and step not in NOT_PREVIEWED
    checks = process.refusals(step if previewed else None, known, _preview(step))
    found: dict[str, tuple[Item, RuleViolation | None, bool]] = {}
    for code, item_id in ids.items():
        item, refused = checks[item_id]
        elsewhere = places is not None and not reading.sees(frozenset(places), item_places(item))
        found[code] = (item, None if elsewhere else refused, elsewhere)
    return found


def _answers(
    me: Visitor,
    codes: list[str],
    looked: dict[str, tuple[Item, RuleViolation | None, bool]],
    listed: set[str],
) -> list[Answer]:
    gettext = i18n.gettext_of(me.language)
    answers: list[Answer] = []
    for wanted in codes:
        if not wanted:
            answers.append(Answer("empty", gettext("Nothing was scanned")))
            continue
        if wanted not in looked:
            message = gettext("No item %(code)s is registered") % {"code": wanted}
            answers.append(Answer("bad", message))
            continue
        item, refused, elsewhere = looked[wanted]
        if item.id in listed:
            message = gettext("%(name)s is in the list already") % {"name": item.name}
            answers.append(Answer("repeat", message))
            continue
        listed.add(item.id)
        if elsewhere:
            # Not where it is: the label in hand says the item exists, but its place is
            # another's to read (docs/access.md).
            problem: str | None = gettext("%(name)s is not at your places") % {"name": item.name}
        elif refused is not None:
            problem = i18n.refusal(refused, me.language)
        else:
            problem = None
        message = problem or gettext("%(name)s added") % {"name": item.name}
        answers.append(
            Answer("flag" if problem else "ok", message, wanted, item, problem, elsewhere)
        )
    return answers


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
