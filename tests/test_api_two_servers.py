"""Two `custody serve` commands on one database, each with two server processes, written to
at once and turn about on the same items: every write lands once, the ledger stays one
linear chain, and the state tables equal its replay (`custody verify`). On SQLite the four
processes take turns through the database's write lock (custody.write_lock) and commit in
batches (api.http.write_batches); on PostgreSQL they queue on the ledger head's row lock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from api.demo.data import photo
from tests.support.databases import postgres_database
from tests.support.processes import environment, run, server
from tests.support.service import Service
from tests.support.site import today

DECISION = {"ref": "2-77/2026", "authority": "court", "date": "2026-11-01"}


def _intake(n: int, marking_photo: dict[str, object]) -> dict[str, object]:
    return {
        "category": "firearm",
        "source": "confiscated",
        "location": "UNIT-ALM",
        "weight_g": 3000 + n,
        "rifled": True,
        "marking": f"ДС {n:06d}",
        "marking_place": "ствольная коробка",
        "files": [marking_photo],
    }


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_servers_on_one_database_keep_one_chain(tmp_path: Path, kind: str) -> None:
    with ExitStack() as stack:
        url = stack.enter_context(postgres_database()) if kind == "postgresql" else None
        env = environment(tmp_path, url, CUSTODY_WORKERS="2")
        assert run(env, "init").returncode == 0
        first = Service(stack.enter_context(server(env)), env, tmp_path)
        second = Service(stack.enter_context(server(env)), env, tmp_path)
        first.add_user("admin", "administrator")  # made by init; it gets its password
        with first.client("admin") as admin:
            made = admin.post(
                "/steps/location_added",
                json={
                    "location": "UNIT-ALM",
                    "kind": "unit",
                    "name": "УП Алматы",
                    "region": "Алматы",
                },
            )
            assert made.status_code == 200, made.text
        first.add_user("unit.a", "unit_officer", "Имя", places=["UNIT-ALM"])
        with first.client("unit.a") as unit:
            uploaded = unit.post(
                "/files", files={"file": ("m.png", photo(1))}, data={"role": "marking"}
            ).json()
        clients = [first.client("unit.a"), second.client("unit.a")]
        for client in clients:
            stack.enter_context(client)

        def register(n: int) -> str:
            body = {"intakes": [_intake(n, uploaded)]}
            answer = clients[n % 2].post("/steps/item_registered", json=body)
            assert answer.status_code == 200, answer.text
            return str(answer.json()["result"][0])

        with ThreadPoolExecutor(8) as pool:
            items = list(pool.map(register, range(60)))

        def decide_then_appeal(n: int) -> None:
            # Turn about: one server decides, the other appeals the same item right after,
            # so each must read what the other wrote, not what it kept.
            item = items[n]
            one, other = clients[n % 2], clients[(n + 1) % 2]
            assert (
                one.post(
                    "/steps/decision_recorded", json={"items": [item], "decision": DECISION}
                ).status_code
                == 200
            )
            lodged = {"items": [item], "date": today(), "document": "дело 2а-9/2026"}
            appealed = other.post("/steps/decision_appealed", json=lodged)
            assert appealed.status_code == 200, appealed.text
            assert (
                one.post(
                    "/steps/decision_final", json={"items": [item], "date": today()}
                ).status_code
                == 200
            )

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(decide_then_appeal, range(60)))

        page = httpx.get(f"{first.base}/ledger/leaves", params={"limit": 1000}).json()
        seqs = [e["seq"] for e in page["leaves"]]
        assert seqs == list(range(page["size"]))
        # genesis, the two administrators' accounts, location, unit.a's account through four
        # eyes (proposed, confirmed, created), intakes, decisions
        assert page["size"] == 1 + 2 + 1 + 3 + 60 + 3 * 60
        with second.client("unit.a") as unit:
            states = {unit.get(f"/items/{i}").json()["state"] for i in items}
        assert states == {"final"}
        verified = run(env, "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
