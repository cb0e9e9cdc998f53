"""The web pages in a real browser (Debian's Chromium through Playwright) against a real
`custody serve` on the demo's data: the journeys of a warehouse clerk, a unit officer and a
forensic examiner, the item page's proof check, accessibility (axe-core) and that no request
the pages make leaves this machine.

One browser for the module and one server per database; every request any page makes is
recorded and checked at the end. Set CUSTODY_SCREENSHOTS=1 to write docs/screenshots/ again.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import rfc8785
from nacl.signing import VerifyKey

from api.demo.data import PASSWORD
from tests.support.browser import CHROMIUM, Browser
from tests.support.browser import browser as browser  # the module's, for the modules below
from tests.support.demos import Demos
from tests.support.processes import server

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "api" / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "docs" / "screenshots"
CLERK, OFFICER, EXAMINER = "sklad.omarov", "unit.serikbaev", "expert.sadykova"
AUDITOR = "auditor.li"


@dataclass
class Site:
    """A served demo site and an API client for setting up and reading back."""

    base: str
    env: dict[str, str]
    data: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, username: str) -> httpx.Client:
        if username not in self.tokens:
            answer = httpx.post(
                f"{self.base}/auth/token", data={"username": username, "password": PASSWORD}
            )
            answer.raise_for_status()
            self.tokens[username] = answer.json()["access_token"]
        headers = {"Authorization": f"Bearer {self.tokens[username]}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=60)

    def size(self) -> int:
        # The tree size is public, with the leaf hashes (the bodies are the auditor's).
        return int(httpx.get(f"{self.base}/ledger/leaves", params={"limit": 1}).json()["size"])

    def items(self, state: str) -> list[dict[str, Any]]:
        """Items of `state` at every place: read as the auditor (staff read at their places)."""
        with self.api(AUDITOR) as client:
            answer = client.get("/items", params={"state": state, "limit": 1000})
            return list(answer.json()["items"])


def _needs_forensics(item: dict[str, Any]) -> bool:
    return bool(item["category"] == "firearm" and item["rifled"] and item["source"] != "surplus")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[dict[str, Site]]:
    """Demo sites, made when first asked for: SQLite for every journey, PostgreSQL for one;
    each module's own copy of the demo (tests.support.demos)."""
    made: dict[str, Site] = {}
    with ExitStack() as stack:

        class Lazy(dict[str, Site]):
            def __missing__(self, kind: str) -> Site:
                directory = tmp_path_factory.mktemp(f"web-{kind}")
                env = demos.copy(directory, kind, stack)
                base = stack.enter_context(server(env))
                made[kind] = Site(base, env, directory)
                self[kind] = made[kind]
                return made[kind]

        yield Lazy()


@pytest.fixture(scope="module")
def site(sites: dict[str, Site]) -> Site:
    return sites["sqlite"]


def log_in(page: Any, base: str, username: str, language: str) -> None:
    page.goto(f"{base}/web/login?lang={language}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.select_option("#language", language)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/web/")


def scan(page: Any, payload: str) -> None:
    """What a USB scanner does: types the payload and Enter, into the focused field."""
    done = page.evaluate("Number(document.body.dataset.scans || 0)")
    page.keyboard.type(payload)
    page.keyboard.press("Enter")
    # A function, not an expression: an expression is eval'ed, which the CSP forbids.
    page.wait_for_function("(done) => Number(document.body.dataset.scans || 0) > done", arg=done)


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.evaluate(AXE.read_text())
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: Any, name: str) -> None:
    if os.environ.get("CUSTODY_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def ready_for_parts(site: Site, count: int) -> list[str]:
    """Items at a warehouse that need no registry check, taken to parts incinerated
    through the API as the clerk (setting up; the journey itself is in the page)."""
    ready = [
        i["id"]
        for i in site.items("at_warehouse")
        if i["workflow"] == "weapon"
        and not _needs_forensics(i)
        and (i.get("decision") or {}).get("status") == "final"  # R1: destruction waits for it
    ][:count]
    assert len(ready) == count
    with site.api(CLERK) as client:
        done = client.post("/steps/parts_removed", json={"items": ready, "parts": ["приклад"]})
        assert done.status_code == 200, done.text
        done = client.post("/steps/parts_incinerated", json={"items": ready})
        assert done.status_code == 200, done.text
    return ready


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_clerk_scans_twenty_labels_in_kazakh_and_deforms_them_in_one_action(
    sites: dict[str, Site], browser: Browser, kind: str
) -> None:
    site = sites[kind]
    items = ready_for_parts(site, 20)
    page = browser.page()
    log_in(page, site.base, CLERK, "kk")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert "Жұмыс кезектері" in page.content()
    if kind == "sqlite":
        screenshot(page, "home-warehouse-clerk")
        assert serious_violations(page) == []
    sent: list[dict[str, Any]] = []  # what the page sends on its WebSocket
    page.on("websocket", lambda ws: ws.on("framesent", lambda said: sent.append(json.loads(said))))
    page.goto(f"{site.base}/web/scan?step=deformed")
    assert page.evaluate("document.activeElement.id") == "code"
    page.wait_for_function("() => document.body.dataset.live === 'open'")
    posted = len(browser.requests)
    before = site.size()
    for item in items:
        scan(page, f"custody-item:v1;id={item}")
    assert page.locator("#scan-count").inner_text() == "20"
    scan(page, f"custody-item:v1;id={items[0]}")  # the scanner read the first label again
    assert "тізімде бар" in page.locator("#scan-status").inner_text()
    assert page.locator("#scan-list li").count() == 20
    # One message per label read, none for the repeat, no request besides.
    assert [m["code"] for m in sent] == [[f"custody-item:v1;id={i}"] for i in items]
    assert all(m["step"] == "deformed" and m["csrf"] for m in sent)
    assert not [u for u in browser.requests[posted:] if "/web/scan/check" in u]
    if kind == "sqlite":
        screenshot(page, "scan")
        assert serious_violations(page) == []
    page.click("#apply-button")
    page.wait_for_selector("#outcome .done")
    assert "20" in page.locator("#outcome").inner_text()
    assert site.size() == before + 20
    states = {i["id"]: i["state"] for i in site.items("deformed")}
    assert all(states.get(item) == "deformed" for item in items)
    assert page.locator("#scan-list li").count() == 0


def test_scan_of_an_item_not_released_from_forensics_shows_r3_in_kazakh_and_writes_nothing(
    site: Site, browser: Browser
) -> None:
    # Not yet released: no registry result (the demo also has rifles back from forensics with
    # one, which R5 stops instead; which comes first depends on the demo's random ids).
    waiting = [
        i
        for i in site.items("at_warehouse")
        if _needs_forensics(i) and i.get("registry_result") is None
    ]
    item = waiting[0]
    page = browser.page()
    log_in(page, site.base, CLERK, "kk")
    page.goto(f"{site.base}/web/scan?step=deformed")
    before = site.size()
    scan(page, f"custody-item:v1;id={item['id']}")
    status = page.locator("#scan-status").inner_text()
    assert status.startswith("R3: ")
    assert "оқ-гильза қоры бойынша тексеру нәтижесі" in status
    assert page.locator("#scan-list li.flagged").count() == 1
    page.click("#apply-button")
    page.wait_for_selector("#outcome .problem")
    refusal = page.locator("#outcome").inner_text()
    assert refusal.startswith("R3: ")
    assert item["id"] in refusal
    assert "оқ-гильза" in refusal
    assert site.size() == before
    assert next(i for i in site.items("at_warehouse") if i["id"] == item["id"])


def test_where_the_scan_socket_cannot_open_each_scan_is_posted_and_the_list_is_the_same(
    site: Site, browser: Browser
) -> None:
    items = ready_for_parts(site, 2)
    page = browser.page()
    refused: list[str] = []
    # What a proxy that does not pass WebSocket upgrades does: the socket closes at once.
    page.route_web_socket("**/web/scan/live", lambda ws: (refused.append(ws.url), ws.close()))
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=deformed")
    posted = len(browser.requests)
    for item in items:
        scan(page, f"custody-item:v1;id={item}")
    scan(page, f"custody-item:v1;id={items[1]}")  # read again: the page knows it
    assert refused
    assert [u for u in browser.requests[posted:] if u.endswith("/web/scan/check")] == [
        f"{site.base}/web/scan/check"
    ] * 2
    assert page.locator("#scan-list li.ok").count() == 2
    assert "in the list already" in page.locator("#scan-status").inner_text()


def test_an_item_scanned_by_label_then_by_marking_is_listed_once_and_a_row_can_be_removed(
    site: Site, browser: Browser
) -> None:
    every = [i for state in ("at_warehouse",) for i in site.items(state)]
    markings = [str(i["marking"]) for i in every]
    item = next(
        i for i in every if i["workflow"] == "weapon" and markings.count(str(i["marking"])) == 1
    )
    other = next(i for i in every if i["id"] != item["id"])
    page = browser.page()
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=deformed")
    scan(page, f"custody-item:v1;id={item['id']}")
    scan(page, str(item["marking"]))  # the same weapon, typed by its marking
    assert page.locator("#scan-list li").count() == 1
    assert page.locator("#scan-count").inner_text() == "1"
    assert "in the list already" in page.locator("#scan-status").inner_text()
    scan(page, str(other["id"]))
    assert page.locator("#scan-list li").count() == 2
    # One wrong scan taken off by keyboard alone: the row's button, then focus back.
    row = page.locator(f"#scan-list li[data-item='{other['id']}']")
    remove = row.locator("button[data-remove]")
    assert remove.text_content() == f"Remove {row.get_attribute('data-name')}"
    remove.focus()
    page.keyboard.press("Enter")
    assert page.locator("#scan-list li").count() == 1
    assert page.locator("#scan-count").inner_text() == "1"
    assert page.evaluate("document.activeElement.id") == "code"
    # A list holding one item twice (built by an older page) is refused naming the item.
    page.evaluate(
        "() => { const li = document.querySelector('#scan-list li');"
        " li.after(li.cloneNode(true)); }"
    )
    before = site.size()
    page.click("#apply-button")
    page.wait_for_selector("#outcome .problem")
    refusal = page.locator("#outcome").inner_text()
    assert item["id"] in refusal
    assert "twice" in refusal
    assert "Check the field" not in refusal
    assert site.size() == before


def test_where_the_session_ended_a_posted_scan_sends_the_page_to_log_in(
    site: Site, browser: Browser
) -> None:
    item = site.items("at_warehouse")[0]["id"]
    page = browser.page()
    page.route_web_socket("**/web/scan/live", lambda ws: ws.close())  # the POST fallback
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/scan?step=deformed")
    csrf = page.locator("#apply [name=csrf]").get_attribute("value")
    ended = page.context.request.post(f"{site.base}/web/logout", form={"csrf": csrf})
    assert ended.ok
    answers: list[int] = []
    page.on(
        "response",
        lambda r: answers.append(r.status) if r.url.endswith("/web/scan/check") else None,
    )
    page.keyboard.type(f"custody-item:v1;id={item}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.base}/web/login*")
    assert answers == [401]


def test_unit_officer_records_an_intake_with_a_photo_and_a_decision_and_prints_its_label(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    from api.demo.data import photo

    picture = tmp_path / "marking.png"
    picture.write_bytes(photo(7))
    page = browser.page(820, 1180)  # a 10-inch tablet, upright
    log_in(page, site.base, OFFICER, "ru")
    screenshot(page, "home-unit-officer")
    assert serious_violations(page) == []
    page.goto(f"{site.base}/web/intake")
    assert serious_violations(page) == []
    page.select_option("#location", "UNIT-ALM")
    page.select_option("#category", "firearm")
    page.select_option("#source", "confiscated")
    page.check("#rifled")
    page.fill("#marking", "ВЕ-2026-777")
    page.fill("#model", "АКМ")
    page.fill("#weight_g", "3100")
    page.set_input_files("#photo", str(picture))
    page.fill("#decision_ref", "2-777/2026")
    page.fill("#decision_date", "2026-01-15")
    page.select_option("#decision_authority", "court")
    before = site.size()
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/web/items/**")
    assert "ВЕ-2026-777" in page.locator("h1").inner_text()
    assert page.locator(".state-now").inner_text() == "решение принято"
    assert site.size() == before + 2  # the intake and its decision
    assert page.locator(".photos img").count() == 1
    label = page.request.get(site.base + page.locator("#label-link").get_attribute("href"))
    assert label.status == 200
    assert label.headers["content-type"] == "application/pdf"
    assert label.body().startswith(b"%PDF")


def test_examiner_signs_a_registry_result_with_the_demo_key_file_and_the_act_verifies(
    site: Site, browser: Browser
) -> None:
    item = site.items("test_fired")[0]["id"]
    keyfile = site.data / "demo-keys" / f"{EXAMINER}.key"
    page = browser.page()
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    log_in(page, site.base, EXAMINER, "en")
    screenshot(page, "home-forensic-examiner")
    assert serious_violations(page) == []
    page.goto(f"{site.base}/web/registry?item={item}")
    assert serious_violations(page) == []
    before = site.size()
    posted.clear()
    page.check("#r-no")
    page.set_input_files("#keyfile", str(keyfile))
    page.fill("#passphrase", "not the passphrase")
    page.click("#sign button[type=submit]")
    page.wait_for_selector("#sign-result.problem")
    assert "passphrase is wrong" in page.locator("#sign-result").inner_text()
    assert posted == []
    assert site.size() == before
    page.fill("#passphrase", PASSWORD)
    page.click("#sign button[type=submit]")
    page.wait_for_selector("#sign-result.done >> text=recorded")
    assert posted == [f"{site.base}/web/registry"]
    assert site.size() == before + 1
    with site.api(EXAMINER) as client:
        history = client.get(f"/items/{item}/history").json()
        keys = {k["key_id"]: k for k in client.get("/ledger/keys").json()}
    body = json.loads(base64.b64decode(history["entries"][-1]["body"]))
    assert body["kind"] == "registry_result_recorded"
    assert body["actor"] == EXAMINER
    act, sig = body["data"]["act"], base64.b64decode(body["data"]["act_sig"])
    key = keys[act["key_id"]]
    assert key["owner"] == EXAMINER
    assert act["result"] == "no_match"
    VerifyKey(base64.b64decode(key["public_key"])).verify(
        b"custody/act/v1\x00" + rfc8785.dumps(act), sig
    )


def test_item_page_proof_button_says_verified_and_failed_for_a_changed_proof(
    site: Site, browser: Browser
) -> None:
    item = site.items("destroyed")[0]["id"]
    page = browser.page(390, 844)  # a phone
    log_in(page, site.base, CLERK, "en")
    page.goto(f"{site.base}/web/items/{item}")
    screenshot(page, "item")
    assert serious_violations(page) == []
    entries = page.locator(".timeline li")
    assert entries.count() >= 5
    first = entries.nth(0)
    first.locator("button.proof").click()
    first.locator(".proof-result.verified, .proof-result.failed").wait_for()
    assert first.locator(".proof-result").inner_text().startswith("verified")

    def changed(route: Any) -> None:
        proof = route.fetch().json()
        proof["hashes"][0] = ("0" if proof["hashes"][0][0] != "0" else "1") + proof["hashes"][0][1:]
        route.fulfill(json=proof)

    page.route("**/ledger/proof/inclusion*", changed)
    second = entries.nth(1)
    second.locator("button.proof").click()
    second.locator(".proof-result.verified, .proof-result.failed").wait_for()
    assert second.locator(".proof-result").inner_text().startswith("failed")


def test_no_request_of_any_page_left_this_machine(browser: Browser) -> None:
    assert browser.requests, "the journeys above made requests"
    outside = [
        url
        for url in browser.requests
        if not url.startswith(("http://127.0.0.1:", "data:", "blob:"))
    ]
    assert outside == []
    assert browser.refused == []


def test_screenshots_are_in_the_docs() -> None:
    for name in (
        "home-warehouse-clerk",
        "home-unit-officer",
        "home-forensic-examiner",
        "scan",
        "item",
    ):
        assert (SHOTS / f"{name}.png").exists() or not shutil.which("chromium")
