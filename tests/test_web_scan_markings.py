"""A marking two items share, scanned on the scan page of a real `custody serve` on the demo's
data: neither is added and the page asks for the label (a server of its own: the item this
registers would change what the other scan tests pick). A marking is read only among the
items the reader reads (issue 14, a breaker's finding): one that names only items elsewhere
is answered as a code nobody registered, and a shared marking counts only what is seen."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import orjson
import pytest

from api.demo.data import PASSWORD
from tests.support.demos import Demos, demo_served
from tests.support.site import png, today
from tests.test_web_scan_live import AUDITOR, CLERK, items, logged_in, opened, outcomes


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[str]:
    with demo_served(demos, tmp_path_factory.mktemp("web-scan-markings")) as (running, _):
        yield running


def _register_alike(base: str, item: dict[str, object], location: str | None = None) -> str:
    """Another model with `item`'s marking, registered by the clerk where it is stored, or at
    the clerk's `location` (R10 lets another model share a marking)."""
    token = httpx.post(f"{base}/auth/token", data={"username": CLERK, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    photo = httpx.post(
        f"{base}/files",
        files={"file": ("x.png", png("alike"))},
        data={"role": "marking"},
        headers=headers,
    )
    assert photo.status_code == 201, photo.text
    intake = {
        "category": item["category"],
        "source": "surplus",
        "location": location or item["location"],
        "weight_g": 900,
        "rifled": False,
        "marking": item["marking"],
        "marking_place": "рамка",
        "details": {"model": "Другая модель"},
        "files": [photo.json()],
        "decision": {"ref": "РЕШ-ALIKE", "authority": "official", "date": today()},
    }
    done = httpx.post(
        f"{base}/steps/item_registered", json={"intakes": [intake]}, headers=headers, timeout=30
    )
    assert done.status_code == 200, done.text
    return str(done.json()["result"][0])


def test_a_marking_two_items_share_adds_neither_and_asks_for_the_label(base: str) -> None:
    client, csrf = logged_in(base)
    firearms = [i for i in items(base, CLERK, state="at_warehouse") if i["category"] == "firearm"]
    markings = [str(i["marking"]) for i in firearms]
    item = next(i for i in firearms if i["marking"] and markings.count(str(i["marking"])) == 1)
    _register_alike(base, item)
    posted = client.post(
        "/web/scan/check",
        data={"code": [str(item["marking"]).lower()], "step": "parts_removed", "csrf": csrf},
    ).text
    assert outcomes(posted) == ["bad"]
    assert "Предметов с этой маркировкой: 2. Отсканируйте этикетку" in posted
    assert "<template" not in posted


def _at_units(base: str) -> list[dict[str, object]]:
    """Items marked, at a unit, not on the road: at no place the clerk reads at."""
    return [
        i
        for i in items(base, AUDITOR)
        if str(i["location"]).startswith("UNIT-")
        and i["marking"]
        and i["destination"] is None
        and i["state"] != "in_transit"
    ]


def _unique(found: list[dict[str, object]]) -> list[dict[str, object]]:
    markings = [str(i["marking"]) for i in found]
    return [i for i in found if markings.count(str(i["marking"])) == 1]


def _as_unknown(client: httpx.Client, csrf: str, code: str) -> str:
    """The answer to a code of `code`'s length nobody registered, written with `code`."""
    unknown = "Ж" * len(code)
    answer = client.post(
        "/web/scan/check", data={"code": [unknown], "step": "parts_removed", "csrf": csrf}
    ).text
    return answer.replace(unknown, code)


def test_a_marking_of_an_item_elsewhere_is_answered_as_an_unknown_code(base: str) -> None:
    """The breaker's finding: a clerk typed the marking of a weapon at a unit and was told it
    is not at their places, with its id and name in the row. A marking is no label in hand:
    the answer is now the one for a code nobody registered, by POST and by the WebSocket."""
    item = _unique(_at_units(base))[0]
    marking = str(item["marking"])
    client, csrf = logged_in(base)
    posted = client.post(
        "/web/scan/check", data={"code": [marking], "step": "parts_removed", "csrf": csrf}
    ).text
    assert posted == _as_unknown(client, csrf, marking)
    assert outcomes(posted) == ["bad"]
    assert str(item["id"]) not in posted
    assert "data-item" not in posted
    with opened(base, client) as socket:
        socket.send(
            orjson.dumps({"code": [marking], "step": "parts_removed", "csrf": csrf}).decode()
        )
        assert str(socket.recv(timeout=10)) == posted


def test_a_shared_marking_counts_only_the_items_the_reader_sees(base: str) -> None:
    """A marking of a unit's item given to one at the clerk's warehouse too: the clerk, who
    sees one of the two, is given that one (not "2 items: scan the label", which told them
    a weapon elsewhere bears it); the auditor, who sees both, is asked for the label."""
    item = _unique(_at_units(base))[1]
    marking = str(item["marking"])
    mine = _register_alike(base, item, "WH-ALM")
    client, csrf = logged_in(base)
    posted = client.post("/web/scan/check", data={"code": [marking], "step": "", "csrf": csrf}).text
    assert outcomes(posted) == ["ok"]
    assert f'data-item="{mine}"' in posted
    assert str(item["id"]) not in posted
    assert "Предметов с этой маркировкой" not in posted
    auditor, auditor_csrf = logged_in(base, AUDITOR)
    seen_by_all = auditor.post(
        "/web/scan/check", data={"code": [marking], "step": "", "csrf": auditor_csrf}
    ).text
    assert "Предметов с этой маркировкой: 2. Отсканируйте этикетку" in seen_by_all


def test_an_id_of_an_item_elsewhere_is_answered_as_an_id_nobody_registered(base: str) -> None:
    """A label in hand (its id) of a unit's item: "not found at your places", the words of
    an id nobody registered (issue 15: "not at your places" said it exists), under the id
    the label carries; never the item's marking, name, state or place."""
    item = _at_units(base)[2]
    client, csrf = logged_in(base)
    label = f"custody-item:v1;id={item['id']}"
    posted = client.post(
        "/web/scan/check", data={"code": [label], "step": "parts_removed", "csrf": csrf}
    ).text
    unknown = "Ж" * len(str(item["id"]))
    nobodys = client.post(
        "/web/scan/check",
        data={"code": [unknown], "step": "parts_removed", "csrf": csrf},
    ).text
    assert outcomes(posted) == ["bad"]
    assert f"Предмет {item['id']} не найден на ваших объектах" in posted
    assert posted == nobodys.replace(unknown, str(item["id"]))
    assert "data-item" not in posted
    assert str(item["marking"]) not in posted
    assert str(item["location"]) not in posted
    assert "/web/items/" not in posted
