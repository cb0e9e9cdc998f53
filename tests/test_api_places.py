"""The role-and-place matrix through HTTP, on SQLite and PostgreSQL: for every step, every
role that may do it, at its own place (past the door: whatever the rules then say) and at
another place, nothing written: a step on an item, transfer or batch there, which the actor
may not read, is answered byte for byte as the same step on an id nobody registered (404,
issue 14: docs/access.md); any other (a place the request names itself) 403 problem+json
naming that place. One server per database; the other place has its own staff, who made
what is there."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from api.access.roles import PLACE_KINDS, ROLES
from tests.support.service import PROBLEM, Service, four_eyes, service
from tests.support.site import png, today
from workflows.commands import REGISTRY

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
SETS = {
    "own": {
        "unit": "UNIT-ALM",
        "warehouse": "WH-ALM",
        "forensics": "CSE-ALM",
        "plant": "PLANT-KRG",
    },
    "other": {
        "unit": "UNIT-AST",
        "warehouse": "WH-AST",
        "forensics": "CSE-AST",
        "plant": "PLANT-TMR",
    },
}
PLACED = sorted(role for role, kinds in PLACE_KINDS.items() if kinds)
DECISION = {"ref": "2-1/2026", "authority": "court", "date": "2026-10-28"}
ACT = {"act": {"kind": "placeholder"}, "sig": base64.b64encode(bytes(64)).decode()}


def _statement_act(batch: str) -> dict[str, Any]:
    """A statement act of the right shape (SignStatement takes nothing else); its signature
    is nobody's: the place is what is refused, before any signature is read."""
    return _act("statement_signed", batch, items=["KZ-NONE"], statement="0" * 64)


def _act(kind: str, item: str, **fields: Any) -> dict[str, Any]:
    """An act of `kind`'s exact shape (workflows.grammar.ACT_SHAPES), signed by nobody: the
    place is what is refused, before any signature is read."""
    act = {
        "kind": kind,
        "person": "commission_member.own",
        "key_id": "0" * 8,
        "time": "2026-11-30T00:00:00.000000Z",
        "item": item,
        **fields,
    }
    return {"act": act, "sig": ACT["sig"]}


# Which of a set's objects each role works on, where a step is about items.
ITEM_OF = {
    "unit_officer": "unit_item",
    "warehouse_clerk": "warehouse_item",
    "forensic_examiner": "forensic_item",
    "official": "warehouse_item",
    "paymaster": "unit_item",
}
HOME = {
    "unit_officer": "unit",
    "warehouse_clerk": "warehouse",
    "forensic_examiner": "forensics",
    "official": "unit",
    "commission_member": "plant",
    "plant_representative": "plant",
    "paymaster": "unit",
}

Objects = dict[str, str]
Body = Callable[[Objects, str], tuple[dict[str, Any], str]]  # (body, the place it acts at)


def _items(extra: dict[str, Any] | None = None) -> Body:
    def body(o: Objects, role: str) -> tuple[dict[str, Any], str]:
        item = o[ITEM_OF[role]]
        return {"items": [item], **(extra or {})}, o[f"{ITEM_OF[role]}_place"]

    return body


def _item(extra: dict[str, Any]) -> Body:
    def body(o: Objects, role: str) -> tuple[dict[str, Any], str]:
        return {"item": o[ITEM_OF[role]], **extra}, o[f"{ITEM_OF[role]}_place"]

    return body


def _weights(extra: dict[str, Any] | None = None) -> Body:
    def body(o: Objects, role: str) -> tuple[dict[str, Any], str]:
        return {"weights": {o[ITEM_OF[role]]: 1000}, **(extra or {})}, o[f"{ITEM_OF[role]}_place"]

    return body


def _batch(extra: dict[str, Any]) -> Body:
    return lambda o, role: ({"batch": o["batch"], **extra}, o["plant"])


def _home(build: Callable[[str], dict[str, Any]]) -> Body:
    return lambda o, role: (build(o[HOME[role]]), o[HOME[role]])


BODIES: dict[str, Body] = {
    "item_registered": _home(
        lambda place: {
            "intakes": [
                {"category": "firearm", "source": "surplus", "location": place, "weight_g": 900}
            ]
        }
    ),
    "decision_recorded": _items({"decision": DECISION}),
    "decision_appealed": _items({"date": today(), "document": "дело 2а-7/2026"}),
    "decision_suspended": _items({"date": today(), "document": "определение 7/2026"}),
    "decision_final": _items({"date": today()}),
    "decision_reversed": _items(),
    "item_returned": _items({"owner": "Владелец"}),
    "transfer_sent": lambda o, role: (
        {"transfer": f"T-X-{role}", "destination": o["warehouse"], "items": [o[ITEM_OF[role]]]},
        o[f"{ITEM_OF[role]}_place"],
    ),
    "transfer_received": lambda o, role: (
        {"transfer": o["transfer"], "items": [o["warehouse_item"]]},
        o["warehouse"],
    ),
    "transfer_closed": lambda o, role: ({"transfer": o["transfer"]}, o["warehouse"]),
    "forensic_sent": lambda o, role: (
        {"items": [o[ITEM_OF[role]]], "forensics": o["forensics"]},
        o[f"{ITEM_OF[role]}_place"],
    ),
    "forensic_received": _items(),
    "test_fired": _items(),
    "registry_result_recorded": lambda o, role: (
        {
            "results": [
                {
                    "item": o[ITEM_OF[role]],
                    "act": _act("registry_result_recorded", o[ITEM_OF[role]], result="no_match"),
                }
            ]
        },
        o[f"{ITEM_OF[role]}_place"],
    ),
    "evidence_released": lambda o, role: _item(
        {"act": _act("evidence_released", o[ITEM_OF[role]])}
    )(o, role),
    "forensic_returned": _items({"warehouse": "WH-ALM"}),
    "parts_removed": _items({"parts": ["приклад"]}),
    "parts_incinerated": _items(),
    "deformed": _items({"method": "пресс"}),
    "cut": _weights({"barrel_along": True, "barrel_across": True, "parts_through": True}),
    "fuses_removed": _item({"fuses": 0, "firing_devices": 0, "detonators": 0}),
    "depackaged": _weights(),
    "batch_opened": lambda o, role: (
        {
            "batch": f"B-{o['plant']}-{role}",
            "kind": "furnace",
            "location": o["plant"],
            "installation": "ДСП-3",
            "commission": "TK-1",
        },
        o["plant"],
    ),
    "batch_loaded": _batch({"items": ["KZ-NONE"]}),
    "unloaded": _items({"reason": "решение обжаловано"}),
    "presence_recorded": _batch(
        {"present": [{"person": "commission_member.own", "role": "commission_member"}]}
    ),
    "melted": _batch({"facts": {}}),
    "burned": _batch({"facts": {}}),
    "statement_signed": lambda o, role: _batch({"act": _statement_act(o["batch"])})(o, role),
    "discrepancy_recorded": lambda o, role: (
        {"subject": o[ITEM_OF[role]], "reason": "не найден"},
        o[f"{ITEM_OF[role]}_place"],
    ),
    "discrepancy_resolved": lambda o, role: (
        {"discrepancy": o["discrepancy"], "resolution": "found", "note": "нашёлся"},
        o["unit"],
    ),
    "inventory_counted": _home(lambda place: {"location": place, "items": [], "empty": True}),
    # R11-R14 (issue 18): a suspicion reported by hand, settled by an official, a payment
    "diversion_suspected": lambda o, role: (
        {"item": o[ITEM_OF[role]], "old_item": o[ITEM_OF[role]]},
        o[f"{ITEM_OF[role]}_place"],
    ),
    "diversion_resolved": lambda o, role: (
        {
            "discrepancy": o["discrepancy"],
            "act": _act(
                "diversion_resolved",
                o["discrepancy"],
                discrepancy=o["discrepancy"],
                outcome="not_diverted",
                note="проверено",
            ),
        },
        o["unit"],
    ),
    "compensation_paid": lambda o, role: (
        {
            "item": o[ITEM_OF[role]],
            "amount_tenge": 1,
            "reference": "ПП-1",
            "national_id": "850101300001",
        },
        o[f"{ITEM_OF[role]}_place"],
    ),
}
# A check of a payment needs a campaign and a paid item at each set of places; its place is
# the paid item's (workflows.commands.diversion.ConfirmCompensation.acts_at).
UNTRIED = frozenset({"compensation_confirmed"})


def _user(role: str, which: str) -> str:
    return f"{role}.{which}"


def _ok(running: Service, user: str, kind: str, body: dict[str, Any]) -> Any:
    with running.client(user) as client:
        response = client.post(f"/steps/{kind}", json=body)
    assert response.status_code == 200, (user, kind, response.text)
    return response.json()["result"]


def _size(running: Service) -> int:
    return int(httpx.get(f"{running.base}/ledger/leaves?limit=1").json()["size"])


def _site(running: Service) -> dict[str, Objects]:
    """Both sets of places, each with its own staff and the objects they made there: an item
    at the unit, one received at the warehouse (its transfer), one at forensics, a batch
    at the plant, a discrepancy about an item at the unit."""
    running.add_user("admin", "administrator")
    with running.client("admin") as admin:
        for which, places in SETS.items():
            for kind, place in places.items():
                new = {"location": place, "kind": kind, "name": place, "region": which}
                assert admin.post("/steps/location_added", json=new).status_code == 200
            for role in PLACED:  # a signer's account with four eyes (add_user)
                at = [places[k] for k in sorted(PLACE_KINDS[role])]
                running.add_user(_user(role, which), role, f"{role} {which}", at)
    member = {"commission": "TK-1", "person": "commission_member.own", "role": "chair"}
    four_eyes(running.env, "commission_member_added", {**member, "name": "ТК-1"})
    return {which: _objects(running, which, places) for which, places in SETS.items()}


def _objects(running: Service, which: str, places: dict[str, str]) -> Objects:
    officer, clerk = _user("unit_officer", which), _user("warehouse_clerk", which)
    examiner = _user("forensic_examiner", which)

    marks = iter(range(1000))
    with running.client(officer) as client:
        uploaded = client.post(
            "/files", files={"file": ("m.png", png(which))}, data={"role": "marking"}
        )
    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()

    def rifle() -> str:
        intake = {
            "category": "firearm",
            "source": "confiscated",
            "location": places["unit"],
            "weight_g": 3600,
            "rifled": True,
            "marking": f"АК-74 №{which}-{next(marks)}",
            "files": [photo],
        }
        return str(_ok(running, officer, "item_registered", {"intakes": [intake]})[0])

    unit_item, flagged, at_warehouse, at_forensics = rifle(), rifle(), rifle(), rifle()
    moving = [at_warehouse, at_forensics]
    _ok(running, officer, "decision_recorded", {"items": moving, "decision": DECISION})
    _ok(running, officer, "decision_final", {"items": moving, "date": today()})
    transfer = f"T-{which}"
    sent = {"transfer": transfer, "destination": places["warehouse"], "items": moving}
    _ok(running, officer, "transfer_sent", sent)
    _ok(running, clerk, "transfer_received", {"transfer": transfer, "items": moving})
    _ok(running, clerk, "transfer_closed", {"transfer": transfer})
    _ok(
        running, clerk, "forensic_sent", {"items": [at_forensics], "forensics": places["forensics"]}
    )
    _ok(running, examiner, "forensic_received", {"items": [at_forensics]})
    batch = f"B-{which}"
    opened = {
        "batch": batch,
        "kind": "furnace",
        "location": places["plant"],
        "installation": "ДСП-3",
        "commission": "TK-1",
    }
    _ok(running, clerk, "batch_opened", opened)
    discrepancy = _ok(running, officer, "discrepancy_recorded", {"subject": flagged, "reason": "?"})
    return {
        **places,
        "unit_item": unit_item,
        "unit_item_place": places["unit"],
        "warehouse_item": at_warehouse,
        "warehouse_item_place": places["warehouse"],
        "forensic_item": at_forensics,
        "forensic_item_place": places["forensics"],
        "transfer": transfer,
        "batch": batch,
        "discrepancy": str(discrepancy),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_the_role_and_place_matrix(kind: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    with service(tmp_path_factory.mktemp(f"places-{kind}"), kind) as running:
        objects = _site(running)
        tried = hidden = 0
        for step in (s for s in REGISTRY.values() if s.step_route and s.kind not in UNTRIED):
            for role in (r for r in PLACED if step.kind in ROLES[r]):
                user = _user(role, "own")
                elsewhere, place = BODIES[step.kind](objects["other"], role)
                before = _size(running)
                named = step.model_validate(elsewhere).objects()
                with running.client(user) as client:
                    refused = client.post(f"/steps/{step.kind}", json=elsewhere)
                    if named:
                        _as_if_unknown(client, step.kind, elsewhere, named, refused)
                        hidden += 1
                    else:
                        assert refused.status_code == 403, (role, step.kind, refused.text)
                        assert refused.headers["content-type"] == PROBLEM
                        problem = refused.json()
                        assert (problem["rule"], problem["place"]) == ("ACCESS", place), problem
                        assert place in problem["detail"]
                    assert _size(running) == before
                    at_home, _ = BODIES[step.kind](objects["own"], role)
                    allowed = client.post(f"/steps/{step.kind}", json=at_home)
                    assert allowed.status_code != 403, (role, step.kind, allowed.text)
                tried += 1
        assert tried >= len([s for s in REGISTRY.values() if s.step_route]) - 7
        assert hidden >= 20  # every step on items, a transfer or a batch, by each role
        assert run_verify(running)


def _unregistered(key: str) -> str:
    """An id of the same length nobody registered (so Content-Length must match too)."""
    return key[:-1] + ("Q" if key[-1] != "Q" else "Z")


def _as_if_unknown(
    client: httpx.Client,
    kind: str,
    body: dict[str, Any],
    named: list[tuple[str, str]],
    refused: httpx.Response,
) -> None:
    """`refused` (a step on objects at another place) is the answer to the same step on an
    unregistered id, byte for byte but for that id: status, the headers a caller can tell
    apart by, and the body, which names nothing of where the object is."""
    _, key = named[0]
    other = _unregistered(key)
    given = orjson.loads(orjson.dumps(body).replace(key.encode(), other.encode()))
    unknown = client.post(f"/steps/{kind}", json=given)
    assert unknown.status_code == 404, (kind, unknown.text)
    assert (refused.status_code, refused.content) == (
        unknown.status_code,
        unknown.content.replace(other.encode(), key.encode()),
    ), (kind, refused.text, unknown.text)
    for header in ("content-type", "content-length", "www-authenticate", "cache-control"):
        assert refused.headers.get(header) == unknown.headers.get(header), (kind, header)
    assert set(refused.headers) == set(unknown.headers)


def run_verify(running: Service) -> bool:
    from tests.support.processes import run

    done = run(running.env, "verify")
    assert done.returncode == 0, done.stdout
    return True
