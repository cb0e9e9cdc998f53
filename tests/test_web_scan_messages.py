"""The scan socket's messages are read as strictly as the API's JSON bodies
(api.web.scan_messages): each way a message can be lenient JSON, or another shape, is
refused with a sentence naming it, and the page's own message is read as sent."""

from __future__ import annotations

import json

import pytest

from api.web.scan_messages import REASON_BYTES, NotTheMessage, read, reason

PAGE = {"code": ["KZ-1"], "step": "parts_removed", "csrf": "t0k", "place": "", "transfer": ""}


def test_the_pages_own_message_is_read_as_sent() -> None:
    message = read(json.dumps(PAGE))
    assert (message.codes, message.step, message.csrf) == (["KZ-1"], "parts_removed", "t0k")
    # one code may come as a string; step, place and transfer may be left out
    assert read('{"code": "ПА 855883", "csrf": "t0k"}').codes == ["ПА 855883"]


@pytest.mark.parametrize(
    ("said", "named"),
    [
        ('{"code": ["KZ-1"], "csrf": "t0k", "csrf": "other"}', "duplicate key 'csrf'"),
        ('{"code": ["KZ-1"], "code": ["KZ-2"], "csrf": "t0k"}', "duplicate key 'code'"),
        ('{"code": [NaN], "csrf": "t0k"}', "NaN is not a JSON number"),
        ('{"code": ["KZ-1"], "csrf": "t0k", "step": Infinity}', "Infinity is not a JSON number"),
        ('{"code": ["KZ-1"], "csrf": -Infinity}', "-Infinity is not a JSON number"),
        ('{"code": [1' + "0" * 100 + '], "csrf": "t0k"}', "an integer of 101 digits"),
        ('{"code": [1e999], "csrf": "t0k"}', "code"),  # a float (inf), not text
        ('{"code": ["KZ-1"], "csrf": "t0k"', "not JSON"),
        ("not json", "not JSON"),
        ('["KZ-1"]', "a JSON object, not list"),
        ('"KZ-1"', "a JSON object, not str"),
        ("42", "a JSON object, not int"),
        ("null", "a JSON object, not NoneType"),
        ('{"code": [1], "csrf": "t0k"}', "code"),
        ('{"code": 1, "csrf": "t0k"}', "code"),
        ('{"code": ["KZ-1"], "csrf": 7}', "csrf: Input should be a valid string"),
        ('{"code": ["KZ-1"], "csrf": "t0k", "step": true}', "step: Input should be a valid string"),
        ('{"code": ["KZ-1"], "csrf": "t0k", "place": null}', "place: Input should be a valid"),
        ('{"code": ["KZ-1"]}', "csrf: Field required"),
        ('{"csrf": "t0k"}', "code: Field required"),
        ('{"code": ["KZ-1"], "csrf": "t0k", "items": ["KZ-9"]}', "items: Extra inputs"),
        ('{"code": ["KZ-1"], "csrf": "t0k", "code ": "x"}', "code : Extra inputs"),
        ('{"code": [["KZ-1"]], "csrf": "t0k"}', "nests deeper than 2"),
        ('{"code": ["KZ-1"], "csrf": {"a": 1}}', "csrf: Input should be a valid string"),
        ("[" * 60_000 + "]" * 60_000, "nests deeper than 2"),  # the parser would recurse
        ('{"code": ["KZ-\\ud800"], "csrf": "t0k"}', "lone surrogate"),
        ('{"code": ["KZ-1"], "csrf": "\\udfff"}', "lone surrogate"),
    ],
    ids=[
        "duplicate-csrf",
        "duplicate-code",
        "nan",
        "infinity",
        "minus-infinity",
        "huge-integer",
        "huge-float",
        "cut-off",
        "not-json",
        "list",
        "string",
        "number",
        "null",
        "code-a-number",
        "code-not-a-list",
        "csrf-a-number",
        "step-a-boolean",
        "place-null",
        "no-csrf",
        "no-code",
        "extra-key",
        "extra-key-alike",
        "nested-list",
        "nested-object",
        "deep",
        "lone-surrogate-code",
        "lone-surrogate-csrf",
    ],
)
def test_a_message_not_strictly_the_pages_is_refused_naming_why(said: str, named: str) -> None:
    with pytest.raises(NotTheMessage) as refused:
        read(said)
    assert named in str(refused.value)
    said_back = reason(refused.value)
    assert said_back
    assert len(said_back.encode()) <= REASON_BYTES


def test_a_long_refusal_is_cut_to_a_close_frames_reason_on_a_whole_character() -> None:
    cut = reason(NotTheMessage("Ж" * 100))  # 200 bytes of UTF-8
    assert cut == "Ж" * 61
    assert len(cut.encode()) == 122
