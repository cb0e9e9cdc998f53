"""The dashboard in a real browser against a real `custody serve` on the demo's data (built
with the real commands): its figures against a count written here from the API and the
ledger's own entries, each figure's link against the items it names, a second render after a
new entry, places, and axe-core.

Set CUSTODY_SCREENSHOTS=1 to write docs/screenshots/dashboard.png again.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.demo.data import PASSWORD
from custody.clock import parse_time
from tests.support.browser import CHROMIUM, Browser
from tests.support.browser import browser as browser  # the module's Chromium
from tests.support.demos import Demos
from tests.support.processes import run, server
from tests.test_web_pages import (
    CLERK,
    EXAMINER,
    OFFICER,
    Site,
    log_in,
    ready_for_parts,
    screenshot,
    serious_violations,
)

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

AUDITOR, OFFICIAL = "auditor.li", "official.zhakupov"
ZONE = ZoneInfo("Asia/Almaty")  # the service's time zone (workflows.config)
DESTROYED = ("destroyed",)  # on a final statement (R8)
NOT_FINAL = ("melted", "burned")  # the statement's signatures missing: not destroyed yet
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[Site]:
    with ExitStack() as stack:
        directory = tmp_path_factory.mktemp("dashboard")
        env = demos.copy(directory)
        yield Site(stack.enter_context(server(env)), env, directory)


# -- the count written here, from the API and the ledger -----------------------------------------


def all_items(site: Site) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = None
    with site.api(AUDITOR) as client:
        while True:
            params: dict[str, Any] = {"limit": 500, **({"after": after} if after else {})}
            answer = client.get("/items", params=params).json()
            found += answer["items"]
            after = answer["next"]
            if after is None:
                return found


def count(site: Site, places: set[str] | None = None) -> dict[str, Any]:
    """Every figure of the dashboard, with the item ids behind each, counted independently."""
    items = [i for i in all_items(site) if places is None or i["location"] in places]
    where = {i["id"]: i["location"] for i in items}
    with site.api(AUDITOR) as client:
        deadlines = client.get("/deadlines", params={"limit": 1000}).json()["deadlines"]
        overdue: dict[str, set[str]] = defaultdict(set)
        for d in deadlines:
            if d["status"] == "overdue" and d["item"] in where:
                overdue[d["rule"]].add(d["item"])
        destroyed: dict[str, set[str]] = defaultdict(set)
        not_final: dict[str, set[str]] = defaultdict(set)
        for item in items:
            if item["state"] in DESTROYED + NOT_FINAL and item["batch"]:
                batch = client.get(f"/batches/{item['batch']}").json()
                month = parse_time(batch["destroyed_at"]).astimezone(ZONE).strftime("%Y-%m")
                counted = destroyed if item["state"] in DESTROYED else not_final
                counted[month].add(item["id"])
        size = site.size()
        opened: dict[str, str] = {}
        for start in range(0, size, 1000):
            page = client.get("/ledger/entries", params={"start": start, "limit": 1000}).json()
            for entry in page["entries"]:
                body = json.loads(base64.b64decode(entry["body"]))
                # R11's suspicions are discrepancies too, settled by diversion_resolved
                if body["kind"] in ("discrepancy_recorded", "diversion_suspected"):
                    opened[body["data"]["discrepancy"]] = body["item"]
                elif body["kind"] in ("discrepancy_resolved", "diversion_resolved"):
                    opened.pop(body["data"]["discrepancy"], None)
    by_state: dict[str, set[str]] = defaultdict(set)
    for item in items:
        by_state[item["state"]].add(item["id"])
    return {
        "total": set(where),
        "by_state": by_state,
        "by_place": Counter(where.values()),
        "overdue": overdue,
        "destroyed": destroyed,
        "not_final": not_final,
        "discrepancies": set(opened),
    }


# -- reading the pages ----------------------------------------------------------------------------


def tile(page: Any, key: str) -> int:
    return int(page.locator(f"#fig-{key} .big").inner_text())


def bar_value(link: Any) -> int:
    """The value a chart's bar gives, the end of its link's text ("at the warehouse 113")."""
    return int(" ".join(link.text_content().split()).rsplit(" ", 1)[1])


def listed(page: Any, base: str, href: str) -> set[str]:
    """The item ids a list page shows, following its next links."""
    found: set[str] = set()
    page.goto(base + href)
    total = int(page.locator("#list-total").inner_text())
    while True:
        found |= set(
            page.locator("#items tbody tr").evaluate_all("rs => rs.map(r => r.dataset.item)")
        )
        more = page.locator("#next-page")
        if not more.count():
            break
        more.click()
        page.wait_for_load_state()
    assert len(found) == total
    return found


def test_dashboard_figures_equal_a_count_of_the_api_and_the_ledger(
    site: Site, browser: Browser
) -> None:
    expected = count(site)
    page = browser.page()
    log_in(page, site.base, AUDITOR, "en")  # the auditor's home is the dashboard
    assert page.locator("h1").inner_text() == "Dashboard"
    assert tile(page, "total") == len(expected["total"])
    assert tile(page, "overdue-R1") == len(expected["overdue"]["R1"]) > 0
    assert tile(page, "overdue-R2") == len(expected["overdue"]["R2"]) > 0
    # The transit watch is overdue too, though not a rule of the law (fix19h LOW).
    assert tile(page, "overdue-transit") == len(expected["overdue"]["transit"]) > 0
    assert tile(page, "discrepancies") == len(expected["discrepancies"]) > 0
    # The state chart: one link per state, its accessible name "state: count".
    bars = page.locator("#h-states ~ figure svg a")
    assert bars.count() == len(expected["by_state"])
    for index in range(bars.count()):
        href = bars.nth(index).get_attribute("href")
        state = href.split("state=")[1]
        assert bar_value(bars.nth(index)) == len(expected["by_state"][state])
    # Per month: the table, and the chart's bars say the same.
    rows = page.locator("#by-month tbody tr")
    months, unsigned = {}, {}
    for index in range(rows.count()):
        month = rows.nth(index).locator("th").text_content().strip()
        months[month] = int(rows.nth(index).locator("td").first.text_content())
        unsigned[month] = int(rows.nth(index).locator("td").nth(1).text_content())
    assert {m: n for m, n in months.items() if n} == {
        m: len(ids) for m, ids in expected["destroyed"].items()
    }
    assert sum(months.values()) > 0
    # Melted, the statement not final (the demo's unsigned batch): apart, not destroyed.
    assert {m: n for m, n in unsigned.items() if n} == {
        m: len(ids) for m, ids in expected["not_final"].items()
    }
    assert tile(page, "not-final") == sum(unsigned.values()) > 0
    # By place: each place's total.
    places = page.locator("#by-place tbody tr")
    shown = {}
    for index in range(places.count()):
        link = places.nth(index).locator("td a").first
        place = link.get_attribute("href").split("location=")[1]
        shown[place] = int(link.inner_text())
    assert shown == dict(expected["by_place"])
    assert serious_violations(page) == []
    assert browser.refused == []  # the charts live under the strict CSP
    page.set_viewport_size({"width": 1280, "height": 1100})
    screenshot(page, "dashboard")
    page.context.close()


def test_the_charts_numbers_are_written_as_the_readers_language_writes_them(
    site: Site, browser: Browser
) -> None:
    """Issue 16: the charts said "304.3" on ru and kk pages; the weights there are "304,3",
    as the month table beside them and the other figures say (babel)."""
    for language, point in (("ru", ","), ("kk", ","), ("en", ".")):
        page = browser.page()
        log_in(page, site.base, AUDITOR, language)
        said = [t.strip() for t in page.locator("figure svg tspan").all_text_contents()]
        weights = [t for t in said if re.fullmatch(r"[\d\s\u00a0]+[.,]\d", t)]
        assert weights, said
        assert all(w[-2] == point for w in weights), (language, weights)
        table = page.locator("#by-month tbody td:last-child a").all_text_contents()
        assert table, table
        assert all(t.strip()[-2] == point for t in table), (language, table)
        page.context.close()


def test_each_figure_links_to_a_list_of_exactly_its_items(site: Site, browser: Browser) -> None:
    expected = count(site)
    page = browser.page()
    log_in(page, site.base, OFFICIAL, "ru")
    page.goto(f"{site.base}/web/dashboard")
    links = {
        "total": page.locator("#fig-total").get_attribute("href"),
        "R1": page.locator("#fig-overdue-R1").get_attribute("href"),
        "R2": page.locator("#fig-overdue-R2").get_attribute("href"),
        "transit": page.locator("#fig-overdue-transit").get_attribute("href"),
    }
    month = max(expected["destroyed"])
    assert listed(page, site.base, links["total"]) == expected["total"]
    assert listed(page, site.base, links["R1"]) == expected["overdue"]["R1"]
    assert listed(page, site.base, links["R2"]) == expected["overdue"]["R2"]
    assert listed(page, site.base, links["transit"]) == expected["overdue"]["transit"]
    assert listed(page, site.base, f"/web/items?destroyed={month}") == expected["destroyed"][month]
    for month, ids in expected["not_final"].items():
        assert listed(page, site.base, f"/web/items?not_final={month}") == ids
        assert not ids & expected["destroyed"].get(month, set())
    for state in ("at_warehouse", "appealed", "destroyed"):
        assert listed(page, site.base, f"/web/items?state={state}") == expected["by_state"][state]
    assert serious_violations(page) == []
    page.goto(f"{site.base}/web/dashboard")
    page.locator("#fig-discrepancies").click()
    page.wait_for_url("**/web/discrepancies")
    shown = set(
        page.locator("#discrepancies tbody tr").evaluate_all(
            "rs => rs.map(r => r.dataset.discrepancy)"
        )
    )
    assert shown == expected["discrepancies"]
    assert serious_violations(page) == []
    page.context.close()


def test_a_second_render_after_a_new_entry_changes_the_figure(site: Site, browser: Browser) -> None:
    page = browser.page()
    log_in(page, site.base, AUDITOR, "kk")
    bar = page.locator("svg a[href='/web/items?state=parts_incinerated']")
    before = bar_value(bar)
    page.reload()  # nothing changed: the same figure, from what the server kept
    assert bar_value(bar) == before
    ready_for_parts(site, 2)  # two entries each for two items: parts removed, incinerated
    page.reload()
    assert bar_value(bar) == before + 2
    page.context.close()


@pytest.mark.parametrize(
    ("username", "places"),
    [
        (CLERK, {"WH-ALM", "WH-KRG", "PLANT-TMR"}),
        (OFFICER, {"UNIT-ALM", "UNIT-AST", "UNIT-SHY", "UNIT-KRG", "UNIT-UKK"}),
        (EXAMINER, {"CSE-ALM"}),
    ],
)
def test_a_person_sees_only_the_places_of_their_account(
    site: Site, browser: Browser, username: str, places: set[str]
) -> None:
    expected = count(site, places)
    page = browser.page()
    log_in(page, site.base, username, "en")
    page.goto(f"{site.base}/web/dashboard")
    rows = page.locator("#by-place tbody tr td:nth-child(2) a")
    shown = {
        rows.nth(i).get_attribute("href").split("location=")[1]: int(rows.nth(i).inner_text())
        for i in range(rows.count())
    }
    assert shown == dict(expected["by_place"])
    assert set(shown) <= places
    assert tile(page, "total") == len(expected["total"])
    assert tile(page, "overdue-R1") == len(expected["overdue"]["R1"])
    assert tile(page, "overdue-R2") == len(expected["overdue"]["R2"])
    # A list asked for elsewhere, by its address, is empty.
    elsewhere = "UNIT-ALM" if username != OFFICER else "WH-ALM"
    assert listed(page, site.base, f"/web/items?location={elsewhere}") == set()
    assert listed(page, site.base, "/web/items") == expected["total"]
    page.context.close()


def test_a_clerk_whose_only_warehouse_is_withdrawn_reads_nothing(
    site: Site, browser: Browser
) -> None:
    # Least privilege: a missing place never widens what one reads (issue 14).
    with site.api("admin") as admin:
        made = admin.post(
            "/users",
            json={
                "username": "sklad.former",
                "name": "Бывший Кладовщик",
                "role": "warehouse_clerk",
                "places": ["WH-ALM"],
                "password": PASSWORD,
            },
        )
        assert made.status_code == 201, made.text
        gone = admin.delete("/users/sklad.former/places/WH-ALM")
        assert gone.status_code == 204, gone.text
    page = browser.page()
    log_in(page, site.base, "sklad.former", "en")
    page.goto(f"{site.base}/web/dashboard")
    assert page.locator("#by-place tbody tr td:nth-child(2) a").count() == 0
    assert tile(page, "total") == 0
    assert tile(page, "overdue-R2") == 0
    assert listed(page, site.base, "/web/items") == set()
    assert listed(page, site.base, "/web/items?location=WH-ALM") == set()
    page.goto(f"{site.base}/web/queues/forensics")
    assert (
        page.locator("table tbody tr[data-item], table tbody tr td a[href*='/web/items/']").count()
        == 0
    )
    page.context.close()


def test_a_list_with_an_unknown_filter_says_so(site: Site, browser: Browser) -> None:
    page = browser.page()
    log_in(page, site.base, AUDITOR, "en")
    answer = page.goto(f"{site.base}/web/items?overdue=R9")
    assert answer.status == 422
    assert "no such filter" in page.locator(".problem").inner_text()
    page.context.close()


def test_the_dashboard_screenshot_is_in_the_docs() -> None:
    assert (SHOTS / "dashboard.png").stat().st_size > 10_000
    assert "docs/screenshots/dashboard.png" in (SHOTS.parent.parent / "README.md").read_text()


def test_the_same_figures_on_postgresql(
    tmp_path_factory: pytest.TempPathFactory, demos: Demos, browser: Browser
) -> None:
    with ExitStack() as stack:
        directory = tmp_path_factory.mktemp("dashboard-pg")
        env = demos.copy(directory, "postgresql", stack)
        site = Site(stack.enter_context(server(env)), env, directory)
        expected = count(site)
        page = browser.page()
        log_in(page, site.base, OFFICIAL, "en")
        page.goto(f"{site.base}/web/dashboard")
        assert tile(page, "total") == len(expected["total"])
        assert tile(page, "overdue-R1") == len(expected["overdue"]["R1"]) > 0
        assert tile(page, "overdue-R2") == len(expected["overdue"]["R2"]) > 0
        assert tile(page, "discrepancies") == len(expected["discrepancies"]) > 0
        month = max(expected["destroyed"])
        destroyed = listed(page, site.base, f"/web/items?destroyed={month}")
        assert destroyed == expected["destroyed"][month]
        assert listed(page, site.base, "/web/items?overdue=R2") == expected["overdue"]["R2"]
        page.context.close()


# -- the reports' pages ---------------------------------------------------------------------------


def test_annual_report_page_shows_the_report_and_its_files_verify(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    page = browser.page()
    log_in(page, site.base, AUDITOR, "en")
    page.click("a[href='/web/reports']")
    page.click("form[action='/web/reports/annual'] button[type=submit]")
    page.wait_for_url("**/web/reports/annual?**")
    year = int(page.url.split("year=")[1].split("&")[0])
    with site.api(AUDITOR) as client:
        answer = client.get("/reports/annual", params={"year": year})
        expected = answer.json()
    for figure in ("surrendered", "confiscated", "found", "destroyed"):
        row = page.locator(f"#weapons tr[data-figure='weapons.{figure}'] td")
        assert int(row.nth(0).inner_text()) == expected["weapons"][figure]["total"]
        assert int(row.nth(1).inner_text()) == expected["weapons"][figure]["rifled"]
    assert expected["weapons"]["destroyed"]["total"] > 0
    assert serious_violations(page) == []
    files = {}
    for fmt in ("json", "csv", "xlsx", "pdf"):
        with page.expect_download() as download:
            page.click(f"a[href$='format={fmt}']")
        files[fmt] = tmp_path / f"annual.{fmt}"
        download.value.save_as(files[fmt])
    written = json.loads(files["json"].read_text())
    assert written["weapons"] == expected["weapons"]
    assert files["xlsx"].read_bytes()[:2] == b"PK"
    assert "weapons.destroyed.total" in files["csv"].read_text()
    checked = run(site.env, "verify-report", str(files["pdf"]))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    page.context.close()


def test_compliance_and_reconciliation_pages_list_the_reports_rows(
    site: Site, browser: Browser
) -> None:
    page = browser.page()
    log_in(page, site.base, OFFICIAL, "kk")  # an official covers every place of the site
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    with site.api(AUDITOR) as client:
        compliance = client.get("/reports/compliance", params=period).json()
        reconciliation = client.get("/reports/reconciliation", params=period).json()
    page.goto(f"{site.base}/web/reports/compliance?from=2026-01-01&to=2026-12-31")
    assert page.locator("#missed tbody tr").count() == len(compliance["missed"]) > 0
    r1 = page.locator("#deadlines tr[data-rule='R1'] td")
    assert int(r1.nth(3).inner_text()) == compliance["deadlines"]["R1"]["overdue"]
    assert serious_violations(page) == []
    page.goto(f"{site.base}/web/reports/reconciliation?from=2026-01-01&to=2026-12-31")
    assert page.locator("#stock tbody tr").count() == len(reconciliation["places"])
    assert page.locator("#batches tbody tr").count() == len(reconciliation["batches"]) > 0
    assert serious_violations(page) == []
    page.context.close()


def test_report_pages_keep_to_the_readers_places(site: Site, browser: Browser) -> None:
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    assert page.goto(f"{site.base}/web/reports/compliance").status == 403
    assert page.goto(f"{site.base}/web/reports/annual").status == 403  # every place
    assert page.goto(f"{site.base}/web/reports/annual?place=UNIT-ALM").status == 403
    assert page.goto(f"{site.base}/web/reports/annual/file?place=UNIT-ALM").status == 403
    assert page.goto(f"{site.base}/web/reports/annual?place=PLANT-TMR").status == 200
    destroyed = page.locator("#weapons tr[data-figure='weapons.destroyed'] td").first
    assert int(destroyed.inner_text()) > 0
    page.context.close()


def test_no_request_of_the_dashboard_or_reports_left_this_machine(browser: Browser) -> None:
    assert browser.requests, "the tests above made no request"
    assert all(url.startswith("http://127.0.0.1:") for url in browser.requests), [
        url for url in browser.requests if not url.startswith("http://127.0.0.1:")
    ]
    assert browser.refused == []  # nothing the strict CSP stopped, on any page
