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
from collections.abc import Mapping
from typing import Any

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


# Combining marks that show nothing (category Mn, so printable): the grapheme joiner,
# variation selectors, the Khmer inherent vowels and the Mongolian variation selectors. A
# marking written with one looks like the plate and folds apart from it (R11 dodged).
_INVISIBLE = re.compile("[\u034f\u17b4\u17b5\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _describe(char: str) -> str:
    name = _CONTROLS.get(char) or unicodedata.name(char, "a control character")
    return f"U+{ord(char):04X} {name}"


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


def identifier(value: Any) -> str:
    """An id (item, batch, place, commission, transfer, discrepancy, person): one line of
    at most MAX_ID printable NFC characters, no `/` or `\\`, not only dots.

    Raises ValueError. An id is a path segment (`/items/{id}`) and a label's barcode."""
    _line(value, "an id", MAX_ID)
    if "/" in value or "\\" in value:
        raise ValueError("an id holds no / or \\")
    if not value.strip("."):
        raise ValueError("an id is not only dots")
    return value  # type: ignore[no-any-return]


def marking(value: Any) -> str:
    """A marking exactly as the plate shows it (R10): one line of at most MAX_MARKING
    printable NFC characters with at least one letter or digit. Cyrillic and Latin letters
    are kept as given (А and A are different letters and stay so). Raises ValueError."""
    _line(value, "a marking", MAX_MARKING)
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
