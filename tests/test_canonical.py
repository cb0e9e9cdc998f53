"""RFC 8785 canonical JSON: the orjson fast path gives exactly the bytes of the reference
`rfc8785` encoder, non-canonical bytes are refused, and values JCS cannot carry are refused."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
import rfc8785
from hypothesis import assume, given
from hypothesis import strategies as st

from custody import canonical
from custody.errors import EncodingError

# Text across the planes, control characters and the characters JSON escapes specially.
text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from('"\\\b\f\n\r\t\x00\x1f\x7f\u2028\u2029ӘҒҚҢӨҰҮҺІ😀\ue000\uffff'),
    ),
    max_size=12,
)
exact_ints = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
exact_floats = st.floats(
    min_value=-(2.0**53) + 1, max_value=2.0**53 - 1, allow_nan=False, allow_infinity=False
).filter(lambda f: not (f == 0 and math.copysign(1, f) < 0))
scalars = st.one_of(st.none(), st.booleans(), exact_ints, text)
json_values = st.recursive(
    st.one_of(scalars, exact_floats),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=20,
)


@given(json_values)
def test_dumps_equals_the_reference_encoder(value: object) -> None:
    assert canonical.dumps(value) == rfc8785.dumps(value)


@given(json_values)
def test_canonical_bytes_parse_back_to_an_equal_value(value: object) -> None:
    body = rfc8785.dumps(value)
    assert rfc8785.dumps(canonical.loads_canonical(body)) == body


@given(json_values)
def test_any_other_serialisation_is_refused(value: object) -> None:
    body = rfc8785.dumps(value)
    for other in (
        json.dumps(value, ensure_ascii=True).encode(),
        json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8", "surrogatepass"),
        b" " + body,
    ):
        if other != body:
            with pytest.raises(EncodingError):
                canonical.loads_canonical(other)


def test_keys_are_sorted_by_utf16_code_units_not_code_points() -> None:
    # U+E000 sorts after the surrogate pair of U+1F600 in UTF-16, before it by code point.
    value = {"\ue000": 1, "😀": 2, "a": 3}
    assert canonical.dumps(value) == rfc8785.dumps(value)
    assert canonical.dumps(value).index("😀".encode()) < canonical.dumps(value).index(
        "\ue000".encode()
    )
    assert canonical.loads_canonical(rfc8785.dumps(value)) == value


@pytest.mark.parametrize(
    "body",
    [
        b'{"b":1,"a":2}',
        b'{"a":1,"a":1}',
        b'{"a":1.0}',
        b'{"a":1e2}',
        b'{"a":-0}',
        b'{"a":"\\u0041"}',
        b'{"a":"\\/"}',
        b'{"a":9007199254740993}',
        b'{"a":NaN}',
        b'{"a":"\xff"}',
        b'{"a":1} ',
        b"",
    ],
    ids=lambda b: b.decode("utf-8", "replace"),
)
def test_non_canonical_bytes_are_refused(body: bytes) -> None:
    with pytest.raises(EncodingError):
        canonical.loads_canonical(body)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"a": 2**53}, "beyond 2\\^53"),
        ({"a": -(2**53)}, "beyond 2\\^53"),
        ({"a": 2.0**53}, "beyond 2\\^53"),
        ({"a": float("nan")}, "not a JSON number"),
        ({"a": float("inf")}, "not a JSON number"),
        ({"a": -0.0}, "negative zero"),
        ({"a": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, "datetime is not a JSON value"),
        ({"a": b"bytes"}, "bytes is not a JSON value"),
        ({"a": {1: "x"}}, "is not a string"),
        ({"a": "\ud800"}, "lone surrogate"),
        ({"a": {"\ud800": 1}}, "lone surrogate"),
        ({"a": {1, 2}}, "set is not a JSON value"),
    ],
)
def test_values_jcs_cannot_carry_are_refused_with_the_path(value: object, reason: str) -> None:
    with pytest.raises(EncodingError, match=reason) as refused:
        canonical.dumps(value)
    assert "$.a" in str(refused.value)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_taken_exactly_when_jcs_round_trips_them(value: float) -> None:
    exact = (
        math.isfinite(value)
        and abs(value) < 2**53
        and not (value == 0 and math.copysign(1, value) < 0)
    )
    if exact:
        body = canonical.dumps({"x": value})
        assert canonical.loads_canonical(body)["x"] == value
    else:
        with pytest.raises(EncodingError):
            canonical.dumps({"x": value})


@given(text)
def test_strings_survive_with_every_escape(value: str) -> None:
    assume(all(not 0xD800 <= ord(c) <= 0xDFFF for c in value))
    assert canonical.loads_canonical(canonical.dumps([value])) == [value]


@pytest.mark.parametrize(
    "body",
    [b'{"a":1e+21}', b'{"a":9007199254740992}', b'{"a":-9007199254740992}', b"[1e+300]"],
)
def test_reader_refuses_a_body_with_a_number_the_writer_refuses(body: bytes) -> None:
    """1e+21 is the JCS form of 1e21, but docs/ledger.md allows no number beyond 2^53."""
    with pytest.raises(EncodingError, match="beyond 2\\^53"):
        canonical.loads_canonical(body)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_reader_accepts_a_float_exactly_when_the_writer_would_write_it(value: float) -> None:
    assume(not (value == 0 and math.copysign(1, value) < 0))  # JCS writes -0.0 as 0
    try:
        body = rfc8785.dumps({"x": value})
    except rfc8785.CanonicalizationError:
        return
    try:
        written = canonical.dumps({"x": value})
    except EncodingError:
        with pytest.raises(EncodingError):
            canonical.loads_canonical(body)
    else:
        assert written == body
        assert canonical.loads_canonical(body) == {"x": value}
