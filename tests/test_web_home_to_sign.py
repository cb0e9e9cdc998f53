"""A commission member's home page lists the statements that wait for their signature: the
batches destroyed and not final where they were recorded present (R8) and have not signed,
as the API's batches say; nobody else's home has the list. On the demo, served."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from api.demo.data import MEMBERS, PASSWORD
from tests.support.demos import Demos, demo_served


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[str]:
    with demo_served(demos, tmp_path_factory.mktemp("web-home-to-sign")) as (running, _):
        yield running


def home_of(base: str, username: str) -> str:
    client = httpx.Client(base_url=base, timeout=60)
    login = client.get("/web/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    form = {"username": username, "password": PASSWORD, "csrf": csrf, "language": "en"}
    assert client.post("/web/login", data=form).status_code == 303
    return client.get("/web/").text


def waiting_for(base: str, username: str) -> set[str]:
    """What the API says waits for `username`'s signature."""
    token = httpx.post(
        f"{base}/auth/token", data={"username": "auditor.li", "password": PASSWORD}
    ).json()["access_token"]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
        listed = api.get("/statements", params={"limit": 1000}).json()["entries"]
        waiting = set()
        for entry in listed:
            batch = api.get(f"/batches/{entry['batch']}").json()
            present = {p["person"] for p in batch["present"] if p["role"] == "commission_member"}
            signed = {s["person"] for s in batch["signatures"]}
            if batch["state"] in ("melted", "burned") and username in present - signed:
                waiting.add(batch["id"])
    return waiting


def listed_to_sign(page: str) -> set[str]:
    section = re.search(r'<section class="queue" id="to-sign".*?</section>', page, re.S)
    if section is None:
        return set()
    return set(re.findall(r'href="/web/batches/[^"]+">([^<]+)</a>', section.group(0)))


def test_each_member_sees_exactly_the_statements_waiting_for_them(base: str) -> None:
    seen_any = False
    for member, _ in MEMBERS:
        expected = waiting_for(base, member)
        assert listed_to_sign(home_of(base, member)) == expected
        seen_any = seen_any or bool(expected)
    assert seen_any  # the demo leaves a melted batch unsigned by someone present


def test_a_clerk_has_no_statements_to_sign(base: str) -> None:
    assert listed_to_sign(home_of(base, "sklad.omarov")) == set()


def test_the_officers_send_queue_shows_its_overdue_items_first(base: str) -> None:
    """A newcomer's finding: 3 of the 7 overdue items were in the first 10 rows of "send"
    (rows were taken in id order, then sorted by clock). Every overdue one the API lists for
    the queue's states comes first, up to the ten the home page shows."""
    officer = "unit.serikbaev"
    token = httpx.post(
        f"{base}/auth/token", data={"username": officer, "password": PASSWORD}
    ).json()["access_token"]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
        # Twelve decided today, then three decided three weeks ago (entered late): the
        # overdue ones are the last written, behind the others in the table.
        for prefix, count, day in (("A", 12, "2026-11-29"), ("B", 3, "2026-11-09")):
            ids = [f"{prefix}-{n:04d}" for n in range(count)]
            intakes = [
                {"item": i, "category": "edged", "source": "found", "location": "UNIT-ALM"}
                | {"weight_g": 500, "unmarked": True}
                for i in ids
            ]
            made = api.post("/steps/item_registered", json={"intakes": intakes})
            assert made.status_code == 200, made.text
            decision = {"ref": f"{prefix}-1/2026", "authority": "court", "date": day}
            decided = api.post(
                "/steps/decision_recorded", json={"items": ids, "decision": decision}
            )
            assert decided.status_code == 200, decided.text
        deadlines = api.get("/deadlines", params={"limit": 1000}).json()["deadlines"]
        overdue = {
            d["item"]
            for d in deadlines
            if d["rule"] == "R1"
            and d["status"] == "overdue"
            and api.get(f"/items/{d['item']}").json()["state"] in ("decided", "final")
        }
    page = home_of(base, officer)
    section = re.search(r'aria-labelledby="q-send".*?</section>', page, re.S)
    assert section is not None
    rows = re.findall(r"<tr>(.*?)</tr>", section.group(0), re.S)[1:]  # the header row first
    late = ['class="overdue"' in row for row in rows]
    assert len(overdue) > 3  # the demo has more overdue ones than the old order showed
    assert late == sorted(late, reverse=True)  # none after a row that is not overdue
    assert sum(late) == min(len(rows), len(overdue))


def test_the_send_queue_pages_over_decided_and_final_as_one_list(base: str) -> None:
    """A queue of two states (send: decided and final) was paged state by state: page 2
    skipped 50 of each, so rows were lost and final ones shown twice. Its pages together
    hold each item of the two states once, overdue ones first, as the API counts them."""
    officer = "unit.serikbaev"
    token = httpx.post(
        f"{base}/auth/token", data={"username": officer, "password": PASSWORD}
    ).json()["access_token"]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
        ids = [f"P-{n:04d}" for n in range(60)]
        intakes = [
            {"item": i, "category": "edged", "source": "found", "location": "UNIT-ALM"}
            | {"weight_g": 500, "unmarked": True}
            for i in ids
        ]
        assert api.post("/steps/item_registered", json={"intakes": intakes}).status_code == 200
        decision = {"ref": "P-1/2026", "authority": "court", "date": "2026-11-28"}
        made = api.post("/steps/decision_recorded", json={"items": ids, "decision": decision})
        assert made.status_code == 200, made.text
        final = api.post("/steps/decision_final", json={"items": ids[:30], "date": "2026-11-29"})
        assert final.status_code == 200, final.text
        expected: set[str] = set()
        for state in ("decided", "final"):
            listed = api.get("/items", params={"state": state, "limit": 1000}).json()
            assert listed["next"] is None
            expected |= {i["id"] for i in listed["items"]}
    client = httpx.Client(base_url=base, timeout=60)
    login = client.get("/web/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    form = {"username": officer, "password": PASSWORD, "csrf": csrf, "language": "en"}
    assert client.post("/web/login", data=form).status_code == 303
    shown: list[str] = []
    late: list[bool] = []
    for number in range(1, 40):
        page = client.get("/web/queues/send", params={"page_no": number}).text
        rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]
        shown += re.findall(r'name="items" value="([^"]+)"', "".join(rows))
        late += ['class="overdue"' in row for row in rows]
        if 'rel="next"' not in page:
            break
    assert len(shown) > 50  # more than one page
    assert len(shown) == len(set(shown))  # none twice
    assert set(shown) == expected  # none lost
    assert late == sorted(late, reverse=True)  # the overdue ones first, over all the pages
