"""The auditor's pages: the ledger browser, the checkpoints with a consistency check between
any two (RFC 9162 section 2.1.4, computed and checked here, checked again in the browser by
static/web/consistency.js), an item's disclosure bundle, and `custody verify` run from the
page as a background job (api.web.verify_jobs).

Only roles that may audit open them (AUDIT_ROLES: the auditor's); anyone else gets the 403
page in their language. They read; none of them writes to the ledger.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.access.roles import AUDITOR
from api.errors import Forbidden
from api.http.ledger import MAX_SEQ
from api.http.strict_json import StrictJSONRoute
from api.system import check_credentials
from api.web import i18n, ledger_browser, sessions
from api.web.render import Visitor, page, system_of, visitor
from api.web.verify_jobs import AlreadyRunning, Jobs
from custody import checkpoint as checkpoints
from custody.clock import format_time
from custody.disclosure import disclose
from custody.entries import LEDGER_KINDS, PROCESS_KINDS
from custody.errors import CustodyError, MalformedNoteError, NotAnItem, ProofRangeError
from custody.ledger import StoredCheckpoint
from custody.note import Verifier
from custody.proofs import verify_consistency
from custody.verify import AuditorCheckpoint
from workflows.replay import verify_steps

router = APIRouter(prefix="/web/audit", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
AUDIT_ROLES = frozenset({AUDITOR})
KINDS = sorted(LEDGER_KINDS | PROCESS_KINDS)


def may_audit(me: Visitor) -> bool:
    return any(role in AUDIT_ROLES for role in me.principal.roles)


def _auditor(me: Visitor) -> None:
    if not may_audit(me):
        raise Forbidden(me.role, "audit")


def utc_of(local: str, zone: str) -> str:
    """A `datetime-local` value (`2026-11-29T14:05`) on the reader's wall clock as the
    ledger's RFC 3339 UTC; "" for ""; ValueError for anything else, also a time whose UTC
    falls outside the years 1..9999 (`0001-01-01T00:00` east of Greenwich)."""
    if not local:
        return ""
    moment = dt.datetime.fromisoformat(local)
    if moment.tzinfo is not None:
        raise ValueError("a wall-clock time has no zone of its own")
    try:
        return format_time(moment.replace(tzinfo=ZoneInfo(zone)))
    except OverflowError as error:
        raise ValueError("the time is out of the calendar's range") from error


# -- the ledger browser -------------------------------------------------------------------------


@router.get("/ledger", response_class=HTMLResponse)
async def ledger_page(
    request: Request,
    me: Me,
    kind: Annotated[str, Query(max_length=64)] = "",
    subject: Annotated[str, Query(max_length=128)] = "",
    actor: Annotated[str, Query(max_length=128)] = "",
    since: Annotated[str, Query(max_length=32)] = "",
    until: Annotated[str, Query(max_length=32)] = "",
    after: Annotated[int, Query(ge=-1, le=MAX_SEQ)] = -1,
) -> Response:
    """Entries with seq > `after` that hold the filters, PAGE at a time (keyset paging)."""
    _auditor(me)
    gettext = i18n.gettext_of(me.language)
    asked = {"kind": kind, "subject": subject.strip(), "actor": actor.strip()}
    asked |= {"since": since, "until": until}
    try:
        filters = ledger_browser.Filters(
            kind, subject.strip(), actor.strip(), utc_of(since, me.zone), utc_of(until, me.zone)
        )
    except ValueError:
        error = gettext("Give the times as the date and time fields ask")
        return page(
            "audit_ledger.html.j2", me.language, me, 422, asked=asked, kinds=KINDS, error=error
        )
    if kind and kind not in KINDS:
        error = gettext("Choose a kind from the list")
        return page(
            "audit_ledger.html.j2", me.language, me, 422, asked=asked, kinds=KINDS, error=error
        )
    database = system_of(request).ledger.database

    def read() -> ledger_browser.Page:
        with database.read() as conn:
            return ledger_browser.browse(conn, filters, after)

    found = await run_in_threadpool(read)
    query = {k: v for k, v in asked.items() if v}
    return page(
        "audit_ledger.html.j2",
        me.language,
        me,
        asked=asked,
        query=query,
        kinds=KINDS,
        found=found,
        after=after,
        pretty=_pretty,
        MALFORMED=ledger_browser.MALFORMED,
    )


def _pretty(data: dict[str, Any]) -> str:
    # As people read it: Cyrillic as it is, keys in the canonical order.
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


# -- checkpoints and their consistency --------------------------------------------------------


def _checkpoints(request: Request) -> list[StoredCheckpoint]:
    ledger = system_of(request).ledger
    with ledger.database.read() as conn:
        stored = ledger.checkpoints(conn)
        size = ledger.head(conn).size
    if not stored or stored[-1].size < size:
        with ledger.database.write() as conn:  # as GET /ledger/checkpoint: the newest signed
            ledger.issue_checkpoint(conn)
        with ledger.database.read() as conn:
            stored = ledger.checkpoints(conn)
    return stored


@router.get("/checkpoints", response_class=HTMLResponse)
async def checkpoints_page(request: Request, me: Me) -> Response:
    _auditor(me)
    stored = await run_in_threadpool(_checkpoints, request)
    return page("audit_checkpoints.html.j2", me.language, me, checkpoints=stored[::-1])


def consistency(request: Request, old: int, new: int) -> dict[str, Any]:
    """The RFC 9162 consistency proof between two stored checkpoints, checked against the
    roots their signed notes give (custody.proofs.verify_consistency). Returns what the
    page shows: both notes, the proof and whether it holds (and why not)."""
    ledger = system_of(request).ledger
    with ledger.database.read() as conn:
        stored = {c.size: c for c in ledger.checkpoints(conn)}
        if old not in stored or new not in stored:
            raise ProofRangeError("choose two checkpoints of the list")
        old, new = min(old, new), max(old, new)
        proof = ledger.consistency_proof(conn, old, new)
    first, second = stored[old], stored[new]
    roots = [checkpoints.parse_note(c.note)[0].root for c in (first, second)]
    try:
        verify_consistency(old, new, roots[0], roots[1], list(proof.hashes))
        holds, why = True, None
    except CustodyError as exc:
        holds, why = False, str(exc)
    return {
        "old": first,
        "new": second,
        "proof": proof.to_json(),
        "holds": holds,
        "why": why,
    }


@router.get("/consistency", response_class=HTMLResponse)
async def consistency_fragment(
    request: Request,
    me: Me,
    old: Annotated[int, Query(ge=1, le=MAX_SEQ)],
    new: Annotated[int, Query(ge=1, le=MAX_SEQ)],
) -> Response:
    """The check between checkpoints of sizes `old` and `new` (a fragment for htmx, or the
    checkpoints page with it)."""
    _auditor(me)
    try:
        checked = await run_in_threadpool(consistency, request, old, new)
    except ProofRangeError:
        gettext = i18n.gettext_of(me.language)
        message = gettext("Choose two checkpoints of the list")
        return page("error.html.j2", me.language, me, 422, message=message)
    if request.headers.get("HX-Request"):
        return page("_consistency.html.j2", me.language, me, checked=checked)
    stored = await run_in_threadpool(_checkpoints, request)
    return page(
        "audit_checkpoints.html.j2", me.language, me, checkpoints=stored[::-1], checked=checked
    )


# -- an item's disclosure bundle ----------------------------------------------------------------


@router.get("/bundle")
async def bundle(
    request: Request, me: Me, item: Annotated[str, Query(min_length=1, max_length=128)]
) -> Response:
    """The item's disclosure bundle (custody.disclosure, as `custody item-proof` writes it),
    as a file to keep; check it offline with `custody verify-item`."""
    _auditor(me)
    item = item.strip()
    try:
        made = await run_in_threadpool(disclose, system_of(request).ledger, item, None)
    except NotAnItem:  # a batch, a place, an account: its file would fail verify-item
        gettext = i18n.gettext_of(me.language)
        message = gettext(
            "%(code)s is not an item: a disclosure bundle is made for an item only"
        ) % {"code": item}
        return page("error.html.j2", me.language, me, 404, message=message)
    except ProofRangeError:
        gettext = i18n.gettext_of(me.language)
        message = gettext("No entry names %(code)s") % {"code": item}
        return page("error.html.j2", me.language, me, 404, message=message)
    name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in item)
    return Response(
        made,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="item-proof-{name}.json"'},
    )


# -- custody verify, from the page --------------------------------------------------------------


# The names of custody verify's numbered steps (custody.verification, workflows.replay,
# api.system), as the report on the page says them; the CLI's English names otherwise.
STEP_NAMES = {
    "entries": i18n.N_("entries"),
    "canonical bodies": i18n.N_("canonical bodies"),
    "leaf hashes": i18n.N_("leaf hashes"),
    "chain links": i18n.N_("chain links"),
    "ledger signatures": i18n.N_("ledger signatures"),
    "people's acts": i18n.N_("people's acts"),
    "derived tables": i18n.N_("derived tables"),
    "Merkle tree": i18n.N_("Merkle tree"),
    "checkpoints": i18n.N_("checkpoints"),
    "state replay": i18n.N_("state replay"),
    "access": i18n.N_("access"),
    "credentials": i18n.N_("credentials"),
    "files": i18n.N_("files"),
}


def jobs_of(request: Request) -> Jobs:
    system = system_of(request)
    return Jobs(system.ledger.database, system.clock)


@router.get("/verify", response_class=HTMLResponse)
async def verify_page(request: Request, me: Me) -> Response:
    _auditor(me)
    job = await run_in_threadpool(jobs_of(request).current)
    return page("audit_verify.html.j2", me.language, me, job=job, step_names=STEP_NAMES)


@router.get("/verify/status", response_class=HTMLResponse)
async def verify_status(request: Request, me: Me) -> Response:
    """The running audit's progress, or the last one's numbered report (htmx polls it)."""
    _auditor(me)
    job = await run_in_threadpool(jobs_of(request).current)
    return page("_verify_status.html.j2", me.language, me, job=job, step_names=STEP_NAMES)


@router.post("/verify")
async def start_verify(
    request: Request,
    me: Me,
    key: Annotated[str, Form(max_length=300)] = "",
    checkpoint: Annotated[str, Form(max_length=20_000)] = "",
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    """Start `custody verify` over the service's database, with the key and the checkpoint
    the auditor trusts, if given; one audit at a time."""
    sessions.check_csrf(me.session, csrf)
    _auditor(me)
    gettext = i18n.gettext_of(me.language)
    jobs = jobs_of(request)
    try:
        pinned = Verifier.parse(key.strip()) if key.strip() else None
    except MalformedNoteError:
        error = gettext("That is not a ledger verifier key")
        job = await run_in_threadpool(jobs.current)
        return page(
            "audit_verify.html.j2",
            me.language,
            me,
            422,
            job=job,
            error=error,
            step_names=STEP_NAMES,
        )
    given = (
        [AuditorCheckpoint("page", checkpoint.replace("\r\n", "\n").encode())]
        if checkpoint.strip()
        else []
    )
    system = system_of(request)
    steps = verify_steps(system.process.files, [("credentials", check_credentials)])
    try:
        await run_in_threadpool(jobs.start, me.username, steps, pinned, given)
    except AlreadyRunning:
        error = gettext("An audit is running already; its progress is below")
        job = await run_in_threadpool(jobs.current)
        return page(
            "audit_verify.html.j2",
            me.language,
            me,
            409,
            job=job,
            error=error,
            step_names=STEP_NAMES,
        )
    return RedirectResponse("/web/audit/verify", status_code=303)
