"""api.web.statement_reasons: verify-statement's reasons in ru and kk, joined ones part by
part, and in English as the verifier wrote them."""

from __future__ import annotations

import pytest

from api.web.statement_reasons import said

JOINED = (
    "an incremental update of 20 bytes is appended to the statement as rendered from its "
    "evidence, adding or replacing 2 objects (5: a content stream, 6: Page dictionary); "
    "page 1: its content is not the render of its evidence: it adds 3 × text, 1 × rectangle; "
    "leaves out 1 × text"
)
WEIGHED = "the items listed weigh 10 g; the batch destroyed 12 g of items: an item is missing"


def test_english_is_as_the_verifier_wrote_it() -> None:
    assert said(WEIGHED, "en") == WEIGHED
    assert said("the ledger's signature does not verify", "en") == (
        "the ledger's signature does not verify"
    )


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_joined_reasons_are_said_part_by_part_with_their_lists(language: str) -> None:
    text = said(JOINED, language)
    for english in ("incremental", "content stream", "dictionary", "rectangle", "leaves out"):
        assert english not in text, text
    assert "20" in text
    assert "Page" in text
    assert text.count("; ") == 2  # three sentences, as joined
    weighed = said(WEIGHED, language)
    assert "10" in weighed
    assert "12" in weighed
    assert "weigh" not in weighed


def test_a_reason_no_pattern_knows_stays_as_written() -> None:
    assert said("something new; the act names other items", "ru") == (
        "something new; акт называет другие предметы"
    )
