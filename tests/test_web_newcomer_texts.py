"""What a newcomer read wrong on the ru/kk pages (issues 15, 16), against a real `custody
serve` on the demo's data and, where the page itself must speak, a real browser (Debian's
Chromium): a match without its case reference is a missing field, not a damaged act; a JPG
on the public check is "not a PDF", not the library's words; the four-eyes queue names a
change's kind, roles and places in the reader's language; a mistyped address under /web/ is
the localized error page, not JSON.

Shares test_web_pages' helpers; this module has its own server and browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from api.demo.data import PASSWORD, PLACE_NAMES
from api.web import i18n, labels
from tests import test_web_pages as pages
from tests.support.processes import command
from tests.test_web_pages import EXAMINER, Browser, Site, log_in

sites, site, browser = pages.sites, pages.site, pages.browser
CHROMIUM = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium")

NEEDS_CASE = {
    "en": "A match needs the case reference",
    "ru": "Для совпадения нужен номер уголовного дела",
    "kk": "Сәйкестік үшін қылмыстық істің нөмірі керек",
}


def web_client(site: Site, username: str, language: str) -> httpx.Client:
    client = httpx.Client(base_url=site.base, timeout=60)
    form = client.get("/web/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = client.post(
        "/web/login",
        data={
            "username": username,
            "password": PASSWORD,
            "language": language,
            "csrf": csrf.group(1),
        },
    )
    assert answer.status_code == 303, answer.text
    return client


def page_csrf(client: httpx.Client, path: str) -> str:
    found = re.search(r'data-csrf="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize("case", [None, "", "   "])
def test_a_match_without_its_case_is_said_as_a_missing_case_not_a_damaged_act(
    site: Site, language: str, case: str | None
) -> None:
    item = site.items("test_fired")[0]["id"]
    act = {
        "kind": "registry_result_recorded",
        "person": EXAMINER,
        "key_id": "k",
        "time": "2026-01-01T00:00:00Z",
        "item": item,
        "result": "match",
    }
    if case is not None:
        act["case"] = case
    before = site.size()
    client = web_client(site, EXAMINER, language)
    csrf = page_csrf(client, "/web/registry")
    answer = client.post(
        "/web/registry",
        json={"item": item, "act": act, "sig": "AAAA"},
        headers={"X-CSRF-Token": csrf},
    )
    client.close()
    assert answer.status_code == 422, answer.text
    said = answer.json()
    assert said["ok"] is False
    assert NEEDS_CASE[language] in said["message"]
    for wrong in ("повреждён", "malformed", "act:", "field", "поле", "blank"):
        assert wrong not in said["message"]
    assert site.size() == before


@CHROMIUM
def test_the_registry_page_asks_for_the_case_before_it_opens_the_key(
    site: Site, browser: Browser
) -> None:
    item = site.items("test_fired")[0]["id"]
    page = browser.page()
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    log_in(page, site.base, EXAMINER, "ru")
    page.goto(f"{site.base}/web/registry?item={item}")
    posted.clear()
    page.check("#r-match")
    page.fill("#case", "   ")
    page.set_input_files("#keyfile", str(site.data / "demo-keys" / f"{EXAMINER}.key"))
    page.fill("#passphrase", PASSWORD)
    page.click("#sign button[type=submit]")
    page.wait_for_selector("#sign-result.problem")
    assert NEEDS_CASE["ru"] in page.locator("#sign-result").inner_text()
    assert page.evaluate("document.getElementById('case').validationMessage").startswith(
        NEEDS_CASE["ru"]
    )
    assert posted == []
    # typing the case clears the field's message: the form may be sent again
    page.fill("#case", "12-345")
    assert page.evaluate("document.getElementById('case').validationMessage") == ""


NOT_A_PDF = {
    "en": "The file is not a PDF",
    "ru": "Файл — не PDF",
    "kk": "Файл PDF емес",
}
# The first bytes of a JPEG (SOI, APP0 "JFIF"): what a phone's photo of the paper begins with.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(200)


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_jpg_dropped_on_the_check_is_said_not_a_pdf_without_the_librarys_words(
    site: Site, language: str
) -> None:
    answer = httpx.post(
        f"{site.base}/web/check?lang={language}",
        files={"statement": ("photo.jpg", JPEG, "image/jpeg")},
        headers={"HX-Request": "true"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert NOT_A_PDF[language] in answer.text
    for library in ("PDFium", "Failed to load", "not a readable PDF"):
        assert library not in answer.text
    reason = re.search(r'<span class="reason"([^>]*)>([^<]*)</span>', answer.text)
    assert reason is not None
    assert 'lang="en"' not in reason.group(1)  # said in the page's language


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_four_eyes_queue_names_the_change_roles_and_places_in_the_readers_words(
    site: Site, language: str
) -> None:
    username = f"unit.new-{language}"
    fields = {
        "username": username,
        "name": "Новый Сотрудник",
        "roles": ["unit_officer"],
        "places": ["UNIT-ALM"],
    }
    done = command(site.env, "change", "propose", "account_created", json.dumps(fields))
    assert done.returncode == 0, done.stderr
    proposal = done.stdout.strip()
    client = web_client(site, "admin2", language)
    answer = client.get("/web/admin/changes")
    client.close()
    assert answer.status_code == 200, answer.text
    row = re.search(
        rf"<tr>(?:(?!</tr>).)*{re.escape(proposal)}(?:(?!</tr>).)*</tr>", answer.text, re.S
    )
    assert row is not None
    shown = re.sub(r"<[^>]+>", " ", row.group(0))
    gettext = i18n.gettext_of(language)
    assert labels.label("kind", "account_created", gettext) in shown
    assert gettext("Roles") + " : " + labels.label("role", "unit_officer", gettext) in shown
    assert gettext("Places") + " : " + PLACE_NAMES["UNIT-ALM"][language] in shown
    assert gettext("Account") + " : " + username in shown
    for raw in ("account_created", "unit_officer", "['", "username", "roles:", "places:"):
        assert raw not in shown


NO_PAGE = {
    "en": "There is no page at this address",
    "ru": "По этому адресу нет страницы",
    "kk": "Бұл мекенжайда бет жоқ",
}
NOT_THIS_WAY = {
    "en": "This page does not take this kind of request",
    "ru": "Эта страница не принимает такой запрос",
    "kk": "Бұл бет мұндай сұрауды қабылдамайды",
}


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_mistyped_address_under_web_is_the_error_page_in_the_readers_language(
    site: Site, language: str
) -> None:
    client = web_client(site, pages.CLERK, language)
    missing = client.get("/web/nonexistent")
    wrong_method = client.get("/web/admin/changes/P-1/confirm")  # a form's POST only
    client.close()
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert NO_PAGE[language] in missing.text
    assert '"title"' not in missing.text
    assert 'href="/web/"' in missing.text  # the way back
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("text/html")
    assert "POST" in wrong_method.headers["allow"]
    assert NOT_THIS_WAY[language] in wrong_method.text


def test_a_mistyped_address_outside_web_stays_the_apis_problem(site: Site) -> None:
    with site.api(pages.CLERK) as client:
        answer = client.get("/nonexistent", headers={"Accept-Language": "ru"})
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("not-found")
