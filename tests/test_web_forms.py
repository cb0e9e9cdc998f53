"""The web pages' forms beyond scanning, in a real browser (Debian's Chromium) against a real
`custody serve` on the demo's data: decisions and appeals, cutting with weights and photos,
intake from a spreadsheet, the home page's queues with counts and "more", each person's
notices acknowledged on their home page, and sliding session expiry with its cap.

Shares test_web_pages' helpers; this module has its own server and browser.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.demo.data import PLACE_NAMES, PLACES_OF, photo
from tests import test_web_pages as pages
from tests.support.demos import Demos, demo_served
from tests.support.processes import run
from tests.test_web_pages import (
    AUDITOR,
    CLERK,
    OFFICER,
    Browser,
    Site,
    log_in,
    ready_for_parts,
    scan,
    serious_violations,
)
from workflows.vocabulary import NOT_ON_HAND

playwright_sync = pytest.importorskip("playwright.sync_api")
# The journeys' fixtures, for this module's own server and browser.
sites, site, browser = pages.sites, pages.site, pages.browser
pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium")


def officer_places(site: Site) -> set[str]:
    return set(PLACES_OF[OFFICER])


def at_officers_unit(site: Site, state: str) -> list[dict[str, Any]]:
    places = officer_places(site)
    return [i for i in site.items(state) if not places or i["location"] in places]


def state_of(site: Site, item: str) -> str:
    with site.api(AUDITOR) as client:
        return str(client.get(f"/items/{item}").json()["state"])


def test_officer_appeals_a_decision_then_records_it_final_on_the_item_page(
    site: Site, browser: Browser
) -> None:
    item = at_officers_unit(site, "decided")[0]["id"]
    page = browser.page(820, 1180)
    log_in(page, site.base, OFFICER, "ru")
    page.goto(f"{site.base}/web/items/{item}")
    assert serious_violations(page) == []
    before = site.size()
    lodged = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    page.fill("#s-decision_appealed-date", lodged)
    page.fill("#s-decision_appealed-document", "дело 2а-1/2026")
    page.click("form[data-step=decision_appealed] button[type=submit]")
    page.wait_for_selector("#out-item .done")
    assert site.size() == before + 1
    assert state_of(site, item) == "appealed"
    page.goto(f"{site.base}/web/items/{item}")
    assert page.locator(".state-now").inner_text() == "обжаловано"
    # The home page lists it among the paused clocks.
    page.goto(f"{site.base}/web/")
    assert page.locator(f"#q-paused ~ form a[href='/web/items/{item}']").count() == 1
    page.goto(f"{site.base}/web/items/{item}")
    page.fill("#s-decision_final-date", dt.date.today().isoformat())
    page.click("form[data-step=decision_final] button[type=submit]")
    page.wait_for_selector("#out-item .done")
    assert state_of(site, item) == "final"
    # A date in the future is refused, in Russian, and nothing is written.
    other = at_officers_unit(site, "decided")[0]["id"]
    page.goto(f"{site.base}/web/items/{other}")
    before = site.size()
    page.fill("#s-decision_appealed-date", (dt.date.today() + dt.timedelta(days=3)).isoformat())
    page.fill("#s-decision_appealed-document", "дело 2а-2/2026")
    page.click("form[data-step=decision_appealed] button[type=submit]")
    page.wait_for_selector("#out-item .problem")
    assert site.size() == before
    assert state_of(site, other) == "decided"


def test_officer_records_a_decision_for_items_chosen_in_the_home_queue(
    site: Site, browser: Browser
) -> None:
    waiting = at_officers_unit(site, "registered")
    assert len(waiting) >= 2
    page = browser.page()
    log_in(page, site.base, OFFICER, "en")
    queue = page.locator("section[aria-labelledby=q-decide]")
    count = int(queue.locator("h2 .count").inner_text())
    assert count == len(waiting)
    chosen = [queue.locator("input[name=items]").nth(n).get_attribute("value") for n in (0, 1)]
    for n in (0, 1):
        queue.locator("input[name=items]").nth(n).check()
    page.fill("#f-decide-ref", "2-901/2026")
    page.select_option("#f-decide-authority", "court")
    page.fill("#f-decide-date", (dt.date.today() - dt.timedelta(days=2)).isoformat())
    before = site.size()
    queue.locator("fieldset.bulk button[type=submit]").click()
    # The page is drawn again: the chosen items are off the queue, the line stays.
    page.wait_for_selector("#out-decide .done[data-redrawn]")
    assert int(queue.locator("h2 .count").inner_text()) == count - 2
    assert site.size() == before + 2
    assert [state_of(site, i) for i in chosen if i] == ["decided", "decided"]
    assert serious_violations(page) == []


def test_home_queue_shows_its_count_and_the_first_rows_with_more_on_paged_pages(
    site: Site, browser: Browser
) -> None:
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    queue = page.locator("section[aria-labelledby=q-parts]")
    total = int(queue.locator("h2 .count").inner_text())
    assert total > 10
    assert queue.locator("tbody tr").count() == 10
    queue.locator("a", has_text="more").click()
    page.wait_for_url("**/web/queues/parts")
    first = page.locator("tbody tr").count()
    assert first == min(50, total)
    assert serious_violations(page) == []
    if total > 50:
        page.click("a[rel=next]")
        shown = {r.get_attribute("value") for r in page.locator("input[name=items]").all()}
        page.click("a[rel=prev]")
        earlier = {r.get_attribute("value") for r in page.locator("input[name=items]").all()}
        assert shown
        assert not shown & earlier


def test_clerk_cuts_items_with_their_weights_and_photos_before_and_after(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    items = ready_for_parts(site, 2)
    with site.api(CLERK) as client:
        done = client.post("/steps/deformed", json={"items": items, "method": "пресс"})
        assert done.status_code == 200, done.text
    pictures = {}
    for n, name in enumerate(("before", "after", "marking")):
        pictures[name] = tmp_path / f"{name}.png"
        pictures[name].write_bytes(photo(20 + n))
    page = browser.page(390, 844)  # a phone
    log_in(page, site.base, CLERK, "kk")
    page.goto(f"{site.base}/web/cut")
    assert serious_violations(page) == []
    for item in items:
        page.check(f"input[name=items][value='{item}']")
        page.fill(f"input[data-item='{item}']", "2900")
    page.check("#barrel_along")
    page.check("#barrel_across")
    # Parts not cut through: R6 refuses, in Kazakh, and nothing is written.
    before = site.size()
    page.set_input_files("#before", str(pictures["before"]))
    page.set_input_files("#after", str(pictures["after"]))
    page.set_input_files("#marking", str(pictures["marking"]))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#cut-result.problem")
    assert page.locator("#cut-result").inner_text().startswith("R6")
    assert site.size() == before
    for item in items:
        page.check(f"input[name=items][value='{item}']")
        page.fill(f"input[data-item='{item}']", "2900")
    for flag in ("#barrel_along", "#barrel_across", "#parts_through"):
        page.check(flag)
    for name, path in pictures.items():
        page.set_input_files(f"#{name}", str(path))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#cut-result")
    assert page.locator("#cut-result.done").count() == 1, page.locator("#cut-result").inner_text()
    assert site.size() == before + 2
    with site.api(CLERK) as client:
        for item in items:
            got = client.get(f"/items/{item}").json()
            assert got["state"] == "cut"
            assert got["charge_weight_g"] == 2900
            roles = {f["role"] for f in got["files"]}
            assert {"before", "after"} <= roles


def test_officer_registers_items_from_a_spreadsheet_every_row_or_none(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    unit = sorted(officer_places(site) or {"UNIT-ALM"})[0]
    header = "category,source,location,weight_g,unmarked,model\n"
    good = tmp_path / "intake.csv"
    good.write_text(header + "".join(f"edged,found,{unit},{400 + n},yes,нож\n" for n in range(3)))
    bad = tmp_path / "bad.csv"
    bad.write_text(header + f"edged,found,{unit},400,yes,нож\nedged,found,{unit},сорок,yes,нож\n")
    page = browser.page()
    log_in(page, site.base, OFFICER, "en")
    page.goto(f"{site.base}/web/import")
    assert serious_violations(page) == []
    before = site.size()
    page.set_input_files("#table", str(bad))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#import-result.problem")
    said = page.locator("#import-result").inner_text()
    assert "line 3" in said
    assert "weight_g" in said
    assert site.size() == before
    page.set_input_files("#table", str(good))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#import-result.done")
    assert page.locator("ul.imported li").count() == 3
    assert site.size() == before + 3
    first = page.locator("ul.imported a").first.get_attribute("href")
    assert first is not None
    assert state_of(site, first.rsplit("/", 1)[1]) == "registered"


def test_each_person_sees_their_notices_on_the_home_page_and_acknowledges_them(
    site: Site, browser: Browser
) -> None:
    done = run(site.env, "notify")
    assert done.returncode == 0, done.stderr
    mine: dict[str, list[dict[str, Any]]] = {}
    for person in (OFFICER, CLERK):
        with site.api(person) as client:
            mine[person] = client.get("/notices", params={"unacknowledged": True}).json()
    person = max(mine, key=lambda p: len(mine[p]))
    assert mine[person], "the demo's overdue deadlines give someone notices"
    page = browser.page()
    log_in(page, site.base, person, "ru")
    shown = page.locator("#notices li.notice")
    assert int(page.locator("#notices h2 .count").inner_text()) == len(mine[person])
    first = shown.first.get_attribute("data-notice")
    assert first == str(mine[person][0]["id"])
    assert serious_violations(page) == []
    shown.first.locator("button[type=submit]").click()
    page.wait_for_url("**/web/?acknowledged=*")
    with site.api(person) as client:
        after = {n["id"]: n for n in client.get("/notices").json()}
    assert after[int(first)]["acknowledged_by"] == person
    assert page.locator(f"#notices li[data-notice='{first}']").count() == 0
    # Someone else's notice cannot be acknowledged through the page.
    other = next((p for p in (OFFICER, CLERK) if p != person), None)
    if other and mine[other]:
        page.goto(f"{site.base}/web/")
        csrf = page.locator("input[name=csrf]").first.get_attribute("value")
        answer = page.request.post(
            f"{site.base}/web/notices/{mine[other][0]['id']}/ack", form={"csrf": csrf}
        )
        assert answer.status == 403


@pytest.fixture(scope="module")
def short_sessions(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[str]:
    """A demo site whose sessions last 4 s from their last use, and 9 s at most."""
    directory = tmp_path_factory.mktemp("web-short")
    short = {"CUSTODY_TOKEN_SECONDS": "4", "CUSTODY_SESSION_MAX_SECONDS": "9"}
    with demo_served(demos, directory, **short) as (base, _):
        yield base


def test_a_session_in_use_slides_on_and_ends_at_its_cap_or_when_left_idle(
    short_sessions: str, browser: Browser
) -> None:
    base = short_sessions
    page = browser.page()
    log_in(page, base, OFFICER, "en")
    started = time.monotonic()
    while time.monotonic() - started < 6.5:  # past the 4 s a token lives unused
        page.goto(f"{base}/web/")
        assert page.url == f"{base}/web/"
        time.sleep(1.0)
    time.sleep(max(0.0, 9.5 - (time.monotonic() - started)))  # past the cap
    page.goto(f"{base}/web/")
    assert page.url.startswith(f"{base}/web/login")
    log_in(page, base, OFFICER, "en")
    time.sleep(4.5)  # left idle
    page.goto(f"{base}/web/")
    assert page.url.startswith(f"{base}/web/login")
    assert httpx.get(f"{base}/web/", follow_redirects=False).status_code == 303


def test_clerk_receives_a_transfer_by_scanning_and_closing_it_shows_the_missing_one(
    site: Site, browser: Browser
) -> None:
    sent = [i["id"] for i in at_officers_unit(site, "decided") if i["location"] == "UNIT-ALM"][:3]
    assert len(sent) == 3
    transfer = "T-WEB-0001"
    with site.api(OFFICER) as client:
        done = client.post(
            "/steps/transfer_sent",
            json={"transfer": transfer, "destination": "WH-ALM", "items": sent},
        )
        assert done.status_code == 200, done.text
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    page.click(f"a[href='/web/transfers/{transfer}']")
    assert page.locator("#received-count").inner_text() == "0"
    assert serious_violations(page) == []
    with page.expect_navigation():  # loaded, with its script listening, before scanning
        page.click("text=Scan what arrived")
    assert page.locator("#f-transfer_received-transfer").input_value() == transfer
    for item in sent[:2]:
        scan(page, f"custody-item:v1;id={item}")
    page.click("#apply-button")
    page.wait_for_selector("#outcome .done")
    page.goto(f"{site.base}/web/transfers/{transfer}")
    assert page.locator("#received-count").inner_text() == "2"
    assert page.locator(f"li.missing[data-item='{sent[2]}']").count() == 1
    before = site.size()
    page.click("#close-transfer")
    page.wait_for_url("**closed=1")
    assert site.size() == before + 2  # the discrepancy of the missing one, and the closing
    shown = page.locator("ul.discrepancies li")
    assert shown.count() == 1
    assert sent[2] in shown.inner_text()
    assert "sent, not received" in shown.inner_text()
    with site.api(CLERK) as client:
        assert client.get(f"/transfers/{transfer}").json()["state"] == "closed"


def test_clerk_counts_a_warehouse_by_scanning_and_the_one_not_found_is_a_discrepancy(
    site: Site, browser: Browser
) -> None:
    with site.api(AUDITOR) as client:
        held = {
            w: client.get("/items", params={"location": w, "limit": 1000}).json()["items"]
            for w in ("WH-KRG", "WH-ALM")
        }
    place, items = min(((w, i) for w, i in held.items() if len(i) >= 3), key=lambda p: len(p[1]))
    on_hand = [i["id"] for i in items if i["state"] not in {*NOT_ON_HAND, "discrepancy"}]
    page = browser.page()
    log_in(page, site.base, CLERK, "ru")
    with page.expect_navigation():  # loaded, with its script listening, before scanning
        page.click(f"a[data-count='{place}']")
    assert page.locator("#f-inventory_counted-location").input_value() == place
    for item in on_hand[1:]:
        scan(page, f"custody-item:v1;id={item}")
    assert page.locator("#scan-list li.flagged").count() == 0
    page.click("#apply-button")
    # One recorded here was not scanned: the page asks before it records it missing.
    page.wait_for_selector("#outcome [data-outcome=confirm]")
    assert PLACE_NAMES[place]["ru"] in page.locator("#outcome .problem").inner_text()
    assert page.locator("#confirm-button").inner_text().endswith(" 1")
    page.click("#confirm-button")
    page.wait_for_selector("#outcome .done")
    with site.api(CLERK) as client:
        assert client.get(f"/items/{on_hand[0]}").json()["state"] == "discrepancy"
        assert all(client.get(f"/items/{i}").json()["state"] != "discrepancy" for i in on_hand[1:])
