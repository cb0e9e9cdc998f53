"""A place's region as a page says it: the place register keeps one `region` string, in the
language it was typed in (the demo's are Kazakh), while a place's own name has `names` in ru,
kk and en. A region of Kazakhstan written in any of the three languages is said in the
reader's; any other region comes back as it was given.

    region_name("Қарағанды облысы", "en")   # "Karaganda Region"
    region_name("Karaganda region", "ru")   # "Карагандинская область"
    region_name("Bavaria", "kk")            # "Bavaria"

The pages and the statement say it so (issue 16: a statement printed the Kazakh region in
every language). The statement's signed content keeps the register's string, as the ledger
has it; only the printed page names it, and verify-statement draws the page again by the same
table (certificates.page; a statement printed before it did records no "regions" in its page
evidence, and is redrawn with the region as stored, as it was printed).
"""

from __future__ import annotations

from typing import Final

# Kazakhstan's regions and cities of republican status (as of 2022), each (ru, kk, en).
# Official Russian names of the three regions made in 2022 are "область Абай", "область
# Жетісу", "область Ұлытау"; the adjectival forms are read too (ALSO_WRITTEN).
REGIONS: Final[tuple[tuple[str, str, str], ...]] = (
    ("Астана", "Астана", "Astana"),
    ("Алматы", "Алматы", "Almaty"),
    ("Шымкент", "Шымкент", "Shymkent"),
    ("область Абай", "Абай облысы", "Abai Region"),
    ("Акмолинская область", "Ақмола облысы", "Akmola Region"),
    ("Актюбинская область", "Ақтөбе облысы", "Aktobe Region"),
    ("Алматинская область", "Алматы облысы", "Almaty Region"),
    ("Атырауская область", "Атырау облысы", "Atyrau Region"),
    ("Восточно-Казахстанская область", "Шығыс Қазақстан облысы", "East Kazakhstan Region"),
    ("Жамбылская область", "Жамбыл облысы", "Jambyl Region"),
    ("область Жетісу", "Жетісу облысы", "Jetisu Region"),
    ("Западно-Казахстанская область", "Батыс Қазақстан облысы", "West Kazakhstan Region"),
    ("Карагандинская область", "Қарағанды облысы", "Karaganda Region"),
    ("Костанайская область", "Қостанай облысы", "Kostanay Region"),
    ("Кызылординская область", "Қызылорда облысы", "Kyzylorda Region"),
    ("Мангистауская область", "Маңғыстау облысы", "Mangystau Region"),
    ("Павлодарская область", "Павлодар облысы", "Pavlodar Region"),
    ("Северо-Казахстанская область", "Солтүстік Қазақстан облысы", "North Kazakhstan Region"),
    ("Туркестанская область", "Түркістан облысы", "Turkistan Region"),
    ("область Ұлытау", "Ұлытау облысы", "Ulytau Region"),
)
LANGUAGES: Final = ("ru", "kk", "en")
# Other spellings seen in registers, each -> the English name of its region.
ALSO_WRITTEN: Final[dict[str, str]] = {
    "абайская область": "Abai Region",
    "область жетысу": "Jetisu Region",
    "жетысуская область": "Jetisu Region",
    "улытауская область": "Ulytau Region",
    "область улытау": "Ulytau Region",
    "нур-султан": "Astana",
    "nur-sultan": "Astana",
    "karagandy region": "Karaganda Region",
    "qaraghandy region": "Karaganda Region",
    "kostanai region": "Kostanay Region",
    "zhambyl region": "Jambyl Region",
    "zhetysu region": "Jetisu Region",
    "turkestan region": "Turkistan Region",
    "mangistau region": "Mangystau Region",
}


def _key(region: str) -> str:
    """A region's spelling compared without case, spaces around it, or "oblast" for "region"."""
    words = " ".join(region.split()).casefold()
    return words.replace(" oblast", " region")


_BY_SPELLING: Final[dict[str, dict[str, str]]] = {
    _key(spelling): dict(zip(LANGUAGES, names, strict=True))
    for names in REGIONS
    for spelling in names
}
_BY_SPELLING.update(
    {_key(spelling): _BY_SPELLING[_key(english)] for spelling, english in ALSO_WRITTEN.items()}
)


def region_name(region: str, language: str) -> str:
    """`region` (a place register's `region`, in any of ru, kk, en) said in `language`; a
    region this table does not know, or a language it has no name in, as given."""
    found = _BY_SPELLING.get(_key(region))
    if found is None:
        return region
    return found.get(language, region)


def spellings(language: str) -> dict[str, str]:
    """Every spelling the table reads, as region_name compares it (`_key`: no case, no
    spaces around it, "region" for "oblast") -> its name in `language`:
    for the batch page's script, which makes the statement's place cell again from the
    content it hashes (static/web/statement-check.js)."""
    return {key: names.get(language, key) for key, names in _BY_SPELLING.items()}
