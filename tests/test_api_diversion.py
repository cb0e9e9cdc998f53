"""The diversion signals through the ways in, on a real `custody serve` (SQLite and
PostgreSQL) and the real `custody` command line: a returned weapon that comes back is listed
as an open suspicion; a campaign's totals read the same in the API and the CLI; compensation
is refused under its rule in problem+json, and the national identity number goes nowhere."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.processes import run
from tests.support.service import service
from tests.test_api_process import DECISION, KINDS, Site, _build

SECRET = "the service's recipient secret, at least 32 bytes long"
IIN = "900101350011"  # made up


@pytest.fixture(scope="module", params=KINDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("diversion")
    with service(directory, request.param, recipient_secret=SECRET) as running:
        yield _build(running)


def _intake(marking: str, **more: Any) -> dict[str, Any]:
    return {
        "category": "gas",
        "source": "surrendered",
        "location": "UNIT-ALM",
        "weight_g": 800,
        "marking": marking,
        "details": {"model": "ИЖ-79"},
        **more,
    }


def _register(site: Site, marking: str, **more: Any) -> str:
    made = site.ok("unit.serikbaev", "item_registered", {"intakes": [_intake(marking, **more)]})
    return str(made["result"][0])


def test_a_returned_weapon_that_comes_back_is_an_open_suspicion(site: Site) -> None:
    first = _register(site, "ГП ТЕ 4410")
    site.ok("unit.serikbaev", "decision_recorded", {"items": [first], "decision": DECISION})
    site.ok("unit.serikbaev", "decision_reversed", {"items": [first]})
    site.ok("unit.serikbaev", "item_returned", {"items": [first], "owner": "Иванов И. И."})
    again = _register(site, "гп-te 4410")
    with site.as_("auditor.li") as auditor:
        listed = auditor.get("/diversion/suspicions").json()["entries"]
        item = auditor.get(f"/items/{again}").json()
    [suspicion] = [s for s in listed if s["subject"] == again]
    assert suspicion["details"]["old_item"] == first
    assert suspicion["details"]["old_state"] == "returned"
    assert item["diversion"] == suspicion["id"]
    shown = run(site.service.env, "suspicions")
    assert shown.returncode == 0, shown.stderr
    assert f"item {again} has the marking of {first} (returned" in shown.stdout


def test_campaign_totals_read_the_same_in_the_api_and_the_cli(site: Site) -> None:
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=5))).date()
    campaign = {
        "campaign": "KARU-API",
        "name": "Қару 2026",
        "starts": (today - dt.timedelta(days=1)).isoformat(),
        "ends": (today + dt.timedelta(days=30)).isoformat(),
        "places": ["UNIT-ALM"],
        "budget_tenge": 100_000,
        "tariffs": {"gas": 20_000},
    }
    site.ok("admin", "campaign_opened", campaign)
    items = [_register(site, f"ГП КР {n}", campaign="KARU-API") for n in range(3)]
    paid = site.ok(
        "kassa.amanova",
        "compensation_paid",
        {"item": items[0], "amount_tenge": 20_000, "reference": "ПП-1", "national_id": IIN},
    )["result"]
    again = site.step(
        "kassa.amanova",
        "compensation_paid",
        {"item": items[0], "amount_tenge": 20_000, "reference": "ПП-2", "national_id": IIN},
        **{"Accept-Language": "kk"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["detail"].startswith("R14: ")
    assert paid in again.json()["detail"]
    malformed = site.step(
        "kassa.amanova",
        "compensation_paid",
        {"item": items[1], "amount_tenge": 100, "reference": "ПП-3", "national_id": "12345"},
    )
    assert 400 <= malformed.status_code < 500
    assert "12345" not in malformed.text
    with site.as_("auditor.li") as auditor:
        totals = auditor.get("/campaigns/KARU-API").json()
        payments = auditor.get(f"/items/{items[0]}/payments").json()["entries"]
        assert auditor.get("/campaigns/NOPE").status_code == 404
    assert (totals["items"], totals["by_category"]) == (3, {"gas": 3})
    assert (totals["paid_tenge"], totals["budget_left_tenge"]) == (20_000, 80_000)
    assert [p["id"] for p in payments] == [paid]
    assert IIN not in json.dumps(payments)
    cli = run(site.service.env, "campaigns", "KARU-API", "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == [totals]


def test_a_payment_at_a_place_one_does_not_read_is_answered_as_an_unknown_one(site: Site) -> None:
    """A breaker's finding (issue 14): a check of a payment for an item at another place was
    refused 403 naming that place, which told a paymaster where the item is. It is now the
    answer for a payment id nobody registered, byte for byte but for the id, nothing written."""
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=5))).date()
    site.ok(
        "admin",
        "campaign_opened",
        {
            "campaign": "KARU-HIDE",
            "name": "Қару 2026, II",
            "starts": (today - dt.timedelta(days=1)).isoformat(),
            "ends": (today + dt.timedelta(days=30)).isoformat(),
            "places": ["UNIT-ALM"],
            "budget_tenge": 100_000,
            "tariffs": {"gas": 20_000},
        },
    )
    item = _register(site, "ГП ЖАС 1", campaign="KARU-HIDE")
    paid = str(
        site.ok(
            "kassa.amanova",
            "compensation_paid",
            {"item": item, "amount_tenge": 20_000, "reference": "ПП-9", "national_id": IIN},
        )["result"]
    )
    site.service.add_user("kassa.sklad", "paymaster", places=["WH-ALM"])  # not the unit's
    before = site.size()
    hidden = site.step("kassa.sklad", "compensation_confirmed", {"payment": paid})
    nobody = paid[:-1] + ("0" if paid[-1] != "0" else "1")
    unknown = site.step("kassa.sklad", "compensation_confirmed", {"payment": nobody})
    assert (hidden.status_code, unknown.status_code) == (404, 404), hidden.text
    assert hidden.content == unknown.content.replace(nobody.encode(), paid.encode())
    assert "UNIT-ALM" not in hidden.text
    assert site.size() == before


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"starts": "2099-01-01", "ends": "2099-06-30"}, "starts at most 366 days ahead"),
        ({"tariffs": {"gas": 100_001}}, "is more than the whole budget"),
        # b12r: a campaign in year 1, and a place named twice (it was silently collapsed)
        (
            {"starts": "0001-01-01", "ends": "0001-06-30"},
            "a campaign starts on or after 1991-12-16 (the record horizon), not 0001-01-01",
        ),
        ({"places": ["UNIT-ALM", "UNIT-ALM"]}, "UNIT-ALM is named twice"),
    ],
    ids=["starting_in_2099", "tariff_above_budget", "starting_in_year_1", "place_twice"],
)
def test_a_campaign_far_ahead_or_paying_more_than_its_budget_is_refused(
    site: Site, changes: dict[str, Any], words: str
) -> None:
    """b12: a campaign starting in 2099 and one whose tariff was larger than its whole budget
    were opened."""
    today = dt.datetime.now(dt.UTC).date()
    campaign = {
        "campaign": "KARU-B12",
        "name": "Қару B12",
        "starts": today.isoformat(),
        "ends": (today + dt.timedelta(days=30)).isoformat(),
        "places": ["UNIT-ALM"],
        "budget_tenge": 100_000,
        "tariffs": {"gas": 20_000},
    } | changes
    before = site.size()
    answer = site.step("admin", "campaign_opened", campaign)
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"] == "/problems/invalid-request"
    assert words in answer.json()["detail"]
    assert site.size() == before
    # a year ahead, less a day, and a tariff of the whole budget: taken
    ahead = today + dt.timedelta(days=365)
    fits = campaign | {
        "campaign": f"KARU-B12-{zlib.crc32(words.encode())}",  # one per case: a shared site
        "places": ["UNIT-ALM"],
        "starts": ahead.isoformat(),
        "ends": (ahead + dt.timedelta(days=10)).isoformat(),
        "tariffs": {"gas": 100_000},
    }
    taken = site.step("admin", "campaign_opened", fits)
    assert taken.status_code == 200, taken.text
