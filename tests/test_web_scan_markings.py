"""A marking two items share, scanned on the scan page of a real `custody serve` on the demo's
data: neither is added and the page asks for the label (a server of its own: the item this
registers would change what the other scan tests pick)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.demo.data import PASSWORD
from tests.support.processes import demo_served
from tests.support.site import png, today
from tests.test_web_scan_live import CLERK, items, logged_in, outcomes


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_served(tmp_path_factory.mktemp("web-scan-markings")) as running:
        yield running


def _register_alike(base: str, item: dict[str, object]) -> str:
    """Another model with `item`'s marking, registered by the clerk where it is stored (R10
    lets another model share a marking)."""
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
        "location": item["location"],
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
