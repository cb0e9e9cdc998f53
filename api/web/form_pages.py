"""What a browser's form gets when a field is refused before its route runs (a field longer
than its `max_length`, a number out of range): the form's own page again with the refusal in
the reader's language, as a route's own refusals are, never the API's problem+json (a page's
script that sends JSON still gets that: api.web.pages). Each admin page registers here the
page its forms come back to, who may see it, and its fields' labels; `Typed` trims a form's
text as every desk form's is (workflows.grammar.typed, docs/identifiers.md). A form that
could not be read at all (`unread`: a field not UTF-8 text, too many fields) is said here too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BeforeValidator
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.http.strict_forms import FormNotUTF8
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


# How Starlette says it could not read a form (its 400's detail, in English)
_FORM_LIMIT = re.compile(r"Too many (?P<what>fields|files)\. Maximum number of \w+ is (?P<n>\d+)")
_PART_SIZE = re.compile(r"exceeded maximum size of (?P<n>\d+)KB")


def too_many_fields(exc: StarletteHTTPException) -> int | None:
    """The most fields a form may hold, when `exc` refused it for holding more; else None."""
    limit = _FORM_LIMIT.search(str(exc.detail))
    return int(limit["n"]) if limit is not None and limit["what"] == "fields" else None


def unread(exc: StarletteHTTPException, labels: Mapping[str, str], language: str) -> str:
    """Why a form could not be read (`exc`, the 400 of request.form(): api.http.strict_forms),
    in `language`: a field not UTF-8 text, named by its label (`labels`, else i18n.FIELDS,
    else its name); more fields or files than the route takes; a field larger than it takes;
    else a body that is no form (broken multipart framing: "Invalid multipart data.")."""
    gettext = i18n.gettext_of(language)
    if isinstance(exc, FormNotUTF8):
        name = exc.field
        field = gettext(labels[name]) if name in labels else i18n.field_label(name, gettext)
        return gettext(
            "The field %(field)s holds characters that are not UTF-8 text: type it again"
        ) % {"field": field}
    limit = _FORM_LIMIT.search(str(exc.detail))
    if limit is not None and limit["what"] == "files":
        message = gettext("The form holds more than %(n)s files: send them in parts")
        return message % {"n": i18n.number(int(limit["n"]), language)}
    if limit is not None:
        message = gettext("The form holds more than %(n)s fields: send it in parts")
        return message % {"n": i18n.number(int(limit["n"]), language)}
    size = _PART_SIZE.search(str(exc.detail))
    if size is not None:
        message = gettext("A field of the form is larger than %(n)s KiB: shorten it")
        return message % {"n": i18n.number(int(size["n"]), language)}
    return gettext("The form could not be read: reload the page and send it again")


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
    most = (error.get("ctx") or {}).get("max_length")
    # "too_long" where the text was trimmed first (`Typed`: a validator before the length)
    if error["type"] in ("string_too_long", "too_long") and most is not None:
        return gettext("The field %(field)s takes at most %(n)s characters") % {
            "field": field,
            "n": i18n.number(most, language),
        }
    return gettext("Check the field: %(field)s") % {"field": field}
