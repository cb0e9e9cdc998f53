"""A marking's identity: the folded form two writings of one plate share (R11, R14).

The plate says `АК 123456`; one clerk types it in Cyrillic, another in Latin letters, a third
as `ak-123456`. They look the same and are the same weapon, so the process compares markings
by their folded form, and keeps the marking itself exactly as it was written:

    fold("АК 123456") == fold("ak-123456") == "AK123456"

Folding: Unicode NFC; compatibility forms as their plain letter or digit (fullwidth `Ｚ`,
mathematical `𝐀`, circled `①`, superscript `¹`, Roman numeral `Ⅰ`: NFKC, character by
character, except `№`, which a plate shows as itself, and the characters the look-alike table
maps, which it reads first: lunate `Ϲ` is `C`, not `Σ`); the small letters that look like a
Latin small letter other than their capital's twin as that letter (`ν` as `v`, `υ` as `u`,
`ӏ` as `l`; `ß` as `ẞ`, never `SS`); upper case; every space (any
Unicode white space, and the blank fillers that look like one), dash (Unicode category Pd, the
minus sign and the dash-like marks below), connector (category Pc: `_`) and dot removed;
Cyrillic and Greek capitals that look like a Latin capital written as that Latin capital,
Cyrillic and Greek twins (`Г` `Γ`, `П` `Π`, `Ф` `Φ`, `Л` `Λ`, `Ө` `Θ`) as one of them, `З` as
the digit `3`. Kazakh letters stay apart from the letters they are built on (`Қ` is not `К`).
Other digits are kept as they are: `0` and `O` are not folded together, as a plate's serial
number tells them apart; nor are letters with diacritics (`Й` is not `И`). `/` and `№` stay:
they are part of what a plate says. The table's rule: docs/identifiers.md, "Look-alikes".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Final

# The fold's table (docs/identifiers.md, "Look-alikes"), by glyph, in two passes.
#
# Before upper-casing: small letters that look like a Latin small letter other than the one
# their capital looks like (Greek `ν` is a `v`, its capital `Ν` an `N`; `υ` a `u`, `Υ` a `Y`;
# the small palochka `ӏ` an `l`, its capital `Ӏ` an `I`), and `ß`, which upper-casing would
# make `SS`, a different plate. Each case then folds as what it looks like.
SMALL_LOOKALIKES: Final[dict[str, str]] = {
    "v": "\u03bd",  # ν
    "u": "\u03c5",  # υ
    "l": "\u04cf",  # ӏ palochka
    "\u1e9e": "\u00df",  # ß as the capital sharp s ẞ, never SS
}
# Small letters kept small. Empty: small Cyrillic `г` `п` and Greek `η` `γ` `μ` `ð` look like
# other Latin letters (r, n, n, y, u), but folding them so made `гп-te 4410` another marking
# than `ГП ТЕ 4410`, the same plate typed in small letters, and let it past R11; a letter and
# its capital stay one marking (the suite's returned-weapon test).
KEPT_SMALL: Final[frozenset[str]] = frozenset()
# After upper-casing: capitals that look like one letter, by the letter they fold to: a Latin
# capital where one looks alike, else one of the Cyrillic and Greek twins. A letter joins
# only by its own glyph; so Kazakh letters stay apart from the Cyrillic letter they are
# built on (`Қ` is not `К`, `Ң` not `Н`, `Ғ` not `Г`, `Ө` not `О`, `Ү` and `Ұ` not `У`,
# `Ә` not `А`, `Һ` not `Н`): a plate shows them, and a Kazakh reader tells them apart.
LOOKALIKES: Final[dict[str, str]] = {
    "A": "\u0410\u0391",  # А Α
    "B": "\u0412\u0392",  # В Β
    "C": "\u0421\u03f9",  # С Ϲ
    "E": "\u0415\u0395",  # Е Ε
    "F": "\u03dc",  # Ϝ digamma
    "H": "\u041d\u0397",  # Н Η
    "I": "\u0406\u0399\u04c0",  # І (Kazakh, Ukrainian) Ι Ӏ palochka
    "J": "\u0408\u037f",  # Ј Ϳ yot
    "K": "\u041a\u039a\u1d0b\u03cf\u0138",  # К Κ ᴋ Ϗ kai ĸ kra
    "M": "\u041c\u039c\u03fa",  # М Μ Ϻ san
    "N": "\u039d",  # Ν
    "O": "\u041e\u039f",  # О Ο
    "P": "\u0420\u03a1",  # Р Ρ
    "Q": "\u051a",  # Ԛ
    "S": "\u0405",  # Ѕ
    "T": "\u0422\u03a4",  # Т Τ
    "V": "\u0474",  # Ѵ izhitsa
    "W": "\u051c",  # Ԝ
    "X": "\u0425\u03a7",  # Х Χ
    # У: its small letter у is the Latin y, so both cases fold as Y (`ху-1` is `xy-1`).
    "Y": "\u0423\u03a5\u03d2",  # У Υ ϒ upsilon with hook
    "Z": "\u0396",  # Ζ
    "3": "\u0417",  # З is drawn as the digit 3 (`ЗА-9` is `3A-9`); 0 and O are not one
    "\u0110": "\u00d0",  # Ð eth as Đ: the same capital (small ð stays apart: KEPT_SMALL)
    "\u00c6": "\u04d4",  # Ӕ (Ossetian) as Æ, in both cases
    # Cyrillic and Greek twins with no Latin look-alike
    "\u0413": "\u0393",  # Г Γ
    "\u041b": "\u039b",  # Л Λ
    "\u041f": "\u03a0",  # П Π
    "\u0424": "\u03a6",  # Ф Φ
    "\u04e8": "\u0398\u0472",  # Ө (Kazakh) Θ Ѳ fita: a barred O, not O
    "\u03a8": "\u0470",  # Ψ Ѱ
}
_SMALL: Final[dict[int, str]] = {
    ord(look): letter for letter, looks in SMALL_LOOKALIKES.items() for look in looks
}
_TABLE: Final[dict[int, str]] = {
    ord(look): letter for letter, looks in LOOKALIKES.items() for look in looks
}
# Every character the table maps, and the small letters of its capitals, is read by the
# table before any compatibility step: NFKC would make lunate `Ϲ` a `Σ` and `ϲ` a `ς`, and
# the table's `Ϲ` as `C` would never apply (issue 12).
_BY_TABLE: Final[frozenset[str]] = frozenset(
    {chr(code) for code in _SMALL}
    | {chr(code) for code in _TABLE}
    | {chr(code).lower() for code in _TABLE if chr(code).lower().upper() == chr(code)}
)
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
    if (
        char in KEPT_AS_WRITTEN
        or char in _BY_TABLE
        or not unicodedata.decomposition(char).startswith("<")
    ):
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


def _alike(char: str, table: dict[int, str]) -> str | None:
    """`char`'s look-alike in `table`, with its diacritics for a letter whose base letter
    is one (Ё as Ë, Ќ as K + U+0301, ύ as ú); None for a character not in it."""
    found = table.get(ord(char))
    if found is not None:
        return found
    parts = unicodedata.normalize("NFD", char)
    base = table.get(ord(parts[0])) if len(parts) > 1 else None
    return None if base is None else unicodedata.normalize("NFC", base + parts[1:])


def _small(char: str) -> str:
    """A small look-alike of the first pass as its letter, upper-cased; a letter of
    KEPT_SMALL as it is; any other character upper-cased (str.upper maps each character
    by itself, so character by character is the same)."""
    if char in KEPT_SMALL:
        return char
    return (_alike(char, _SMALL) or char).upper()


def _kept(char: str) -> str | None:
    """None for a character dropped, else its look-alike's letter (with its diacritics,
    for a letter whose base letter is a look-alike), or itself."""
    if _dropped(char):
        return None
    return _alike(char, _TABLE) or char


_PLAIN = _ByCharacter(_plain)
_SMALLS = _ByCharacter(_small)
_KEEP = _ByCharacter(_kept)


def fold(marking: str) -> str:
    """The identity of a marking as written (any text): NFC, compatibility forms plain (not
    the look-alike table's letters), small look-alikes as their Latin letter, upper case
    (but KEPT_SMALL), no spaces, dashes, connectors or dots,
    look-alike capitals as one letter (SMALL_LOOKALIKES, LOOKALIKES). Total: raises nothing;
    "" for a marking of only spaces and dashes."""
    if marking.isascii():
        # Every id, and many markings: one pass through _ASCII (`custody verify` folds a
        # million ids, each once, where the cache below only costs).
        return marking.translate(_ASCII)
    return folded_fully(marking)


# A pure function of its text, asked for one marking several times in one action (the
# intake's checks, its row, R11 at the furnace: about 80 µs each time).
@lru_cache(maxsize=16_384)
def folded_fully(marking: str) -> str:
    """fold(marking) through its three passes for any text (fold's path for text beyond
    ASCII; for ASCII, fold's one-table pass must equal it: tests/test_markings.py). Total."""
    upper = unicodedata.normalize("NFC", marking).translate(_PLAIN).translate(_SMALLS)
    # Dropping and the look-alike table, character by character, in one pass; NFC again:
    # upper-casing may leave a letter and a combining mark composable.
    return unicodedata.normalize("NFC", upper.translate(_KEEP))


# Each ASCII character's fold, the three passes' results in one: NFC leaves ASCII text as
# it is, and each pass maps an ASCII character to one ASCII character or to nothing, so
# text of ASCII folds character by character (tests/test_markings.py holds the two equal).
_ASCII: Final[dict[int, str]] = {code: folded_fully(chr(code)) for code in range(128)}


def fold_or_none(marking: str | None) -> str | None:
    """fold(marking), or None for no marking (an unmarked item has an internal tag)."""
    return None if marking is None else fold(marking)


def transliterated(name: str) -> str:
    """A model's name (any text) with its Cyrillic letters in Latin ones (ICAO Doc 9303),
    then folded as a marking: `transliterated("ПМ") == transliterated("pm") == "PM"`.
    Total: raises nothing."""
    upper = "".join(_plain(char) for char in unicodedata.normalize("NFC", name)).upper()
    return fold(upper.translate(TRANSLITERATION))
