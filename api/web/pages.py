"""The web pages' front door: logging in and out, the account's language and zone, and the
home page of each role with its work queues. `install` puts every page room on the app.

Pages act only through the commands (workflows.commands, run by the API's own writer) and the
API's access rules (api.access); they decide nothing themselves.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Mapping, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from api.access import roles
from api.errors import AccountError, Forbidden, NotYours, Throttled, Unauthenticated
from api.http import device_cookie
from api.http.problems import kind_of, problem
from api.http.strict_json import StrictJSONRoute
from api.system import System
from api.web import form_pages, i18n, notices, preferences, queues, sessions
from api.web.render import KEPT, Visitor, accounts_of, page, system_of, text, visitor
from api.web.scan import MAX_CODES, STEP_FIELDS, Answer, shown
from api.web.sessions import CsrfRefused, LoginNeeded
from custody.errors import CustodyError
from workflows.access import PAYMASTER
from workflows.errors import AccessRefused, UnknownObject
from workflows.escalation import APPEALED_IN_PROCESS, appeal_waits_case
from workflows.model import Item

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)


async def _as_problem(app: FastAPI, request: Request, exc: CustodyError) -> Response:
    """The API's answer to `exc` (api.http.problems), for a path that is not a page."""
    answer = app.exception_handlers[CustodyError](request, exc)
    return await answer if inspect.isawaitable(answer) else answer


Me = Annotated[Visitor, Depends(visitor)]
HOME = "/web/"


def _from_script(request: Request) -> bool:
    """Whether a page's script sent `request` with a JSON body (statement.js, sign.js,
    devicekey.js), and reads its answer as JSON, not as a page to show. A script that posts
    a form (scan.js) shows the HTML it gets, and keeps the page."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json"


def _form_posted(request: Request) -> bool:
    """Whether `request` is a form a browser posted (urlencoded or multipart), which is
    answered with a page; a script's JSON and an address's query are not."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return request.method == "POST" and kind in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "",  # no Content-Type (an empty body): its fields are missing, said on the page
    )


def _takes_form(request: Request) -> bool:
    """Whether the route `request` reached reads its body as a form (its Form or File
    fields: FastAPI's body field is then a params.Form)."""
    body = getattr(request.scope.get("route"), "body_field", None)
    return body is not None and isinstance(body.field_info, params.Form)


async def _reader(request: Request) -> tuple[Visitor | None, str]:
    """Who reads the answer (None without a session: the login form, a stale cookie) and
    in which language: the account's, else the browser's (Accept-Language), else ru."""
    try:
        me: Visitor | None = await visitor(request)
    except (LoginNeeded, CustodyError):
        me = None
    accept = request.headers.get("accept-language")
    return me, me.language if me else i18n.language_of(None, accept)


async def not_a_form(request: Request) -> Response:
    """415 for a form page's route sent a body that is no form (JSON, text/plain), in the
    reader's language (issue 12: the API's English problem+json, "body.location: Field
    required"): problem+json to a script that sent JSON, as a refused CSRF token is; the
    error page to a browser's form of another enctype (text/plain)."""
    me, language = await _reader(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    gettext = i18n.gettext_of(language)
    message = gettext(
        "This page takes its form as application/x-www-form-urlencoded or "
        "multipart/form-data, not %(type)s: send it from the page"
    ) % {"type": kind[:100]}
    if _from_script(request):
        return problem(415, "unsupported-media-type", "Unsupported media type", message, request)
    return page("error.html.j2", language, me, 415, message=message)


def unread_form(
    path: str, exc: StarletteHTTPException, labels: Mapping[str, str], language: str
) -> str:
    """Why the form posted to `path` could not be read (`exc`: form_pages.unread), in
    `language`; for the scan page's check, its own limit of codes (scan.MAX_CODES) rather
    than the fields that hold them (issue 12)."""
    if path == "/web/scan/check" and form_pages.too_many_fields(exc) is not None:
        gettext = i18n.gettext_of(language)  # (gettext by name: pybabel extracts it)
        message = gettext("At most %(n)s codes in one check: send the list in parts")
        return message % {"n": i18n.number(MAX_CODES, language)}
    return form_pages.unread(exc, labels, language)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, lang: str | None = None) -> Response:
    language = i18n.language_of(lang, request.headers.get("accept-language"))
    return _login(request, language)


def _login(
    request: Request,
    language: str,
    error: str | None = None,
    status: int = 200,
    username: str = "",
) -> Response:
    """The login page; after a refusal, with the username typed (never the password)."""
    csrf = sessions.login_csrf(request)
    response = page(
        "login.html.j2", language, None, status, csrf=csrf, error=error, username=username
    )
    sessions.keep_login_csrf(response, request, csrf)
    return response


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    language: Annotated[str, Form(max_length=8)] = "",
    csrf: Annotated[str | None, Form(max_length=128)] = None,
    page_language: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    chosen = language if language in i18n.LANGUAGES else None
    # The language the login page was read in (its ?lang=): an account that never chose
    # one takes it, rather than the browser's Accept-Language.
    read_in = page_language if page_language in i18n.LANGUAGES else None
    shown = i18n.language_of(chosen or read_in, request.headers.get("accept-language"))
    gettext = i18n.gettext_of(shown)
    sessions.check_login_csrf(request, csrf)
    address = request.client.host if request.client else "unknown"
    accounts = accounts_of(request)
    try:
        # The API's own login: the same throttle, the same token, the same expiry.
        issued = await run_in_threadpool(
            accounts.login, username, password, address, device_cookie.presented(request)
        )
    except Throttled as exc:
        message = gettext("Too many failed logins; try again in %(s)s s") % {"s": exc.retry_after}
        return _login(request, shown, message, 429, username)
    except Unauthenticated:
        return _login(request, shown, gettext("Wrong username or password"), 401, username)
    if chosen is not None or read_in is not None:  # else the account keeps the one it has
        await run_in_threadpool(_remember_language, request, username, chosen, read_in)
    response = RedirectResponse(HOME, status_code=303)
    sessions.start(response, request, issued.token, accounts.config.session_max_seconds)
    device_cookie.remember(response, request, issued, accounts.config.login_known_days)
    return response


def _remember_language(
    request: Request, username: str, chosen: str | None, read_in: str | None
) -> None:
    """A language chosen at login is the account's from then on; else, for an account that
    has none yet, the language its login page was read in. The zone is kept."""
    database = system_of(request).ledger.database
    with database.read() as conn:
        kept = preferences.of(conn, username, request.app.state.timezone)
    language = chosen or (read_in if kept.language is None else None)
    if language is None or language == kept.language:
        return
    with database.write(lock=False) as conn:
        preferences.save(conn, username, language, kept.timezone)


@router.post("/logout")
async def logout(
    request: Request, me: Me, csrf: Annotated[str | None, Form(max_length=128)] = None
) -> Response:
    sessions.check_csrf(me.session, csrf)
    await run_in_threadpool(accounts_of(request).logout, me.principal)
    response = RedirectResponse(f"/web/login?lang={me.language}", status_code=303)
    sessions.end(response, request)
    return response


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(me: Me) -> Response:
    return page("settings.html.j2", me.language, me, zones=_ZONES)


_ZONES = ("Asia/Almaty", "Asia/Aqtobe", "Asia/Aqtau", "Asia/Oral", "Asia/Qyzylorda", "UTC")


@router.post("/settings")
async def save_settings(
    request: Request,
    me: Me,
    language: Annotated[str, Form(max_length=8)],
    timezone: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    sessions.check_csrf(me.session, csrf)
    try:
        with system_of(request).ledger.database.write(lock=False) as conn:
            preferences.save(conn, me.username, language, timezone)
    except AccountError:
        gettext = i18n.gettext_of(me.language)
        error = gettext("Choose a language and a time zone from the lists")
        return page("settings.html.j2", me.language, me, 422, zones=_ZONES, error=error)
    return RedirectResponse("/web/settings?saved=1", status_code=303)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, me: Me) -> Response:
    """The role's work queues: each queue's count and its first rows, clocks first. Kept
    (render.KEPT) while the ledger, the person's open notices and the minute are the same:
    the clocks are shown to the minute, as of the minute the page was drawn. An auditor reads
    everything and has no queue: their home is the dashboard."""
    if me.role == roles.AUDITOR:
        from api.web.dashboard import dashboard_page

        return await dashboard_page(request, me)
    if me.role == PAYMASTER:  # their queues are the payments (api.web.payments)
        from api.web.payments import payments_page

        return await payments_page(request, me)
    process = system_of(request).process
    places = queues.places_of(me.principal)
    minute = process.now().replace(second=0, microsecond=0)
    key = KEPT.key(me, "home", minute, tuple(places or ()))
    return await KEPT.page(key, lambda: _home(request, me, places, minute))


def _item_or_none(system: System, item: str) -> Item | None:
    try:
        return system.process.item(item)
    except UnknownObject:
        return None


def _home(request: Request, me: Visitor, places: Sequence[str] | None, now: dt.datetime) -> str:
    system = system_of(request)
    shown = queues.for_role(system.process, me.role, places)
    with system.ledger.database.read() as conn:
        mine = notices.open_of(conn, me.username)
    for row in mine.rows:  # worded for what is true of the item now (r19)
        if row["kind"] == APPEALED_IN_PROCESS:
            row["case"] = appeal_waits_case(_item_or_none(system, row["item"]))
    return text(
        "home.html.j2",
        me.language,
        me,
        queues=shown,
        to_sign=queues.to_sign(system.process, me.principal),
        now=now,
        fields=STEP_FIELDS,
        places=system.process.locations(),
        notices=mine,
    )


@router.get("/queues/{key}", response_class=HTMLResponse)
async def queue_page(request: Request, me: Me, key: str, page_no: int = 1) -> Response:
    """One queue in full, QUEUE_PAGE rows a page: the home page's "more"."""
    spec = queues.spec_of(me.role, key)
    if spec is None:
        raise UnknownObject(f"no queue {key!r} for your role")
    process = system_of(request).process
    places = queues.places_of(me.principal)
    number = max(1, min(page_no, 10_000))
    shown = await run_in_threadpool(queues.one_page, process, spec, places, number)
    locations = await run_in_threadpool(process.locations)
    return page(
        "queue.html.j2",
        me.language,
        me,
        queue=shown,
        page_no=number,
        now=process.now(),
        fields=STEP_FIELDS,
        places=locations,
    )


def install(app: FastAPI) -> None:
    """Put the pages on the app: the front door here, scanning, items and forms."""
    from api.web import (
        acts,
        admin,
        audit,
        commission,
        dashboard,
        forms,
        item_page,
        key_pages,
        payments,
        public_check,
        report_pages,
        scan,
    )

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(HOME, status_code=307)

    @app.get("/web", include_in_schema=False)
    async def web_root() -> RedirectResponse:
        return RedirectResponse(HOME, status_code=307)

    @app.exception_handler(LoginNeeded)
    async def to_login(request: Request, exc: LoginNeeded) -> Response:
        """A page is sent to log in; a script's request (htmx, or a fetch: Sec-Fetch-Dest
        empty) is answered 401, since a fetch would follow the redirect and get the login
        page's HTML as its answer, which the scan page cannot show: it goes to log in itself."""
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/web/login"})
        if request.headers.get("Sec-Fetch-Dest") == "empty":
            response: Response = Response(status_code=401)
        else:
            response = RedirectResponse("/web/login", status_code=303)
        sessions.end(response, request)
        return response

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        """The error page in the reader's language (the account's, for a session); a
        page's script that sent JSON gets problem+json with the same sentence for it to
        show (issue 16: statement.js could only show "403")."""
        try:
            me: Visitor | None = await visitor(request)
        except (LoginNeeded, CustodyError):  # no session, or no longer a valid one
            me = None
        accept = request.headers.get("accept-language")
        language = me.language if me else i18n.language_of(None, accept)
        gettext = i18n.gettext_of(language)
        message = gettext("The form has expired or came from elsewhere; reload the page")
        if _from_script(request):
            return problem(403, "csrf", "Form expired or from elsewhere", message, request)
        return page("error.html.j2", language, None, 403, message=message)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        # A page says it in the reader's language; the API answers problem+json as before.
        if not request.url.path.startswith("/web/"):
            detail = str(exc)
            accept = request.headers.get("accept-language")
            if accept:  # in the language asked for, where MESSAGES knows the sentence
                detail = i18n.reason(exc, i18n.language_of(None, accept))
            status, slug, title = kind_of(exc)  # a notice not theirs has its own (issue 19)
            return problem(status, slug, title, detail, request)
        me = await visitor(request)
        gettext = i18n.gettext_of(me.language)
        if isinstance(exc, NotYours):
            message = gettext(NotYours.MESSAGE)
        elif exc.role:
            message = gettext("Your role may not open this page")
        else:  # every role withdrawn: there is no role to name
            message = gettext("Your account holds no role that may open this page")
        return page("error.html.j2", me.language, me, 403, message=message)

    @app.exception_handler(UnknownObject)
    async def unknown(request: Request, exc: UnknownObject) -> Response:
        # Unknown, or at a place the reader does not read at (api.access.reading): the
        # same words for both, so that a page tells no one where another place's item is.
        if not request.url.path.startswith("/web/"):
            return await _as_problem(app, request, exc)
        me = await visitor(request)
        gettext = i18n.gettext_of(me.language)
        message = gettext("Nothing of that id is registered")
        return page("error.html.j2", me.language, me, 404, message=message)

    @app.exception_handler(AccessRefused)
    async def refused(request: Request, exc: AccessRefused) -> Response:
        if not request.url.path.startswith("/web/"):
            return await _as_problem(app, request, exc)
        me = await visitor(request)
        return page("error.html.j2", me.language, me, 403, message=i18n.refusal(exc, me.language))

    api_invalid = app.exception_handlers[RequestValidationError]

    @app.exception_handler(RequestValidationError)
    async def invalid_form(request: Request, exc: RequestValidationError) -> Response:
        """A browser's form under /web/ refused before its route ran (a field over its
        max_length): its page again (api.web.form_pages) with the refusal in the reader's
        language, or the error page where none is registered or the reader may not see it,
        422; nothing is done. The API, a page's script sending JSON and a query refused get
        problem+json, as before; a form page's route sent JSON or text is `not_a_form`."""
        web = request.url.path.startswith("/web/")
        if web and request.method == "POST" and not _form_posted(request) and _takes_form(request):
            return await not_a_form(request)
        if not web or not _form_posted(request):
            answer = api_invalid(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        me, language = await _reader(request)  # (no session on the login form)
        found = form_pages.page_of(request.url.path)
        message = form_pages.refusal(exc, found.labels if found else {}, language)
        if found is not None and me is not None:
            try:
                found.guard(me)
            except (Forbidden, AccessRefused):  # not theirs to see: the error page
                pass
            else:
                return await found.draw(request, me, 422, message)
        return page("error.html.j2", language, me, 422, message=message)

    api_http_error = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(StarletteHTTPException)
    async def no_such_page(request: Request, exc: StarletteHTTPException) -> Response:
        """Under /web/, a mistyped address (404) or a method no page takes (405) is the
        error page in the reader's language, as 403 is (issue 16: a newcomer got the API's
        JSON); elsewhere, and for any other status, the API's problem+json."""
        web = request.url.path.startswith("/web/")
        unread = web and exc.status_code == 400 and _form_posted(request)
        if not web or (exc.status_code not in (404, 405) and not unread):
            answer = api_http_error(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        me: Visitor | None
        try:
            me = await visitor(request)
        except (LoginNeeded, CustodyError):  # the address is wrong whoever asks: no login first
            me = None
        accept = request.headers.get("accept-language")
        language = me.language if me else i18n.language_of(None, accept)
        gettext = i18n.gettext_of(language)
        if unread:
            # A form that could not be read (too many fields or files, a field too long or
            # not UTF-8 text): the page in the reader's language, never the English problem.
            found = form_pages.page_of(request.url.path)
            labels = found.labels if found else {}
            message = unread_form(request.url.path, exc, labels, language)
            if request.url.path == "/web/scan/check":  # the script shows what it gets
                said = shown([Answer("bad", message)], language)
                return HTMLResponse(said, status_code=400)
            if found is not None and me is not None:
                try:
                    found.guard(me)
                except (Forbidden, AccessRefused):
                    pass
                else:
                    return await found.draw(request, me, 400, message)
            return page("error.html.j2", language, me, 400, message=message)
        if exc.status_code == 404:
            message = gettext("There is no page at this address: check it, or go back")
        else:
            message = gettext("This page does not take this kind of request: go back")
        answer = page("error.html.j2", language, me, exc.status_code, message=message)
        if exc.headers:  # 405's Allow
            answer.headers.update(exc.headers)
        return answer

    # The pages' own router, tried first for /web/ paths only (WebFirst): behind the API's
    # hundred-odd routes, each page request tried them all first (1 ms of a kept page's 3).
    # (a form's fields are UTF-8 text, or the form is refused: api.http.strict_forms)
    web = APIRouter(include_in_schema=False, route_class=StrictJSONRoute)
    rooms = (router, scan.router, item_page.router, acts.router, notices.router, forms.router)
    more = (dashboard, report_pages, commission, key_pages, audit, admin, public_check, payments)
    for room in (*rooms, *(m.router for m in more)):
        web.include_router(room)
    app.router.routes.insert(0, WebFirst(web))


class WebFirst(BaseRoute):
    """A route that takes every /web/ path to the pages' router (which answers 404 for one it
    does not know), and lets every other path by after one string comparison."""

    def __init__(self, pages: APIRouter) -> None:
        self.pages = pages

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith("/web/"):
            return Match.FULL, {}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.pages(scope, receive, send)
