"""RFC 9457 problem details: every error the API returns, mapped in one place.

Each kind of error has its own type URI under /problems/; the body never carries a stack
trace. Rule refusals (from workflows) add the rule id, e.g. {"rule": "R3"}.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import (
    AccountError,
    Forbidden,
    IdempotencyConflict,
    MalformedIdempotencyKey,
    NotYours,
    Throttled,
    TooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)
from certificates.worker import RendererBusy
from custody.errors import (
    ActError,
    CustodyError,
    EncodingError,
    KeyRegistryError,
    LedgerKeyError,
    LedgerStateError,
    MalformedEntryError,
    NotAnItem,
    NoteError,
    ProofRangeError,
)
from workflows.errors import AccessRefused, InvalidRequest, RuleViolation, UnknownObject

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("custody.api")


class Problem(BaseModel):
    """The body of every error response (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    # for a refused step: R1 ... R10, PROCESS, INVENTORY; for a 422 value a rule bounds (R1)
    rule: str | None = None
    item: str | None = None  # and the item it names, in a bulk step
    batch: str | None = None  # or the batch it names (a statement's signature, R8)
    place: str | None = None  # for ACCESS: the place the caller does not act at


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": title}
    for status, title in (
        (400, "Bad request"),
        (401, "Not logged in"),
        (403, "Not allowed for this role"),
        (404, "Not found"),
        (409, "Refused by a rule"),
        (413, "Request or file too large"),
        (415, "Body not sent as application/json"),
        (422, "Invalid parameters"),
        (429, "Too many failed logins"),
        (503, "Ledger unavailable, or the statement renderer busy (Retry-After)"),
    )
}

# error class -> (status, type slug, title); the first match in this order wins
_MAPPING: list[tuple[type[CustodyError], int, str, str]] = [
    (Unauthenticated, 401, "unauthenticated", "Not logged in"),
    # Before Forbidden, whose kind it is: no role acknowledges another person's notice, so
    # "Not allowed for this role" misled (issue 19 fix).
    (NotYours, 403, "notice-not-yours", "Not your notice: each person acknowledges their own"),
    (Forbidden, 403, "forbidden", "Not allowed for this role"),
    (Throttled, 429, "throttled", "Too many failed logins"),
    (AccountError, 422, "account", "Account refused"),
    (
        MalformedIdempotencyKey,
        400,
        "idempotency-key-malformed",
        "Idempotency-Key malformed",
    ),
    (
        IdempotencyConflict,
        422,
        "idempotency-key-reused",
        "Idempotency-Key sent with another request",
    ),
    (TooLarge, 413, "too-large", "File too large"),
    (UnsupportedMediaType, 415, "unsupported-media-type", "Unsupported media type"),
    (AccessRefused, 403, "access", "Not allowed here"),
    (RuleViolation, 409, "rule", "Refused by a rule"),
    (UnknownObject, 404, "unknown", "No such object"),
    (InvalidRequest, 422, "invalid-request", "Invalid request"),
    (ActError, 422, "act", "Signed act refused"),
    (KeyRegistryError, 422, "key", "Key refused"),
    (NotAnItem, 404, "not-an-item", "Not an item"),
    (ProofRangeError, 400, "proof-range", "No such proof in this tree"),
    (EncodingError, 422, "encoding", "Value cannot be written exactly"),
    (MalformedEntryError, 422, "malformed-entry", "Malformed entry"),
    (NoteError, 422, "malformed-note", "Malformed signed note"),
    (RendererBusy, 503, "busy", "The statement renderer is busy"),
    (LedgerStateError, 503, "ledger-state", "The ledger is not ready"),
    (LedgerKeyError, 503, "ledger-key", "The ledger key is not available"),
]


MAX_DETAIL = 2000
"""The longest `detail` a problem carries (characters): each refusal quotes at most a short
part of what it was given (workflows.grammar.shown), and this bounds the sum of many."""


def shown_path(path: str) -> str:
    """A request's path (decoded text) as a problem's `instance`: every character that is
    not printable (controls, bidi overrides such as U+202E, line separators, zero-width
    characters) percent-encoded as UTF-8 (RFC 3986), the rest as it is; so the path a
    client sent cannot reorder or hide what a reader of the problem sees."""
    if path.isprintable():
        return path
    return "".join(c if c.isprintable() else quote(c, safe="") for c in path)


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str | None,
    request: Request,
    headers: dict[str, str] | None = None,
    **extra: str | None,
) -> JSONResponse:
    body = Problem(
        type=f"/problems/{slug}",
        title=title,
        status=status,
        detail=detail if detail is None or len(detail) <= MAX_DETAIL else detail[:MAX_DETAIL] + "…",
        instance=shown_path(request.url.path)[:MAX_DETAIL],
        **extra,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def _headers(exc: CustodyError) -> dict[str, str] | None:
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, (Throttled, RendererBusy)):
        return {"Retry-After": str(exc.retry_after)}
    return None


def kind_of(exc: CustodyError) -> tuple[int, str, str]:
    """(status, type slug, title) of an error: the first of _MAPPING it is an instance of,
    else 400 `refused`. The web pages' own handler of Forbidden answers the API with it too."""
    for kind, status, slug, title in _MAPPING:
        if isinstance(exc, kind):
            return status, slug, title
    return 400, "refused", "Refused"


def install(app: FastAPI) -> None:
    @app.exception_handler(CustodyError)
    async def custody_error(request: Request, exc: CustodyError) -> JSONResponse:
        for kind, status, slug, title in _MAPPING:
            if isinstance(exc, kind):
                if isinstance(exc, AccessRefused):
                    return problem(
                        status, slug, title, str(exc), request, rule=exc.rule, place=exc.place
                    )
                if isinstance(exc, RuleViolation):
                    return problem(
                        status,
                        slug,
                        title,
                        str(exc),
                        request,
                        rule=exc.rule,
                        item=exc.item,
                        batch=exc.batch,
                    )
                if isinstance(exc, InvalidRequest) and exc.rule is not None:
                    # still 422 (a value out of the rule's bounds), naming the rule (r19)
                    return problem(
                        status, slug, title, str(exc), request, rule=exc.rule, item=exc.item
                    )
                return problem(status, slug, title, str(exc), request, _headers(exc))
        return problem(400, "refused", "Refused", str(exc), request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        details = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in errors
        )
        if errors and all(error["type"] == "json_invalid" for error in errors):
            # not JSON at all: its own type, so that a client is not sent looking for a field;
            # the decoder's reason (e.g. a key given twice, api.http.strict_json) is kept
            reasons = "; ".join(
                f"{error['msg']}: {error['ctx']['error']}" if error.get("ctx") else error["msg"]
                for error in errors
            )
            return problem(422, "malformed-json", "Body is not JSON", reasons, request)
        return problem(422, "invalid-parameters", "Invalid parameters", details, request)

    @app.exception_handler(ValidationError)
    async def invalid_command(request: Request, exc: ValidationError) -> JSONResponse:
        # A command built by a route from what it was given (an account's, a device's):
        # its model refuses the input as the request's own model would.
        details = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        return problem(422, "invalid-parameters", "Invalid parameters", details, request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(
            exc.status_code, "http-error"
        )
        headers = dict(exc.headers) if exc.headers else None
        return problem(exc.status_code, slug, str(exc.detail), None, request, headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback for the operator; the client learns only that it failed.
        log.exception("unexpected error on %s", request.url.path)
        return problem(500, "internal", "Internal error", None, request)
