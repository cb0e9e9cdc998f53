"""JSON request bodies read strictly: an object that names a key twice is refused.

The standard library keeps the last of two equal keys and says nothing (RFC 8259 section 4
only says names SHOULD be unique), so `{"item": "A-1", "item": "A-2"}` would reach the
command as if the caller had sent one of them. A court record takes neither: the body is
refused whole, as FastAPI refuses any JSON it cannot decode (422 problem+json,
`json_invalid`, naming the key).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict

from workflows import grammar


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


def loads_strict(body: bytes | str) -> Any:
    """Parse JSON text (bytes as UTF-8), refusing duplicate keys at any depth and integers of
    more than INTEGER_DIGITS digits. Raises json.JSONDecodeError (ValueError)."""
    try:
        return json.loads(body, object_pairs_hook=unique_pairs, parse_int=_integer)
    except _LongInteger as exc:
        digits = exc.args[0]
        raise json.JSONDecodeError(
            f"an integer of {digits:,} digits (at most {INTEGER_DIGITS})", "", 0
        ) from None


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_strict(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is parsed by `loads_strict`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict
