"""`custody keys rotate --ledger` while a two-process server is being written to: no request
fails (there were 503s until a restart), every process signs with the new key from its next
write on, `/ledger/key` serves the new key from every process, and the audit accepts either
key of the rotation chain as the one an auditor trusts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from api.demo.data import photo
from custody.note import Verifier
from tests.support.databases import postgres_database
from tests.support.processes import environment, run, server
from tests.support.service import Service


def _intake(n: int, marking_photo: dict[str, object]) -> dict[str, object]:
    return {
        "category": "firearm",
        "source": "found",
        "location": "UNIT-ALM",
        "weight_g": 2000 + n,
        "rifled": False,
        "marking": f"РК {n:06d}",
        "files": [marking_photo],
    }


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_ledger_key_rotated_under_write_load_fails_no_request(tmp_path: Path, kind: str) -> None:
    with ExitStack() as stack:
        url = stack.enter_context(postgres_database()) if kind == "postgresql" else None
        env = environment(tmp_path, url, CUSTODY_WORKERS="2")
        assert run(env, "init").returncode == 0
        service = Service(stack.enter_context(server(env)), env, tmp_path)
        genesis = httpx.get(f"{service.base}/ledger/key").text.strip()
        service.add_user("admin", "administrator")  # made by init; it gets its password
        with service.client("admin") as admin:
            made = admin.post(
                "/steps/location_added",
                json={"location": "UNIT-ALM", "kind": "unit", "name": "УП", "region": "Алматы"},
            )
            assert made.status_code == 200, made.text
        service.add_user("unit.a", "unit_officer", "Имя", places=["UNIT-ALM"])
        with service.client("unit.a") as unit:
            uploaded = unit.post(
                "/files", files={"file": ("m.png", photo(1))}, data={"role": "marking"}
            ).json()
        client = stack.enter_context(service.client("unit.a"))
        rotated = threading.Event()
        answers: list[int] = []

        def register(n: int) -> None:
            answer = client.post("/steps/item_registered", json={"intakes": [_intake(n, uploaded)]})
            answers.append(answer.status_code)
            assert answer.status_code == 200, answer.text

        def keep_writing(start: int) -> None:
            n = start
            while not rotated.is_set() or n < start + 40:
                register(n)
                n += 4

        with ThreadPoolExecutor(4) as pool:
            writers = [pool.submit(keep_writing, k) for k in range(4)]
            rotation = run(env, "keys", "rotate", "--ledger")
            rotated.set()
            for writer in writers:
                writer.result()
        assert rotation.returncode == 0, rotation.stderr
        assert set(answers) == {200}
        current = rotation.stdout.strip().splitlines()[-1]
        assert Verifier.parse(current).key_id != Verifier.parse(genesis).key_id
        served = {httpx.get(f"{service.base}/ledger/key").text.strip() for _ in range(8)}
        assert served == {current}
        for trusted in (genesis, current):
            verified = run(env, "verify", "--key", trusted)
            assert verified.returncode == 0, verified.stdout + verified.stderr
        keys = httpx.get(f"{service.base}/ledger/keys").json()
        ledger_keys = [k for k in keys if k["purpose"] == "ledger"]
        assert [k["vkey"] for k in ledger_keys] == [genesis, current]
