"""A late entry in plain sight in the web pages (issue 19): a decision entered twelve days
after its own date shows "entered late by 12 days" in the reader's language on its item page,
with its entry time in the reader's zone, and is a row of the compliance report's page; a
decision entered on its own date is in neither. A real `custody serve` on the demo's data, the
decisions recorded through the API, the pages read in Chromium.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custody.clock import parse_time
from tests.support.browser import CHROMIUM, Browser
from tests.support.browser import browser as browser  # the module's Chromium
from tests.support.demos import Demos, demo_served
from tests.support.site import today
from tests.test_web_pages import OFFICER, Site, log_in, serious_violations

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

AUDITOR = "auditor.li"  # the compliance report counts every place: the auditor reads it
ZONE = ZoneInfo("Asia/Almaty")  # the service's zone, the readers' own by default
LATE_DAYS = 12  # CUSTODY_LATE_ENTRY_DAYS is 3 by default


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("late")
    with demo_served(demos, directory) as (base, env):
        yield Site(base, env, directory)


def decide(site: Site, item: str, days_ago: int) -> None:
    day = dt.date.fromisoformat(today()) - dt.timedelta(days=days_ago)
    decision = {"ref": f"2-{days_ago}/2026", "authority": "court", "date": day.isoformat()}
    with site.api(OFFICER) as client:
        done = client.post("/steps/decision_recorded", json={"items": [item], "decision": decision})
    assert done.status_code == 200, done.text


@pytest.fixture(scope="module")
def decided(site: Site) -> dict[str, Any]:
    """Two registered items of the officer's unit: one decided twelve days ago, one today;
    the late one's entry as the API gives it."""
    registered = [i["id"] for i in site.items("registered") if i["location"] == "UNIT-ALM"]
    late, timely = registered[:2]
    decide(site, late, LATE_DAYS)
    decide(site, timely, 0)
    with site.api(OFFICER) as client:
        item = client.get(f"/items/{late}").json()
    [entry] = item["decision"]["late_entries"]
    return {"late": late, "timely": timely, "entry": entry}


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("ru", f"внесено с опозданием на {LATE_DAYS} дней"),
        ("kk", f"{LATE_DAYS} күн кешігіп енгізілді"),
        ("en", f"entered late by {LATE_DAYS} days"),
    ],
)
def test_item_page_says_a_decision_was_entered_late_and_by_how_many_days(
    site: Site, browser: Browser, decided: dict[str, Any], language: str, said: str
) -> None:
    page = browser.page()
    log_in(page, site.base, OFFICER, language)
    page.goto(f"{site.base}/web/items/{decided['late']}")
    shown = page.locator(".late-entry")
    assert shown.count() == 1
    assert shown.get_attribute("data-step") == "decision_recorded"
    text = shown.inner_text()
    assert said in text
    assert decided["entry"]["date"] in text
    # the entry's time on the reader's wall clock (Almaty), not in UTC
    entered = parse_time(decided["entry"]["entered_at"]).astimezone(ZONE)
    assert entered.strftime("%Y-%m-%d %H:%M") in text
    assert serious_violations(page) == []
    page.goto(f"{site.base}/web/items/{decided['timely']}")
    assert page.locator(".late-entry").count() == 0
    page.context.close()


def test_compliance_report_page_lists_the_decision_entered_late(
    site: Site, browser: Browser, decided: dict[str, Any]
) -> None:
    page = browser.page()
    log_in(page, site.base, AUDITOR, "kk")
    first = (dt.date.fromisoformat(today()) - dt.timedelta(days=60)).isoformat()
    last = (dt.date.fromisoformat(today()) + dt.timedelta(days=60)).isoformat()
    with site.api(AUDITOR) as client:
        report = client.get("/reports/compliance", params={"from": first, "to": last}).json()
    page.goto(f"{site.base}/web/reports/compliance?from={first}&to={last}")
    rows = page.locator("#late tbody tr")
    assert rows.count() == len(report["late_entries"]) > 0
    mine = page.locator(f"#late tbody tr[data-item='{decided['late']}']")
    assert mine.count() == 1
    cells = mine.locator("td")
    assert cells.nth(1).inner_text() == "R1"
    assert cells.nth(3).inner_text() == "Шешім енгізілді"  # "Decision recorded", in Kazakh
    assert cells.nth(4).inner_text() == decided["entry"]["date"]
    entered = parse_time(decided["entry"]["entered_at"]).astimezone(ZONE)
    assert cells.nth(5).inner_text() == entered.strftime("%Y-%m-%d %H:%M")
    assert int(cells.nth(6).inner_text()) == LATE_DAYS
    assert page.locator(f"#late tbody tr[data-item='{decided['timely']}']").count() == 0
    assert int(page.locator("#h-late .count").inner_text()) == len(report["late_entries"])
    assert serious_violations(page) == []
    page.context.close()


def test_compliance_report_page_shows_an_appeal_entered_after_the_term_ran_out(
    site: Site, browser: Browser, decided: dict[str, Any]
) -> None:
    # Issue 19 re-attack, H1: dated in the term, entered 20 days after it ran out.
    registered = [i["id"] for i in site.items("registered") if i["location"] == "UNIT-ALM"]
    item = next(i for i in registered if i not in (decided["late"], decided["timely"]))
    decide(site, item, 30)
    lodged = dt.date.fromisoformat(today()) - dt.timedelta(days=25)
    with site.api(OFFICER) as client:
        done = client.post(
            "/steps/decision_appealed",
            json={"items": [item], "date": lodged.isoformat(), "document": "дело 2а-11/2026"},
        )
        assert done.status_code == 200, done.text
    first = (dt.date.fromisoformat(today()) - dt.timedelta(days=60)).isoformat()
    last = (dt.date.fromisoformat(today()) + dt.timedelta(days=60)).isoformat()
    with site.api(AUDITOR) as client:
        report = client.get("/reports/compliance", params={"from": first, "to": last}).json()
    [entry] = [e for e in report["late_entries"] if e["item"] == item and e["fact"] == "appealed"]
    assert entry["overdue_until_late_entry"] >= 19
    page = browser.page()
    log_in(page, site.base, AUDITOR, "en")
    page.goto(f"{site.base}/web/reports/compliance?from={first}&to={last}")
    row = page.locator(f"#late tbody tr[data-item='{item}'][data-seq='{entry['seq']}']")
    assert int(row.locator("td").nth(7).inner_text()) == entry["overdue_until_late_entry"]
    count = sum(report["overdue_until_late_entry"].values())
    assert count >= 1
    said = page.locator("#overdue-until-late-entry").inner_text()
    assert said == f"Deadlines overdue until a late entry: {count}"
    # The item page says it beside the appeal, in the reader's language.
    days = entry["overdue_until_late_entry"]
    page.goto(f"{site.base}/web/items/{item}")
    shown = page.locator(f".late-entry[data-step='decision_appealed'] [data-overdue-days='{days}']")
    assert shown.inner_text() == f"the term stood overdue {days} days until this entry"
    assert serious_violations(page) == []
    page.context.close()


@pytest.mark.parametrize(
    ("language", "lost_said", "reversed_said"),
    [
        ("ru", "пропущен, затем объявлен утраченным", "пропущен, затем решение отменено"),
        (
            "kk",
            "мерзімі өткен, кейін жоғалды деп жарияланды",
            "мерзімі өткен, кейін шешім күшін жойды",
        ),
        ("en", "missed, then declared lost", "missed, then reversed"),
    ],
)
def test_compliance_report_page_says_lost_for_a_loss_and_reversed_for_a_reversal(
    site: Site,
    browser: Browser,
    cancelled: tuple[str, str],
    language: str,
    lost_said: str,
    reversed_said: str,
) -> None:
    # Issue 19 fix: every missed-and-cancelled deadline was "missed, then reversed".
    first = (dt.date.fromisoformat(today()) - dt.timedelta(days=60)).isoformat()
    last = (dt.date.fromisoformat(today()) + dt.timedelta(days=60)).isoformat()
    lost, reversed_ = cancelled
    page = browser.page()
    log_in(page, site.base, AUDITOR, language)
    page.goto(f"{site.base}/web/reports/compliance?from={first}&to={last}")
    for item, said in ((lost, lost_said), (reversed_, reversed_said)):
        row = page.locator(f"#missed tbody tr:has(a[href='/web/items/{item}'])")
        assert row.locator("td").nth(3).inner_text() == said
    assert serious_violations(page) == []
    page.context.close()


@pytest.fixture(scope="module")
def cancelled(site: Site) -> tuple[str, str]:
    """Two items of the unit decided 30 days ago, once: one declared lost, one reversed by a
    decision dated 27 days after (both after the term had run out: missed_cancelled)."""
    registered = [i["id"] for i in site.items("registered") if i["location"] == "UNIT-ALM"]
    lost, reversed_ = registered[-2:]
    decide(site, lost, 30)
    decide(site, reversed_, 30)
    on = (dt.date.fromisoformat(today()) - dt.timedelta(days=3)).isoformat()
    with site.api(OFFICER) as client:
        done = client.post("/steps/decision_reversed", json={"items": [reversed_], "date": on})
        assert done.status_code == 200, done.text
        body = {"subject": lost, "reason": "не найден"}
        opened = client.post("/steps/discrepancy_recorded", json=body)
        assert opened.status_code == 200, opened.text
    settle = {"discrepancy": opened.json()["result"], "resolution": "lost", "note": "утрата"}
    with site.api("official.zhakupov") as client:
        done = client.post("/steps/discrepancy_resolved", json=settle)
        assert done.status_code == 200, done.text
    return lost, reversed_
