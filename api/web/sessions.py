"""Browser sessions: the login's bearer token (api.access.tokens, with its expiry and
revocation) kept in a cookie the page's scripts cannot read, and a CSRF token on every form.

The cookie is HttpOnly, SameSite=Strict, Secure when the page came over TLS, and lives as
long as a session may (CUSTODY_SESSION_MAX_SECONDS); the token in it expires
CUSTODY_TOKEN_SECONDS after its last use (renewed by api.web.render.visitor), and never
later than that cap after login. A form's CSRF token is derived from the session's
token (SHA-256 under its own prefix), so it needs no storage and dies with the session; before
login, a random value in a cookie of its own and in the form (double submit). SameSite=Strict
alone would stop a cross-site post in today's browsers; the token stops it in any.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from starlette.requests import HTTPConnection

from api.access.login import Accounts
from api.access.tokens import Principal
from api.errors import ApiError, Unauthenticated

SESSION = "custody_session"
LOGIN_CSRF = "custody_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
_PREFIX = b"custody/web-csrf/v1\x00"


class LoginNeeded(ApiError):
    """No session, or one that expired or was revoked: the page sends the person to log in."""


class CsrfRefused(ApiError):
    """A form without the session's CSRF token: from another site, or an old page."""


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str


def csrf_of(token: str) -> str:
    return hashlib.sha256(_PREFIX + token.encode()).hexdigest()


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def current(request: HTTPConnection, accounts: Accounts, known: Session | None = None) -> Session:
    """The session of the request's cookie; LoginNeeded when there is none that holds.
    The token is looked up every time (accounts.principal: expiry, revocation); `known`, the
    session this connection had, is given back when the look-up gives its very principal
    (the same token, so the same CSRF token), without deriving it again."""
    token = request.cookies.get(SESSION)
    if not token:
        raise LoginNeeded("log in first")
    try:
        principal = accounts.principal(token)
    except Unauthenticated as exc:
        raise LoginNeeded(str(exc)) from exc
    if known is not None and known.principal is principal:
        return known
    return Session(principal, csrf_of(token))


def check_csrf(session: Session, given: str | None) -> None:
    if not given or not hmac.compare_digest(session.csrf, given):
        raise CsrfRefused("the form's CSRF token is missing or wrong; reload the page")


def start(response: Response, request: Request, token: str, seconds: int) -> None:
    response.set_cookie(
        SESSION,
        token,
        max_age=seconds,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF, path="/web/login")


def end(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION, path="/", httponly=True, samesite="strict", secure=secure(request)
    )


def login_csrf(request: Request) -> str:
    """The pre-login CSRF value: the cookie's if it has one, else a new one."""
    return request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)


def keep_login_csrf(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        LOGIN_CSRF,
        value,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/web/login",
    )


def check_login_csrf(request: Request, given: str | None) -> None:
    kept = request.cookies.get(LOGIN_CSRF)
    if not kept or not given or not hmac.compare_digest(kept, given):
        raise CsrfRefused("the login form's CSRF token is missing or wrong; reload the page")
