"""A marking's identity: the folded form two writings of one plate share (R11, R14).

The plate says `АК 123456`; one clerk types it in Cyrillic, another in Latin letters, a third
as `ak-123456`. They look the same and are the same weapon, so the process compares markings
by their folded form, and keeps the marking itself exactly as it was written:

    fold("АК 123456") == fold("ak-123456") == "AK123456"

Folding: Unicode NFC; upper case; every space (any Unicode white space) and dash (Unicode
category Pd, and the minus sign) removed; Cyrillic and Greek capitals that look like a Latin
capital written as that Latin capital. Digits are kept as they are: `0` and `O` are not folded
together, as a plate's serial number tells them apart.
"""

from __future__ import annotations

import unicodedata
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
_TABLE: Final[dict[int, str]] = {
    ord(look): latin for latin, looks in LOOKALIKES.items() for look in looks
}
MINUS = "\u2212"


def _dropped(char: str) -> bool:
    return char.isspace() or char == MINUS or unicodedata.category(char) == "Pd"


def fold(marking: str) -> str:
    """The identity of a marking as written (any text): NFC, upper case, no spaces or dashes,
    look-alike capitals as Latin ones. Total: raises nothing; "" for a marking of only
    spaces and dashes."""
    upper = unicodedata.normalize("NFC", marking).upper()
    kept = "".join(char for char in upper if not _dropped(char))
    # NFC again: upper-casing may leave a letter and a combining mark composable.
    return unicodedata.normalize("NFC", kept.translate(_TABLE))


def fold_or_none(marking: str | None) -> str | None:
    """fold(marking), or None for no marking (an unmarked item has an internal tag)."""
    return None if marking is None else fold(marking)
