"""A marking's identity: the folded form two writings of one plate share (R11, R14).

The plate says `АК 123456`; one clerk types it in Cyrillic, another in Latin letters, a third
as `ak-123456`. They look the same and are the same weapon, so the process compares markings
by their folded form, and keeps the marking itself exactly as it was written:

    fold("АК 123456") == fold("ak-123456") == "AK123456"

Folding: Unicode NFC; compatibility forms as their plain letter or digit (fullwidth `Ｚ`,
mathematical `𝐀`, circled `①`, superscript `¹`, Roman numeral `Ⅰ`: NFKC, character by
character, except `№`, which a plate shows as itself); upper case; every space (any Unicode
white space, and the blank fillers that look like one), dash (Unicode category Pd, the minus
sign and the dash-like marks below), connector (category Pc: `_`) and dot removed; Cyrillic
and Greek capitals that look like a Latin capital written as that Latin capital. Digits are
kept as they are: `0` and `O` are not folded together, as a plate's serial number tells them
apart; nor are letters with diacritics (`Й` is not `И`). `/` and `№` stay: they are part of
what a plate says.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Final

# Capitals that look like a Latin capital on a plate, by the Latin capital they look like.
# Cyrillic (Russian and Kazakh) first, then Greek.
LOOKALIKES: Final[dict[str, str]] = {
    "A": "\u0410\u0391",  # А Α
    "B": "\u0412\u0392",  # В Β
    "C": "\u0421\u03f9",  # С Ϲ
    "E": "\u0415\u0395",  # Е Ε
    "H": "\u041d\u0397",  # Н Η
    "I": "\u0406\u0399",  # І (Kazakh, Ukrainian) Ι
    "J": "\u0408",  # Ј
    "K": "\u041a\u039a",  # К Κ
    "M": "\u041c\u039c",  # М Μ
    "N": "\u039d",  # Ν
    "O": "\u041e\u039f",  # О Ο
    "P": "\u0420\u03a1",  # Р Ρ
    "S": "\u0405",  # Ѕ
    "T": "\u0422\u03a4",  # Т Τ
    "X": "\u0425\u03a7",  # Х Χ
    "Y": "\u04ae\u03a5",  # Ү (Kazakh) Υ
    "Z": "\u0396",  # Ζ
}
# Cyrillic letters of other languages, and small capitals, that a keyboard offers and that
# look like a Latin capital on a plate.
MORE_LOOKALIKES: Final[dict[str, str]] = {
    "H": "\u04ba",  # Һ (Kazakh)
    "I": "\u04c0",  # Ӏ palochka
    "K": "\u049a\u1d0b",  # Қ (Kazakh) ᴋ
    "Q": "\u051a",  # Ԛ
    "W": "\u051c",  # Ԝ
}
# The remaining look-alikes among the letters a marking may hold (workflows.grammar.
# label_letter: Latin, Cyrillic U+0400-U+04FF, Greek U+0370-U+03FF), after upper-casing:
# Greek capitals of the rarer letters and the Latin kra. A Cyrillic or Greek letter with a
# diacritic (Ё, Ї, Ќ, Ά, Ή, ϔ...) folds as its base letter's Latin twin with the same
# diacritic (`_kept`): Ё as Ë, Ќ as K + U+0301.
REMAINING_LOOKALIKES: Final[dict[str, str]] = {
    "F": "\u03dc",  # Ϝ digamma
    "J": "\u037f",  # Ϳ yot
    "K": "\u03cf\u0138",  # Ϗ kai, ĸ kra
    "M": "\u03fa",  # Ϻ san
    "Y": "\u03d2",  # ϒ upsilon with hook
}
_TABLE: Final[dict[int, str]] = {
    ord(look): latin
    for table in (LOOKALIKES, MORE_LOOKALIKES, REMAINING_LOOKALIKES)
    for latin, looks in table.items()
    for look in looks
}
MINUS = "\u2212"
# Marks that separate like a dash or a dot, and blank fillers that show as a space.
SEPARATORS: Final[frozenset[str]] = frozenset(
    ".\u00b7\u2022\u2027\u2043\u2219\u02d7\u30fb\uff0e\uff65"  # . · • ‧ ⁃ ∙ ˗ ・ ． ･
    "\u115f\u1160\u3164\uffa0\u2800"  # Hangul fillers, the braille blank
)
KEPT_AS_WRITTEN: Final[frozenset[str]] = frozenset("\u2116")  # №


# A model's name in Latin letters is its transliteration (`ПМ` is written `PM`, `РПК` is `RPK`),
# not its look (look-alikes would make `РПК` `PPK`). Cyrillic letters (Russian and Kazakh) as
# Latin ones by the table of ICAO Doc 9303, which Kazakhstan's passports follow; Kazakh letters
# as the Latin letter their sound is written with.
TRANSLITERATION: Final[dict[int, str]] = str.maketrans(
    {
        "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "ZH",
        "З": "Z", "И": "I", "Й": "I", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O",
        "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U", "Ф": "F", "Х": "KH", "Ц": "TS",
        "Ч": "CH", "Ш": "SH", "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU",
        "Я": "IA", "Ә": "A", "Ғ": "G", "Қ": "K", "Ң": "N", "Ө": "O", "Ұ": "U", "Ү": "U",
        "Һ": "H", "І": "I",
    }
)  # fmt: skip


def _dropped(char: str) -> bool:
    return (
        char.isspace()
        or char == MINUS
        or char in SEPARATORS
        or unicodedata.category(char) in ("Pd", "Pc")
    )


def _plain(char: str) -> str:
    """A compatibility character (fullwidth, font, circled, super- or subscript, Roman
    numeral...) as the plain one(s) NFKC gives; any other as it is."""
    if char in KEPT_AS_WRITTEN or not unicodedata.decomposition(char).startswith("<"):
        return char
    return unicodedata.normalize("NFKC", char)


class _ByCharacter(dict[int, str | None]):
    """A `str.translate` table filled on first use: each character's result computed once
    by `rule` (the fold runs for every item a replay compares, a million in `custody
    verify`); at most _KEPT characters are kept, so odd input cannot grow it without end."""

    def __init__(self, rule: Callable[[str], str | None]) -> None:
        super().__init__()
        self.rule = rule

    def __missing__(self, code: int) -> str | None:
        result = self.rule(chr(code))
        if len(self) < _KEPT:
            self[code] = result
        return result


_KEPT = 1 << 16


def _kept(char: str) -> str | None:
    """None for a character dropped, else its look-alike's Latin capital (with its
    diacritics, for a letter whose base letter is a look-alike), or itself."""
    if _dropped(char):
        return None
    latin = _TABLE.get(ord(char))
    if latin is not None:
        return latin
    parts = unicodedata.normalize("NFD", char)
    base = _TABLE.get(ord(parts[0])) if len(parts) > 1 else None
    return char if base is None else unicodedata.normalize("NFC", base + parts[1:])


_PLAIN = _ByCharacter(_plain)
_KEEP = _ByCharacter(_kept)


# A pure function of its text, asked for one marking several times in one action (the
# intake's checks, its row, R11 at the furnace: about 80 µs each time).
@lru_cache(maxsize=16_384)
def fold(marking: str) -> str:
    """The identity of a marking as written (any text): NFC, compatibility forms plain, upper
    case, no spaces, dashes, connectors or dots, look-alike capitals as Latin ones. Total:
    raises nothing; "" for a marking of only spaces and dashes."""
    plain = unicodedata.normalize("NFC", marking).translate(_PLAIN)
    # Dropping and the look-alike table, character by character, in one pass; NFC again:
    # upper-casing may leave a letter and a combining mark composable.
    return unicodedata.normalize("NFC", plain.upper().translate(_KEEP))


def fold_or_none(marking: str | None) -> str | None:
    """fold(marking), or None for no marking (an unmarked item has an internal tag)."""
    return None if marking is None else fold(marking)


def transliterated(name: str) -> str:
    """A model's name (any text) with its Cyrillic letters in Latin ones (ICAO Doc 9303),
    then folded as a marking: `transliterated("ПМ") == transliterated("pm") == "PM"`.
    Total: raises nothing."""
    upper = "".join(_plain(char) for char in unicodedata.normalize("NFC", name)).upper()
    return fold(upper.translate(TRANSLITERATION))
