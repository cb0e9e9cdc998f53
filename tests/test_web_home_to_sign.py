"""A commission member's home page lists the statements that wait for their signature: the
batches destroyed and not final where they were recorded present (R8) and have not signed,
as the API's batches say; nobody else's home has the list. On the demo, served."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from api.demo.data import MEMBERS, PASSWORD
from tests.support.processes import demo_served


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_served(tmp_path_factory.mktemp("web-home-to-sign")) as running:
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
