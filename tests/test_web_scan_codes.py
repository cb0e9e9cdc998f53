"""What a scanner typed, read as the item it names (api.web.scan_codes), against a real site's
database: a marking several items share names none, a marking typed another way is found by
its identity, and a label's payload typed with Caps Lock or the Russian layout is read back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.web.scan_codes import PAYLOAD, QWERTY, Found, candidates, find_all
from tests.support.site import UNIT, Site
from workflows.intake import Intake

TO_RUSSIAN = {ord(qwerty): chr(russian) for russian, qwerty in QWERTY.items()}


def _another_model(site: Site, marking: str) -> str:
    """A pistol with a rifle's marking: R10 lets another model share it."""
    [item] = site.process.register(
        "unit.serikbaev",
        Intake(
            item=site.next_id(),
            category="firearm",
            source="confiscated",
            location=UNIT,
            weight_g=800,
            rifled=True,
            marking=marking,
            marking_place="рамка",
            details={"type": "пистолет", "model": "ПМ", "calibre": "9x18"},
            files=[site.photo("pistol")],
        ),
    )
    return item


def _found(site: Site, *codes: str) -> Found:
    kept: list[Found] = []

    def find(repo: object, world: object) -> dict[str, str]:
        kept.append(find_all(repo, codes, world))  # type: ignore[arg-type]
        return kept[0].ids

    site.process.found_refusals(find, None)
    return kept[0]


def test_a_marking_several_items_share_names_none_of_them(site: Site) -> None:
    first = site.register_rifle(marking="АК 777")
    second = _another_model(site, "AK-777")  # the same plate's identity, in Latin
    alone = site.register_rifle(marking="АК 778")
    found = _found(site, "АК 777", "ak777", "АК 778", first)
    assert found.shared == {"АК 777": 2, "ak777": 2}
    assert found.ids == {"АК 778": alone, first: first}
    assert second not in found.ids.values()


def test_a_marking_typed_in_latin_lower_case_or_without_its_space_is_found(site: Site) -> None:
    rifle = site.register_rifle(marking="АК 123456")  # Cyrillic А and К
    found = _found(site, "ak 123456", "AK123456", "ак-123456", "АК 123456")
    assert found.ids == dict.fromkeys(("ak 123456", "AK123456", "ак-123456", "АК 123456"), rifle)


def test_a_payload_typed_with_caps_lock_or_the_russian_layout_names_the_item(site: Site) -> None:
    rifle = site.register_rifle()
    caps = (PAYLOAD + rifle).swapcase()
    russian = (PAYLOAD + rifle).translate(TO_RUSSIAN)
    found = _found(site, caps, russian, f"Custody-Item:v1;id={rifle}")
    assert found.ids == {caps: rifle, russian: rifle, f"Custody-Item:v1;id={rifle}": rifle}


def test_an_id_in_another_case_is_not_folded(site: Site) -> None:
    rifle = site.register_rifle()
    # Ids are case-sensitive (docs/identifiers.md): without a payload showing Caps Lock on,
    # an id in lower case is another id.
    assert _found(site, rifle.lower(), PAYLOAD + rifle.lower()).ids == {}


def test_the_breakers_scan_under_the_russian_layout_reads_as_the_label() -> None:
    typed = "сгыещвн-шеуьЖм1жшв=ЛЯ-И70А9250В2"
    assert candidates(typed)[1:] == ["KZ-B70F9250D2"]


ID = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-."),
    min_size=1,
    max_size=40,
)


@given(ID)
def test_any_id_typed_under_the_russian_layout_or_caps_lock_is_a_candidate(item: str) -> None:
    label = PAYLOAD + item
    assert candidates(label) == [item]
    assert item in candidates(label.translate(TO_RUSSIAN))
    assert item in candidates(label.swapcase())


@pytest.mark.parametrize("typed", ["ak 1", "KZ-1", "", "   "])
def test_a_code_without_a_payload_is_tried_as_typed_only(typed: str) -> None:
    assert candidates(typed) == [typed.strip()]
