"""The commission at the furnace or bunker (R7, R8, R9): the batch page with its items, their
photos and weights reconciled against the charge, the quorum and who is recorded present;
recording presence and the destruction (the warehouse clerk); the statement as its PDF will
print it (certificates.page, from the same entries); each member signing it in the browser
with their own key; the quorum filling up live; the final PDF.

The signature is the act `custody sign` makes (workflows.statements, DESIGN §5):
{"kind": "statement_signed", "person", "key_id", "time", "item": <batch>,
"items": [sorted ids], "statement": <hex SHA-256 of JCS(content)>}, signed over
"custody/act/v1\\0" + JCS(act) by a key file opened in the page or a key kept in the browser
(static/web/statement.js); only the act and its signature come here. The page carries the
content itself, so that the browser makes every cell and fact it shows again from that
content (static/web/statement-check.js, with the words of GET /web/statement-words/<lang>),
recomputes the digest and signs nothing else; the act has exactly its fields (StatementAct);
the time in the act is held to R8 by the process (rules.r8_signed_in_time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any, Literal
from urllib.parse import quote

from babel.dates import get_month_names
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.access import reading
from api.access.roles import READ
from api.errors import Forbidden
from api.http.strict_json import StrictBody, StrictJSONRoute
from api.statements import DESTROYED, gather_evidence, preview_page, statement_basis
from api.system import System
from api.web import i18n, places, sessions
from api.web.acts import upload
from api.web.regions import region_name
from api.web.render import Visitor, page, system_of, visitor
from certificates.page import Page
from certificates.regions import spellings
from certificates.words import words
from custody.clock import format_time
from custody.db import Database
from custody.errors import CustodyError
from workflows import grammar
from workflows.commands import Burn, Melt, RecordPresence, SignStatement
from workflows.errors import InvalidRequest, RuleViolation, WorkflowError
from workflows.files import StagedFiles
from workflows.model import Account, Batch, Commission, Item, Member
from workflows.reading import sees_document
from workflows.repository import ItemSearch, Repository
from workflows.tables import AccountRow
from workflows.vocabulary import COMMISSION_MEMBER, EXPERT, FURNACE, PLANT_REPRESENTATIVE
from workflows.world import World

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
MOST_ITEMS = 1000
# What the signing card offers the visitor (signing_state, templates/_signing.html.j2).
Signing = Literal["form", "signed", "final", "refused"]


def _require(me: Visitor, permission: str) -> None:
    if not me.may(permission):
        raise Forbidden(me.role, permission)


@dataclass(frozen=True)
class Quorum:
    """Where the statement stands: who of the members present signed, against the quorum."""

    quorum: int  # fixed at the destruction; before it, of the members in office now
    signed: list[str]
    present: list[str]  # commission members recorded present
    final: bool
    state: str
    # username -> full name, as the presence list and the paper name them (names_of)
    names: dict[str, str] = field(default_factory=dict)

    def name(self, person: str) -> str:
        """How the box names `person`: their full name, else their login (an older register)."""
        return self.names.get(person, person)


@dataclass
class BatchView:
    batch: Batch
    items: list[Item]
    commission: Commission
    members: list[Member]  # in office at the destruction (or now, before it)
    quorum: Quorum
    others: list[dict[str, Any]]  # present in another role than commission member
    items_weight_g: int
    tolerance_g: int
    needed: str  # the role that must be present beside the quorum (R7, R9)
    place: str  # the plant's or site's name in the visitor's language
    region: str  # its region in the visitor's language where known (api.web.regions)
    # Accounts R7 accepts as the plant's representative here, for the presence form to offer.
    representatives: list[Account] = field(default_factory=list)
    refused: str | None = None  # why the visitor may not sign, in their language (R8)
    content: dict[str, Any] | None = None  # what the members sign: its JCS is hashed
    digest: str | None = None
    statement: Page | None = None
    keys: list[Any] = field(default_factory=list)  # the visitor's keys for acts
    signing: Signing = "form"  # what the signing card offers the visitor (signing_state)
    # username -> account name of those who took items out or loaded them again (fix19j).
    people: dict[str, str] = field(default_factory=dict)


def quorum_of(batch: Batch, commission: Commission, now: str) -> Quorum:
    quorum = batch.quorum or commission.quorum_at(batch.destroyed_at or now)
    signed = sorted({s["person"] for s in batch.signatures})
    present = batch.present_in_role(COMMISSION_MEMBER)
    final = batch.state == "final"
    return Quorum(quorum, signed, present, final, batch.state, names_of(commission))


def live_signing(quorum: Quorum, person: str) -> Signing | None:
    """What `person`'s signing card turns to as the signatures come in (R8): "final" once
    the quorum has signed, "signed" once they have; None while it stays as it was, for a
    sign form half filled is the member's and an earlier refusal still holds (issue 16)."""
    if quorum.final:
        return "final"
    return "signed" if person in quorum.signed else None


def signing_state(quorum: Quorum, person: str, refused: bool) -> Signing:
    """What the signing card offers `person`: "final", "signed" (live_signing), "refused"
    when another R8 condition stops them (`refused`: may_sign named one), else "form"."""
    return live_signing(quorum, person) or ("refused" if refused else "form")


def _view(request: Request, me: Visitor, batch_id: str) -> BatchView:
    system = system_of(request)
    process = system.process
    batch = process.batch(batch_id)
    reading.check(me.principal, batch, "batch", batch_id)
    now = format_time(process.now())
    items = process.items(ItemSearch(batch=batch_id, limit=MOST_ITEMS))
    commission = next(c for c in process.commissions() if c.id == batch.commission)
    items_weight = sum(i.charge_weight_g or 0 for i in items)
    location = next((p for p in process.locations() if p.id == batch.location), None)
    view = BatchView(
        batch=batch,
        items=items,
        commission=commission,
        members=commission.members_at(batch.destroyed_at or now),
        quorum=quorum_of(batch, commission, now),
        others=[p for p in batch.present if p["role"] != COMMISSION_MEMBER],
        items_weight_g=items_weight,
        tolerance_g=process.config.tolerance_g(items_weight),
        needed=PLANT_REPRESENTATIVE if batch.kind == FURNACE else EXPERT,
        place=places.label(location, me.language) if location else batch.location,
        region=region_name(location.region, me.language) if location else "",
    )
    view.people = unloaders(system.ledger.database, batch)
    if batch.kind == FURNACE and batch.state == "open" and me.may(RecordPresence.kind):
        view.representatives = plant_representatives(system, batch.location, commission)
    if batch.state in DESTROYED:
        view.content, view.digest, view.statement = preview_page(
            system, batch_id, me.language, me.zone
        )
    if me.may(SignStatement.kind):
        refused = process.may_sign(batch_id, me.username)
        people = names_of(commission)
        view.refused = i18n.refusal(refused, me.language, people) if refused is not None else None
        view.signing = signing_state(view.quorum, me.username, refused is not None)
        with system.ledger.database.read() as conn:
            view.keys = [
                k
                for k in system.ledger.keys(conn)
                if k.owner == me.username
                and k.purpose == "act"
                and k.revoked_at_seq is None
                and k.rotated_at_seq is None
            ]
    return view


def unloaders(database: Database, batch: Batch) -> dict[str, str]:
    """username -> the account's name of each clerk who took an item out of `batch` or
    loaded one again (Batch.unloaded): the card names them as the other cards name people,
    not by their login alone. A username with no account (or none named) is left out."""
    wanted = {u.get(k) for u in batch.unloaded for k in ("by", "loaded_again_by")} - {None}
    if not wanted:
        return {}
    world = World()
    with database.read() as conn:
        Repository(conn).load(world, "accounts", wanted)
    return {a.id: a.name for a in world.accounts.values() if a.name}


def plant_representatives(system: System, place: str, commission: Commission) -> list[Account]:
    """The accounts R7 accepts as the plant's representative at `place`, by name: enabled,
    holding that role there, and never a member of `commission` (workflows.batches._named
    refuses the others, whatever a form sends)."""
    table = AccountRow.__table__  # type: ignore[attr-defined]
    with system.ledger.database.read() as conn:
        found: list[Account] = Repository(conn).documents(
            "accounts", table.c.data.like(f'%"{PLANT_REPRESENTATIVE}"%')
        )
    members = {str(m["person"]) for m in commission.members}
    return sorted(
        (
            a
            for a in found
            if not a.disabled
            and PLANT_REPRESENTATIVE in a.roles
            and place in a.places
            and a.id not in members
        ),
        key=lambda a: (a.name, a.id),
    )


@router.get("/batches", response_class=HTMLResponse)
async def batches_page(request: Request, me: Me) -> Response:
    _require(me, READ)
    found = await run_in_threadpool(system_of(request).process.batches)
    reader = reading.scope_of(me.principal)
    shown = sorted(
        (b for b in found if sees_document(reader, b)), key=lambda b: b.opened_at, reverse=True
    )
    return page("batches.html.j2", me.language, me, batches=shown)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
async def batch_page(request: Request, me: Me, batch_id: str) -> Response:
    _require(me, READ)
    return await _render(request, me, batch_id)


async def _render(
    request: Request, me: Visitor, batch_id: str, error: str | None = None, status: int = 200
) -> Response:
    view = await run_in_threadpool(_view, request, me, batch_id)
    return page("batch.html.j2", me.language, me, status, v=view, w=words(me.language), error=error)


@dataclass(frozen=True)
class Live:
    """What the quorum box's poll answers: the quorum, and when the signatures changed since
    the page showed them, the statement's page (for its signatures table) and what the
    visitor's signing card turns to (live_signing); None for a part not sent. `reload`: the
    page has no place for what changed (redrawn), and only a new one shows it."""

    quorum: Quorum
    statement: Page | None = None
    signing: Signing | None = None
    reload: bool = False


def redrawn(drawn: str | None, state: str) -> bool:
    """Whether a page drawn while the batch was `drawn` must be loaded again to show it in
    `state`: one drawn before the destruction has no statement and no signing card, which
    come with it (R8), so the members gathered at the furnace would wait for a form that
    never comes (issue 16). None: the page did not say (nothing is reloaded)."""
    return drawn == "open" and state in DESTROYED


def _live(
    request: Request, me: Visitor, batch_id: str, shown: int | None, drawn: str | None
) -> Live:
    system = system_of(request)
    process = system.process
    batch = process.batch(batch_id)
    reading.check(me.principal, batch, "batch", batch_id)
    commission = next(c for c in process.commissions() if c.id == batch.commission)
    quorum = quorum_of(batch, commission, format_time(process.now()))
    if redrawn(drawn, batch.state):
        return Live(quorum, reload=True)
    if shown is None or shown == len(quorum.signed) or batch.state not in DESTROYED:
        return Live(quorum)
    # Read after the quorum: the table may count a signature more than the box, never fewer;
    # the next poll, from the box's count, brings the box up to the table.
    _, _, statement = preview_page(system, batch_id, me.language, me.zone)
    signing = live_signing(quorum, me.username) if me.may(SignStatement.kind) else None
    return Live(quorum, statement, signing)


@router.get("/batches/{batch_id}/quorum", response_class=HTMLResponse)
async def quorum_fragment(
    request: Request,
    me: Me,
    batch_id: str,
    shown: Annotated[int | None, Query(ge=0)] = None,
    state: Literal["open", "melted", "burned", "final"] | None = None,
) -> Response:
    """The quorum box, for htmx to poll, with the batch's state line and the statement's
    status line out of band (they sit elsewhere on the page): one batch and its commission
    read, no more. `shown`: how many signatures the page shows (the box sends it); when the
    batch has others, the statement's signatures table and the visitor's signing card come
    out of band too (issue 16: the quorum fills up live for everyone on the page). `state`:
    the batch's state the page was drawn in (the box sends it); a page drawn before the
    destruction is told to load again (HX-Refresh), for it has no statement to update. Once
    the statement is final the answer is 286, which tells htmx to stop polling."""
    _require(me, READ)
    live = await run_in_threadpool(_live, request, me, batch_id, shown, state)
    answer = page(
        "_quorum_live.html.j2",
        me.language,
        me,
        q=live.quorum,
        batch_id=batch_id,
        w=words(me.language),
        statement=live.statement,
        signing=live.signing,
    )
    if live.reload:
        answer.headers["HX-Refresh"] = "true"
    if live.quorum.final:
        answer.status_code = 286
    return answer


async def _act(
    request: Request, me: Visitor, batch_id: str, build: Any, staged: StagedFiles | None = None
) -> Response:
    """Run a form's command; back to the batch page, or the page again with the refusal in
    the visitor's words (422) and nothing written. `staged`: the files sent with the form,
    kept in the store only if the command is (FileStore.staged)."""
    gettext = i18n.gettext_of(me.language)
    try:
        command = build()
        perform = command.perform if staged is None else staged.action(command.perform)
        await request.app.state.writer.run(me.principal, perform)
    except ValidationError as exc:
        error = i18n.invalid_field(exc, me.language)
        return await _render(request, me, batch_id, error, 422)
    except RuleViolation as refused:
        return await _render(request, me, batch_id, i18n.refusal(refused, me.language), 422)
    except (WorkflowError, CustodyError) as exc:
        error = gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)}
        return await _render(request, me, batch_id, error, 422)
    where = f"/web/batches/{quote(batch_id, safe='')}"
    return RedirectResponse(where, status_code=303)


@router.post("/batches/{batch_id}/presence")
async def record_presence(request: Request, me: Me, batch_id: str) -> Response:
    """The people the clerk picks as present: commission members in office (named as the
    commission's register names them), the plant's representative from the accounts of the
    place (named as the account is, with the post the statement prints), or the ammunition
    expert, who has no account, with their name and post as printed."""
    form = await request.form()
    sessions.check_csrf(me.session, str(form.get("csrf") or ""))
    _require(me, RecordPresence.kind)
    present: list[dict[str, Any]] = [
        {"person": grammar.typed(str(p)), "role": COMMISSION_MEMBER} for p in form.getlist("member")
    ]
    other = grammar.typed(str(form.get("other_person") or ""))
    if other:
        role = grammar.typed(str(form.get("other_role") or ""))
        person: dict[str, Any] = {"person": other, "role": role}
        for name in ("full_name", "position"):
            given = grammar.typed(str(form.get(f"other_{name}") or ""))
            if given:
                person[name] = given
        present.append(person)
    command = partial(RecordPresence.model_validate, {"batch": batch_id, "present": present})
    return await _act(request, me, batch_id, command)


@router.post("/batches/{batch_id}/destroy")
async def destroy(request: Request, me: Me, batch_id: str) -> Response:
    """Melting (R7: the charge and the scrap) or burning (R9: and the method, the quantity,
    the explosive and how much of it), as the statement will state them, with each item's
    photo at the furnace or bunker (R10: a firearm's marking visible)."""
    form = await request.form()
    sessions.check_csrf(me.session, str(form.get("csrf") or ""))
    step = Melt if form.get("kind") == FURNACE else Burn
    _require(me, step.kind)

    def text(name: str) -> str:
        # Trimmed, never cut: a text over the command's length is refused naming its field.
        value = form.get(name)
        return grammar.typed(value) if isinstance(value, str) else ""

    def number(name: str) -> Any:
        # Digits become a number; anything else goes on as given, for the model to refuse.
        given = text(name)
        return int(given) if given.isascii() and given.isdigit() else (given or None)

    facts: dict[str, Any] = {
        "charge_weight_g": number("charge_weight_g"),
        "scrap_weight_g": number("scrap_weight_g"),
    }
    if step is Burn:
        facts |= {
            "method": text("method") or None,
            "quantity": number("quantity"),
            "explosive_type": text("explosive_type") or None,
            "explosive_amount": number("explosive_amount"),
        }
    per_item: dict[str, Any] = {}
    # The photos wait beside the store until the step is checked (FileStore.staged).
    with system_of(request).process.files.staged() as staged:
        for name, value in form.multi_items():
            if name.startswith("photo:") and isinstance(value, UploadFile) and value.filename:
                ref = await upload(request, value, "marking", staged)
                one = per_item.setdefault(name.removeprefix("photo:"), {"files": []})
                one["files"].append(ref)
        given = {"batch": batch_id, "facts": facts, "per_item": per_item or None}
        return await _act(request, me, batch_id, partial(step.model_validate, given), staged)


def names_of(commission: Commission) -> dict[str, str]:
    """username -> the name the commission's register prints for them (every period of
    office): a refusal names a member so, not by their login (issue 16)."""
    members = map(Member.from_json, commission.members)
    return {m.person: m.full_name for m in members if m.full_name}


def _people_of_batch(request: Request, batch_id: str) -> dict[str, str]:
    """username -> name for a refusal of the sign route: every account by its name (a key
    of someone else's names its owner, who may be no member), the batch's commission by the
    name its register prints."""
    system = system_of(request)
    with system.ledger.database.read() as conn:
        accounts: list[Account] = Repository(conn).documents("accounts")
    named = {a.id: a.name for a in accounts if a.name}
    try:
        batch = system.process.batch(batch_id)
    except WorkflowError:  # no such batch: no register to name its members
        return named
    found = next((c for c in system.process.commissions() if c.id == batch.commission), None)
    return named | (names_of(found) if found is not None else {})


class SignedStatement(StrictBody):
    act: dict[str, Any]
    sig: str = Field(max_length=200)


@router.post("/batches/{batch_id}/sign")
async def sign(request: Request, me: Me, batch_id: str, signed: SignedStatement) -> Response:
    """One member's signed act under the statement (R8); JSON in and out, for the page's
    script. The act is checked by the command and again by the ledger (custody.acts)."""
    sessions.check_csrf(me.session, request.headers.get(sessions.CSRF_HEADER))
    _require(me, SignStatement.kind)
    gettext = i18n.gettext_of(me.language)
    try:
        command = SignStatement.model_validate(
            {"batch": batch_id, "act": {"act": signed.act, "sig": signed.sig}}
        )
        await request.app.state.writer.run(me.principal, command.perform)
    except ValidationError:
        return JSONResponse({"ok": False, "message": gettext("The signed act is malformed")}, 422)
    except RuleViolation as refused:
        people = await run_in_threadpool(_people_of_batch, request, batch_id)
        message = i18n.refusal(refused, me.language, people)
        return JSONResponse({"ok": False, "message": message}, 422)
    except (WorkflowError, CustodyError) as exc:
        people = await run_in_threadpool(_people_of_batch, request, batch_id)
        why = i18n.reason(exc, me.language, people)
        message = gettext("Refused: %(why)s") % {"why": why}
        return JSONResponse({"ok": False, "message": message}, 422)
    message = gettext("Your signature under the statement of %(batch)s is recorded") % {
        "batch": batch_id
    }
    return JSONResponse({"ok": True, "message": message})


@router.get("/statement-words/{lang}")
async def statement_words(me: Me, lang: Literal["ru", "kk", "en"]) -> Response:
    """The words a statement is printed in (certificates.words), for the batch page's script
    to make each shown cell and fact again from the content it hashes (static/web/
    statement-check.js): fetched apart from the page, not taken from the page it checks."""
    _require(me, READ)
    # The months' names as the statement's time of destruction prints them (babel's long
    # format, certificates.page.moment): a browser may not carry a Kazakh calendar of its own.
    months = get_month_names("wide", "format", lang)
    said = words(lang) | {f"month.{n}": str(months[n]) for n in range(1, 13)}
    # The place's region as the statement names it (certificates.regions), by its spelling.
    said |= {f"region.{spelling}": name for spelling, name in spellings(lang).items()}
    return JSONResponse(said, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/batches/{batch_id}/statement.pdf")
async def statement_pdf(request: Request, me: Me, batch_id: str) -> Response:
    """The statement's PDF in the visitor's language and zone, with its evidence attached:
    the API's (GET /batches/{id}/statement.pdf), for the page's session."""
    _require(me, READ)
    system = system_of(request)
    batch = await run_in_threadpool(system.process.batch, batch_id)
    reading.check(me.principal, batch, "batch", batch_id)
    try:
        basis = await run_in_threadpool(statement_basis, system, batch_id)
    except InvalidRequest as exc:  # not destroyed yet: a page, in the reader's language
        return page("error.html.j2", me.language, me, 422, message=i18n.reason(exc, me.language))
    renderer = request.app.state.renderer
    # The same paper as the API's: its QR code opens the public check (CUSTODY_PUBLIC_URL).
    public_url = request.app.state.public_url
    evidence_of = partial(gather_evidence, system)
    pdf = await renderer.statement_async(basis, me.language, me.zone, evidence_of, public_url)
    name = quote(f"statement-{batch_id}-{me.language}.pdf", safe="")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )
