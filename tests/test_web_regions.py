"""api.web.regions: a place's region said in the reader's language, whatever language the
register wrote it in; an unknown region as given."""

from __future__ import annotations

import pytest

from api.web.regions import REGIONS, region_name


@pytest.mark.parametrize(
    ("written", "language", "said"),
    [
        ("Қарағанды облысы", "en", "Karaganda Region"),
        ("Қарағанды облысы", "ru", "Карагандинская область"),
        ("  karaganda   oblast ", "kk", "Қарағанды облысы"),
        ("Восточно-Казахстанская область", "en", "East Kazakhstan Region"),
        ("Шығыс Қазақстан облысы", "ru", "Восточно-Казахстанская область"),
        ("Алматы", "en", "Almaty"),
        ("Almaty Region", "kk", "Алматы облысы"),
        ("Абайская область", "kk", "Абай облысы"),
    ],
)
def test_a_known_region_is_said_in_the_readers_language(
    written: str, language: str, said: str
) -> None:
    assert region_name(written, language) == said


def test_an_unknown_region_or_language_comes_back_as_given() -> None:
    assert region_name("Bavaria", "ru") == "Bavaria"
    assert region_name("Қарағанды облысы", "de") == "Қарағанды облысы"


def test_every_region_is_named_in_three_languages_each_once() -> None:
    spellings = [name.casefold() for names in REGIONS for name in set(names)]
    assert len(spellings) == len(set(spellings))
    assert all(len(names) == 3 and all(n.strip() for n in names) for names in REGIONS)
