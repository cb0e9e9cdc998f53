"""The grammar of what people give the process: ids, markings, free text, dates and the small
dictionaries of details, as plain checking functions (docs/identifiers.md).

The command models (workflows.commands.fields) apply them to every field, so every way in
(HTTP, CLI, spreadsheet import, the demo, the web pages) refuses the same input with the same
words. Each function returns its value unchanged or raises ValueError saying what is wrong
(pydantic turns that into a refusal naming the field). Nothing is normalised: a court record
keeps what was typed, so a value that is not already in the form the record keeps is refused,
never silently changed.

They run for every field of every command, so they stay cheap: C string methods first
(`str.isprintable`, `unicodedata.is_normalized`), a loop only to name a bad character.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from workflows.vocabulary import REGISTRY_RESULTS

MAX_ID = 128
"""An id: an item's label, a batch, a place, a commission, a transfer, a person (characters)."""
MAX_MARKING = 200
"""A marking as the plate shows it (characters)."""
MAX_TEXT = 2000
"""Free text: a note, a reason, a reference, a name, one detail's value (characters)."""
MAX_DETAILS = 32
"""Keys in one dictionary of details."""
MAX_KEY = 64
"""One key of details (characters)."""
MAX_WHOLE = 10**15
"""The largest whole number a detail may hold (well inside a JSON double's exact integers)."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_KEY = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)


# Controls have no Unicode name; the ones people meet are named here.
_CONTROLS = {
    "\x00": "NULL",
    "\t": "CHARACTER TABULATION",
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}


# Code points that show nothing although Unicode's categories call them printable: the rest
# of Default_Ignorable_Code_Point (DerivedCoreProperties.txt: the grapheme joiner, variation
# selectors, the Khmer inherent vowels, the Mongolian variation selectors, the Hangul fillers
# U+115F, U+1160, U+3164, U+FFA0) and the blank-looking symbols (U+2800 BRAILLE PATTERN BLANK,
# U+16FE4 KHITAN SMALL SCRIPT FILLER, U+1D159 MUSICAL SYMBOL NULL NOTEHEAD). A marking written
# with one looks like the plate and folds apart from it (R11 dodged); an id with one looks like
# another id. The other Default_Ignorable code points (format characters: U+00AD, U+061C,
# U+200B-U+200F, U+202A-U+202E, U+2060-U+206F, U+FEFF, U+FFF0-U+FFF8, U+1BCA0-U+1BCA3,
# U+1D173-U+1D17A, U+E0000-U+E0FFF) are not printable and refused as such.
_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0"
    "\U00016fe4\U0001d159\U000e0000-\U000e0fff]"
)


def shows_nothing(char: str) -> bool:
    """Whether `char` is printable (str.isprintable) yet shows nothing: a Hangul filler
    (U+3164, U+115F), the blank Braille pattern U+2800, a variation selector (`_INVISIBLE`)."""
    return _INVISIBLE.fullmatch(char) is not None


# What a spreadsheet reads as a formula when it opens a cell that begins with it (OWASP, CSV
# injection): an id never begins so; a marking or free text may, and every export neutralises
# it (`spreadsheet_safe`).
FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")


SHOWN = 40
"""The most of a refused value a refusal repeats (characters): a refusal names what was
wrong, it does not echo a megabyte back (nor write it into every log line)."""


def shown(value: object, limit: int = SHOWN) -> str:
    """`repr(value)`, cut to `limit` characters with an ellipsis: how a refusal may quote
    what it was given (escaped, so a control or bidi character shows as its escape)."""
    said = repr(value)
    return said if len(said) <= limit else said[: limit - 1] + "…"


def _describe(char: str) -> str:
    name = (
        _CONTROLS.get(char)
        or unicodedata.name(char, "")
        or _UNNAMED.get(unicodedata.category(char), "a control character")
    )
    return f"U+{ord(char):04X} {name}"


# What a character Unicode gives no name is, by its general category (issue 12, b12 #8:
# U+E000 and U+DC00 were both "a control character")
_UNNAMED = {
    "Co": "a private-use character",
    "Cs": "a surrogate (one half of a UTF-16 pair)",
    "Cn": "an unassigned code point",
    "Cc": "a control character",
}


def _first_unprintable(value: str, allowed: str = "") -> str:
    return next(c for c in value if not c.isprintable() and c not in allowed)


def _line(value: Any, what: str, limit: int, lines: bool = False) -> str:
    """Text of one line (or several, when `lines`): NFC, printable, not blank, no spaces at
    either end, at most `limit` characters."""
    if not isinstance(value, str):
        raise ValueError(f"{what} is text")
    if len(value) > limit:
        raise ValueError(f"{what} is at most {limit} characters")
    # isprintable refuses every control (C0, C1), format character (bidi marks and isolates,
    # zero-width spaces and joiners, U+FEFF, the soft hyphen), separator but the space
    # (no-break spaces, U+2028/U+2029), surrogate, private-use and unassigned code point:
    # all of them look like nothing, or like something else, on a label.
    if not value.isprintable() and (not lines or not value.replace("\n", "").isprintable()):
        bad = _first_unprintable(value, "\n" if lines else "")
        raise ValueError(f"{what} holds {_describe(bad)}, which is not a printable character")
    invisible = _INVISIBLE.search(value)
    if invisible is not None:
        raise ValueError(f"{what} holds {_describe(invisible.group())}, which shows nothing")
    if not value.strip():
        raise ValueError(f"{what} is blank")
    if value[0].isspace() or value[-1].isspace():
        raise ValueError(f"{what} begins or ends with a space")
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        raise ValueError(
            f"{what} is not in Unicode NFC (a letter and a separate combining mark); "
            "send it composed, as a keyboard types it"
        )
    return value


TYPED_EDGES = " \t"
"""What a person's typing leaves around a value in a form field or a spreadsheet cell: spaces
and tabs. `typed` removes them; nothing else is ever removed."""


def typed(value: str) -> str:
    """The one normalisation of text a person typed into a web form's field or a CSV or
    XLSX cell: spaces (U+0020) and tabs (U+0009) at either end removed, explicitly, before
    the grammar checks the value. Nothing else changes: a no-break space, a line separator
    or an ideographic space at an end stays and is refused by the grammar naming it, as the
    API refuses it. The API takes values as a program sent them, so a space at an end there
    is refused, not trimmed (docs/identifiers.md, "Spaces at the ends")."""
    return value.strip(TYPED_EDGES)


def typed_cells(cells: Mapping[str, str]) -> dict[str, str]:
    """`typed` for every cell of a table's row ({column: text}), as a new dict.

    Most rows have no space or tab at any cell's end, and that is found in C: the cells
    joined between NULs, then four searches (a space or a tab after or before a NUL). A NUL
    inside a cell (which the grammar refuses, as unprintable, after this) only sends the row
    the long way. A call of `typed` for each of a row's twenty cells cost an intake file's
    read twice as much as this (bench/imports.py)."""
    joined = "\0" + "\0".join(cells.values()) + "\0"
    # TYPED_EDGES, each on either side of a cell's end (tests/test_grammar.py holds them so)
    if "\0 " in joined or " \0" in joined or "\0\t" in joined or "\t\0" in joined:
        return {column: typed(text) for column, text in cells.items()}
    return dict(cells)


def identifier(value: Any) -> str:
    """An id (item, batch, place, commission, transfer, discrepancy, person): one line of
    at most MAX_ID printable NFC characters, each a letter of the label's alphabets
    (`label_letter`: Latin, Cyrillic with Kazakh, Greek), a digit 0-9, a space or one of
    ID_PUNCTUATION (`- _ .`), at least one letter or digit; not beginning or ending with a
    dot, not beginning with a formula's first character (`= + - @`), and of one script
    (`one_script`).

    Raises ValueError naming the character. An id is a path segment (`/items/{id}`) and a
    label's barcode, and a cell of every export: ids are ours to define, so none reads as a
    formula, as a path, or as a look-alike of another (a Unicode dash `‐ − – ‒ ˗ ⁃` for `-`,
    a trailing dot), and every one prints in the label's font."""
    _line(value, "an id", MAX_ID)
    if "/" in value or "\\" in value:
        raise ValueError("an id holds no / or \\")
    if not any(char.isalnum() for char in value):
        # `_`, `_-_` or `..` would fold to nothing (workflows.markings.fold): not an id.
        raise ValueError("an id holds at least one letter or digit")
    if value.startswith(FORMULA_FIRST):
        raise ValueError(
            f"an id does not begin with {value[0]} (a spreadsheet reads it as a formula)"
        )
    if value[0] == "." or value[-1] == ".":
        raise ValueError("an id does not begin or end with a dot")
    if not _ID_ASCII.fullmatch(value):
        for char in value:
            if char.isascii() or unicodedata.category(char).startswith("L"):
                if char.isascii() and not _ID_ASCII.fullmatch(char):
                    raise ValueError(f"an id holds {_describe(char)}: {_ID_CHARACTERS}")
            elif char.isnumeric():
                raise ValueError(f"an id holds {_describe(char)}: digits are 0-9 only")
            else:
                raise ValueError(f"an id holds {_describe(char)}: {_ID_CHARACTERS}")
    one_script(value)
    for char in value:
        if not char.isascii() and not label_letter(char):
            raise ValueError(
                f"an id holds {_describe(char)}, a letter the label does not print: an id's "
                "letters are Latin, Cyrillic or Greek"
            )
    return value  # type: ignore[no-any-return]


ID_PUNCTUATION = "-_. "
"""The characters other than letters and digits an id may hold (docs/identifiers.md)."""
_ID_ASCII = re.compile(r"[A-Za-z0-9_. -]+", re.ASCII)
_ID_CHARACTERS = "an id's characters are letters, digits 0-9, spaces and - _ ."

# The letters a label prints, and that the marking fold knows (workflows.markings): Latin
# (Basic Latin, Latin-1 Supplement, Latin Extended-A: Kazakh's Latin alphabet of 2021
# included), Cyrillic (U+0400-U+04FF: Russian and Kazakh), Greek (U+0370-U+03FF, the Coptic
# letters of that block excluded). Other scripts' letters (Lisu, Cherokee, Coptic, Lycian,
# Latin small capitals...) look like these on a plate or a screen and fold apart (R11 dodged),
# or print as nothing in the label's font.
_LABEL_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x17F), (0x370, 0x3FF), (0x400, 0x4FF))
_LABEL_SCRIPTS = ("LATIN ", "CYRILLIC ", "GREEK ")


def label_letter(char: str) -> bool:
    """Whether `char` (one character) is a letter of the label's alphabets: Latin, Cyrillic
    (Kazakh letters included) or Greek, in the blocks above."""
    code = ord(char)
    return (
        any(low <= code <= high for low, high in _LABEL_RANGES)
        and unicodedata.category(char).startswith("L")
        and unicodedata.name(char, "").startswith(_LABEL_SCRIPTS)
    )


def _script(char: str) -> str | None:
    """The script of a letter, by the first word of its Unicode name (CYRILLIC, LATIN,
    GREEK, ARMENIAN, HANGUL, CJK, ...); None for what belongs to every script (digits,
    punctuation, symbols, the space) or inherits its letter's (combining marks)."""
    if not unicodedata.category(char).startswith("L"):
        return None
    return unicodedata.name(char, "").split(" ", 1)[0] or None


def one_script(value: str) -> str:
    """An id of one script: ASCII as it is; otherwise no compatibility characters (NFKC
    keeps it as it is: no full-width, superscript or ligature letters), digits 0-9 only,
    and the letters of one script (Unicode names' first word: КZ-1 with a Cyrillic К and a
    Latin Z is refused, it looks like KZ-1). Raises ValueError naming the character."""
    if value.isascii():
        return value
    if not unicodedata.is_normalized("NFKC", value):
        bad = next(c for c in value if unicodedata.normalize("NFKC", c) != c)
        raise ValueError(
            f"an id holds {_describe(bad)}, a compatibility character (write "
            f"{unicodedata.normalize('NFKC', bad)!r} instead)"
        )
    scripts: dict[str, str] = {}
    for char in value:
        if char.isnumeric() and not ("0" <= char <= "9"):
            raise ValueError(f"an id holds {_describe(char)}: digits are 0-9 only")
        script = _script(char)
        if script is not None:
            scripts.setdefault(script, char)
            if len(scripts) > 1:
                (first, one), (second, other) = scripts.items()
                raise ValueError(
                    f"an id mixes scripts: {_describe(one)} ({first.lower()}) and "
                    f"{_describe(other)} ({second.lower()}); an id is of one script"
                )
    return value


MARKING_SIGNS = "\u2116"
"""What a marking may hold beyond letters, digits 0-9 and printable ASCII: `№`, which a
plate shows as itself."""


def marking(value: Any) -> str:
    """A marking exactly as the plate shows it (R10): one line of at most MAX_MARKING
    printable NFC characters with at least one letter or digit; its letters Latin, Cyrillic
    (Kazakh included) or Greek (`label_letter`), its other characters digits 0-9, printable
    ASCII (space and punctuation) or `№`. Cyrillic and Latin letters are kept as given (А and
    A are different letters and stay so; the fold compares them, workflows.markings). Raises
    ValueError naming a character of any other kind: a letter of another script that looks
    like ours (Lisu `ꓐ`, Cherokee `Ᏼ`, Coptic `Ⲃ`, Latin small capital `ʙ`) would dodge R11
    and prints as something else on the label."""
    _line(value, "a marking", MAX_MARKING)
    if not value.isascii():
        for char in value:
            if char.isascii() or char in MARKING_SIGNS or label_letter(char):
                continue
            raise ValueError(
                f"a marking holds {_describe(char)}: a marking's letters are Latin, Cyrillic "
                "or Greek, its other characters digits 0-9, ASCII punctuation, spaces and №"
            )
    if not any(c.isalnum() for c in value):
        raise ValueError("a marking shows at least one letter or digit")
    return value  # type: ignore[no-any-return]


def line(value: Any) -> str:
    """Free text of one line (a name, a reference, a method, a reason): at most MAX_TEXT
    printable NFC characters, not blank, no spaces at either end. Raises ValueError."""
    return _line(value, "the text", MAX_TEXT)


def text(value: Any) -> str:
    """Free text that may run over lines (a note): like `line`, and line feeds (U+000A)
    between lines; no other control, carriage returns included. Raises ValueError."""
    return _line(value, "the text", MAX_TEXT, lines=True)


_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,29}(/[A-Za-z0-9_+-]{1,30}){0,2}", re.ASCII)
MAX_ZONE = 64
"""A tz database zone's name (characters); the longest in use has 32."""


def zone_name(value: Any) -> str:
    """A tz database zone's name as the database spells it (`Asia/Almaty`, `UTC`,
    `America/Argentina/Buenos_Aires`): ASCII letters, digits, `_ + -`, up to three parts
    joined by `/`, at most MAX_ZONE characters. Raises ValueError without repeating the
    value; whether the database knows it is workflows.terms.zone's to say."""
    if not isinstance(value, str) or len(value) > MAX_ZONE or not _ZONE.fullmatch(value):
        raise ValueError(
            f"a time zone is a tz database name such as Asia/Almaty (ASCII, at most "
            f"{MAX_ZONE} characters)"
        )
    return _canonical_zone(value)


# Names the tz database holds that are no zone of a place: `localtime` is the host's own zone
# (so `custody verify` on another machine would count other days), `Factory` and
# `posixrules` are the database's own, `posix/...` and `right/...` are copies of the zones
# (`right/` with leap seconds) under a second name (issue 12, b12final finding 2).
_NOT_A_PLACES_ZONE = frozenset({"localtime", "factory", "posixrules"})
_COPIES = ("posix/", "right/")


def _canonical_zone(value: str) -> str:
    """`value` unless it is a tz database name that is no place's zone (_NOT_A_PLACES_ZONE,
    a `posix/` or `right/` copy); raises ValueError naming it."""
    if value.lower() in _NOT_A_PLACES_ZONE or value.lower().startswith(_COPIES):
        raise ValueError(
            f"{shown(value)} is not a place's time zone: give its canonical name, such as "
            "Asia/Almaty"
        )
    return value


def calendar_date(value: Any) -> str:
    """A real calendar date, YYYY-MM-DD in ASCII digits (ISO 8601 calendar date, complete
    representation, extended format). Month 13, 30 February, year 0000 and other scripts'
    digits are refused. Raises ValueError. Whether it is plausible (not in the future, not
    before the configured horizon) is the process's to say: it knows the clock
    (workflows.intake.check_decision)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("a date is YYYY-MM-DD in digits 0-9")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date of the calendar") from None
    return value


def details(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """A flat dictionary of details (type, model, calibre, manufacturer, country, year):
    at most MAX_DETAILS keys, each lowercase ASCII `[a-z][a-z0-9_]*` of at most MAX_KEY
    characters; each value one line of text (`line`) or a whole number (not a boolean) of at
    most MAX_WHOLE in size. Nothing nested. Raises ValueError."""
    if len(value) > MAX_DETAILS:
        raise ValueError(f"details hold at most {MAX_DETAILS} keys")
    for key, item in value.items():
        if not isinstance(key, str) or len(key) > MAX_KEY or not _KEY.fullmatch(key):
            raise ValueError(f"a key of details is [a-z][a-z0-9_]*, at most {MAX_KEY} characters")
        if type(item) is int:
            if abs(item) > MAX_WHOLE:
                raise ValueError(f"details.{key} is at most {MAX_WHOLE}")
        elif isinstance(item, str):
            _line(item, f"details.{key}", MAX_TEXT)
        else:
            raise ValueError(f"details.{key} is text or a whole number")
    return value


def bounded_json(value: Any, depth: int = 4, strings: int = MAX_TEXT, nodes: int = 5000) -> Any:
    """JSON-like data of bounded shape (a person's act): nesting at most `depth`, strings
    at most `strings` characters, at most `nodes` values in all; numbers are whole numbers.
    Raises ValueError. The act's own fields are checked by custody.acts."""
    count = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        count += 1
        if count > nodes:
            raise ValueError(f"an act holds at most {nodes} values")
        if isinstance(node, dict | list):
            if level >= depth:
                raise ValueError(f"an act is nested at most {depth} deep")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children)
            if isinstance(node, dict) and any(len(k) > MAX_KEY for k in node):
                raise ValueError(f"a key of an act is at most {MAX_KEY} characters")
        elif isinstance(node, str):
            if len(node) > strings:
                raise ValueError(f"a text of an act is at most {strings} characters")
        elif isinstance(node, float):
            raise ValueError("an act holds whole numbers only")
    return value


def not_repeated(ids: list[str]) -> list[str]:
    """Ids of one request: each at most once (a bulk step names an item once). Raises
    ValueError naming the first repeated."""
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for item in ids:
            if item in seen:
                raise ValueError(f"{item} is named twice")
            seen.add(item)
    return ids


# -- people's acts ----------------------------------------------------------------------------

_KEY_ID = re.compile(r"[0-9a-f]{8}", re.ASCII)
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z", re.ASCII)
_WORD = re.compile(r"[a-z][a-z_]{0,63}", re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
MAX_ACT_ITEMS = 100_000
"""Items one act may name (a statement names every item of its batch)."""


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValueError(f"is not {what}")
        return value

    return check


def id_list(value: Any) -> list[str]:
    """A list of ids (`identifier`), each once, at most MAX_ACT_ITEMS. Raises ValueError."""
    if not isinstance(value, list) or not value or len(value) > MAX_ACT_ITEMS:
        raise ValueError(f"is a list of 1 to {MAX_ACT_ITEMS} ids")
    for one in value:
        identifier(one)
    return not_repeated(value)


Check = Callable[[Any], Any]


def _act_moment(value: Any) -> str:
    """An act's time: YYYY-MM-DDTHH:MM:SS.ffffffZ of a day and an hour that exist (no 29
    February of a common year, no 25 o'clock), as custody.acts will read it."""
    moment = _matching(_MOMENT, "a moment YYYY-MM-DDTHH:MM:SS.ffffffZ")(value)
    try:
        dt.datetime.fromisoformat(moment)
    except ValueError:
        raise ValueError(f"{shown(moment)} names a day or time that does not exist") from None
    return moment


def _one_of(words: frozenset[str], what: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in words:
            raise ValueError(f"{what} is one of {', '.join(sorted(words))}")
        return value

    return check


_ACT_COMMON: dict[str, Check] = {
    "kind": _matching(_WORD, "a word of the process"),
    "person": identifier,
    "key_id": _matching(_KEY_ID, "a key id (eight lowercase hex digits)"),
    "time": _act_moment,
    "item": identifier,
}
ACT_SHAPES: dict[str, tuple[dict[str, Check], dict[str, Check]]] = {
    # kind: (the fields it must hold, the fields it may hold), each with its grammar
    "registry_result_recorded": (
        {**_ACT_COMMON, "result": _one_of(REGISTRY_RESULTS, "a registry result")},
        {"case": line, "note": text},
    ),
    "evidence_released": (
        _ACT_COMMON,
        {"case": line, "order": line, "basis": line, "note": text},
    ),
    "diversion_resolved": (
        {
            **_ACT_COMMON,
            "discrepancy": identifier,
            "outcome": _matching(_WORD, "an outcome"),
            "note": text,
        },
        {},
    ),
    "statement_signed": (
        {**_ACT_COMMON, "items": id_list, "statement": _matching(_SHA256, "a hex SHA-256")},
        {},
    ),
}
"""Each kind of a person's act (DESIGN §5) and its exact shape: the fields it must hold and
those it may, each checked by its grammar. Nothing else rides along under a signature: an
unknown field is refused by name (docs/identifiers.md, "People's acts")."""


def act(value: Any) -> dict[str, Any]:
    """A person's act of exactly its kind's shape (ACT_SHAPES): every field it must hold,
    none it may not, each of its grammar. Raises ValueError naming the fields. Whether the
    act binds (its key, time, person and items) is custody.acts'; its meaning the process's."""
    if not isinstance(value, dict):
        raise ValueError("an act is a JSON object")
    kind = value.get("kind")
    if not isinstance(kind, str) or kind not in ACT_SHAPES:
        raise ValueError(f"an act's kind is one of {', '.join(sorted(ACT_SHAPES))}")
    required, optional = ACT_SHAPES[kind]
    unknown = sorted(set(value) - set(required) - set(optional))
    if unknown:
        named = ", ".join(shown(k) for k in unknown[:5])
        raise ValueError(f"an act of kind {kind} holds no field {named}")
    missing = sorted(set(required) - set(value))
    if missing:
        raise ValueError(f"an act of kind {kind} lacks {', '.join(missing)}")
    for name, given in value.items():
        try:
            (required.get(name) or optional[name])(given)
        except ValueError as exc:
            raise ValueError(f"act.{name}: {exc}") from None
    return value
