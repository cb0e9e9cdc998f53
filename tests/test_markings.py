"""A marking's identity (workflows.markings.fold), searched for bugs by Hypothesis: random
markings written with random look-alike letters, cases, spaces and dashes fold to one identity
exactly when they are the same marking.

The oracle is written here, apart from the module: a marking is drawn in its canonical form
(Latin capitals, digits, a few letters with no Latin twin, `№` and `/`), then written the way
a clerk might: each letter in either case, Latin or as a Cyrillic or Greek look-alike, `Й` in
composed or decomposed form, with spaces and dashes of any kind between. The fold of any
writing must be the canonical form itself; so two writings fold alike exactly when their
canonical forms are equal."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows import grammar
from workflows.diversion import same_model
from workflows.markings import LOOKALIKES, SMALL_LOOKALIKES, fold, transliterated

# The look-alikes a keyboard offers for each Latin capital, from the alphabets themselves
# (Cyrillic U+0400 block, Greek U+0370 block), independently of the module's table.
TWINS = {
    "A": ["А", "Α"],
    "B": ["В", "Β"],
    "C": ["С"],
    "E": ["Е", "Ε"],
    "H": ["Н", "Η"],
    "I": ["І", "Ι"],
    "K": ["К", "Κ"],
    "M": ["М", "Μ"],
    "O": ["О", "Ο"],
    "P": ["Р", "Ρ"],
    "T": ["Т", "Τ"],
    "X": ["Х", "Χ"],
    "Y": ["У"],
    "3": ["З"],
    "Г": ["Γ"],
    "П": ["Π"],
    "Ф": ["Φ"],
    "Л": ["Λ"],
    "Ө": ["Θ"],
}
# Letters that look like no Latin one stay themselves (upper case); digits stay digits, so
# 0 and O are never one. Kazakh letters stay apart from the letters they are built on.
OWN = ["Д", "Ж", "Й", "Ш", "Г", "П", "Ф", "Л", "Ә", "Ғ", "Қ", "Ң", "Ө", "Ұ", "Ү", "Һ"]
CANONICAL = [*"ABCDEFGHIJKLMNOPQRTUVWXYZ0123456789", *OWN, "№", "/"]
SEPARATORS = ["", "", "", " ", "-", "\u2013", "\u2014", "\u2212", "\u00a0", "\t", "\u2010"]
# and what a clerk or a forger types between the parts instead: a dot, an underscore, a
# hyphen bullet, a modifier minus, a Hangul filler, the braille blank, an ideographic space
SEPARATORS += [".", "_", "\u2043", "\u02d7", "\u3164", "\u2800", "\u3000"]


# Small letters that look like another letter than their capital does: none the fold maps
# apart from their capital now (a letter and its capital are one marking).
TWO_FACED: set[str] = set()


def fullwidth(char: str) -> str:
    """The fullwidth form of a printable ASCII character (U+FF01-FF5E)."""
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@st.composite
def writings(draw: st.DrawFn, canonical: str) -> str:
    """One way a clerk may type `canonical`."""
    out = [draw(st.sampled_from(SEPARATORS))]
    for char in canonical:
        ways = [char, fullwidth(char)]
        if char.lower() not in TWO_FACED:
            ways += [char.lower(), fullwidth(char.lower())]
        for twin in TWINS.get(char, []):
            ways += [twin]
            if twin.lower() not in TWO_FACED:
                ways += [twin.lower()]
        if char == "Й":
            ways += ["И\u0306", "и\u0306"]  # decomposed: NFC makes it one letter again
        out.append(draw(st.sampled_from(ways)))
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


canonicals = st.lists(st.sampled_from(CANONICAL), min_size=1, max_size=16).map("".join)


@given(st.data(), canonicals)
def test_any_writing_folds_to_its_canonical_marking(data: st.DataObject, canonical: str) -> None:
    written = data.draw(writings(canonical))
    assert fold(written) == canonical


@given(st.data(), canonicals, canonicals)
def test_two_writings_fold_alike_exactly_when_they_are_one_marking(
    data: st.DataObject, first: str, second: str
) -> None:
    one, other = data.draw(writings(first)), data.draw(writings(second))
    assert (fold(one) == fold(other)) == (first == second)


@given(st.data(), canonicals)
def test_a_writing_of_the_same_marking_twice_over_folds_alike(
    data: st.DataObject, canonical: str
) -> None:
    one, other = data.draw(writings(canonical)), data.draw(writings(canonical))
    assert fold(one) == fold(other)
    assert fold(fold(one)) == fold(one)  # the identity is a fixed point


# Written alike: the breaker's pairs (issue 12) and the table's Cyrillic-Greek twins; each
# pair is one identity.
ALIKE = [
    ("xy-1", "ху-1"),
    ("XY-1", "ХУ-1"),
    ("v-7", "ν-7"),
    ("u-7", "υ-7"),
    ("ГП-7", "ΓΠ-7"),
    ("Ф-7", "Φ-7"),
    ("Л-7", "Λ-7"),
    ("Đ-7", "Ð-7"),
    ("l-7", "ӏ-7"),
    ("I-7", "Ӏ-7"),
    ("3A-9", "ЗА-9"),
    ("ύ-1", "ú-1"),
    ("Ө-1", "Θ-1"),
    # issue 12, fix12c: lunate sigma, Ӕ, and the small letters by their own glyph
    ("CB 555001", "\u03f9B 555001"),  # Ϲ
    ("cb 555001", "\u03f2b 555001"),  # ϲ
    ("Æ-1", "Ӕ-1"),
    ("æ-1", "ӕ-1"),
    ("M-9", "Μ-9"),
    ("гп-6", "ГП-6"),  # a letter and its capital are one marking (the returned-weapon test)
    ("ηκ-5", "HK-5"),
    ("Г-4", "Γ-4"),
    ("П-4", "Π-4"),
    ("Ð-8", "Đ-8"),
]
# Different letters that an upper-casing, or a table built on the base letter, would merge.
APART = [
    ("Қ", "К"),
    ("Ң", "Н"),
    ("Ғ", "Г"),
    ("Ү", "У"),
    ("Ұ", "У"),
    ("Ө", "О"),
    ("Ә", "А"),
    ("Һ", "Н"),
    ("ν", "N"),
    ("υ", "Y"),
    ("ß", "SS"),
    ("0", "O"),
]


@given(st.sampled_from(ALIKE), st.sampled_from(SEPARATORS), st.booleans())
def test_look_alikes_fold_alike(pair: tuple[str, str], separator: str, swap: bool) -> None:
    one, other = (pair[1], pair[0]) if swap else pair
    assert fold(one.replace("-", separator)) == fold(other)


@given(st.sampled_from(APART), st.text("0123456789-", max_size=4))
def test_different_letters_fold_apart(pair: tuple[str, str], rest: str) -> None:
    one, other = pair
    assert fold(one + rest) != fold(other + rest)
    assert fold(one.lower() + rest) != fold(other.lower() + rest)


def test_each_case_of_a_two_faced_letter_folds_as_what_it_looks_like() -> None:
    assert fold("ν-8") != fold("N-8")
    assert fold("Ν-8") == fold("N-8")
    assert fold("υ-8") != fold("Y-8")
    assert fold("Υ-8") == fold("Y-8")


def test_the_plate_of_the_issue() -> None:
    assert fold("АК 123456") == fold("AK 123456") == fold("ak-123456") == "AK123456"
    assert fold("AK 0123") != fold("AK O123")  # a zero is not the letter O


# Models as the maker's documents write them in Cyrillic and as a clerk writes them in Latin
# letters (their transliteration, not their look): each pair is one model.
MODELS = [
    ("ПМ", "PM"),
    ("РПК", "RPK"),
    ("АКМ", "AKM"),
    ("СКС", "SKS"),
    ("ТТ", "TT"),
    ("ИЖ-27", "IZh-27"),
    ("ПСМ", "psm"),
    ("Сайга-12", "Saiga 12"),
    ("ВПО-136", "VPO-136"),
]


@given(st.sampled_from(MODELS), st.sampled_from(SEPARATORS))
def test_a_model_typed_in_latin_letters_is_the_cyrillic_model(
    pair: tuple[str, str], separator: str
) -> None:
    cyrillic, latin = pair
    assert transliterated(cyrillic) == transliterated(latin.replace("-", separator))
    assert same_model(cyrillic, latin)
    assert same_model(latin.lower(), cyrillic)


@given(st.sampled_from(MODELS), st.sampled_from(MODELS))
def test_two_different_models_stay_two(one: tuple[str, str], other: tuple[str, str]) -> None:
    assert same_model(one[0], other[1]) == (one == other)
    assert same_model(one[0], other[0]) == (one == other)


@pytest.mark.parametrize(
    ("look", "latin"),
    [
        ("\u03dc 1", "F1"),  # Ϝ digamma
        ("\u03dd 1", "F1"),  # ϝ, upper-cased
        ("\u037f 1", "J1"),  # Ϳ yot
        ("\u03cf 1", "K1"),  # Ϗ kai
        ("\u0138 1", "K1"),  # ĸ kra
        ("\u03fa 1", "M1"),  # Ϻ san
        ("\u03d2 1", "Y1"),  # ϒ
        ("\u0401 1", "\u00cb1"),  # Ё as Ë
        ("\u0451 1", "\u00cb1"),  # ё as Ë
        ("\u0407 1", "\u00cf1"),  # Ї as Ï
        ("\u0388 1", "\u00c91"),  # Έ as É
    ],
)
def test_the_remaining_look_alikes_of_the_label_letters_fold_as_latin(
    look: str, latin: str
) -> None:
    # Every letter a marking may hold (workflows.grammar.label_letter) that looks like a Latin
    # one folds as it, so R11 sees a destroyed marking written with it (b12r).
    assert fold(look) == latin


_LABEL_LETTERS = [
    chr(c)
    for c in range(0x80, 0x500)
    if grammar.label_letter(chr(c)) and len(unicodedata.normalize("NFD", chr(c))) > 1
]


@given(st.sampled_from(_LABEL_LETTERS))
def test_a_letter_with_a_diacritic_folds_as_its_base_letter_with_the_diacritic(
    letter: str,
) -> None:
    # Ё and Ë, Ќ and K + U+0301, Ή and H + U+0301 look alike on a plate: one fold (b12r);
    # a small letter by its own base letter (ύ as ú: υ is u, issue 12).
    parts = unicodedata.normalize("NFD", letter)
    assert fold(letter) == unicodedata.normalize("NFC", fold(parts[0]) + parts[1:])


_TABLE_ENTRIES = [
    (look, letter)
    for table in (LOOKALIKES, SMALL_LOOKALIKES)
    for letter, looks in table.items()
    for look in looks
]


@given(st.sampled_from(_TABLE_ENTRIES), st.text("0123456789-", max_size=4))
def test_no_entry_of_the_look_alike_table_is_shadowed(entry: tuple[str, str], rest: str) -> None:
    # Issue 12: NFKC turned lunate Ϲ into Σ before the table's Ϲ as C was read, so `ϹB 555001`
    # and `CB 555001` were two markings. Every entry must fold as its target.
    look, letter = entry
    assert fold(look + rest) == fold(letter + rest)


def test_every_entry_of_the_look_alike_table_folds_as_its_target() -> None:
    # The same, exhaustively: Hypothesis samples, this checks each entry once.
    shadowed = [(look, letter) for look, letter in _TABLE_ENTRIES if fold(look) != fold(letter)]
    assert shadowed == []


def test_the_lunate_sigma_does_not_dodge_r11() -> None:
    assert fold("\u03f9B 555001") == fold("CB 555001") == "CB555001"
    assert fold("\u03f2b-555001") == "CB555001"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_text_folds_as_the_full_fold_does(text: str) -> None:
    """fold's one pass for ASCII text (markings._ASCII) gives what the three passes and
    the normalisations give (markings.folded_fully): every ASCII character, in any context."""
    from workflows.markings import folded_fully

    assert fold(text) == folded_fully(text)


def test_each_ascii_character_folds_as_the_full_fold_does() -> None:
    from workflows.markings import folded_fully

    for code in range(128):
        assert fold(chr(code)) == folded_fully(chr(code))
        assert fold(f"a{chr(code)}b-1") == folded_fully(f"a{chr(code)}b-1")
