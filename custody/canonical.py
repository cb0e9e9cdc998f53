"""RFC 8785 (JCS) canonical JSON: the exact bytes every ledger body is hashed and signed as.

`rfc8785` is the reference encoder. Because it is pure Python (about 50 µs for one entry
body, as much as an Ed25519 signature), orjson does the work wherever the two provably give
the same bytes, which is for every value that has

- no floats (orjson and JCS format floats differently),
- no integer beyond 2^53 (JCS refuses them),
- no key with a code point above U+FFFF (JCS sorts keys by UTF-16 code units, orjson by
  code point; the orders differ only when a key holds a surrogate pair).

Their string escapes are the same: `"`, `\\`, `\\b \\f \\n \\r \\t`, other controls as \\u00xx,
and nothing else. Outside that domain the reference encoder is used. `tests/test_canonical.py`
checks with hypothesis that both paths give identical bytes.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson
import rfc8785

from custody.errors import EncodingError

# Beyond 2^53 a JSON number no longer carries an integer exactly (RFC 8785 section 3.2.2.3,
# I-JSON). It holds for floats too: an integral float is written as an integer and read back
# as one, so 2.0**53 would come back as an integer nobody may write.
MAX_EXACT = 2**53 - 1

_SORTED = orjson.OPT_SORT_KEYS
_FAST, _REFERENCE = False, True


class _Refused(Exception):
    """Raised inside the scan; `dumps` then walks again to say where and why."""


def dumps(value: Any) -> bytes:
    """Return the RFC 8785 canonical bytes of `value`, or raise EncodingError.

    Refuses what JCS cannot carry exactly: non-finite floats and floats beyond 2^53, negative
    zero, integers beyond 2^53, bytes, datetimes, lone surrogates, non-string keys.
    """
    return _encode(value, value, "$")


def dumps_with_data(value: dict[str, Any], data: Any) -> bytes:
    """Like `dumps`, for an object whose members other than `data` are already known to be
    safe for the fast path (ASCII keys; checked text, integers within 2^53, null)."""
    return _encode(value, data, "$.data")


def _encode(value: Any, scanned: Any, path: str) -> bytes:
    """Encode `value`, judging which encoder may by scanning `scanned` (named `path`)."""
    try:
        encoder = _scan(scanned)
    except _Refused:
        _explain(scanned, path)
        raise EncodingError("cannot encode as canonical JSON") from None
    if encoder is _REFERENCE:
        return _reference(value)
    return orjson.dumps(value, option=_SORTED)


def loads_canonical(body: bytes) -> Any:
    """Parse `body` and return its value if, and only if, `body` is in canonical form.

    Raises EncodingError when the bytes are not JSON, or not exactly the JCS form of the
    value they hold (another key order, white space, escapes or number form, duplicate keys),
    or hold what `dumps` refuses (numbers beyond 2^53, negative zero): the reader accepts
    exactly what the writer writes (docs/ledger.md "Entries").
    """
    try:
        value = orjson.loads(body)
        fast = _exact(value)
    except orjson.JSONDecodeError:
        fast = False
    if fast:
        if orjson.dumps(value, option=_SORTED) != body:
            raise EncodingError("not in RFC 8785 canonical form")
        return value
    return _loads_reference(body)


def _loads_reference(body: bytes) -> Any:
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise EncodingError(f"not JSON: {exc}") from exc
    # The writer's refusals hold for the reader too: 1e+21 is canonical JCS, but a number
    # beyond 2^53 is one docs/ledger.md forbids, so no verifier may take it as an entry.
    try:
        _scan(value)
    except _Refused:
        _explain(value, "$")
        raise EncodingError("cannot be written as an entry body") from None
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


def _scan(value: Any) -> bool:
    """_FAST when orjson gives the JCS bytes, _REFERENCE when rfc8785 must; _Refused when
    JCS cannot carry the value exactly. It runs for every entry, written and verified, so
    the scalars in objects and arrays are judged inline rather than by a call each."""
    kind = type(value)
    if kind is dict:
        path = _FAST
        for key, item in value.items():
            if type(key) is not str:
                raise _Refused
            if not key.isascii():
                if _has_surrogate(key):
                    raise _Refused
                if any(ord(c) > 0xFFFF for c in key):
                    path = _REFERENCE
            if _scan_member(item) is _REFERENCE:
                path = _REFERENCE
        return path
    if kind is list or kind is tuple:
        path = _FAST
        for item in value:
            if _scan_member(item) is _REFERENCE:
                path = _REFERENCE
        return path
    return _scan_member(value)


def _scan_member(value: Any) -> bool:
    kind = type(value)
    if kind is str:
        if not value.isascii() and _has_surrogate(value):
            raise _Refused
        return _FAST
    if kind is int:
        if -MAX_EXACT <= value <= MAX_EXACT:
            return _FAST
        raise _Refused
    if value is None or kind is bool:
        return _FAST
    if kind is dict or kind is list or kind is tuple:
        return _scan(value)
    if kind is float:
        if _float_problem(value) is not None:
            raise _Refused
        return _REFERENCE
    raise _Refused


def _exact(value: Any) -> bool:
    """For a value orjson has just parsed: True when it holds no float, no integer beyond
    2^53 and no key above U+FFFF, so that orjson writes exactly its JCS bytes. Its strings
    need no look: orjson parses only valid UTF-8, without lone surrogates."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if not key.isascii() and any(ord(c) > 0xFFFF for c in key):
                return False
            kind = type(item)
            if kind is str or kind is bool or item is None:
                continue
            if kind is int:
                if not -MAX_EXACT <= item <= MAX_EXACT:
                    return False
            elif not _exact(item):
                return False
        return True
    if kind is list:
        return all(_exact(item) for item in value)
    if kind is int:
        return bool(-MAX_EXACT <= value <= MAX_EXACT)
    return kind is str or kind is bool or value is None


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _float_problem(value: float) -> str | None:
    if math.isnan(value) or math.isinf(value):
        return f"{value} is not a JSON number"
    if abs(value) > MAX_EXACT:
        return f"float {value} is beyond 2^53 and not exact in JSON"
    if value == 0 and math.copysign(1.0, value) < 0:
        return "negative zero does not survive canonical JSON"
    return None


def _explain(value: Any, path: str) -> None:
    """Raise EncodingError naming the first place in `value` that JCS cannot carry."""
    kind = type(value)
    if kind is str:
        if _has_surrogate(value):
            raise EncodingError(f"{path}: string holds a lone surrogate")
    elif kind is int:
        if not -MAX_EXACT <= value <= MAX_EXACT:
            raise EncodingError(f"{path}: integer {value} is beyond 2^53 and not exact in JSON")
    elif kind is float:
        problem = _float_problem(value)
        if problem is not None:
            raise EncodingError(f"{path}: {problem}")
    elif kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise EncodingError(f"{path}: key {key!r} is not a string")
            if _has_surrogate(key):
                raise EncodingError(f"{path}: key holds a lone surrogate")
            _explain(item, f"{path}.{key}")
    elif kind is list or kind is tuple:
        for index, item in enumerate(value):
            _explain(item, f"{path}[{index}]")
    elif value is not None and kind is not bool:
        raise EncodingError(f"{path}: {kind.__name__} is not a JSON value")
