"""The desk's open findings (issue 15), each named for what a newcomer or a careless clerk
found, in a real browser (Debian's Chromium) against a real `custody serve` on the demo's
data: a cut weight no scale could read, an id answered differently for another place than
for nobody's, a double click on apply, a list lost on reload, the process's constants in a
sentence, and a count that said how many were missing but not which.

Shares test_web_pages' helpers; this module has its own server and browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from api.demo.data import PLACES_OF
from tests import test_web_pages as pages
from tests.test_web_pages import AUDITOR, CLERK, Browser, Site, log_in, scan
from workflows.vocabulary import NOT_ON_HAND

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
sites, site, browser = pages.sites, pages.site, pages.browser
pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium")


def item_of(site: Site, item: str) -> dict[str, Any]:
    with site.api(AUDITOR) as client:
        answer = client.get(f"/items/{item}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def on_hand(site: Site, place: str) -> list[str]:
    with site.api(AUDITOR) as client:
        answer = client.get("/items", params={"location": place, "limit": 1000})
        return [i["id"] for i in answer.json()["items"] if i["state"] not in NOT_ON_HAND]


def elsewhere_of(site: Site, reader: str) -> str:
    """An item at a place `reader` does not read at, and not on the road to one of theirs."""
    theirs = set(PLACES_OF[reader])
    with site.api(AUDITOR) as client:
        found = client.get("/items", params={"limit": 1000}).json()["items"]
    return next(
        str(i["id"])
        for i in found
        if i["location"] not in theirs
        and i["destination"] is None
        and i["transfer"] is None
        and i["state"] not in ("melted", "burned", "destroyed", "returned_to_owner")
    )


def test_a_cut_heavier_than_the_intake_weight_is_refused_naming_the_item_and_both_weights(
    site: Site, browser: Browser
) -> None:
    """99,999 g was recorded as the cut weight of a 3,292 g rifle. The command refuses a
    weight above the intake weight plus the scales' error (the larger of 50 g and 2 %): on
    the page, in the reader's language, and through the API, as problem+json."""
    [made] = pages.ready_for_parts(site, 1)
    with site.api(CLERK) as client:
        done = client.post("/steps/deformed", json={"items": [made], "method": "пресс"})
        assert done.status_code == 200, done.text
    shown = item_of(site, made)
    intake, name = int(shown["weight_g"]), str(shown["marking"] or shown["id"])
    most = intake + max(50, -(-intake * 2 // 100))
    before = site.size()
    page = browser.page()
    log_in(page, site.base, CLERK, "kk")
    page.goto(f"{site.base}/web/cut")
    page.check(f'input[name=items][value="{made}"]')
    page.fill(f'input[name="weight-{made}"]', "99999")
    for cut in ("#barrel_along", "#barrel_across", "#parts_through"):
        page.check(cut)
    page.click("form.card button[type=submit]")
    said = page.locator("#cut-result").inner_text()
    assert f"{name} қазір 99999 г тартады" in said, said
    assert f"қабылдау кезінде {intake} г болған" in said, said
    assert f"{most} г-нан аспайды" in said, said
    assert "PROCESS" not in said
    assert page.locator(f'input[name="weight-{made}"]').input_value() == "99999"  # kept
    assert site.size() == before
    with site.api(CLERK) as client:
        cuts = {"barrel_along": True, "barrel_across": True, "parts_through": True}
        for weight in (99_999, most + 1):
            answer = client.post("/steps/cut", json={"weights": {made: weight}, **cuts})
            assert answer.status_code == 409, answer.text
            assert answer.headers["content-type"].startswith("application/problem+json")
            problem = answer.json()
            assert problem["type"].endswith("/rule"), problem
            assert problem["item"] == made
            assert f"weighs {weight} g now but {intake} g at intake" in problem["detail"]
    assert site.size() == before


def test_an_id_at_another_place_is_answered_word_for_word_as_an_id_nobody_registered(
    site: Site, browser: Browser
) -> None:
    """The scan page said "not at your places" for an id of another place's item and "not
    registered" for nobody's: an oracle of which ids exist. Both now get one sentence, no
    row, for any step but a count; at a count, both are listed, flagged alike (the count
    records them for the auditor). The item page answers both alike too."""
    away = elsewhere_of(site, CLERK)
    nobodys = "KZ-" + "0" * (len(away) - 3) if away.startswith("KZ-") else "Z" * len(away)
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=parts_removed")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    answers = []
    for code in (away, nobodys):
        scan(page, code)
        answers.append(page.locator("#scan-status").inner_html().replace(code, "<id>"))
    assert answers[0] == answers[1], answers
    assert "No item <id> was found at your places" in answers[0]
    expect(page.locator("#scan-list li")).to_have_count(0)
    # A count lists both, flagged with the same words, under the code as scanned.
    counted = PLACES_OF[CLERK][0]
    page.goto(f"{site.base}/web/scan?step=inventory_counted&location={counted}")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    rows = []
    for code in (away, nobodys):
        scan(page, code)
        row = page.locator(f'#scan-list li[data-code="{code}"]')
        expect(row).to_have_class("flagged")
        rows.append(re.sub(r"\s+", " ", row.inner_text()).replace(code, "<id>"))
    assert rows[0] == rows[1], rows
    assert "No item <id> was found at your places" in rows[0]
    # The item page: a 404 with the same words for both.
    shown = []
    for code in (away, nobodys):
        answer = page.goto(f"{site.base}/web/items/{code}")
        assert answer is not None
        assert answer.status == 404
        shown.append(page.locator("main").inner_text().replace(code, "<id>"))
    assert shown[0] == shown[1], shown


def fresh(site: Site, count: int) -> list[str]:
    """Weapons at WH-ALM that need no registry check: their parts may be removed now."""
    with site.api(AUDITOR) as client:
        found = client.get(
            "/items", params={"location": "WH-ALM", "state": "at_warehouse", "limit": 1000}
        ).json()["items"]
    ready = [
        str(i["id"])
        for i in found
        if i["workflow"] == "weapon"
        and not (i["category"] == "firearm" and i["rifled"] and i["source"] != "surplus")
    ][:count]
    assert len(ready) == count
    return ready


def test_a_double_click_on_apply_writes_once_and_a_list_sent_again_is_already_applied(
    site: Site, browser: Browser
) -> None:
    """A double click on apply showed a second, confusing message. The button is disabled
    while its command runs; the same list sent again (a form posted twice) is answered
    "already applied" and writes nothing."""
    items = fresh(site, 2)
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=parts_removed")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    for item in items:
        scan(page, f"custody-item:v1;id={item}")
    before = site.size()
    held: list[Any] = []  # the apply request, held until the button has been looked at
    page.route("**/web/steps/apply", lambda route: held.append(route))
    page.dblclick("#apply-button")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    expect(page.locator("#apply-button")).to_be_disabled()
    page.wait_for_timeout(300)
    assert len(held) == 1  # the second click sent nothing
    held[0].continue_()
    page.wait_for_selector("#outcome .done")
    expect(page.locator("#apply-button")).to_be_enabled()
    assert site.size() == before + 2
    assert page.locator("#outcome .problem").count() == 0
    page.unroute("**/web/steps/apply")
    # The same form posted again: already applied, nothing written.
    csrf = page.locator("#apply [name=csrf]").input_value()
    fields = [("csrf", csrf), ("step", "parts_removed"), ("parts", "stock"), ("origin", "scan")]
    body = "&".join(f"{k}={v}" for k, v in [*fields, *(("items", i) for i in items)])
    again = page.request.post(
        f"{site.base}/web/steps/apply",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert again.status == 200
    said = again.text()
    assert "Already applied: Parts removed was recorded for these 2 items" in said, said
    assert "cannot follow" not in said
    assert site.size() == before + 2


def test_the_scanned_list_outlives_a_reload_per_page_and_is_emptied_once_applied(
    site: Site, browser: Browser
) -> None:
    items = fresh(site, 2)
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    address = f"{site.base}/web/scan?step=parts_removed"
    page.goto(address)
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    for item in items:
        scan(page, f"custody-item:v1;id={item}")
    page.reload()
    page.wait_for_function("() => document.body.dataset.restored === '2'")
    rows = page.locator("#scan-list li")
    assert sorted(str(rows.nth(i).get_attribute("data-item")) for i in range(2)) == sorted(items)
    # each row with the code it was scanned by: a repeat is still known as one
    assert {str(rows.nth(i).get_attribute("data-code")) for i in range(2)} == set(items)
    assert page.locator("#scan-count").inner_text() == "2"
    # Another page's list is its own (the address names the step, the place, the transfer).
    page.goto(f"{site.base}/web/scan?step=inventory_counted&location=WH-ALM")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    assert page.locator("#scan-list li").count() == 0
    page.goto(address)
    page.wait_for_function("() => document.body.dataset.restored === '2'")
    before = site.size()
    page.click("#apply-button")
    page.wait_for_selector("#outcome .done")
    assert site.size() == before + 2
    page.reload()
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    assert page.locator("#scan-list li").count() == 0
    kept = "Object.keys(sessionStorage).filter((k) => k.startsWith('custody-scan:')).length"
    assert page.evaluate(kept) == 0


def test_a_scan_does_not_save_the_whole_list_again_it_is_saved_once_the_scans_pause(
    site: Site, browser: Browser
) -> None:
    """Each scan wrote the whole list to sessionStorage (and walked every row): 10-27 ms a
    scan in Chromium at 500 rows. The list is saved once the scans pause, and at once when
    the page is left; each scan looks its code up in the page's index of the rows."""
    items = fresh(site, 12)
    page = browser.page()
    # Every write of a scan list to sessionStorage, counted as the page makes it.
    page.add_init_script(
        "(() => { const set = Storage.prototype.setItem; window.__saves = 0;"
        " Storage.prototype.setItem = function (key, value) {"
        " if (String(key).startsWith('custody-scan:')) window.__saves += 1;"
        " return set.call(this, key, value); }; })()"
    )
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=parts_removed")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    # Each code read as the camera reads one (the field filled, the form submitted) and its
    # answer awaited, as a person scans: at the page's pace, not the test's typing's.
    page.evaluate(
        """async (codes) => {
          const code = document.getElementById("code"), form = document.getElementById("scan");
          for (const read of codes) {
            const done = Number(document.body.dataset.scans || 0);
            code.value = read;
            form.requestSubmit();
            while (Number(document.body.dataset.scans || 0) <= done) {
              await new Promise((resolve) => setTimeout(resolve, 2));
            }
          }
        }""",
        [f"custody-item:v1;id={item}" for item in items],
    )
    scan(page, items[3])  # a repeat, by its id: known from the page's index, not sent
    expect(page.locator("#scan-status [data-outcome=repeat]")).to_have_count(1)
    expect(page.locator("#scan-list li")).to_have_count(12)
    assert page.locator("#scan-count").inner_text() == "12"
    # Saved after the scans paused: once (or twice) for twelve scans, not twelve times.
    saved = "() => { const key = Object.keys(sessionStorage).find((k) =>"
    saved += " k.startsWith('custody-scan:')); const kept = key &&"
    saved += " JSON.parse(sessionStorage.getItem(key)); return kept ? kept.rows.length : 0; }"
    page.wait_for_function(f"() => ({saved})() === 12")
    assert 1 <= page.evaluate("window.__saves") <= 3, page.evaluate("window.__saves")
    # A row removed is gone from the index too: its code scanned again adds it again.
    page.locator(f'#scan-list li[data-item="{items[0]}"] button[data-remove]').click()
    expect(page.locator("#scan-list li")).to_have_count(11)
    scan(page, f"custody-item:v1;id={items[0]}")
    expect(page.locator("#scan-status [data-outcome=ok]")).to_have_count(1)
    expect(page.locator("#scan-list li")).to_have_count(12)
    assert page.locator("#scan-count").inner_text() == "12"


def test_refusals_on_the_scan_page_name_their_kind_in_words_not_the_processs_constants(
    site: Site, browser: Browser
) -> None:
    """ "PROCESS: …" and a sending's English reached a Kazakh page: the kind of a refusal
    that is no rule of the law is said in the reader's words, and so is the sentence."""
    [item] = fresh(site, 1)
    page = browser.page()
    log_in(page, site.base, CLERK, "kk")
    page.goto(f"{site.base}/web/scan?step=transfer_received")  # on the shelf already
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    scan(page, f"custody-item:v1;id={item}")
    said = page.locator("#scan-list li .problem").inner_text()
    assert said.startswith("Процесс тәртібі: "), said
    assert not re.search(r"\b[A-Z]{4,}\b|[a-z]+_[a-z]+", said), said
    # Two places' items on one transfer: the sending's refusal in Kazakh.
    with site.api(AUDITOR) as client:
        found = client.get(
            "/items", params={"location": "WH-KRG", "state": "at_warehouse", "limit": 1}
        ).json()["items"]
    other = str(found[0]["id"])
    before = site.size()
    page.goto(f"{site.base}/web/scan?step=transfer_sent")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    for code in (item, other):
        scan(page, code)
    page.click("#apply-button")
    page.wait_for_selector("#outcome [data-outcome=bad]")
    refused = page.locator("#outcome").inner_text()
    assert "бір берудің заттары бір орыннан жіберіледі" in refused, refused
    assert "leave from one place" not in refused
    assert site.size() == before


def test_a_count_with_items_missing_names_them_up_to_twenty_and_then_how_many_more(
    site: Site, browser: Browser
) -> None:
    """A count said how many items would be recorded missing, not which: the question and
    the outcome name them (by marking and id, the first twenty by id), then "and N more"."""
    counted = "WH-ALM"
    here = sorted(on_hand(site, counted))
    unscanned, found = here[:23], here[23:]
    assert found
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=inventory_counted&location={counted}")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    done = page.evaluate("Number(document.body.dataset.scans || 0)")
    # As fast as a scanner gun: the page sends what waits together. Each code goes in as one
    # input (the page reads the field on submit, it listens to no key), not key by key:
    # typing 132 ids a key at a time took 40 s.
    for item in found:
        page.keyboard.insert_text(item)
        page.keyboard.press("Enter")
    page.wait_for_function(
        "(n) => Number(document.body.dataset.scans || 0) >= n", arg=done + len(found)
    )
    expect(page.locator("#scan-list li")).to_have_count(len(found))
    page.click("#apply-button")
    page.wait_for_selector("#outcome [data-outcome=confirm]")
    asked = page.locator("#outcome").inner_text()
    assert "23 items at" in asked, asked
    assert "Not scanned: " in asked
    assert all(i in asked for i in unscanned[:20]), asked
    assert not any(i in asked for i in unscanned[20:]), asked
    assert "and 3 more" in asked, asked
    assert not any(i in asked for i in found)
    before = site.size()
    page.click("#confirm-button")
    page.wait_for_selector("#outcome .done")
    said = page.locator("#outcome").inner_text()
    assert "Recorded missing: " in said, said
    assert all(i in said for i in unscanned[:20]), said
    assert "and 3 more" in said, said
    assert site.size() > before
