"""A realistic ledger to audit and attack: people's keys and acts, a revoked key, a ledger
key rotation, and checkpoints before and after it (one kept by an auditor)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from custody import keyring
from custody.bootstrap import init
from custody.entries import NewEntry
from custody.ledger_key import LedgerKeyFile
from custody.note import Signer
from custody.settings import Settings
from tests.support.people import Person, register


@dataclass(frozen=True)
class Scenario:
    settings: Settings
    early_checkpoint: str  # what an auditor saved before the rotation
    early_vkey: str  # the ledger key the auditor trusted then
    late_vkey: str
    alice: Person
    carol: Person
    size: int
    retired_signer: Signer  # the ledger key before the rotation, as a careless admin kept it


def item(n: int, actor: str = "unit.serikbaev") -> NewEntry:
    return NewEntry(
        kind="item_registered",
        actor=actor,
        item=f"KZ-{n:06d}",
        data={
            "category": "firearm",
            "rifled": n % 2 == 0,
            "source": "confiscated",
            "marking": f"АК-74 №{1000 + n}",
            "weight_g": 3300,
        },
    )


def build(settings: Settings) -> Scenario:
    ledger = init(settings).ledger
    alice, _bob, carol = (register(ledger, name) for name in ("alice", "bob", "carol"))
    with ledger.database.write() as conn:
        ledger.append_many(conn, [item(n) for n in range(20)])
    for n in range(0, 20, 4):
        ledger.record(alice.entry("registry_result_recorded", f"KZ-{n:06d}", result="no_match"))
    ledger.record(carol.entry("registry_result_recorded", "KZ-000001", result="not_testable"))
    with ledger.database.write() as conn:
        early = ledger.issue_checkpoint(conn)
    early_vkey = ledger.verifier_key
    retired = ledger.signer
    assert retired is not None
    keyring.revoke_key(ledger, "admin", carol.key_id, "left the service")
    keyring.rotate_ledger_key(ledger, "admin", LedgerKeyFile(settings.ledger_key_file))
    with ledger.database.write() as conn:
        ledger.append_many(
            conn,
            [
                NewEntry(
                    kind="decision_recorded",
                    actor="unit.serikbaev",
                    item=f"KZ-{n:06d}",
                    data={"decision": f"2-{n}/2026"},
                )
                for n in range(10)
            ],
        )
        ledger.append_many(conn, [item(n) for n in range(20, 30)])
        late = ledger.issue_checkpoint(conn)
    scenario = Scenario(
        settings, early.note, early_vkey, ledger.verifier_key, alice, carol, late.size, retired
    )
    ledger.database.dispose()
    return scenario


def copy_sqlite(source: Path, target: Path) -> None:
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
