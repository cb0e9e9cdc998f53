"""The scan socket's messages (/web/scan/live, api.web.scan.live), read as strictly as the
API reads a JSON body (api.http.strict_json).

The page sends one JSON object per scan: {"code": [...] (or one code as a string), "step",
"csrf", "place", "transfer"}, every value text. A message is taken only in that shape:

- JSON as RFC 8259 defines it, parsed by the API's own `loads_strict`: a key given twice
  (which a lenient parser answers with the last of them), NaN or Infinity, or an integer of
  more than strict_json.INTEGER_DIGITS digits is refused;
- nested no deeper than the shape (an object holding a list): the standard library's parser
  recurses, and 64 KiB of `[` would reach its recursion limit;
- an object, with the fields above only (`extra="forbid"`), each text (nothing coerced:
  `1` is not the code "1"), and no lone surrogate (`"\\ud800"`), which JSON's escapes can
  write but no database or page can hold.

Anything else raises NotTheMessage, whose text names what is wrong (in English, as the API's
problem details are: the page itself never sends such a message, a program does); the socket
closes with it as the reason (RFC 6455 section 7.1.6), not with a bare code.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from api.http.limits import too_deep
from api.http.strict_json import StrictBody, loads_strict
from workflows import grammar

DEPTH = 2
"""How deep the page's message nests: the object and its list of codes."""

REASON_BYTES = 123
"""The most a WebSocket close frame's reason may hold (UTF-8 bytes, RFC 6455 section 5.5)."""


class NotTheMessage(ValueError):
    """A socket message that is not the scan page's; str() says why."""


class ScanMessage(StrictBody):
    """One scan's message, as the page sends it."""

    code: list[str] | str
    csrf: str
    step: str = ""
    place: str = ""  # an inventory count's place
    transfer: str = ""  # a receipt's transfer

    @property
    def codes(self) -> list[str]:
        return [self.code] if isinstance(self.code, str) else self.code


def read(said: str) -> ScanMessage:
    """The message in the text frame `said`, or NotTheMessage saying what is wrong."""
    if too_deep(said.encode("utf-8", "surrogatepass"), DEPTH):
        raise NotTheMessage(f"the message nests deeper than {DEPTH} (an object and a list)")
    try:
        given: Any = loads_strict(said)
    except json.JSONDecodeError as exc:
        raise NotTheMessage(f"not JSON: {exc.msg}") from None
    if not isinstance(given, dict):
        raise NotTheMessage(f"the message is a JSON object, not {type(given).__name__}")
    try:
        message = ScanMessage.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise NotTheMessage(f"{where}: {first['msg']}") from None
    if "\\u" in said:  # only an escape writes a lone surrogate (a text frame is UTF-8)
        for text in (*message.codes, message.step, message.csrf, message.place, message.transfer):
            if not _encodable(text):
                raise NotTheMessage(f"{grammar.shown(text)} holds a lone surrogate")
    return message


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def reason(refused: NotTheMessage) -> str:
    """The refusal as a close frame's reason: cut to REASON_BYTES of UTF-8, whole
    characters only."""
    said = str(refused).encode("utf-8", "replace")
    return said[:REASON_BYTES].decode("utf-8", "ignore")
