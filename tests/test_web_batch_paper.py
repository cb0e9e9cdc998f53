"""The batch page's paper and its answers, as a breaker found them (issue 16), against a real
`custody serve` on the demo's data served at the address its QR codes name
(CUSTODY_PUBLIC_URL), read with a plain HTTP client logged in as a page is: the PDF downloaded
from the batch page carries the public check's QR code as the API's does; an open batch's
statement is the error page in the reader's language, not English JSON; the quorum box names
the signers by full name; a sign request with a bad CSRF token is problem+json in the
account's language; the auditor's bundle page refuses a subject that is no item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from api.demo.data import PASSWORD
from certificates import qr_payload, qr_reading
from tests.support.demos import Demos
from tests.support.processes import free_port, server

FINAL, OPEN, MELTED = "ПЕЧЬ-0326", "ПЕЧЬ-0327", "ПЕЧЬ-0328"  # the demo's furnace batches
AUDITOR, CHAIR, ABENOVA = "auditor.li", "chair.nurlanov", "member.abenova"
NOT_DESTROYED = {
    "ru": "ещё не уничтожена",
    "kk": "әлі жойылған жоқ",
    "en": "is not destroyed yet",
}
EXPIRED = {
    "ru": "Форма устарела",
    "kk": "Пішін ескірген",
    "en": "The form has expired",
}
NOT_AN_ITEM = {
    "ru": "не предмет",
    "kk": "зат емес",
    "en": "is not an item",
}


class Site:
    def __init__(self, base: str) -> None:
        self.base = base

    @contextmanager
    def web(self, username: str, language: str) -> Iterator[httpx.Client]:
        """A client logged in through the login page, as a browser is, in `language`."""
        with httpx.Client(base_url=self.base, timeout=300) as client:
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/login").text)
            assert csrf is not None
            fields = {"username": username, "password": PASSWORD, "language": language}
            answer = client.post("/web/login", data=fields | {"csrf": csrf.group(1)})
            assert answer.status_code == 303, answer.text
            yield client

    def api(self, username: str) -> httpx.Client:
        fields = {"username": username, "password": PASSWORD}
        token = httpx.post(f"{self.base}/auth/token", data=fields, timeout=60).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[Site]:
    port = free_port()
    directory: Path = tmp_path_factory.mktemp("batch-paper")
    env = demos.copy(directory, CUSTODY_PUBLIC_URL=f"http://127.0.0.1:{port}")
    with server(env, port=port) as base:
        yield Site(base)


def _batch(batch: str) -> str:
    return f"/web/batches/{quote(batch, safe='')}"


def test_the_pdf_of_the_batch_page_carries_the_public_checks_qr_code_as_the_apis(
    site: Site,
) -> None:
    with site.web(AUDITOR, "kk") as page:
        answer = page.get(f"{_batch(FINAL)}/statement.pdf")
    assert answer.status_code == 200, answer.text
    codes = {code for one in qr_reading.page_codes(answer.content) for code in one}
    assert len(codes) == 1, codes
    code = codes.pop()
    paper = qr_payload.parse(code)
    assert paper.base == site.base  # version 2: the address, not the version 1 text
    assert code.startswith(f"{site.base}/web/check/{quote(FINAL, safe='')}?")
    with site.api(AUDITOR) as client:
        given = client.get(f"/batches/{quote(FINAL, safe='')}/statement.pdf", params={"lang": "kk"})
    api_codes = {code for one in qr_reading.page_codes(given.content) for code in one}
    assert api_codes == {code}  # the same paper both ways


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_an_open_batchs_statement_is_the_error_page_in_the_readers_language(
    site: Site, language: str
) -> None:
    with site.web(AUDITOR, language) as page:
        answer = page.get(f"{_batch(OPEN)}/statement.pdf")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert NOT_DESTROYED[language] in answer.text, answer.text
    assert OPEN in answer.text


def test_the_quorum_box_names_the_signers_by_full_name_not_by_login(site: Site) -> None:
    with site.web(AUDITOR, "ru") as page:
        box = page.get(f"{_batch(MELTED)}/quorum").text
    signers = re.search(r'<ul class="plain signers">(.*?)</ul>', box, re.S)
    assert signers is not None
    shown = re.sub(r"<[^>]+>", "", signers.group(1))
    assert "Нурланов Қайрат Серікұлы" in shown
    assert "Абенова Гүлнар Өмірзаққызы" in shown
    assert CHAIR not in shown
    assert ABENOVA not in shown


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize("token", [None, "forged"])
def test_a_sign_request_with_a_bad_csrf_token_is_a_problem_in_the_accounts_language(
    site: Site, language: str, token: str | None
) -> None:
    with site.web(ABENOVA, language) as page:
        headers = {"X-CSRF-Token": token} if token else {}
        answer = page.post(f"{_batch(MELTED)}/sign", json={"act": {}, "sig": ""}, headers=headers)
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert EXPIRED[language] in answer.json()["detail"]


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize("subject", ["member.kim", "PLANT-TMR", MELTED])
def test_the_auditors_bundle_page_refuses_a_subject_that_is_not_an_item(
    site: Site, language: str, subject: str
) -> None:
    with site.web(AUDITOR, language) as page:
        answer = page.get("/web/audit/bundle", params={"item": subject})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert NOT_AN_ITEM[language] in answer.text
