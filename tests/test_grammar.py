"""The grammar of ids, markings, text, dates and details (workflows.grammar,
docs/identifiers.md), the JSON depth scan that runs before parsing (api.http.limits), and the
process's own guard against a client setting the server's fields (workflows.steps.advance)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from api.http.limits import too_deep
from api.web import i18n
from tests.support.site import Site
from workflows import grammar
from workflows.commands.registers import AddLocation
from workflows.errors import InvalidRequest
from workflows.markings import fold
from workflows.steps import advance

# Combining marks that print as nothing (a forger wrote a destroyed weapon's marking with
# U+034F inside, and R11 did not see it): the grapheme joiner, variation selectors, the Khmer
# inherent vowels, the Mongolian free variation selectors.
SHOW_NOTHING = (
    ["\u034f", "\u17b4", "\u17b5", "\u180b", "\u180c", "\u180d", "\u180f"]
    + [chr(c) for c in range(0xFE00, 0xFE10)]
    + [chr(c) for c in range(0xE0100, 0xE01F0)]
    # Hangul fillers and blank-looking symbols: letters and symbols by their categories,
    # blank on a label (the breaker's "invisible letters").
    + ["\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\U00016fe4", "\U0001d159"]
)
# What no label may carry: controls, bidi controls, zero-width characters, the soft hyphen.
INVISIBLE = (
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
    + list("\u200b\u200c\u200d\u2060\ufeff\u00ad\u2028\u2029\u00a0")
    + SHOW_NOTHING
)
CHECKS = [grammar.identifier, grammar.marking, grammar.line, grammar.text]


def _outcome(check: Any, value: Any) -> str | None:
    try:
        assert check(value) is value  # returned unchanged, never normalised
    except ValueError as exc:
        return str(exc)
    return None


@given(st.text(max_size=300))
@example("../../etc/passwd")
@example("\u200b")
@example("И\u0306")
@example("ПА\u034f 855883")
@example("=1+1")
@example("КZ-1")
@example("ＫＺ-1")
@example("Б-١")
@example("партия 7")
def test_an_id_is_accepted_only_when_every_part_of_the_grammar_holds(value: str) -> None:
    holds = (
        0 < len(value) <= grammar.MAX_ID
        and value.isprintable()
        and value.strip() == value
        and value.strip(".") != ""
        and "/" not in value
        and "\\" not in value
        and unicodedata.is_normalized("NFC", value)
        and not any(c in SHOW_NOTHING for c in value)
        and value[:1] not in ("=", "+", "-", "@")
        and not value.startswith(".")
        and not value.endswith(".")
        and all(c in ID_ASCII or (not c.isascii() and _ours(c)) for c in value)
        and (value.isascii() or _of_one_script(value))
    )
    assert (_outcome(grammar.identifier, value) is None) == holds


# What an id may hold besides letters (docs/identifiers.md): the test's own list.
ID_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_. ")


def _ours(char: str) -> bool:
    """The test's own reading of a letter the label prints: a letter named LATIN, CYRILLIC
    or GREEK in the Latin-1, Latin Extended-A, Greek and Cyrillic blocks."""
    return (
        unicodedata.category(char).startswith("L")
        and unicodedata.name(char, "").split(" ")[0] in ("LATIN", "CYRILLIC", "GREEK")
        and (0xC0 <= ord(char) <= 0x17F or 0x370 <= ord(char) <= 0x4FF)
    )


def _of_one_script(value: str) -> bool:
    """The test's own reading of an id of one script: no character NFKC changes, digits
    0-9 only, the letters' names all begin with the same word."""
    scripts = {
        unicodedata.name(c, "").split(" ")[0]
        for c in value
        if unicodedata.category(c).startswith("L")
    }
    return (
        all(unicodedata.normalize("NFKC", c) == c for c in value)
        and all(c in "0123456789" for c in value if c.isnumeric())
        and len(scripts) <= 1
    )


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("КZ-1", "mixes scripts: U+041A CYRILLIC CAPITAL LETTER KA"),
        ("KZ-1\u0410", "U+0410 CYRILLIC CAPITAL LETTER A (cyrillic)"),
        ("ＫＺ-1", "U+FF2B FULLWIDTH LATIN CAPITAL LETTER K, a compatibility character"),
        ("Б-١", "U+0661 ARABIC-INDIC DIGIT ONE: digits are 0-9 only"),
        ("=1+1", "does not begin with ="),
        ("+77", "does not begin with +"),
        ("-B", "does not begin with -"),
        ("@SUM", "does not begin with @"),
        ("KZ\u31641", "U+3164 HANGUL FILLER, which shows nothing"),
        ("KZ\u2800", "U+2800 BRAILLE PATTERN BLANK, which shows nothing"),
        ("\uffa0", "U+FFA0 HALFWIDTH HANGUL FILLER, which shows nothing"),
        # Ids that look like another through a Unicode dash or a dot at an end (b12r).
        ("KZ\u20101", "U+2010 HYPHEN: an id's characters are"),
        ("KZ\u22121", "U+2212 MINUS SIGN"),
        ("KZ\u20131", "U+2013 EN DASH"),
        ("KZ\u20121", "U+2012 FIGURE DASH"),
        ("KZ\u02d71", "U+02D7 MODIFIER LETTER MINUS SIGN"),
        ("KZ\u20431", "U+2043 HYPHEN BULLET"),
        # Ids of separators only would fold to nothing (issue 12).
        ("_", "at least one letter or digit"),
        ("__", "at least one letter or digit"),
        ("_ _", "at least one letter or digit"),
        ("_-_", "at least one letter or digit"),
        ("..", "at least one letter or digit"),
        ("KZ-1.", "does not begin or end with a dot"),
        (".KZ-1", "does not begin or end with a dot"),
        ("KZ?1", "U+003F QUESTION MARK"),
        ("KZ#1", "U+0023 NUMBER SIGN"),
        ("KZ%1", "U+0025 PERCENT SIGN"),
        ("KZ&1", "U+0026 AMPERSAND"),
        ("KZ<1>", "U+003C LESS-THAN SIGN"),
        ('KZ"1', "U+0022 QUOTATION MARK"),
        ("KZ;1", "U+003B SEMICOLON"),
        ("KZ,1", "U+002C COMMA"),
        # An id wholly in a script the label's font does not print (b12r).
        ("ᏦᏃ-0849Ꭺ9Ꮯ0Ꮯ6", "U+13E6 CHEROKEE LETTER TSO, a letter the label does not print"),
        ("ꓐꓰ-1", "U+A4D0 LISU LETTER BA, a letter the label does not print"),
        ("ʙᴇ-1", "U+0299 LATIN LETTER SMALL CAPITAL B, a letter the label does not print"),
    ],
)
def test_an_id_refusal_names_its_character(value: str, words: str) -> None:
    assert words in (_outcome(grammar.identifier, value) or "")


@pytest.mark.parametrize("value", ["KZ-000001", "партия 7", "Ә-1", "ÜBER-1", "B-1.2_x"])
def test_ids_of_one_script_are_accepted(value: str) -> None:
    assert _outcome(grammar.identifier, value) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("\ua4d0\ua4f0 734011", "U+A4D0 LISU LETTER BA"),
        ("\u13f4\u13ac 734011", "U+13F4 CHEROKEE LETTER YV"),
        ("\u0299\u1d07 734011", "U+0299 LATIN LETTER SMALL CAPITAL B"),
        ("\u2c82\u2c88 734011", "U+2C82 COPTIC CAPITAL LETTER VIDA"),
        ("\U00010282\U00010289 734011", "U+10282 LYCIAN LETTER B"),
        ("BE \u2164", "U+2164 ROMAN NUMERAL FIVE"),
        ("BE\u2013734011", "U+2013 EN DASH"),
    ],
)
def test_a_marking_in_letters_the_fold_does_not_know_is_refused(value: str, words: str) -> None:
    # R11 was dodged with these against a destroyed `ВЕ 734011` (b12r): the label printed
    # them as Latin letters, the fold kept them apart.
    why = _outcome(grammar.marking, value) or ""
    assert words in why
    assert "a marking's letters are Latin, Cyrillic or Greek" in why


@given(st.text(max_size=40))
def test_a_marking_accepted_folds_to_letters_the_label_prints(value: str) -> None:
    if _outcome(grammar.marking, value) is not None:
        return
    folded = fold(value)
    for char in folded:
        assert char.isascii() or char == "\u2116" or _ours(char), (value, folded)


def test_a_marking_may_mix_scripts_and_begin_with_a_formula_character() -> None:
    # A marking is as the plate shows it (R10); exports neutralise it (spreadsheet_safe).
    assert grammar.marking("АК-74 MADE IN USSR") == "АК-74 MADE IN USSR"
    assert grammar.marking("=1+1") == "=1+1"
    assert "U+3164 HANGUL FILLER" in (_outcome(grammar.marking, "\u3164") or "")


@given(
    st.sampled_from(CHECKS),
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=20),
    st.sampled_from(INVISIBLE),
    st.integers(min_value=0, max_value=20),
)
def test_no_invisible_character_passes_anywhere_in_a_value(
    check: Any, word: str, invisible: str, at: int
) -> None:
    value = unicodedata.normalize("NFC", word)
    value = value[:at] + invisible + value[at:]
    if check is grammar.text and invisible == "\n" and 0 < at < len(value) - 1:
        return  # a note may run over lines
    why = _outcome(check, value)
    assert why is not None
    if invisible not in " \n" or not (at == 0 or at >= len(value) - 1):
        assert f"U+{ord(invisible):04X}" in why or "space" in why or "blank" in why


@given(st.text(alphabet="АВЕКМНОРСТХавекмнорстхABEKMHOPCTXabekmhopctx0123456789 -№", max_size=40))
def test_a_marking_keeps_its_cyrillic_and_latin_letters_as_given(value: str) -> None:
    value = value.strip()
    if not value or not any(c.isalnum() for c in value):
        return
    assert grammar.marking(value) == value
    assert grammar.marking(value).encode() == value.encode()


@given(st.text(max_size=3000))
def test_every_value_is_either_accepted_unchanged_or_refused_with_a_value_error(
    value: str,
) -> None:
    for check in CHECKS:
        _outcome(check, value)


@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_every_calendar_date_is_accepted(day: dt.date) -> None:
    text = day.isoformat()
    assert grammar.calendar_date(text) == text


@given(st.text(max_size=12))
@example("2026-13-45")
@example("0000-00-00")
@example("٢٠٢٦-١٠-٢٨")
@example("2026-02-29")
@example("２０２６-１０-２８")
def test_a_date_is_accepted_only_when_it_is_a_day_of_the_calendar_in_ascii(text: str) -> None:
    try:
        day = dt.date.fromisoformat(text)
        real = day.isoformat() == text and text.isascii()
    except ValueError:
        real = False
    assert (_outcome(grammar.calendar_date, text) is None) == real


@given(
    st.dictionaries(
        st.text(max_size=70),
        st.one_of(st.text(max_size=50), st.integers(), st.booleans(), st.floats(), st.none()),
        max_size=40,
    )
)
def test_details_are_flat_small_and_typed(details: dict[str, Any]) -> None:
    holds = len(details) <= grammar.MAX_DETAILS and all(
        0 < len(key) <= grammar.MAX_KEY
        and key.isascii()
        and key[0].islower()
        and all(c.islower() or c.isdigit() or c == "_" for c in key)
        and (
            (type(value) is int and abs(value) <= grammar.MAX_WHOLE)
            or (isinstance(value, str) and _outcome(grammar.line, value) is None)
        )
        for key, value in details.items()
    )
    assert (_outcome(grammar.details, details) is None) == holds


@given(st.lists(st.sampled_from(["KZ-1", "KZ-2", "KZ-3", "B-1"]), max_size=6))
def test_ids_of_one_request_are_refused_when_one_repeats(ids: list[str]) -> None:
    why = _outcome(grammar.not_repeated, ids)
    assert (why is None) == (len(set(ids)) == len(ids))


# --- the depth scan before parsing ------------------------------------------------------

BRACKETY = st.text(alphabet='[]{}"\\ab', max_size=8)
JSON = st.recursive(
    st.none() | st.integers() | BRACKETY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(BRACKETY, inner, max_size=3),
    max_leaves=40,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@given(JSON, st.integers(min_value=0, max_value=8))
def test_the_depth_scan_agrees_with_the_parsed_depth(value: Any, limit: int) -> None:
    body = json.dumps(value, ensure_ascii=False).encode()
    assert too_deep(body, limit) == (_depth(value) > limit)


def test_json_300_deep_is_found_too_deep_without_parsing() -> None:
    assert too_deep(b"[" * 300 + b"]" * 300, 32)
    assert not too_deep(b'["' + b"[" * 300 + b'"]', 32)


def _lexed_depth(body: bytes) -> int:
    """The deepest nesting a JSON lexer sees in `body`, strings and their escapes skipped (RFC
    8259 section 7), one byte at a time: the oracle for too_deep's bytes.replace and split."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:
            in_string = True
        elif byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


_UNITS = st.sampled_from([b"a", b"[", b"]", b"{", b"}"]) | st.sampled_from(b'a"\\[]{}n').map(
    lambda c: b"\\" + bytes([c])
)
_STRING_TOKEN = st.lists(_UNITS, max_size=6).map(lambda units: b'"' + b"".join(units) + b'"')
_UNCLOSED = st.tuples(st.lists(_UNITS, max_size=6), st.booleans()).map(
    lambda pair: b'"' + b"".join(pair[0]) + (b"\\" if pair[1] else b"")
)
_TOKENS = st.lists(st.sampled_from([b"[", b"]", b"{", b"}", b",", b"1", b":"]) | _STRING_TOKEN)


@given(_TOKENS, st.one_of(st.just(b""), _UNCLOSED), st.integers(min_value=0, max_value=6))
def test_the_depth_scan_agrees_with_a_lexer_on_malformed_json(
    tokens: list[bytes], tail: bytes, limit: int
) -> None:
    """Unbalanced brackets, escaped quotes and backslashes, a string left open at the end (the
    parser refuses all these; the scan must still see the depth the parser would recurse to)."""
    body = b"".join(tokens) + tail
    assert too_deep(body, limit) == (_lexed_depth(body) > limit)


def test_an_unclosed_string_of_escaped_quotes_is_scanned_in_linear_time() -> None:
    """b12 CRITICAL: a regular expression over strings was tried again from every quote of an
    unclosed string of escaped quotes (20 KB: seconds; 160 KB: minutes of the event loop). The
    scan of 8 MB of them must end; a thread's join bounds the wait, since a quadratic scan of
    this body would run for days, so the bound is a hang's guard, not a speed measure."""
    body = b"[" * 40 + b'"' + b'\\"' * 4_000_000
    answers: list[bool] = []
    worker = threading.Thread(target=lambda: answers.append(too_deep(body, 32)), daemon=True)
    worker.start()
    worker.join(120)
    assert answers == [True]


# --- the process's own guard ------------------------------------------------------------


def test_per_item_cannot_override_what_the_step_shares(site: Site) -> None:
    rifle = site.register_rifle()
    size = _size(site)
    with (
        pytest.raises(InvalidRequest, match="may not set batch"),
        site.process.work("sklad.omarov") as work,
    ):
        advance(work, "batch_loaded", [rifle], {"batch": "B-1"}, {rifle: {"batch": "B-2"}})
    assert _size(site) == size


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


@given(st.text(alphabet=st.sampled_from(" \t\u00a0\u2028\u3000\nab"), max_size=12))
def test_typed_removes_spaces_and_tabs_at_the_ends_and_nothing_else(value: str) -> None:
    # The one normalisation of a form field or a spreadsheet cell (docs/identifiers.md).
    trimmed = grammar.typed(value)
    assert trimmed == value.strip(" \t")
    assert trimmed in value
    if trimmed:
        assert trimmed[0] not in " \t"
        assert trimmed[-1] not in " \t"


@given(
    st.dictionaries(
        st.sampled_from(["item", "marking", "model", "year"]),
        st.text(alphabet=st.sampled_from(" \t\x00\u00a0\nab№"), max_size=6),
    )
)
@example({"item": "a", "marking": "b\x00 ", "model": "", "year": "\t"})
def test_a_rows_cells_are_typed_each_as_typed_does(cells: dict[str, str]) -> None:
    # typed_cells skips the strips when no cell has a space or tab at an end: it must find
    # every such cell (a NUL in a cell included), and leave the row's dict unchanged.
    before = dict(cells)
    assert grammar.typed_cells(cells) == {k: grammar.typed(v) for k, v in cells.items()}
    assert cells == before
    assert grammar.TYPED_EDGES == " \t"  # the four searches of typed_cells are these two's


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "Проверьте поле"), ("kk", "өрісін тексеріңіз"), ("en", "Check the field")],
)
def test_a_form_refused_by_the_grammar_names_the_character_in_each_language(
    language: str, words: str
) -> None:
    given = {"location": "KZ\u3164-1", "kind": "unit", "name": "Отдел", "region": "Алматы"}
    with pytest.raises(ValidationError) as refused:
        AddLocation.model_validate(given)
    said = i18n.invalid_field(refused.value, language)
    assert words in said
    # the field by its label in the reader's language, not its name (issue 12)
    assert {"ru": "Место", "kk": "Орын", "en": "Place"}[language] in said
    assert "location" not in said
    assert "U+3164" in said  # its code; Unicode's English name is not shown (the newcomer)
    assert "HANGUL FILLER" not in said
    assert "which shows nothing" not in said or language == "en"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_new_refusals_are_said_in_each_language(language: str) -> None:

    for message in (
        "an id mixes scripts: U+041A CYRILLIC CAPITAL LETTER KA (cyrillic) and "
        "U+005A LATIN CAPITAL LETTER Z (latin); an id is of one script",
        "an id does not begin with = (a spreadsheet reads it as a formula)",
        "no account nobody: a supervisor is a person with an account",
        "act.case: the text holds U+202E RIGHT-TO-LEFT OVERRIDE, which is not a printable "
        "character",
        # b12r: the script limit of ids and markings, a dot at an id's end, campaigns, acts
        "an id does not begin or end with a dot",
        "an id holds U+2010 HYPHEN: an id's characters are letters, digits 0-9, spaces and - _ .",
        "an id holds U+13E6 CHEROKEE LETTER TSO, a letter the label does not print: an id's "
        "letters are Latin, Cyrillic or Greek",
        "a marking holds U+A4D0 LISU LETTER BA: a marking's letters are Latin, Cyrillic or "
        "Greek, its other characters digits 0-9, ASCII punctuation, spaces and №",
        "a campaign starts on or after 1991-12-16 (the record horizon), not 0001-01-01",
        "a campaign names each place once: UNIT-ALM is named twice",
        "act is dated 1990-01-01T00:00:00.000000Z, before its key 1a2b3c4d was registered "
        "(2026-11-30T12:00:00.000000Z)",
    ):
        said = i18n.reason(ValueError(message), language)
        if language != "en":
            assert said != message, said


@given(
    char=st.one_of(
        st.integers(0xE000, 0xF8FF).map(chr),  # the Private Use Area
        st.integers(0xD800, 0xDFFF).map(chr),  # surrogates
    )
)
def test_a_private_use_character_and_a_surrogate_are_named_for_what_they_are(char: str) -> None:
    """Issue 12 (b12 #8): U+E000 and U+DC00 were both refused as "a control character"."""
    with pytest.raises(ValueError, match=r"holds U\+[0-9A-F]{4} ") as refused:
        grammar.marking(f"АК {char}1")
    kind = "a private-use character" if 0xE000 <= ord(char) <= 0xF8FF else "a surrogate"
    assert kind in str(refused.value)
    assert "a control character" not in str(refused.value)
