"""The desk pages as a newcomer found them (issue 15's follow-up), in a real browser (Debian's
Chromium) against a real `custody serve` on the demo's data: an inventory count that asks
before it records a place's items missing, pages drawn again after a step, an intake form
that keeps what was typed after a refusal, place names and defaults in the reader's
language, and rows checked again when the scan page's step changes.

Shares test_web_pages' helpers; this module has its own server and browser.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from api.demo.data import PLACE_NAMES, PLACES_OF
from tests import test_web_pages as pages
from tests.test_web_pages import (
    AUDITOR,
    CLERK,
    OFFICER,
    Browser,
    Site,
    log_in,
    scan,
    serious_violations,
)
from workflows.vocabulary import NOT_ON_HAND

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
sites, site, browser = pages.sites, pages.site, pages.browser
pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium")


def held_at(site: Site, place: str) -> list[dict[str, Any]]:
    with site.api(AUDITOR) as client:
        answer = client.get("/items", params={"location": place, "limit": 1000})
        return list(answer.json()["items"])


def on_hand(site: Site, place: str) -> list[str]:
    return [i["id"] for i in held_at(site, place) if i["state"] not in NOT_ON_HAND]


def state_of(site: Site, item: str) -> str:
    with site.api(AUDITOR) as client:
        return str(client.get(f"/items/{item}").json()["state"])


def errors_of(page: Any) -> list[str]:
    """What the page's console says as errors (htmx's oobErrorNoTarget among them)."""
    said: list[str] = []
    page.on("console", lambda m: said.append(m.text) if m.type == "error" else None)
    return said


def test_an_item_of_another_place_is_flagged_and_the_count_asks_before_recording_missing(
    site: Site, browser: Browser
) -> None:
    counted, other = "WH-ALM", "WH-KRG"
    here, there = on_hand(site, counted), on_hand(site, other)
    assert here
    assert there
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=inventory_counted&location={counted}")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    scan(page, f"custody-item:v1;id={there[0]}")
    row = page.locator("#scan-list li")
    expect(row).to_have_class("flagged")
    # the places by their names in the reader's language, not their ids
    assert f"not at {PLACE_NAMES[counted]['en']}: it is recorded at" in row.inner_text()
    assert PLACE_NAMES[other]["en"] in row.inner_text()
    before = site.size()
    page.click("#apply-button")
    page.wait_for_selector("#outcome [data-outcome=confirm]")
    asked = page.locator("#outcome").inner_text()
    named = PLACE_NAMES[counted]["en"]
    assert f"{len(here)} items at {named} were not scanned and will be recorded missing" in asked
    assert there[0] in asked  # named as not at the place counted
    assert site.size() == before
    # Nor can a bare POST record it, without the confirmation or with a stale number.
    csrf = page.locator("#apply [name=csrf]").input_value()
    for confirmed in (None, "1"):
        form = {"csrf": csrf, "step": "inventory_counted", "location": counted}
        form |= {"items": there[0]} | ({"confirmed": confirmed} if confirmed else {})
        answer = page.request.post(f"{site.base}/web/steps/apply", form=form)
        assert answer.status == 200
        assert "will be recorded missing" in answer.text()
    assert site.size() == before
    assert state_of(site, here[0]) != "discrepancy"
    assert serious_violations(page) == []
    # Scanning on: the question about the list as it was goes (its button would record that).
    scan(page, f"custody-item:v1;id={here[0]}")
    expect(page.locator("#outcome [data-outcome=confirm]")).to_have_count(0)
    page.click("#apply-button")
    page.wait_for_selector("#outcome [data-outcome=confirm]")
    assert f"{len(here) - 1} items at {named}" in page.locator("#outcome").inner_text()
    assert site.size() == before


def test_changing_the_step_checks_the_listed_rows_again_for_the_new_step(
    site: Site, browser: Browser
) -> None:
    item = on_hand(site, "WH-KRG")[0]
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=inventory_counted&location=WH-KRG")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    scan(page, f"custody-item:v1;id={item}")
    expect(page.locator("#scan-list li")).to_have_class("ok")

    def rechecked(change: Any) -> None:
        done = page.evaluate("Number(document.body.dataset.rechecked || 0)")
        change()
        page.wait_for_function(
            "(done) => Number(document.body.dataset.rechecked || 0) > done", arg=done
        )

    rechecked(lambda: page.select_option("#f-inventory_counted-location", "WH-ALM"))
    expect(page.locator("#scan-list li")).to_have_class("flagged")
    assert f"not at {PLACE_NAMES['WH-ALM']['en']}" in page.locator("#scan-list li").inner_text()
    rechecked(lambda: page.select_option("#f-inventory_counted-location", "WH-KRG"))
    expect(page.locator("#scan-list li")).to_have_class("ok")
    # A step its state does not allow (parts are burned only once removed).
    rechecked(lambda: page.select_option("#step", "parts_incinerated"))
    expect(page.locator("#scan-list li")).to_have_class("flagged")
    assert page.locator("#scan-list li").count() == 1


def test_a_step_on_the_item_page_draws_it_again_with_the_new_state_and_no_old_refusal(
    site: Site, browser: Browser
) -> None:
    places = set(PLACES_OF[OFFICER])
    with site.api(AUDITOR) as client:
        decided = client.get("/items", params={"state": "decided", "limit": 1000}).json()
    item = next(i["id"] for i in decided["items"] if i["location"] in places)
    page = browser.page()
    errors = errors_of(page)
    log_in(page, site.base, OFFICER, "ru")
    page.goto(f"{site.base}/web/items/{item}")
    # Refused first: an appeal lodged tomorrow.
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    page.fill("#s-decision_appealed-date", tomorrow)
    page.fill("#s-decision_appealed-document", "дело 2а-1/2026")
    page.click("form[data-step=decision_appealed] button[type=submit]")
    page.wait_for_selector("#out-item .problem")
    before = site.size()
    page.fill("#s-decision_appealed-date", dt.date.today().isoformat())
    page.fill("#s-decision_appealed-document", "дело 2а-2/2026")
    page.click("form[data-step=decision_appealed] button[type=submit]")
    expect(page.locator(".state-now")).to_have_text("обжаловано")
    expect(page.locator("#out-item .done")).to_be_visible()
    assert page.locator("#out-item .problem").count() == 0
    assert page.locator("form[data-step=decision_appealed]").count() == 0
    assert site.size() == before + 1
    assert not [e for e in errors if "oobError" in e]


def test_a_bulk_decision_on_the_kazakh_home_queue_takes_the_items_off_it(
    site: Site, browser: Browser
) -> None:
    page = browser.page()
    errors = errors_of(page)
    log_in(page, site.base, OFFICER, "kk")
    count = page.locator("#q-decide .count")
    total = int(count.inner_text())
    assert total >= 2
    chosen = [page.locator("#c-decide-1").get_attribute("value")]
    chosen.append(page.locator("#c-decide-2").get_attribute("value"))
    page.check("#c-decide-1")
    page.check("#c-decide-2")
    page.fill("#f-decide-ref", "DESK-1")
    page.fill("#f-decide-date", dt.date.today().isoformat())
    page.locator("#f-decide-ref").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    expect(count).to_have_text(str(total - 2))
    expect(page.locator("#out-decide .done, main > .done").first).to_be_visible()
    for item in chosen:
        assert page.locator(f"#q-decide ~ form input[value='{item}']").count() == 0
        assert state_of(site, str(item)) == "decided"
    assert not [e for e in errors if "oobError" in e]


def test_an_intake_refused_keeps_what_was_typed_and_names_no_unwritten_item(
    site: Site, browser: Browser
) -> None:
    page = browser.page()
    log_in(page, site.base, OFFICER, "en")
    page.goto(f"{site.base}/web/intake")
    offered = page.locator("#location option").evaluate_all("os => os.map(o => o.value)")
    assert set(offered) <= set(PLACES_OF[OFFICER])
    place = offered[-1]
    page.select_option("#location", place)
    page.select_option("#category", "firearm")
    page.select_option("#source", "found")
    page.check("#rifled")
    page.fill("#marking", "DESK-7731")
    page.fill("#model", "ИЖ-27")
    page.fill("#weight_g", "3200")
    page.fill("#decision_ref", "DESK-REF-1")
    page.fill("#decision_date", "2026-01-15")
    before = site.size()
    page.click("form.card button[type=submit]")
    refusal = page.locator("main .problem").inner_text()
    assert refusal.startswith("R10: ")
    assert "KZ-" not in refusal
    assert site.size() == before
    assert page.locator("#location").input_value() == place
    assert page.locator("#category").input_value() == "firearm"
    assert page.locator("#source").input_value() == "found"
    assert page.locator("#rifled").is_checked()
    assert page.locator("#marking").input_value() == "DESK-7731"
    assert page.locator("#model").input_value() == "ИЖ-27"
    assert page.locator("#weight_g").input_value() == "3200"
    assert page.locator("#decision_ref").input_value() == "DESK-REF-1"
    assert "choose the photo again" in page.locator("#kept").inner_text()
    offered = page.locator("#location option").evaluate_all("os => os.map(o => o.value)")
    assert set(offered) <= set(PLACES_OF[OFFICER])


@pytest.mark.parametrize("language", ["en", "kk"])
def test_place_names_and_step_defaults_are_in_the_readers_language(
    site: Site, browser: Browser, language: str
) -> None:
    page = browser.page()
    log_in(page, site.base, CLERK, language)
    page.goto(f"{site.base}/web/scan?step=transfer_sent")
    shown = page.locator("#f-transfer_sent-destination option[value='WH-KRG']").inner_text()
    assert shown == f"WH-KRG · {PLACE_NAMES['WH-KRG'][language]}"
    defaults = {
        "en": ("stock, fore-end", "hydraulic press"),
        "kk": ("дүмше, цевье", "гидравликалық пресс"),
    }
    parts = page.locator("#f-parts_removed-parts").input_value()
    method = page.locator("#f-deformed-method").input_value()
    assert (parts, method) == defaults[language]
    log_in(page, site.base, OFFICER, language)
    page.goto(f"{site.base}/web/intake")
    option = page.locator("#location option").first
    place = str(option.get_attribute("value"))
    assert option.inner_text() == f"{place} · {PLACE_NAMES[place][language]}"


@pytest.mark.parametrize(
    ("language", "label", "said"),
    [("ru", "Вес", "{n} г"), ("kk", "Салмағы", "{n} г"), ("en", "Weight", "{n} g")],
)
def test_the_item_page_says_a_weight_as_the_readers_language_writes_it(
    site: Site, browser: Browser, language: str, label: str, said: str
) -> None:
    """Grams in the reader's language, the number grouped as it writes numbers (ru, kk:
    "12 345 г" with a no-break space; en: "12,345 g")."""
    heavy = next(i for i in held_at(site, "WH-ALM") if int(i["weight_g"]) >= 1000)
    grams = int(heavy["weight_g"])
    grouped = f"{grams:,}".replace(",", "," if language == "en" else "\u00a0")
    page = browser.page()
    log_in(page, site.base, CLERK, language)
    page.goto(f"{site.base}/web/items/{heavy['id']}")
    weight = page.locator(f"dt:text-is('{label}') + dd").inner_text()
    assert weight == said.format(n=grouped)


def test_the_kazakh_clerk_reads_places_by_their_kazakh_names_the_id_only_beside_them(
    site: Site, browser: Browser
) -> None:
    """Queues, counts, the item page and a scanned row named places by id (WH-ALM): each is
    the place's Kazakh name now, with the id in code type beside it."""
    page = browser.page()
    log_in(page, site.base, CLERK, "kk")
    cells = page.locator("section.queue td:nth-child(4)")
    assert cells.count() > 0
    for text in cells.all_inner_texts()[:20]:
        shown, _, place = text.rpartition(" ")
        assert shown == PLACE_NAMES[place]["kk"], text
    counts = page.locator("#q-counts ~ ul li").all_inner_texts()
    assert counts
    assert all(any(n["kk"] in c for n in PLACE_NAMES.values()) for c in counts)
    item = on_hand(site, "WH-ALM")[0]
    page.goto(f"{site.base}/web/items/{item}")
    assert page.locator("dt:text-is('Орын') + dd").inner_text() == (
        f"{PLACE_NAMES['WH-ALM']['kk']} WH-ALM"
    )
    page.goto(f"{site.base}/web/scan?step=inventory_counted&location=WH-KRG")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    scan(page, f"custody-item:v1;id={item}")
    row = page.locator("#scan-list li")
    expect(row).to_have_class("flagged")
    said = row.inner_text()
    assert PLACE_NAMES["WH-KRG"]["kk"] in said
    assert f"{PLACE_NAMES['WH-ALM']['kk']} WH-ALM" in said  # the row's place, id beside it
    assert serious_violations(page) == []


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_finality_date_is_a_date_checked_as_the_api_checks_it_and_kept_after_a_refusal(
    site: Site, browser: Browser, language: str
) -> None:
    """The decision_final form's date was free text, and a wrong one came back as "Check the
    field: date" in English: it is a date field now; a day not of the calendar and a day in
    the future are refused in the reader's language, nothing is written, and what was typed
    stays in the form."""
    places = set(PLACES_OF[OFFICER])
    with site.api(AUDITOR) as client:
        paused = client.get("/items", params={"state": "appealed", "limit": 1000}).json()
    item = [i["id"] for i in paused["items"] if i["location"] in places][
        ["kk", "ru"].index(language)
    ]
    page = browser.page()
    log_in(page, site.base, OFFICER, language)
    page.goto(f"{site.base}/web/items/{item}")
    field = page.locator("#s-decision_final-date")
    assert field.get_attribute("type") == "date"
    before = site.size()
    # A browser without a date picker (or a hand-made request) sends what was typed.
    field.evaluate("input => { input.type = 'text'; }")
    field.fill("2026-02-30")
    page.click("form[data-step=decision_final] button[type=submit]")
    problem = page.locator("#out-item .problem")
    expect(problem).to_be_visible()
    said = {
        "kk": "күнтізбедегі күн, YYYY-MM-DD түрінде жазылады",
        "ru": "дата — день календаря в виде YYYY-MM-DD",
    }
    assert said[language] in problem.inner_text()
    assert field.input_value() == "2026-02-30"
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    field.fill(tomorrow)
    page.click("form[data-step=decision_final] button[type=submit]")
    expect(problem).to_contain_text(tomorrow)
    future = {"kk": "болашақта", "ru": "в будущем"}
    assert future[language] in problem.inner_text()
    assert "future" not in problem.inner_text()
    assert field.input_value() == tomorrow
    assert site.size() == before
    assert state_of(site, item) == "appealed"


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_an_item_the_transfer_does_not_expect_is_flagged_with_what_applying_records(
    site: Site, browser: Browser, language: str
) -> None:
    """A receipt's scan flagged an item not sent on the transfer with the rule of the step,
    while applying took it and recorded it "received, not sent": the preview says that,
    in the reader's language, and applying records exactly that."""
    decided = [i["id"] for i in site.items("decided") if i["location"] == "UNIT-SHY"]
    sent = decided[["kk", "ru", "en"].index(language) :][:1]
    transfer = f"T-DESK-{language.upper()}"
    with site.api(OFFICER) as client:
        done = client.post(
            "/steps/transfer_sent",
            json={"transfer": transfer, "destination": "WH-ALM", "items": sent},
        )
        assert done.status_code == 200, done.text
    stray = on_hand(site, "WH-ALM")[["kk", "ru", "en"].index(language)]
    page = browser.page()
    log_in(page, site.base, CLERK, language)
    page.goto(f"{site.base}/web/scan?step=transfer_received&transfer={transfer}")
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    # The transfers on their way here are offered (the id was typed by hand), by route.
    offered = page.locator(f"#f-transfer_received-open option[value='{transfer}']")
    assert PLACE_NAMES["WH-ALM"][language] in str(offered.text_content())
    scan(page, f"custody-item:v1;id={sent[0]}")
    scan(page, f"custody-item:v1;id={stray}")
    expect(page.locator(f"#scan-list li[data-item='{sent[0]}']")).to_have_class("ok")
    flagged = page.locator(f"#scan-list li[data-item='{stray}']")
    expect(flagged).to_have_class("flagged")
    said = {
        "en": f"was not sent on {transfer}: applying records it received, not sent",
        "ru": f"не отправлялся по {transfer}: при применении будет записан как полученный, "
        "но не отправленный",
        "kk": f"{transfer} бойынша жіберілмеген: қолданғанда ол жіберілмеген, бірақ алынған "
        "деп жазылады",
    }
    assert said[language] in flagged.inner_text()
    before = site.size()
    page.click("#apply-button")
    page.wait_for_selector("#outcome .done")
    with site.api(AUDITOR) as client:
        assert client.get(f"/items/{sent[0]}").json()["state"] == "at_warehouse"
        assert client.get(f"/items/{stray}").json()["state"] == "discrepancy"
        # recorded received, not sent (workflows.fold lists only those as unexpected)
        assert client.get(f"/transfers/{transfer}").json()["unexpected"] == [stray]
    assert site.size() == before + 2


def test_the_paymasters_pay_and_check_compensation_on_their_home_page(
    site: Site, browser: Browser
) -> None:
    """The paymaster had no page (the API only): their home lists the surrendered items to
    pay, each with a form, and the payments another paid to check (R13). A refusal is said
    in the reader's language, keeps the amount and reference typed and never shows the
    national identity number again; nothing is written until a payment holds."""
    payer, checker = "kassa.bekov", "kassa.amanova"
    page = browser.page()
    log_in(page, site.base, payer, "kk")
    assert page.locator("h1").inner_text() == "Өз еркімен тапсырылған қару үшін өтемақы"
    to_pay = page.locator("article.to-pay")
    unpaid = [str(a) for a in to_pay.evaluate_all("as => as.map(a => a.dataset.item)")]
    assert len(unpaid) >= 2  # the demo's campaign: six brought, four paid
    checks = int(page.locator("#q-check .count").inner_text())
    assert checks >= 3  # paid by the other paymaster, not checked yet
    assert serious_violations(page) == []
    item = unpaid[0]
    form = page.locator(f"article[data-item='{item}'] form")
    before = site.size()
    # A number that is not 12 digits (the browser's own check bypassed, as by a script).
    form.evaluate("f => f.noValidate = true")
    form.locator("[name=reference]").fill("ПП-7001")
    form.locator("[name=national_id]").fill("85010")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#payment-error")
    assert page.locator("#payment-error").inner_text() == "ЖСН — 12 цифр (0-9)"
    form = page.locator(f"article[data-item='{item}'] form")
    assert form.locator("[name=reference]").input_value() == "ПП-7001"
    assert form.locator("[name=national_id]").input_value() == ""
    assert "85010" not in page.content()
    # Above the campaign's tariff: R15, in Kazakh, the amount as typed kept.
    form.locator("[name=amount_tenge]").fill("70000")
    form.locator("[name=national_id]").fill("850101300111")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#payment-error")
    said = page.locator("#payment-error").inner_text()
    assert said.startswith("R15: ")
    assert "tariff" not in said
    form = page.locator(f"article[data-item='{item}'] form")
    assert form.locator("[name=amount_tenge]").input_value() == "70000"
    assert "850101300111" not in page.content()
    assert site.size() == before
    tariff = 60_000
    form.locator("[name=amount_tenge]").fill(str(tariff))
    form.locator("[name=national_id]").fill("850101300111")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#payment-done")
    assert site.size() == before + 1
    assert page.locator(f"article[data-item='{item}']").count() == 0
    with site.api(AUDITOR) as client:
        paid = client.get(f"/items/{item}/payments").json()["entries"]
    assert [(p["amount_tenge"], p["reference"], p["paid_by"]) for p in paid] == [
        (tariff, "ПП-7001", payer)
    ]
    assert "850101300111" not in str(paid)
    # The other's payment checked here; one's own is not offered for checking.
    first = page.locator("#q-check ~ div tr[data-payment]").first
    payment = str(first.get_attribute("data-payment"))
    first.locator("button").click()
    page.wait_for_selector("#payment-done")
    assert site.size() == before + 2
    assert page.locator(f"tr[data-payment='{payment}']").count() == 0
    assert page.locator(f"#q-mine ~ ul li[data-payment='{paid[0]['id']}']").count() == 1
    # The other paymaster, in Russian, checks this one.
    log_in(page, site.base, checker, "ru")
    row = page.locator(f"tr[data-payment='{paid[0]['id']}']")
    assert "60\u00a0000" in row.inner_text()
    row.locator("button").click()
    page.wait_for_selector("#payment-done")
    assert "проверена" in page.locator("#payment-done").inner_text()
    with site.api(AUDITOR) as client:
        checked = client.get(f"/items/{item}/payments").json()["entries"][0]
    assert checked["confirmed_by"] == checker
    assert site.size() == before + 3


def test_an_account_without_a_language_takes_the_login_pages_not_the_browsers(
    site: Site, browser: Browser
) -> None:
    """A Kazakh reader opened the login page in Kazakh, logged in without touching the
    language list, and got English pages (their browser's Accept-Language): an account
    that has chosen no language takes the one its login page was read in. A wrong password
    keeps the username typed."""
    page = browser.page()
    page.goto(f"{site.base}/web/login?lang=kk")
    page.fill("#username", "official.zhakupov")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert page.locator("#username").input_value() == "official.zhakupov"
    assert page.locator("p.problem").inner_text() == "Пайдаланушы аты немесе құпия сөз қате"
    page.fill("#password", pages.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base}/web/")
    assert page.evaluate("document.documentElement.lang") == "kk"
    assert page.evaluate("navigator.language").startswith("en")  # the browser's is English
    # Remembered: the next login, from an English login page, keeps the account's Kazakh.
    page.context.clear_cookies()
    page.goto(f"{site.base}/web/login?lang=en")
    page.fill("#username", "official.zhakupov")
    page.fill("#password", pages.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base}/web/")
    assert page.evaluate("document.documentElement.lang") == "kk"


def test_the_kazakh_item_page_names_the_registry_result_in_kazakh(
    site: Site, browser: Browser
) -> None:
    """The item page showed the registry's result as its code (not_testable), in the facts
    and on the signed act in the timeline."""
    with site.api(AUDITOR) as client:
        listed = client.get("/items", params={"limit": 1000}).json()["items"]
    item = next(i for i in listed if i.get("registry_result") == "not_testable")
    page = browser.page()
    log_in(page, site.base, CLERK if item["location"].startswith("WH") else AUDITOR, "kk")
    page.goto(f"{site.base}/web/items/{item['id']}")
    assert page.locator("dt:text-is('Оқ-гильза қоры бойынша нәтиже') + dd").inner_text() == (
        "Тексеру мүмкін емес"
    )
    assert "not_testable" not in page.inner_text("main")
    # Who wrote each entry, by their name, the username beside it.
    signed = page.locator(".timeline li", has_text="Тексеру мүмкін емес")
    assert "Садықова Әсел Бауыржанқызы expert.sadykova" in signed.inner_text()


def test_sending_from_the_home_queue_names_the_transfer_made(site: Site, browser: Browser) -> None:
    """The send queue's bulk action made a transfer id the officer never saw, and the
    warehouse receives by that id: the outcome names it (Russian officer)."""
    page = browser.page()
    log_in(page, site.base, OFFICER, "ru")
    first = page.locator("#c-send-1")
    if first.count() == 0:
        pytest.skip("nothing to send at the officer's units")
    item = str(first.get_attribute("value"))
    page.check("#c-send-1")
    page.locator("#c-send-1").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    said = page.locator("p[data-redrawn]")  # the line, on the page drawn again
    expect(said).to_be_visible()
    text = said.inner_text()
    with site.api(AUDITOR) as client:
        moved = client.get(f"/items/{item}").json()
    assert moved["state"] == "in_transit", text
    assert f"Передача {moved['transfer']}: сообщите её номер принимающему складу" in text


def test_a_refused_cutting_keeps_what_was_ticked_and_typed_and_names_the_weight_in_kazakh(
    site: Site, browser: Browser
) -> None:
    """The cutting form came back empty after a refusal (items, weights and cuts to do
    again) with "Check the field: weights.KZ-…": the field is named by its label and the
    item, in the reader's language, and what was ticked and typed is kept."""
    made = pages.ready_for_parts(site, 1)
    with site.api(CLERK) as client:
        done = client.post("/steps/deformed", json={"items": made, "method": "пресс"})
        assert done.status_code == 200, done.text
    page = browser.page()
    log_in(page, site.base, CLERK, "kk")
    page.goto(f"{site.base}/web/cut")
    item = str(page.locator("#cut-1").get_attribute("value"))
    before = site.size()
    page.check("#cut-1")
    page.fill("#weight-1", "0")  # no weight: the scale was not read
    page.check("#barrel_along")
    page.check("#parts_through")
    page.click("form.card button[type=submit]")
    page.locator("#kept").wait_for()  # the answer swapped in (under load it came after a read)
    said = page.locator("#cut-result").inner_text()
    assert "нөлден үлкен грамның бүтін саны" in said
    assert "weights" not in said
    assert page.locator("#kept").count() == 1
    assert page.locator("#cut-1").get_attribute("value") == item
    assert page.locator("#cut-1").is_checked()
    assert page.locator("#weight-1").input_value() == "0"
    assert page.locator("#barrel_along").is_checked()
    assert not page.locator("#barrel_across").is_checked()
    assert page.locator("#parts_through").is_checked()
    assert site.size() == before
