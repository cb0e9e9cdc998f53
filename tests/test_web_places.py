"""What the web pages show a person of one place about another (b12, issue 14): the registry
page lists the items at the examiner's own forensic unit only, and the scan page's inventory
confirmation at a place the clerk does not work at tells nothing of what is there: the count
is refused as the API refuses it (ACCESS). Two full sets of places, each with its own staff
(tests/test_api_places), without a browser; and the API's filters and report place that once
answered 200 with nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.service import PROBLEM, Service, service
from tests.test_api_places import KINDS, Objects, _site
from tests.test_web_sessions import logged_in, session_csrf


@pytest.fixture(scope="module", params=KINDS)
def places(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Service, dict[str, Objects]]]:
    with service(tmp_path_factory.mktemp("web-places"), request.param) as running:
        yield running, _site(running)


def test_the_registry_page_lists_only_the_examiners_own_forensic_unit(
    places: tuple[Service, dict[str, Objects]],
) -> None:
    running, objects = places
    own, other = objects["own"]["forensic_item"], objects["other"]["forensic_item"]
    for examiner, shown, hidden in (
        ("forensic_examiner.own", own, other),
        ("forensic_examiner.other", other, own),
    ):
        client = logged_in(running, examiner)
        page = client.get("/web/registry")
        client.close()
        assert page.status_code == 200, page.text
        assert shown in page.text
        assert hidden not in page.text


def _count(client: httpx.Client, place: str, items: list[str]) -> httpx.Response:
    form = {
        "csrf": session_csrf(client),
        "step": "inventory_counted",
        "location": place,
        "items": items,
        "origin": "scan",
    }
    return client.post("/web/steps/apply", data=form)


def test_a_count_at_another_place_tells_nothing_of_it_and_is_refused_as_access(
    places: tuple[Service, dict[str, Objects]],
) -> None:
    running, objects = places
    mine = objects["own"]["warehouse_item"]
    before = httpx.get(f"{running.base}/ledger/leaves?limit=1").json()["size"]
    client = logged_in(running, "warehouse_clerk.own")
    # at home: the question names how many would be recorded missing
    home = _count(client, objects["own"]["warehouse"], [objects["own"]["unit_item"]])
    elsewhere = _count(client, objects["other"]["warehouse"], [mine])
    client.close()
    assert home.status_code == 200, home.text
    assert "were not scanned" in home.text
    assert elsewhere.status_code == 200, elsewhere.text
    text = re.sub(r"\s+", " ", elsewhere.text)
    assert "were not scanned" not in text
    assert "recorded missing" not in text
    assert "Access: " in text  # the refusal's kind in words, not the constant ACCESS
    assert "ACCESS" not in text
    assert objects["other"]["warehouse"] in text
    assert httpx.get(f"{running.base}/ledger/leaves?limit=1").json()["size"] == before


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"state": "nonsense"}, "state is one of"),
        ({"source": "stolen"}, "source is one of"),
        ({"category": "tank"}, "category is one of"),
    ],
)
def test_an_items_filter_with_an_unknown_word_is_a_422_not_an_empty_page(
    places: tuple[Service, dict[str, Objects]], query: dict[str, str], words: str
) -> None:
    running, _ = places
    with running.client("warehouse_clerk.own") as client:
        answer = client.get("/items", params=query)
        known = client.get("/items", params={"state": "at_warehouse"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert words in answer.json()["detail"]
    assert known.status_code == 200


def test_an_annual_report_of_a_place_nobody_registered_is_a_404(
    places: tuple[Service, dict[str, Objects]],
) -> None:
    running, objects = places
    running.add_user("auditor.b12", "auditor")
    with running.client("auditor.b12") as client:
        unknown = client.get("/reports/annual", params={"year": 2026, "place": "NOWHERE-1"})
        known = client.get(
            "/reports/annual", params={"year": 2026, "place": objects["own"]["warehouse"]}
        )
    assert unknown.status_code == 404, unknown.text
    assert unknown.headers["content-type"] == PROBLEM
    assert "NOWHERE-1" in unknown.json()["detail"]
    assert known.status_code == 200, known.text
