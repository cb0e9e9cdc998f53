"""The administrator's forms as a browser posts them (api.web.form_pages): every text trimmed as
the desk's forms are, and a field over its max_length answered by the form's page with the
refusal in the reader's language, 422, nothing made; a page's script sending JSON, and the
API, still get problem+json. Against a real `custody serve`."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import closing

import pytest

from api.web import i18n
from tests.support.service import PROBLEM, Service, service

PLACES = "/web/admin/places"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with service(tmp_path_factory.mktemp("admin-forms")) as running:
        running.add_user("admin", "administrator")
        running.add_user("official.forms", "official")
        yield running


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def _place(location: str, region: str = "Костанайская область") -> dict[str, str]:
    return {
        "location": location,
        "kind": "warehouse",
        "region": region,
        "name_ru": "Склад Костанай",
        "name_kk": "Қостанай қоймасы",
        "name_en": "Kostanay warehouse",
    }


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_field_over_its_length_comes_back_on_the_page_in_the_readers_language(
    site: Service, language: str
) -> None:
    gettext = i18n.gettext_of(language)
    with closing(site.browser("admin", language)) as admin:
        csrf = _csrf(admin.get(PLACES).text)
        answer = admin.post(PLACES, data=_place(f"WH-LONG-{language}", "Ж" * 257) | {"csrf": csrf})
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("text/html")
        said = gettext("The field %(field)s takes at most %(n)s characters") % {
            "field": gettext("Region"),
            "n": 256,
        }
        shown = html.unescape(answer.text)
        assert said in shown
        assert 'id="p-region"' in shown  # the places page itself, its form to fill again
        assert f"WH-LONG-{language}" not in html.unescape(admin.get(PLACES).text)


def test_every_field_of_a_form_is_trimmed(site: Service) -> None:
    with closing(site.browser("admin", "en")) as admin:
        csrf = _csrf(admin.get(PLACES).text)
        typed = {k: f" \t{v} " for k, v in _place("WH-TRIM").items()}
        answer = admin.post(PLACES, data=typed | {"csrf": csrf}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        row = re.search(r'<tr id="place-WH-TRIM".*?</tr>', admin.get(PLACES).text, re.S)
        assert row is not None
        assert "Kostanay warehouse" in row[0]
        assert " Kostanay warehouse " not in row[0]


def test_a_script_sending_json_and_the_api_still_get_problem_json(site: Service) -> None:
    with closing(site.browser("admin", "ru")) as admin:
        answer = admin.post(PLACES, json=_place("WH-JSON", "Ж" * 257))
    # a page's form takes a form: JSON is 415, as problem+json (fix12f), never the page
    assert answer.status_code == 415
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"] == "/problems/unsupported-media-type"
    with site.client("admin") as api:
        refused = api.post("/users", json={"username": "u" * 300, "name": "x", "roles": []})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM


def test_another_role_gets_the_error_page_not_the_administrators(site: Service) -> None:
    with closing(site.browser("official.forms", "en")) as official:
        csrf = _csrf(official.get("/web/").text)
        answer = official.post(PLACES, data=_place("WH-NOT", "Ж" * 257) | {"csrf": csrf})
    assert answer.status_code == 422
    assert "The field Region takes at most 256 characters" in html.unescape(answer.text)
    assert 'id="p-region"' not in answer.text  # no administrator's page drawn for them
