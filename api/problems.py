"""RFC 9457 problem details: every error the API returns, mapped in one place.

Each kind of error has its own type URI under /problems/; the body never carries a stack
trace. Rule refusals (from workflows) add the rule id, e.g. {"rule": "R3"}.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from custody.errors import (
    CustodyError,
    EncodingError,
    LedgerKeyError,
    LedgerStateError,
    MalformedEntryError,
    NoteError,
    ProofRangeError,
)

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("custody.api")


class Problem(BaseModel):
    """The body of every error response (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": title}
    for status, title in (
        (400, "Bad request"),
        (404, "Not found"),
        (422, "Invalid parameters"),
        (503, "Ledger unavailable"),
    )
}

# error class -> (status, type slug, title); the first match in this order wins
_MAPPING: list[tuple[type[CustodyError], int, str, str]] = [
    (ProofRangeError, 400, "proof-range", "No such proof in this tree"),
    (EncodingError, 422, "encoding", "Value cannot be written exactly"),
    (MalformedEntryError, 422, "malformed-entry", "Malformed entry"),
    (NoteError, 422, "malformed-note", "Malformed signed note"),
    (LedgerStateError, 503, "ledger-state", "The ledger is not ready"),
    (LedgerKeyError, 503, "ledger-key", "The ledger key is not available"),
]


def problem(
    status: int, slug: str, title: str, detail: str | None, request: Request
) -> JSONResponse:
    body = Problem(
        type=f"/problems/{slug}",
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(CustodyError)
    async def custody_error(request: Request, exc: CustodyError) -> JSONResponse:
        for kind, status, slug, title in _MAPPING:
            if isinstance(exc, kind):
                return problem(status, slug, title, str(exc), request)
        return problem(400, "refused", "Refused", str(exc), request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        return problem(422, "invalid-parameters", "Invalid parameters", details, request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem(exc.status_code, slug, str(exc.detail), None, request)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback for the operator; the client learns only that it failed.
        log.exception("unexpected error on %s", request.url.path)
        return problem(500, "internal", "Internal error", None, request)
