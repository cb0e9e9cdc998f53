"""The statement QR code's payload (certificates.qr_payload): both versions read back as the
facts they were made of, and text that is not a statement's code is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certificates.qr_payload import NotAStatementCode, Payload, parse

HEX = st.text("0123456789abcdef", min_size=64, max_size=64)
BATCH = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda b: ";" not in b and "=" not in b
)
BASE = st.sampled_from(
    [None, "https://custody.example.kz", "http://127.0.0.1:8000", "https://gov.kz/custody"]
)


@given(BATCH, HEX, st.integers(1, 2**62), HEX, BASE)
def test_every_payload_reads_back_as_made(
    batch: str, sha256: str, size: int, root: str, base: str | None
) -> None:
    made = Payload(batch, sha256, size, root, base)
    assert parse(made.text()) == made


def test_the_version_1_text_of_statements_already_printed_reads_back() -> None:
    text = f"custody-statement:v1;batch=ПЕЧЬ-0326;sha256={'a' * 64};size=4002;root={'b' * 64}"
    assert parse(text) == Payload("ПЕЧЬ-0326", "a" * 64, 4002, "b" * 64, None)


@pytest.mark.parametrize(
    "text",
    [
        "custody-item:v1;id=KZ-0000001",
        f"custody-statement:v1;batch=B;sha256={'a' * 64};size=0;root={'b' * 64}",
        f"custody-statement:v1;batch=B;sha256={'A' * 64};size=1;root={'b' * 64}",
        f"custody-statement:v1;batch=B;sha256={'a' * 64};size=1",
        f"https://x.kz/web/check/B?sha256={'a' * 64}&size=1",
        f"https://x.kz/web/check/B?sha256={'a' * 64}&size=1&root={'b' * 64}&sha256={'c' * 64}",
        f"ftp://x.kz/web/check/B?sha256={'a' * 64}&size=1&root={'b' * 64}",
        f"https://x.kz/elsewhere/B?sha256={'a' * 64}&size=1&root={'b' * 64}",
    ],
)
def test_what_is_not_a_statement_code_is_refused(text: str) -> None:
    with pytest.raises(NotAStatementCode):
        parse(text)
