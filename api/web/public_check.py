"""The public check: two pages anyone may open, without login.

    GET  /web/check/{batch}?sha256=&size=&root=   what a statement's QR code opens
                                                  (certificates.qr_payload, version 2): the
                                                  statement final or not, the items and
                                                  totals the paper prints, who signed and when,
                                                  and the log's consistency with the paper's
                                                  checkpoint (api.public_statements)
    GET  /web/check                               a page to drop a statement's PDF on
    POST /web/check                               runs verify-statement's numbered steps on it
                                                  (api.statement_check), pinned to this
                                                  service's ledger keys (its whole rotation
                                                  chain: a paper printed before a rotation
                                                  still holds) and, when CUSTODY_PUBLIC_URL is
                                                  set, to its address (a QR code that opens
                                                  another host fails); the PDF is kept for
                                                  the request only; one check runs at a
                                                  time, the others wait their turn in a
                                                  short queue, one place in it an address

Both answer in the visitor's language (?lang=, else Accept-Language) and carry a strict
Content-Security-Policy of their own (nothing inline, nothing from elsewhere). The statement
page is made once per statement, language and state of the log (its head's size and peaks,
its newest checkpoint's size and root: a log replaced by another history of the same size
is another state): while the log does not change, the same page is served from memory
(bench/statements.py holds its p99 under load).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from api.http.limits import FORM_FRAMING, Message
from api.http.strict_forms import StrictFormRequest
from api.http.strict_json import StrictJSONRoute
from api.public_statements import (
    PublicStatement,
    log_state,
    paper_checkpoint_on_log,
    public_statement,
)
from api.statement_check import CheckTooLarge, CheckUnavailable, check_statement
from api.web import i18n, statement_reasons
from api.web.i18n import N_
from api.web.render import local_time, page, system_of
from certificates import page as pages
from certificates.qr_payload import NotAStatementCode, from_fields
from certificates.words import words
from custody.keys import LEDGER
from workflows.grammar import identifier

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)

MAX_BYTES = 32 * 1024 * 1024  # a 1,000-item statement is some 6 MB
KEPT_PAGES = 512
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {"Content-Security-Policy": POLICY, "Cache-Control": "no-store"}
# A QR code's query (docs/statement-qr.md): each of these exactly once and nothing else; the
# page's own language links add `lang`, at most once.
PAPER_FIELDS = ("sha256", "size", "root")
# One dropped statement checked at a time per server process: a check renders the page again
# (a core and some 300 MB for 1,000 items), and anyone may ask for one. The others wait their
# turn, in order, at most WAITING of them, and one place at a time an address: a client that
# sends again while its own check runs or waits is told to wait for it (429), so one client
# cannot keep everyone else out (issue 12), and a full queue is 503.
WAITING = 4
RETRY_SECONDS = 60


class _Turns:
    """Checks one at a time, first come first served (asyncio.Lock is FIFO), one place per
    address among the running and waiting."""

    def __init__(self, waiting: int) -> None:
        self.lock, self.waiting, self.holders = asyncio.Lock(), waiting, set[str]()

    def refusal(self, address: str) -> int:
        """0 if `address` may take a place; 429 if it holds one already, 503 if all are taken."""
        if address in self.holders:
            return 429
        return 503 if len(self.holders) > self.waiting else 0


_turns = _Turns(WAITING)

# verify-statement's steps as the page names them (certificates.verify_statement.STEPS).
STEP_NAMES = {
    "attachment": N_("The evidence attached to the PDF"),
    "keys": N_("The ledger's keys"),
    "checkpoint": N_("The signed checkpoint"),
    "entries": N_("The ledger's entries and signatures"),
    "chains": N_("Each subject's chain of entries"),
    "inclusion proofs": N_("Inclusion in the ledger's tree"),
    "statement": N_("The statement's content"),
    "signatures": N_("The commission's signatures"),
    "quorum": N_("The quorum"),
    "page": N_("The page as printed, and its QR codes"),
}
STATUS_NAMES = {
    "ok": N_("holds"),
    "failed": N_("FAILED"),
    "not run": N_("not run"),
    "incomplete": N_("could not be completed here"),
}


def _language(request: Request, lang: str | None) -> str:
    return i18n.language_of(lang, request.headers.get("accept-language"))


def _public(response: Response) -> Response:
    response.headers.update(HEADERS)
    return response


@router.get("/check", response_class=HTMLResponse)
async def drop_page(request: Request, lang: str | None = None) -> Response:
    language = _language(request, lang)
    return _public(page("check.html.j2", language, None, **_drop_context(request)))


class _Over(Exception):
    """The dropped file went over MAX_BYTES while it came."""


async def _dropped(request: Request) -> tuple[bytes, str]:
    """The `statement` file of the multipart body and its name, read as the body comes and
    stopped at MAX_BYTES and a little for the form's framing (_Over): a 64 MB body is not
    spooled whole before its size is known. (b"", "") when the form has no file."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BYTES + FORM_FRAMING:
        raise _Over
    seen = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BYTES + FORM_FRAMING:
            raise _Over
        return message

    form = await StrictFormRequest(request.scope, counted).form(max_files=1, max_fields=4)
    try:
        statement = form.get("statement")
        if not isinstance(statement, StarletteUpload):
            return b"", ""
        return await statement.read(MAX_BYTES + 1), statement.filename or ""
    finally:
        await form.close()  # a spooled temporary file, if any, is gone with it


@router.post("/check", response_class=HTMLResponse)
async def check_dropped(request: Request, lang: Annotated[str | None, Query()] = None) -> Response:
    """verify-statement on the dropped PDF (the form's `statement` file); the report as a
    fragment (htmx) or a page. A file over MAX_BYTES is 413, found while it comes."""
    language = _language(request, lang)
    gettext = i18n.gettext_of(language)
    address = request.client.host if request.client else "unknown"
    try:
        data, file_name = await _dropped(request)
    except _Over:
        data, file_name = b"", ""
        over = True
    else:
        over = len(data) > MAX_BYTES
    error: str | None = None
    report: dict[str, Any] | None = None
    too_large = False
    status = 200
    if over:
        error = gettext("The file is larger than %(mb)s MB: no statement is that large") % {
            "mb": MAX_BYTES // (1024 * 1024)
        }
        status = 413
    elif not data:
        error, status = gettext("The file is empty"), 422
    elif refused := _turns.refusal(address):
        status = refused
        error = (
            gettext(
                "Your statement sent before is still being checked; wait for its report, "
                "or send it again in %(seconds)s seconds"
            )
            % {"seconds": RETRY_SECONDS}
            if refused == 429
            else gettext("Another statement is being checked; try again in a minute")
        )
    else:
        _turns.holders.add(address)
        try:
            keys = await run_in_threadpool(_ledger_keys, request)
            async with _turns.lock:
                checked = await _check(request, data, keys, gettext, language)
                report, too_large, error, status = checked
        finally:
            _turns.holders.discard(address)
    del data
    context = {
        "report": report,
        "error": error,
        "too_large": too_large,
        "file_name": file_name,
        "step_names": STEP_NAMES,
        "status_names": STATUS_NAMES,
        **_drop_context(request),
    }
    template = "_check_report.html.j2" if request.headers.get("HX-Request") else "check.html.j2"
    answer = _public(page(template, language, None, status, **context))
    if status in (429, 503):
        answer.headers["Retry-After"] = str(RETRY_SECONDS)
    return answer


async def _check(
    request: Request, data: bytes, keys: Any, gettext: Any, language: str
) -> tuple[dict[str, Any] | None, bool, str | None, int]:
    """(report, too large, error, status) of one check, run in its turn."""
    try:
        report = await check_statement(data, keys, request.app.state.public_url)
        report["on_log"] = await run_in_threadpool(_on_log, request, report)
    except CheckTooLarge:
        return None, True, None, 200  # a verdict on the file, not the service's failure
    except CheckUnavailable as exc:
        said = gettext("The check could not run to its end: %(why)s") % {"why": str(exc)}
        return None, False, said, 503
    _say_reasons(report, gettext, language)
    return report, False, None, 200


def _say_reasons(report: dict[str, Any], gettext: Any, language: str) -> None:
    """Each step's reason in the reader's language (api.web.statement_reasons), replaced in
    `report`'s steps in place and marked `said` when it was (issue 16: ru and kk pages said
    every reason in English). A file that is no PDF at all (a JPG dropped by mistake) is
    said without the PDF library's own words ("Failed to load document (PDFium: Data format
    error)"): certificates.pdf_reading.UnreadablePdf's reason."""
    for step in report.get("steps", []):
        reason = str(step.get("reason") or "")
        if not reason:
            continue
        if reason.startswith("not a readable PDF"):
            step["reason"] = gettext("The file is not a PDF: drop the statement's PDF file")
            step["said"] = True
            continue
        step["reason"] = statement_reasons.said(reason, language)
        step["said"] = language == "en" or step["reason"] != reason


@router.get("/check/{batch}", response_class=HTMLResponse)
async def statement_page(
    request: Request,
    batch: str,
    sha256: str = "",
    size: str = "",
    root: str = "",
    lang: str | None = None,
) -> Response:
    """What a statement's QR code opens."""
    language = _language(request, lang)
    gettext = i18n.gettext_of(language)
    base = str(request.base_url).rstrip("/")
    try:
        if not _paper_query(request):
            raise NotAStatementCode("not a QR code's query")
        identifier(batch)  # ValueError: bidi controls, a second line, an endless id...
        paper = from_fields(batch, sha256, size, root, base)
    except (NotAStatementCode, ValueError):
        # Said without the address's text: nothing an attacker wrote reaches this page.
        message = gettext("This address is not one a statement's QR code carries")
        shown = page("error.html.j2", language, None, 404, message=message, public=True)
        return _public(shown)
    system = system_of(request)
    # The page changes only when the log grows or signs a checkpoint. Two indexed reads,
    # made here on the loop: a hop to a thread costs more than they do (as the session
    # check of every logged-in page).
    key = (paper, language, log_state(system))
    kept: OrderedDict[Any, bytes] = _kept(request)
    html = kept.get(key)
    if html is None:
        html = await _made_once(request, key, lambda: _drawn(request, paper, language))
        kept[key] = html
        while len(kept) > KEPT_PAGES:
            kept.popitem(last=False)
    return _public(HTMLResponse(html))  # bytes: rendered once, sent as they are


async def _drawn(request: Request, paper: Any, language: str) -> bytes:
    """The public page of `paper` in `language`, as bytes."""
    # A batch the log does not have is answered as one whose statement is not the paper's,
    # byte for byte and by the same path (public_statement), cached alike.
    found = await run_in_threadpool(public_statement, system_of(request), paper)
    zone = request.app.state.timezone
    shown = page(
        "check_statement.html.j2",
        language,
        None,
        s=found,
        at=times_in(zone),
        **paper_shown(found, language, zone),
    )
    return bytes(shown.body)


async def _made_once(request: Request, key: Any, make: Callable[[], Awaitable[bytes]]) -> bytes:
    """`make()` for `key`, once however many ask at the same moment: the others await the
    first's answer. Without it, the moment a page was not kept (the first reading of a
    statement, a grown log), every connection waiting built the 1,000-item page in a thread
    of its own at once, each slowed by the others (0.6-0.95 s each for 16, against 64 ms
    alone: the public page's p99 of 722 ms under 16 connections)."""
    state = request.app.state
    if not hasattr(state, "public_drawing"):
        state.public_drawing = {}
    drawing: dict[Any, asyncio.Task[bytes]] = state.public_drawing
    task = drawing.get(key)
    if task is None:
        # A task of its own, not the asking request's: a reader who goes away does not
        # cancel the page the others wait for.
        task = asyncio.ensure_future(make())
        drawing[key] = task
        task.add_done_callback(lambda _: drawing.pop(key, None))
    return await asyncio.shield(task)


def _paper_query(request: Request) -> bool:
    """The query is a QR code's: sha256, size and root exactly once, lang at most once, and
    nothing else (docs/statement-qr.md)."""
    names = [name for name, _ in request.query_params.multi_items()]
    if any(name not in (*PAPER_FIELDS, "lang") for name in names):
        return False
    return all(names.count(n) == 1 for n in PAPER_FIELDS) and names.count("lang") <= 1


def paper_shown(found: PublicStatement, language: str, zone: str) -> dict[str, Any]:
    """The paper's list of items, its totals and its batch's discrepancies with how each was
    settled (issue 16), worded as the paper in `language` words them (certificates.page,
    times in `zone`), for the reader to lay beside the paper; empty when withheld."""
    if found.withheld or found.content is None:
        return {"columns": [], "rows": [], "totals": [], "discrepancies": []}
    columns, rows = pages.listed(found.content, language)
    return {
        "columns": columns,
        "rows": rows,
        "totals": pages.totals(found.content, language),
        "discrepancies": [
            pages.discrepancy_lines(d, language, zone)
            for d in found.content.get("discrepancies", [])
        ],
        "discrepancies_title": words(language)["discrepancies"],
    }


def times_in(zone: str) -> Any:
    """A ledger time as the service's zone shows it, with the zone's name (no login: no
    zone of the reader's own)."""
    return lambda value: f"{local_time(value, zone)} ({zone})"


def _kept(request: Request) -> OrderedDict[Any, bytes]:
    state = request.app.state
    if not hasattr(state, "public_pages"):
        state.public_pages = OrderedDict()
    return state.public_pages  # type: ignore[no-any-return]


def _on_log(request: Request, report: dict[str, Any]) -> str | None:
    """Whether this service's log still holds the checkpoint the dropped statement is bound
    to (api.public_statements.paper_checkpoint_on_log); None when the check read none."""
    size, root = report.get("checkpoint_size"), report.get("checkpoint_root")
    if not isinstance(size, int) or not isinstance(root, str):
        return None
    return paper_checkpoint_on_log(system_of(request), size, root)


def _ledger_keys(request: Request) -> list[str]:
    """Every ledger key this service has had (its rotation chain, oldest first): a statement
    printed before a rotation is bound to a checkpoint the older key signed."""
    ledger = system_of(request).ledger
    with ledger.database.read() as conn:
        return [r.verifier.vkey for r in ledger.keys(conn) if r.purpose == LEDGER]


def _drop_context(request: Request) -> dict[str, Any]:
    # The offline command names the configured public address, never the Host header
    # (anyone can send one): without it the page says "this service's address".
    base: str | None = request.app.state.public_url
    return {"base": base.rstrip("/") if base else None, "max_mb": MAX_BYTES // (1024 * 1024)}
