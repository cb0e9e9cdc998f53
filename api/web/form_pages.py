"""What a browser's form gets when a field is refused before its route runs (a field longer
than its `max_length`, a number out of range): the form's own page again with the refusal in
the reader's language, as a route's own refusals are, never the API's problem+json (a page's
script that sends JSON still gets that: api.web.pages). Each admin page registers here the
page its forms come back to, who may see it, and its fields' labels; `Typed` trims a form's
text as every desk form's is (workflows.grammar.typed, docs/identifiers.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BeforeValidator
from starlette.datastructures import FormData
from starlette.requests import HTTPConnection

from api.web import i18n
from api.web.render import Visitor
from workflows import grammar


def _typed(value: Any) -> Any:
    return grammar.typed(value) if isinstance(value, str) else value


# A form's text field: spaces and tabs at its ends removed before its length and pattern are
# checked (`Annotated[Typed, Form(max_length=64)]`). Not for a password or a CSRF token.
Typed = Annotated[str, BeforeValidator(_typed)]

Draw = Callable[[Request, Visitor, int, str], Awaitable[Response]]


@dataclass(frozen=True)
class FormPage:
    draw: Draw  # (request, visitor, status, error) -> the page with the error shown
    guard: Callable[[Visitor], None]  # raises Forbidden or AccessRefused for others
    labels: Mapping[str, str]  # a form field's name -> the msgid of its label on the page


_PAGES: dict[str, FormPage] = {}


def register(
    path: str, draw: Draw, guard: Callable[[Visitor], None], labels: Mapping[str, str]
) -> None:
    """The page the forms posted to `path` and below it (`/web/admin/accounts/u/grant`) come
    back to with a refusal."""
    _PAGES[path] = FormPage(draw, guard, labels)


def page_of(path: str) -> FormPage | None:
    """The registered page of the longest path that is `path` or holds it; None if none."""
    held = [p for p in _PAGES if path == p or path.startswith(p.rstrip("/") + "/")]
    return _PAGES[max(held, key=len)] if held else None


NOT_UTF8 = "not_utf8"  # the error type of a form field that held bytes not UTF-8


async def utf8_form(connection: HTTPConnection) -> None:
    """A dependency of every page route (a WebSocket passes): RequestValidationError
    (NOT_UTF8, naming the field) for a browser's urlencoded form whose field, name or value,
    holds U+FFFD once decoded,
    which is how a byte that is not UTF-8 (`model=%CD%EE%E6`, Windows-1251) comes out of
    the parser: signed, it would be '���' (issue 12, finding 6). Only where FastAPI has read
    the form already (the route declares Form fields); a route that reads its form itself,
    with its own limits, calls `refuse_not_utf8` on it. Other requests pass untouched."""
    request = connection  # a WebSocket (the scan page's) has no form
    if not isinstance(request, Request):
        return
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is None or not _urlencoded(request):
        return
    refuse_not_utf8(request, await request.form())  # the form FastAPI read (Starlette's cache)


def _urlencoded(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return request.method == "POST" and kind == "application/x-www-form-urlencoded"


def refuse_not_utf8(request: Request, form: FormData) -> None:
    """RequestValidationError (NOT_UTF8) naming the first field of an urlencoded `form`
    whose name or value holds U+FFFD (a byte not UTF-8, decoded as the replacement)."""
    if not _urlencoded(request):
        return
    for name, value in form.multi_items():
        if "\ufffd" in name or (isinstance(value, str) and "\ufffd" in value):
            raise RequestValidationError(
                [
                    {
                        "type": NOT_UTF8,
                        "loc": ("body", name),
                        "msg": "the field holds bytes that are not UTF-8 text",
                        "input": None,
                    }
                ]
            )


def refusal(exc: RequestValidationError, labels: Mapping[str, str], language: str) -> str:
    """The first refused field of a form in `language` (ru, kk, en), named by its label on
    the page (`labels`, else i18n.FIELDS, else its name): its most characters, or to check
    it."""
    gettext = i18n.gettext_of(language)
    error = next((e for e in exc.errors() if e["loc"][:1] == ("body",)), None)
    if error is None or len(error["loc"]) < 2:
        return gettext("Check the request's fields")
    name = str(error["loc"][1])
    field = gettext(labels[name]) if name in labels else i18n.field_label(name, gettext)
    if error["type"] == NOT_UTF8:
        return gettext(
            "The field %(field)s holds characters that are not UTF-8 text: type it again"
        ) % {"field": field}
    most = (error.get("ctx") or {}).get("max_length")
    # "too_long" where the text was trimmed first (`Typed`: a validator before the length)
    if error["type"] in ("string_too_long", "too_long") and most is not None:
        return gettext("The field %(field)s takes at most %(n)s characters") % {
            "field": field,
            "n": most,
        }
    return gettext("Check the field: %(field)s") % {"field": field}
