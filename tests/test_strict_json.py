"""Duplicate keys in a JSON body are found at any depth, and nothing else is refused
(api.http.strict_json; RFC 8259 section 4 leaves duplicates to the parser)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.http.strict_json import loads_strict

keys = st.sampled_from(["a", "b", "item", "é", "e\u0301"])
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


def _text(value: Any) -> str:
    """JSON text of a value where objects are lists of pairs, so keys may repeat."""
    if isinstance(value, tuple):
        return "{" + ",".join(f"{json.dumps(k)}:{_text(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_text(v) for v in value) + "]"
    return json.dumps(value)


def _has_duplicate(value: Any) -> bool:
    if isinstance(value, tuple):
        names = [k for k, _ in value]
        return len(set(names)) < len(names) or any(_has_duplicate(v) for _, v in value)
    if isinstance(value, list):
        return any(_has_duplicate(v) for v in value)
    return False


documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.lists(st.tuples(keys, inner), max_size=4).map(tuple)
    ),
    max_leaves=20,
)


@given(documents)
def test_refused_exactly_when_some_object_repeats_a_key(document: Any) -> None:
    text = _text(document)
    if _has_duplicate(document):
        with pytest.raises(json.JSONDecodeError, match="duplicate key"):
            loads_strict(text)
    else:
        assert loads_strict(text) == json.loads(text)


def test_keys_equal_only_after_normalisation_are_different_keys() -> None:
    # "é" precomposed and decomposed are two names to JSON; the grammar refuses non-NFC text
    assert len(loads_strict('{"\u00e9": 1, "e\u0301": 2}')) == 2


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_numbers(constant: str) -> None:
    # the standard library takes them (JavaScript's), RFC 8259 section 6 has no such number
    with pytest.raises(json.JSONDecodeError, match=f"{constant} is not a JSON number"):
        loads_strict(f'{{"weight_g": {constant}}}')
    with pytest.raises(json.JSONDecodeError, match="not a JSON number"):
        loads_strict(f"[1, [{constant}]]")
