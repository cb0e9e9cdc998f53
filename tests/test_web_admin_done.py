"""What an administrator's page says was done comes from a code in the address and one of the
page's own objects, never from the address's words: a link crafted to show "call this number"
on a trusted page shows nothing (api.web.admin.done_message). Against a real `custody serve`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest

from tests.support.service import Service, service

CRAFTED = "Срочно позвоните 8-700-000-00-00"
PAGES = [
    "/web/admin/accounts",
    "/web/admin/devices",
    "/web/admin/commissions",
    "/web/admin/places",
    "/web/admin/keys",
    "/web/admin/changes",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with service(tmp_path_factory.mktemp("admin-done")) as running:
        running.add_user("admin", "administrator")
        yield running


def _admin(site: Service, language: str) -> httpx.Client:
    return site.browser("admin", language)


def _said(html: str) -> list[str]:
    return re.findall(r'<p class="done"[^>]*>(.*?)</p>', html, re.S)


@pytest.mark.parametrize("path", PAGES)
def test_a_crafted_address_puts_no_words_on_an_admin_page(site: Service, path: str) -> None:
    with closing(_admin(site, "ru")) as admin:
        for query in (
            {"done": CRAFTED},
            {"done": "made", "id": CRAFTED},
            {"done": "registered", "id": CRAFTED},
            {"done": "revoked", "id": CRAFTED},
            {"done": "place", "id": CRAFTED},
            {"done": "proposed", "id": CRAFTED},
            {"done": "confirmed", "id": "CHG-0000000000000000"},
            {"done": "no-such-code", "id": "admin"},
        ):
            page = admin.get(path, params=query)
            assert page.status_code == 200, (path, query)
            assert _said(page.text) == [], (path, query)
            assert "8-700" not in page.text


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("ru", "Учётная запись admin создана"),
        ("kk", "admin тіркелгісі құрылды"),
        ("en", "Account admin made"),
    ],
)
def test_a_known_code_about_a_listed_object_is_said_in_the_readers_language(
    site: Service, language: str, sentence: str
) -> None:
    with closing(_admin(site, language)) as admin:
        page = admin.get("/web/admin/accounts", params={"done": "made", "id": "admin"})
    [said] = _said(page.text)
    assert sentence in said
    if language != "en":
        assert "made" not in said
