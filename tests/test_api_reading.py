"""Reading at one's places (issue 14; workflows.reading, api.access.reading), through HTTP
against a real `custody serve` on SQLite and PostgreSQL.

Two sets of places, each with its own staff and what they made there (the site of
tests/test_api_places), and one item on the road from the other set's unit to our warehouse.
Every read of the API and of the pages that answers one object answers another place's as
an unknown one (404, word for word the answer for an id nobody registered); every list
leaves it out; the reads of every place together (the log's bodies, the reports) are
refused (403). The auditor reads everything; the receiving clerk reads what is coming."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import orjson
import pytest

from api.access.roles import PLACE_KINDS
from tests.support.service import PASSWORD, PROBLEM, Service, service
from tests.support.site import png, today
from tests.test_api_places import DECISION, PLACED, _ok, _site, _user

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
NOBODY = "NO-SUCH-ID"

# One object's reads: (path template, the kind of object it names).
API_READS = [
    ("/items/{item}", "item"),
    ("/items/{item}/history", "item"),
    ("/items/{item}/proof", "item"),
    ("/items/{item}/payments", "item"),
    ("/items/{item}/label.pdf", "item"),
    ("/transfers/{transfer}", "transfer"),
    ("/items/{transfer}/history", "transfer"),
    ("/batches/{batch}", "batch"),
    ("/batches/{batch}/statement", "batch"),
    ("/batches/{batch}/statement.pdf", "batch"),
    ("/items/{batch}/history", "batch"),
    ("/items/{place}/history", "place"),
]
PAGE_READS = [
    ("/web/items/{item}", "item"),
    ("/web/items/{item}/label.pdf", "item"),
    ("/web/transfers/{transfer}", "transfer"),
    ("/web/batches/{batch}", "batch"),
    ("/web/batches/{batch}/quorum", "batch"),
    ("/web/batches/{batch}/statement.pdf", "batch"),
]
ITEMS = ("unit_item", "warehouse_item", "forensic_item")


@pytest.fixture(scope="module", params=KINDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Service, dict[str, dict[str, str]]]]:
    with service(tmp_path_factory.mktemp("reading"), request.param) as running:
        objects = _site(running)
        objects["other"]["incoming"] = _on_the_road(running, objects)
        running.add_user("auditor.one", "auditor")
        yield running, objects


def _on_the_road(running: Service, objects: dict[str, dict[str, str]]) -> str:
    """An item the other set's unit has sent to our warehouse, not received yet."""
    officer = _user("unit_officer", "other")
    with running.client(officer) as client:
        uploaded = client.post(
            "/files", files={"file": ("m.png", png("road"))}, data={"role": "marking"}
        )
    assert uploaded.status_code == 201, uploaded.text
    intake = {
        "category": "firearm",
        "source": "surplus",
        "location": objects["other"]["unit"],
        "weight_g": 2500,
        "marking": "ПМ №road-1",
        "files": [uploaded.json()],
    }
    [item] = _ok(running, officer, "item_registered", {"intakes": [intake]})
    _ok(running, officer, "decision_recorded", {"items": [item], "decision": DECISION})
    _ok(running, officer, "decision_final", {"items": [item], "date": today()})
    sent = {"transfer": "T-ROAD", "destination": objects["own"]["warehouse"], "items": [item]}
    _ok(running, officer, "transfer_sent", sent)
    return str(item)


def _values(objects: dict[str, str], kind: str) -> list[str]:
    """The ids of `kind` in one set: its items, transfer, batch, or its places."""
    if kind == "item":
        return [objects[k] for k in ITEMS]
    if kind == "place":
        return [objects[k] for k in ("unit", "warehouse", "forensics", "plant")]
    return [objects[kind]]


def _path(template: str, kind: str, value: str) -> str:
    return template.replace("{" + kind + "}", value)


def _unknown_answer(client: httpx.Client, template: str, kind: str) -> dict[str, Any]:
    answer = client.get(_path(template, kind, NOBODY))
    assert answer.status_code == 404, (template, answer.text)
    assert answer.headers["content-type"] == PROBLEM
    return dict(answer.json())


def _hidden(client: httpx.Client, template: str, kind: str, value: str, who: str) -> None:
    """`value` answered exactly as an id nobody registered."""
    answer = client.get(_path(template, kind, value))
    assert answer.status_code == 404, (who, template, value, answer.status_code)
    assert answer.headers["content-type"] == PROBLEM
    unknown = _unknown_answer(client, template, kind)
    seen = answer.json()
    assert seen["detail"] == unknown["detail"].replace(NOBODY, value), (who, seen)
    assert (seen["type"], seen["title"]) == (unknown["type"], unknown["title"])
    # Besides the id asked for, the words name no place of the other set.
    assert not re.search(r"(UNIT|WH|CSE|PLANT)-(AST|TMR)", seen["detail"].replace(value, "")), seen


def test_a_placed_account_reads_nothing_of_another_place(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    """The table: every placed role, every read of one object, every object of the other
    set of places: 404 as unknown; and the lists hold none of them."""
    running, objects = site
    other = objects["other"]
    every_other = {v for kind in ("item", "transfer", "batch") for v in _values(other, kind)}
    for role in PLACED:
        who = _user(role, "own")
        mine = {objects["own"][k] for k in PLACE_KINDS[role]}
        with running.client(who) as client:
            for template, kind in API_READS:
                for value in _values(other, kind):
                    _hidden(client, template, kind, value, who)
            listed = client.get("/items", params={"limit": 1000}).json()["items"]
            assert every_other.isdisjoint(i["id"] for i in listed), who
            assert {i["location"] for i in listed} <= mine | {other["unit"]}, who
            deadlines = client.get("/deadlines", params={"include_closed": True}).json()
            assert every_other.isdisjoint(d["item"] for d in deadlines["deadlines"]), who
            statements = client.get("/statements").json()["entries"]
            assert other["batch"] not in {s["batch"] for s in statements}, who
            found = client.get("/diversion/suspicions", params={"include_resolved": True})
            assert found.status_code == 200


@pytest.mark.parametrize(("template", "kind"), API_READS)
def test_each_read_answers_its_own_place_and_the_auditor(
    site: tuple[Service, dict[str, dict[str, str]]], template: str, kind: str
) -> None:
    """The same read, by the staff of the object's own place and by the auditor, is not
    hidden from them (whatever the object's state then makes of it)."""
    running, objects = site
    own = objects["own"]
    for who in ("auditor.one", _owner(kind, own)):
        with running.client(who) as client:
            for value in _values(own, kind):
                answer = client.get(_path(template, kind, value))
                assert answer.status_code != 404, (who, template, value, answer.text)
    with running.client("auditor.one") as client:
        for value in _values(objects["other"], kind):
            assert client.get(_path(template, kind, value)).status_code != 404


def _owner(kind: str, own: dict[str, str]) -> str:
    """Who of our staff works where the object of `kind` is: the official, placed at every
    kind of place of our set."""
    return _user("official", "own")


def test_the_receiving_clerk_reads_what_is_coming_and_no_one_else_there(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    running, objects = site
    coming = objects["other"]["incoming"]
    with running.client(_user("warehouse_clerk", "own")) as clerk:
        assert clerk.get(f"/items/{coming}").json()["destination"] == objects["own"]["warehouse"]
        assert clerk.get("/transfers/T-ROAD").status_code == 200
        listed = clerk.get("/items", params={"limit": 1000}).json()["items"]
        assert coming in {i["id"] for i in listed}
    with running.client(_user("unit_officer", "own")) as officer:
        _hidden(officer, "/items/{item}", "item", coming, "unit_officer.own")
        _hidden(officer, "/transfers/{transfer}", "transfer", "T-ROAD", "unit_officer.own")
    with running.client(_user("unit_officer", "other")) as sender:
        assert sender.get(f"/items/{coming}").status_code == 200
        assert sender.get("/transfers/T-ROAD").status_code == 200


def test_reads_of_every_place_together_are_the_auditors(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    running, objects = site
    period = {"from": "2026-01-01", "to": today()}
    with running.client(_user("warehouse_clerk", "own")) as clerk:
        for path, params in (
            ("/ledger/entries", {}),
            ("/reports/compliance", period),
            ("/reports/reconciliation", period),
            ("/reports/annual", {"year": 2026}),
            ("/reports/annual", {"year": 2026, "place": objects["other"]["warehouse"]}),
        ):
            refused = clerk.get(path, params=params)
            assert refused.status_code == 403, (path, refused.text)
            assert refused.headers["content-type"] == PROBLEM
            assert refused.json()["rule"] == "ACCESS"
        mine = {"year": 2026, "place": objects["own"]["warehouse"]}
        assert clerk.get("/reports/annual", params=mine).status_code == 200
        assert clerk.get("/ledger/leaves").status_code == 200  # hashes stay public
    with running.client("auditor.one") as auditor:
        assert auditor.get("/ledger/entries").status_code == 200
        assert auditor.get("/reports/compliance", params=period).status_code == 200
    matrix = {r["role"]: r["reads"] for r in httpx.get(f"{running.base}/roles").json()}
    assert (matrix["auditor"], matrix["administrator"]) == ("everywhere", "the registers")
    assert {matrix[role] for role in PLACED} == {"its places"}


def _web(running: Service, username: str, language: str = "en") -> httpx.Client:
    client = httpx.Client(base_url=running.base, timeout=60)
    form = client.get("/web/login").text
    found = re.search(r'name="csrf" value="([^"]+)"', form)
    assert found is not None
    answer = client.post(
        "/web/login",
        data={"username": username, "password": PASSWORD, "language": language, "csrf": found[1]},
    )
    assert answer.status_code == 303, answer.text
    return client


def test_the_pages_answer_another_places_object_as_unknown(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    """Every page of one object: another place's is the not-found page in the reader's
    language, the same page as for an id nobody registered; the lists leave it out."""
    running, objects = site
    other = objects["other"]
    with closing(_web(running, _user("warehouse_clerk", "own"))) as clerk:
        for template, kind in PAGE_READS:
            unknown = clerk.get(_path(template, kind, NOBODY))
            assert unknown.status_code == 404, (template, unknown.text[:300])
            for value in _values(other, kind):
                hidden = clerk.get(_path(template, kind, value))
                assert hidden.status_code == 404, (template, value, hidden.status_code)
                assert "text/html" in hidden.headers["content-type"]
                assert _message(hidden.text) == _message(unknown.text).replace(NOBODY, value)
                assert other["warehouse"] not in hidden.text
        batches = clerk.get("/web/batches").text
        assert other["batch"] not in batches
        assert objects["own"]["batch"] in batches
        listed = clerk.get("/web/items").text
        assert not any(v in listed for v in _values(other, "item"))
        own_item = objects["own"]["warehouse_item"]
        assert clerk.get(f"/web/items/{own_item}").status_code == 200
        assert clerk.get(f"/web/items/{other['incoming']}").status_code == 200


def _message(html: str) -> str:
    found = re.search(r'<p class="problem" role="alert">(.*?)</p>', html, re.S)
    assert found is not None, html[:500]
    return found[1]


def test_the_not_found_page_is_in_the_readers_language(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    running, objects = site
    said = {}
    for language in ("ru", "kk", "en"):
        with closing(_web(running, _user("warehouse_clerk", "own"), language)) as clerk:
            said[language] = _message(clerk.get(f"/web/batches/{objects['other']['batch']}").text)
    assert len(set(said.values())) == 3, said


def test_the_auditor_opens_every_page_of_both_places(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    running, objects = site
    with closing(_web(running, "auditor.one")) as auditor:
        for which in ("own", "other"):
            for template, kind in PAGE_READS[:1] + PAGE_READS[2:5]:
                for value in _values(objects[which], kind):
                    seen = auditor.get(_path(template, kind, value))
                    assert seen.status_code == 200, (template, value, seen.status_code)


def test_a_scanned_label_of_another_place_says_not_yours_but_not_where(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    """The scan page: the label in hand says the item exists, but not where it belongs; what
    is on the road to the clerk's warehouse is theirs to receive."""
    running, objects = site
    other = objects["other"]
    with closing(_web(running, _user("warehouse_clerk", "own"))) as clerk:
        found = re.search(r'name="csrf" value="([^"]+)"', clerk.get("/web/settings").text)
        assert found is not None
        for item, theirs in ((other["warehouse_item"], False), (other["incoming"], True)):
            answer = clerk.post(
                "/web/scan/check",
                data={"code": item, "step": "transfer_received", "csrf": found[1]},
            )
            assert answer.status_code == 200, answer.text
            assert ("was found at your places" not in answer.text) == theirs, answer.text
            if not theirs:
                assert other["warehouse"] not in answer.text
                assert f"/web/items/{item}" not in answer.text


def test_a_write_on_another_places_object_answers_as_an_unknown_id(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    """The attack of issue 14: a clerk of another warehouse closes or receives the transfer
    on the road to ours, or deforms our item. Each answer is the one for an id nobody
    registered, byte for byte but for the id (nothing of where it goes), nothing written;
    the clerk who reads the item coming to them is still told where it is (403 naming the
    place), since that tells them nothing they may not read."""
    running, objects = site
    own, other = objects["own"], objects["other"]
    road, item = "T-ROAD", own["warehouse_item"]
    tries = [
        ("transfer_closed", {"transfer": road}, road),
        ("transfer_received", {"transfer": road, "items": [other["incoming"]]}, road),
        ("deformed", {"items": [item], "method": "пресс"}, item),
    ]
    before = _size(running)
    with running.client(_user("warehouse_clerk", "other")) as stranger:
        for kind, body, key in tries:
            hidden = stranger.post(f"/steps/{kind}", json=body)
            nobody = _same_length(key)
            given = orjson.loads(orjson.dumps(body).replace(key.encode(), nobody.encode()))
            unknown = stranger.post(f"/steps/{kind}", json=given)
            assert unknown.status_code == 404, (kind, unknown.text)
            assert hidden.status_code == 404, (kind, hidden.text)
            assert hidden.content == unknown.content.replace(nobody.encode(), key.encode())
            assert hidden.headers["content-type"] == unknown.headers["content-type"] == PROBLEM
            assert own["warehouse"] not in hidden.text
    with running.client(_user("warehouse_clerk", "own")) as receiver:
        seen = receiver.post("/steps/deformed", json={"items": [other["incoming"]], "method": "x"})
        assert seen.status_code == 403, seen.text
        assert (seen.json()["rule"], seen.json()["place"]) == ("ACCESS", other["unit"])
    assert _size(running) == before


def test_a_page_that_closes_another_places_transfer_says_no_such_transfer(
    site: tuple[Service, dict[str, dict[str, str]]],
) -> None:
    """`POST /web/transfers/{id}/close` by a clerk of another warehouse: the not-found page
    in the clerk's language, the same as for an id nobody sent, naming no place."""
    running, objects = site
    before = _size(running)
    for language in ("ru", "kk", "en"):
        with closing(_web(running, _user("warehouse_clerk", "other"), language)) as clerk:
            page = clerk.get(f"/web/transfers/{objects['other']['transfer']}").text
            found = re.search(r'name="csrf" value="([^"]+)"', page)
            assert found is not None
            answers = [
                clerk.post(f"/web/transfers/{t}/close", data={"csrf": found[1]})
                for t in ("T-ROAD", "T-ROAQ")
            ]
            hidden, unknown = answers
            assert hidden.status_code == unknown.status_code == 404, hidden.text[:300]
            assert _message(hidden.text) == _message(unknown.text).replace("T-ROAQ", "T-ROAD")
            assert objects["own"]["warehouse"] not in hidden.text
    assert _size(running) == before


def _same_length(key: str) -> str:
    return key[:-1] + ("Q" if key[-1] != "Q" else "Z")


def _size(running: Service) -> int:
    return int(httpx.get(f"{running.base}/ledger/leaves?limit=1").json()["size"])
