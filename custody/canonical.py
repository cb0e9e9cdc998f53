"""RFC 8785 (JCS) canonical JSON: the exact bytes every ledger body is hashed and signed as.

`rfc8785` is the reference encoder. Because it is pure Python (about 50 µs for one entry body,
as much as an Ed25519 signature), we also use orjson, but only on the domain where the two
provably give the same bytes:

- no floats anywhere (orjson and JCS format floats differently);
- integers of at most 15 digits (JCS refuses integers beyond 2^53, orjson does not);
- no code point above U+FFFF in any key (JCS sorts keys by UTF-16 code units, orjson by code
  point; the two orders differ only when a key holds a surrogate pair).

Outside that domain the reference encoder is used. `tests/test_canonical.py` checks with
hypothesis that both paths give identical bytes wherever `rfc8785` accepts a value.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson
import rfc8785

from custody.errors import EncodingError

# Beyond 2^53 a JSON number no longer carries an integer exactly (RFC 8785 section 3.2.2.3,
# I-JSON). It holds for floats too: an integral float is written as an integer and read back
# as one, so 2.0**53 would come back as an integer nobody may write.
MAX_EXACT = 2**53 - 1

_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")
# In orjson's compact output every number token follows '{', ':', ',', '[' or starts the text;
# this finds the tokens the fast path must not judge: floats and integers of 16 digits or more,
# and any 4-byte UTF-8 sequence (a code point above U+FFFF).
_FAST_PATH_UNSAFE = re.compile(rb"(?:^|[:,\[])-?(?:\d{16}|\d+[.eE])|[\xf0-\xf4]")


def dumps(value: Any) -> bytes:
    """Return the RFC 8785 canonical bytes of `value`, or raise EncodingError.

    Refuses what JCS cannot carry exactly: non-finite floats and floats beyond 2^53, negative
    zero, integers beyond 2^53, bytes, datetimes, lone surrogates, non-string keys.
    """
    needs_reference = _check(value, "$")
    if needs_reference:
        return _reference(value)
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS)
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise EncodingError(f"cannot encode as canonical JSON: {exc}") from exc


def loads_canonical(body: bytes) -> Any:
    """Parse `body` and return its value if, and only if, `body` is in canonical form.

    Raises EncodingError when the bytes are not JSON or not exactly the JCS form of the value
    they hold (other key order, white space, escapes, number forms, duplicate keys).
    """
    if _FAST_PATH_UNSAFE.search(body) is None:
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            value = _NOT_PARSED
        if value is not _NOT_PARSED and orjson.dumps(value, option=_ORJSON_OPTIONS) == body:
            return value
    return _loads_reference(body)


class _NotParsed:
    pass


_NOT_PARSED = _NotParsed()


def _loads_reference(body: bytes) -> Any:
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise EncodingError(f"not JSON: {exc}") from exc
    if _reference(value) != body:
        raise EncodingError("not in RFC 8785 canonical form")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _reference(value: Any) -> bytes:
    try:
        result: bytes = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise EncodingError(f"cannot encode as canonical JSON: {exc}") from exc
    return result


def _check(value: Any, path: str) -> bool:
    """Refuse what JCS cannot carry; return True when the reference encoder must be used."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, str):
        _check_str(value, path)
        return False
    if isinstance(value, int):
        if not -MAX_EXACT <= value <= MAX_EXACT:
            raise EncodingError(f"{path}: integer {value} is beyond 2^53 and not exact in JSON")
        return False
    if isinstance(value, float):
        _check_float(value, path)
        return True
    if isinstance(value, list | tuple):
        needs = False
        for index, item in enumerate(value):
            needs = _check(item, f"{path}[{index}]") or needs
        return needs
    if isinstance(value, dict):
        return _check_object(value, path)
    raise EncodingError(f"{path}: {type(value).__name__} is not a JSON value")


def _check_object(value: dict[Any, Any], path: str) -> bool:
    needs = False
    for key, item in value.items():
        if not isinstance(key, str):
            raise EncodingError(f"{path}: key {key!r} is not a string")
        _check_str(key, path)
        if not key.isascii() and _NON_BMP.search(key):
            needs = True
        needs = _check(item, f"{path}.{key}") or needs
    return needs


def _check_str(value: str, path: str) -> None:
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise EncodingError(f"{path}: string holds a lone surrogate") from exc


def _check_float(value: float, path: str) -> None:
    if math.isnan(value) or math.isinf(value):
        raise EncodingError(f"{path}: {value} is not a JSON number")
    if abs(value) > MAX_EXACT:
        raise EncodingError(f"{path}: float {value} is beyond 2^53 and not exact in JSON")
    if value == 0 and math.copysign(1.0, value) < 0:
        raise EncodingError(f"{path}: negative zero does not survive canonical JSON")
