"""JSON request bodies read strictly: an object that names a key twice is refused, and so
are NaN and Infinity, which the standard library takes though JSON has no such numbers.

The standard library keeps the last of two equal keys and says nothing (RFC 8259 section 4
only says names SHOULD be unique), so `{"item": "A-1", "item": "A-2"}` would reach the
command as if the caller had sent one of them. A court record takes neither: the body is
refused whole, as FastAPI refuses any JSON it cannot decode (422 problem+json,
`json_invalid`, naming the key).

A route whose body is JSON takes it only as JSON: a body sent as `text/plain` (or any type
but `application/json`, in UTF-8: see `is_json_type`), or with no Content-Type at all,
is answered 415 problem+json /problems/unsupported-media-type naming the type expected
(RFC 9110 section 15.5.16). FastAPI read such a body as bytes and answered 422 "Input should
be a valid dictionary", which sent the client looking for a wrong field (issue 12).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import anyio.to_thread
from fastapi import Request, Response, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict

from api.errors import Unauthenticated, UnsupportedMediaType
from api.http.limits import ON_THE_LOOP
from api.http.strict_forms import StrictFormRequest
from workflows import grammar

JSON_TYPE = "application/json"


class StrictBody(BaseModel):
    """The one base of every JSON body a route outside /steps takes (accounts, devices, key
    requests, the web pages' signed acts), read as strictly as the commands of /steps
    (workflows.commands): a field the model does not name is refused, not dropped
    (`extra="forbid"`), and no value is coerced (`strict`): `true`, `"30"` and `30.0` are not
    the whole number 30, `30` is not the text "30". A refusal is 422 problem+json
    /problems/invalid-parameters naming the field."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`json.loads`'s object_pairs_hook: the object as a dict, or json.JSONDecodeError
    naming the first key given twice."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise json.JSONDecodeError(f"duplicate key {grammar.shown(key)}", "", 0)
        found[key] = value
    return found


# Digits of a JSON integer: no field takes more than 2^63 (19 digits); Python's int() refuses
# more than 4,300 with a ValueError that is not a JSONDecodeError, which FastAPI answered as
# a bare 400 (issue 12, finding 1).
INTEGER_DIGITS = 64


class _LongInteger(Exception):  # not a ValueError: raised through the scanner as itself
    """An integer of more than INTEGER_DIGITS digits, raised through json's scanner."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > INTEGER_DIGITS:
        raise _LongInteger(len(text.lstrip("-")))
    return int(text)


def _constant(name: str) -> Any:
    """`json.loads`'s parse_constant: NaN, Infinity and -Infinity are JavaScript, not JSON
    (RFC 8259 section 6), and no field holds one."""
    raise json.JSONDecodeError(f"{name} is not a JSON number (RFC 8259 section 6)", "", 0)


def loads_strict(body: bytes | str) -> Any:
    """Parse JSON text (bytes as UTF-8), refusing duplicate keys at any depth, integers of
    more than INTEGER_DIGITS digits, and NaN, Infinity and -Infinity. Raises
    json.JSONDecodeError (ValueError)."""
    try:
        return json.loads(
            body, object_pairs_hook=unique_pairs, parse_int=_integer, parse_constant=_constant
        )
    except _LongInteger as exc:
        digits = exc.args[0]
        raise json.JSONDecodeError(
            f"an integer of {digits:,} digits (at most {INTEGER_DIGITS})", "", 0
        ) from None


class StrictJSONRequest(StrictFormRequest):
    """A request whose JSON body is read by `loads_strict`, and its form as UTF-8 text
    (api.http.strict_forms)."""

    async def json(self) -> Any:
        """The body parsed by `loads_strict`; a body over ON_THE_LOOP bytes in a worker thread:
        16 MiB of `[0,0,...]` (a Python call per integer and object) took 6 s of the event loop
        before any login was checked, and every other request waited (r12 CRITICAL)."""
        if not hasattr(self, "_json"):
            body = await self.body()
            if len(body) <= ON_THE_LOOP:
                self._json = loads_strict(body)
            else:
                self._json = await anyio.to_thread.run_sync(loads_strict, body)
        return self._json


def is_json_type(content_type: str) -> bool:
    """Whether a Content-Type header's value names JSON as the routes take it:
    application/json, case aside, with no charset or charset=utf-8 (RFC 8259 section 8.1:
    JSON exchanged between systems is UTF-8). Another charset (`iso-8859-1`) would be read as
    UTF-8 all the same, and a type of its own (`application/vnd.foo+json`,
    `application/json-patch+json`, RFC 6839) names a format no route takes (issue 12)."""
    media, *parameters = content_type.split(";")
    if media.strip().lower() != JSON_TYPE:
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            return False
    return True


async def check_media_type(request: Request) -> None:
    """Raises UnsupportedMediaType (415) for a body not sent as JSON: a Content-Type that is
    not JSON's (`is_json_type`), or none with a body that is not empty. An empty body
    without one is left to the model (its fields are missing: 422, naming them)."""
    given = request.headers.get("content-type")
    if given is None:
        if await request.body():
            raise UnsupportedMediaType(
                f"the body is JSON sent with Content-Type: {JSON_TYPE}; the request has none"
            )
        return
    if not is_json_type(given):
        raise UnsupportedMediaType(
            f"the body is JSON sent with Content-Type: {JSON_TYPE} (in UTF-8, charset=utf-8 "
            f"or none), not {grammar.shown(given.strip())}"
        )


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is parsed by `loads_strict`, and taken only as JSON
    (`check_media_type`); a form's body (a web page's) is the form's, read as UTF-8 text
    (api.http.strict_forms)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        body = self.body_field
        takes_json = body is not None and not isinstance(body.field_info, params.Form)

        needs_login = _needs_login(self.dependant)

        async def strict(request: Request) -> Response:
            strict_request = StrictJSONRequest(request.scope, request.receive)
            if takes_json and needs_login:
                _login_before_a_large_body(request)
            if takes_json:  # the body is read once: the handler's is kept on the request
                await check_media_type(strict_request)
            return await handler(strict_request)

        return strict


def _needs_login(dependant: Dependant) -> bool:
    """Whether the route depends, at any depth, on a bearer token's account: on
    api.access.auth.principal, or on a `Required` permission (which reads the token itself,
    not through principal: r12f HIGH, the guard below never ran on /steps/*)."""
    from api.access.auth import Required, principal

    return any(
        d.call is principal or isinstance(d.call, Required) or _needs_login(d)
        for d in dependant.dependencies
    )


def _login_before_a_large_body(request: Request) -> None:
    """Raises Unauthenticated (401) for a body over ON_THE_LOOP bytes, or of no declared
    length (chunked), sent to a route that needs a token without a token that names an
    account, before a byte of it is read: 16 MiB of `[{},{},...]` was parsed whole (12 s of
    a thread, 0.5 GB) only to be answered 401 (r3 MED), and then again with any cookie or a
    made-up token (r12f HIGH). A small body keeps the order of answers it had (its malformed
    JSON said first)."""
    from api.access.auth import accounts_of

    declared = request.headers.get("content-length", "")
    large = not declared.isascii() or not declared.isdigit() or int(declared) > ON_THE_LOOP
    if not large:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("log in first: send Authorization: Bearer <token>")
    accounts_of(request).principal(token.strip())  # Unauthenticated for a token of no one
