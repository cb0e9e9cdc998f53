"""Rendering the pages: one Jinja2 environment per language (gettext installed once, never
swapped between requests), the person who asks, and times in their zone."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from api.access.login import Accounts
from api.access.roles import may
from api.access.tokens import LOGIN, Principal
from api.system import System
from api.web import i18n, labels, preferences
from api.web.sessions import Session, current
from custody.clock import parse_time

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Visitor:
    """Who looks at a page: their session, name, language and zone."""

    session: Session
    name: str
    language: str
    zone: str
    chosen: bool  # whether the account has chosen its language
    version: tuple[int, int, int] = (0, 0, 0)  # preferences.Preferences.version

    @property
    def principal(self) -> Principal:
        return self.session.principal

    @property
    def username(self) -> str:
        return self.principal.username

    @property
    def role(self) -> str:
        return self.principal.role

    def may(self, permission: str) -> bool:
        return may(self.role, permission)


def accounts_of(request: HTTPConnection) -> Accounts:
    return request.app.state.accounts  # type: ignore[no-any-return]


def system_of(request: HTTPConnection) -> System:
    return request.app.state.system  # type: ignore[no-any-return]


async def visitor(request: Request) -> Visitor:
    """The logged-in person (a FastAPI dependency); LoginNeeded sends them to log in."""
    return await visitor_of(request)


async def session_of(request: HTTPConnection, known: Session | None = None) -> Session:
    """The session of the request's cookie, its token renewed when half its life is gone
    (sliding expiry); LoginNeeded when it is missing, expired or revoked. `known`: the
    session a WebSocket had at its last message (sessions.current)."""
    accounts = accounts_of(request)
    session = current(request, accounts, known)
    if session.principal.kind == LOGIN and _renew_due(accounts, session.principal):
        await run_in_threadpool(accounts.renew, session.principal)
    return session


async def visitor_of(request: HTTPConnection) -> Visitor:
    """`visitor` for a request or a WebSocket's opening handshake."""
    session = await session_of(request)
    with system_of(request).ledger.database.read() as conn:
        prefs = preferences.of(conn, session.principal.username, request.app.state.timezone)
    language = prefs.language or i18n.language_of(None, request.headers.get("accept-language"))
    chosen = prefs.language is not None
    return Visitor(session, prefs.name, language, prefs.timezone, chosen, prefs.version)


def _renew_due(accounts: Accounts, principal: Principal) -> bool:
    """Whether the session's token has less than half its lifetime left: it is then renewed
    (sliding expiry), one write per half lifetime of a session in use, not one per page."""
    expires = accounts.expiry(principal)
    if expires is None:
        return False
    half = dt.timedelta(seconds=accounts.config.token_seconds / 2)
    return parse_time(expires) - accounts.clock() < half


def local_time(value: str | None, zone: str, with_seconds: bool = False) -> str:
    """An RFC 3339 UTC time as the reader's wall clock: `2026-11-29 14:05`."""
    if not value:
        return ""
    moment = parse_time(value).astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def due_time(value: str | None, zone: str) -> str:
    """A due time as the law words it, in the reader's zone: a local midnight is `24:00` at
    the end of the day before (`2026-12-06 24:00`), as `custody deadlines` shows it; any
    other time as `local_time`."""
    if not value:
        return ""
    moment = parse_time(value).astimezone(ZoneInfo(zone))
    if (moment.hour, moment.minute, moment.second) != (0, 0, 0):
        return local_time(value, zone)
    return f"{moment.date() - dt.timedelta(days=1):%Y-%m-%d} 24:00"


def span(delta: dt.timedelta, gettext: Any) -> str:
    """A length of time as people say it: `1 d 4 h`, `3 h 12 min`."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return str(gettext("%(d)s d %(h)s h") % {"d": days, "h": hours})
    return str(gettext("%(h)s h %(m)s min") % {"h": hours, "m": mins})


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations = i18n.translations(language)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    gettext = translations.gettext
    env.filters["b64"] = lambda raw: base64.b64encode(raw).decode()
    # Numbers as the reader's language writes them (Russian and Kazakh: "12,5"), as the
    # statements do (certificates.page); `digits` fixes the decimals.
    env.filters["number"] = lambda value, digits=None: format_decimal(
        value, format=None if digits is None else "#,##0." + "0" * digits, locale=language
    )
    env.globals.update(
        STEPS=i18n.STEPS,
        STATES=i18n.STATES,
        LANGUAGES=i18n.LANGUAGES,
        LANGUAGE_NAMES=i18n.NAMES,
        lang=language,
        label=lambda family, value: labels.label(family, value, gettext),
        # A filter's choices: (id, label) by label, as the reader's language sorts them.
        labelled=lambda family, values: sorted(
            ((v, labels.label(family, v, gettext)) for v in values), key=lambda p: p[1].casefold()
        ),
        step_name=lambda kind: labels.label("kind", kind, gettext),
        state_name=lambda s: labels.label("state", s, gettext),
        # Looked up, not called, in the long tables: a call through Jinja costs ten times more.
        STATE_NAMES={state: gettext(msgid) for state, msgid in i18n.STATES.items()},
        span=lambda delta: span(delta, gettext),
        # The places' names in this language, from the registers a page was given
        # (api.web.places; the macro `place` of _place.html.j2 shows one).
        place_names=lambda places: {p.id: p.names.get(language) or p.name for p in places},
        # A reason `custody verify` gave for a failed step, in this language.
        said_reason=lambda reason: i18n.verification(str(reason), language),
    )
    return env


def text(template: str, language: str, visitor: Visitor | None = None, **context: Any) -> str:
    """The page's HTML."""
    env = environment(language)
    zone = visitor.zone if visitor else "UTC"
    return env.get_template(template).render(
        me=visitor,
        when=lambda v, s=False: local_time(v, zone, s),
        due=lambda v: due_time(v, zone),
        **context,
    )


def page(
    template: str, language: str, visitor: Visitor | None = None, status: int = 200, **context: Any
) -> HTMLResponse:
    return HTMLResponse(text(template, language, visitor, **context), status_code=status)


class Kept:
    """Pages drawn from the state, kept while what they show holds: the key names the page,
    the person's session (its CSRF token is in the forms), language, zone and name, and the
    state's version (Visitor.version, read with the session on every request); a page with
    clocks on it adds the minute it was drawn at. Each server process keeps its own; the
    version read from the database keeps them all current. At most `size` pages, the least
    recently used going first."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._drawing: dict[tuple[Any, ...], asyncio.Future[str]] = {}

    async def page(self, key: tuple[Any, ...], draw: Callable[[], str]) -> HTMLResponse:
        """The page kept under `key`, or drawn by `draw` (blocking: run in a worker thread)
        and kept. Requests that ask for a page being drawn wait for that drawing rather than
        drawing it again: at a new minute or a new entry, 16 connections would otherwise
        draw the same page 16 times at once. Call from the event loop only."""
        found = self.get(key)
        if found is not None:
            return HTMLResponse(found)
        drawing = self._drawing.get(key)
        if drawing is not None:
            return HTMLResponse(await asyncio.shield(drawing))
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._drawing[key] = future
        try:
            html = await run_in_threadpool(draw)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self._drawing.pop(key, None)
        future.set_result(html)
        return HTMLResponse(self.put(key, html))

    @staticmethod
    def key(me: Visitor, *more: Any) -> tuple[Any, ...]:
        return (me.session.csrf, me.language, me.zone, me.name, me.version, *more)

    def get(self, key: tuple[Any, ...]) -> str | None:
        found = self._pages.get(key)
        if found is not None:
            self._pages.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], html: str) -> str:
        self._pages[key] = html
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)
        return html


KEPT = Kept()
