"""Who may do what, where, proven from the ledger: each account acts only at its places, as
its own entries say; a role or place granted in the database only, or an entry written by
an actor who did not hold the role or the place at that seq, fails `custody verify`."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import text

from custody.verify import Report, verify
from tests.support.forge import append_unchecked
from tests.support.site import DECISION, FORENSICS, PLANT, UNIT, WAREHOUSE, Site
from workflows.commands.accounts import AssignPlace, GrantRole, WithdrawPlace, WithdrawRole
from workflows.commands.inventory import CountInventory
from workflows.errors import AccessRefused, InvalidRequest, UnknownObject
from workflows.replay import verify_steps

OTHER_WAREHOUSE = "WH-KRG"
STATE, ACCESS = 10, 11  # custody verify's steps after the ledger's own nine


def _audit(site: Site, workers: int | None = None) -> Report:
    return verify(site.ledger.database, extra_steps=verify_steps(site.files), workers=workers)


def _failed_at(report: Report) -> tuple[int, int | None, str]:
    failure = report.first_failure
    assert failure is not None, "the attack went unnoticed"
    return failure.number, failure.seq, str(failure.reason)


def _other_warehouse(site: Site) -> None:
    site.process.add_location("admin", OTHER_WAREHOUSE, "warehouse", "Склад Караганды", "Қарағанды")


def _account_row(site: Site, username: str) -> dict[str, Any]:
    with site.ledger.database.read() as conn:
        raw = conn.execute(
            text("SELECT data FROM wf_accounts WHERE id = :u"), {"u": username}
        ).scalar_one()
    return orjson.loads(raw)  # type: ignore[no-any-return]


def _write_account_row(site: Site, username: str, data: dict[str, Any]) -> None:
    with site.ledger.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE wf_accounts SET data = :d WHERE id = :u"),
            {"d": orjson.dumps(data).decode(), "u": username},
        )


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


# -- places in every permission ----------------------------------------------------------------


def test_a_clerk_acts_only_at_their_own_warehouse(site: Site) -> None:
    _other_warehouse(site)
    before = _size(site)
    with pytest.raises(AccessRefused) as refused:
        site.process.run(
            "sklad.omarov", CountInventory(location=OTHER_WAREHOUSE, items=[], empty=True)
        )
    assert refused.value.place == OTHER_WAREHOUSE
    assert refused.value.rule == "ACCESS"
    assert f"does not work at {OTHER_WAREHOUSE}" in str(refused.value)
    assert _size(site) == before
    site.process.run("sklad.omarov", CountInventory(location=WAREHOUSE, items=[], empty=True))


def test_a_unit_officer_cannot_act_for_items_at_another_place(site: Site) -> None:
    rifle = site.register_rifle()
    site.to_warehouse(rifle)
    # The rifle is at the warehouse now, which the officer does not read: a discrepancy on
    # it is answered as one on an item nobody registered (issue 14, docs/access.md), not
    # refused naming the warehouse, which would say where it is.
    with pytest.raises(UnknownObject) as refused:
        site.process.record_discrepancy("unit.serikbaev", rifle, "не найден")
    assert str(refused.value) == f"no item {rifle!r} is registered"
    nobody = rifle[:-1] + ("0" if rifle[-1] != "0" else "1")
    with pytest.raises(UnknownObject) as unknown:
        site.process.record_discrepancy("unit.serikbaev", nobody, "не найден")
    assert str(unknown.value) == f"no item {nobody!r} is registered"


def test_a_clerk_receiving_cannot_put_another_places_item_into_discrepancy(site: Site) -> None:
    """The desk's breaker (issue 15): scanning, on a transfer's receipt, an item at a third
    place (which the warehouse clerk does not read) recorded it received, not sent: a
    discrepancy froze another place's weapon and told that it exists. It is answered as an
    id nobody registered, and nothing is written; an item of the clerk's own places, or at
    the transfer's origin (put on the vehicle unrecorded), that the transfer does not expect
    is still recorded received, not sent."""
    elsewhere, on_way, own, stray = (site.register_rifle() for _ in range(4))
    site.to_warehouse(own, elsewhere)
    site.process.send_to_forensics("sklad.omarov", [elsewhere], FORENSICS)
    site.process.step("expert.sadykova", "forensic_received", [elsewhere])  # at the lab now
    for item in (on_way,):
        site.process.record_decision("unit.serikbaev", [item], DECISION)
        site.process.decision_step("unit.serikbaev", "decision_final", [item])
    transfer = site.next_id("T")
    site.process.send("unit.serikbaev", transfer, WAREHOUSE, [on_way])
    before = _size(site)
    with pytest.raises(UnknownObject) as refused:
        site.process.receive("sklad.omarov", transfer, [on_way, elsewhere])
    assert str(refused.value) == f"no item {elsewhere!r} is registered"
    assert _size(site) == before
    opened = site.process.receive("sklad.omarov", transfer, [on_way, own, stray])
    assert len(opened) == 2  # the warehouse's own rifle again, the unit's unsent one
    assert _audit(site).ok


def test_an_assigned_place_opens_and_a_withdrawn_one_closes(site: Site) -> None:
    _other_warehouse(site)
    count = CountInventory(location=OTHER_WAREHOUSE, items=[], empty=True)
    site.process.run("admin", AssignPlace(username="sklad.omarov", place=OTHER_WAREHOUSE))
    site.process.run("sklad.omarov", count)
    site.process.run("admin", WithdrawPlace(username="sklad.omarov", place=OTHER_WAREHOUSE))
    with pytest.raises(AccessRefused):
        site.process.run("sklad.omarov", count)
    assert _audit(site).ok


def test_a_place_of_a_kind_the_role_does_not_act_at_is_refused(site: Site) -> None:
    with pytest.raises(InvalidRequest, match="does not act there"):
        site.process.run("admin", AssignPlace(username="expert.sadykova", place=UNIT))
    with pytest.raises(AccessRefused, match="may not write place_assigned"):
        site.process.run("sklad.omarov", AssignPlace(username="sklad.omarov", place=PLANT))


def test_a_role_withdrawn_stops_its_steps_at_once(site: Site) -> None:
    site.process.run("admin", GrantRole(username="auditor.li", role="warehouse_clerk"))
    site.process.run("admin", AssignPlace(username="auditor.li", place=WAREHOUSE))
    site.process.run("auditor.li", CountInventory(location=WAREHOUSE, items=[], empty=True))
    site.process.run("admin", WithdrawRole(username="auditor.li", role="warehouse_clerk"))
    with pytest.raises(AccessRefused, match="may not write inventory_counted"):
        site.process.run("auditor.li", CountInventory(location=WAREHOUSE, items=[], empty=True))
    assert _audit(site).ok


# -- tamper: named for the attack ------------------------------------------------------------------


def test_a_role_granted_in_the_database_only_fails_verify(site: Site) -> None:
    row = _account_row(site, "auditor.li")
    _write_account_row(site, "auditor.li", {**row, "roles": ["administrator", "auditor"]})
    number, _, reason = _failed_at(_audit(site))
    assert number == STATE
    assert "accounts row auditor.li differs" in reason


def test_an_accounts_place_changed_in_the_database_fails_verify(site: Site) -> None:
    _other_warehouse(site)
    row = _account_row(site, "sklad.omarov")
    _write_account_row(site, "sklad.omarov", {**row, "places": [*row["places"], OTHER_WAREHOUSE]})
    number, _, reason = _failed_at(_audit(site))
    assert (number, "accounts row sklad.omarov differs" in reason) == (STATE, True)
    # The tables are a cache: the lie lets the clerk act there, and once the row is put
    # back the entry written meanwhile still names a place the ledger never gave him.
    seq = _size(site)
    site.process.run("sklad.omarov", CountInventory(location=OTHER_WAREHOUSE, items=[], empty=True))
    _write_account_row(site, "sklad.omarov", row)
    number, failed_seq, reason = _failed_at(_audit(site))
    assert (number, failed_seq) == (ACCESS, seq)
    assert f"sklad.omarov does not work at {OTHER_WAREHOUSE}" in reason


def test_an_entry_by_an_actor_without_the_role_at_that_seq_fails_verify(site: Site) -> None:
    # Done legitimately while the clerk works there; then the place is withdrawn, and an
    # attacker holding the ledger key writes one more in his name.
    site.process.run("sklad.omarov", CountInventory(location=WAREHOUSE, items=[], empty=True))
    site.process.run("admin", WithdrawPlace(username="sklad.omarov", place=WAREHOUSE))
    assert _audit(site).ok
    signer = site.ledger.signer
    assert signer is not None
    data = {"scanned": 0, "recorded": 0, "missing": [], "unexpected": [], "unknown": []}
    with site.ledger.database.engine.begin() as conn:
        forged = append_unchecked(
            conn, signer, "inventory_counted", "sklad.omarov", WAREHOUSE, data
        )
        seq = forged.seq
        append_unchecked(conn, signer, "inventory_counted", "auditor.li", WAREHOUSE, data)
    number, failed_seq, reason = _failed_at(_audit(site))
    assert (number, failed_seq) == (ACCESS, seq)
    assert "sklad.omarov does not work at WH-ALM" in reason


def test_the_replay_beside_the_ledgers_steps_fails_the_same_steps(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a large ledger the replay, access and files run in a process of their own while the
    # ledger's steps run; the threshold is lowered so that this small ledger takes that path.
    monkeypatch.setattr("custody.verification.audit.PARALLEL_FROM", 0)
    assert _audit(site, workers=2).ok
    row = _account_row(site, "sklad.omarov")
    _other_warehouse(site)
    _write_account_row(site, "sklad.omarov", {**row, "places": [*row["places"], OTHER_WAREHOUSE]})
    number, _, reason = _failed_at(_audit(site, workers=2))
    assert (number, "accounts row sklad.omarov differs" in reason) == (STATE, True)
    seq = _size(site)
    site.process.run("sklad.omarov", CountInventory(location=OTHER_WAREHOUSE, items=[], empty=True))
    _write_account_row(site, "sklad.omarov", row)
    number, failed_seq, reason = _failed_at(_audit(site, workers=2))
    assert (number, failed_seq) == (ACCESS, seq)
    assert f"sklad.omarov does not work at {OTHER_WAREHOUSE}" in reason


# -- the state tables against the replay -----------------------------------------------------------


def _execute(site: Site, sql: str, **params: Any) -> None:
    with site.ledger.database.engine.begin() as conn:
        conn.execute(text(sql), params)


def _state_failure(site: Site, sql: str, **params: Any) -> str:
    _execute(site, sql, **params)
    number, _, reason = _failed_at(_audit(site))
    assert number == STATE
    return reason


def test_an_item_row_deleted_added_or_moved_in_the_database_fails_the_state_replay(
    site: Site,
) -> None:
    rifle = site.register_rifle()
    with site.ledger.database.read() as conn:
        row = dict(
            conn.execute(text("SELECT * FROM wf_items WHERE id = :i"), {"i": rifle}).one()._mapping
        )
    reason = _state_failure(site, "DELETE FROM wf_items WHERE id = :i", i=rifle)
    assert reason == f"items row {rifle} is missing"
    names = ", ".join(row)
    marks = ", ".join(f":{name}" for name in row)
    _execute(site, f"INSERT INTO wf_items ({names}) VALUES ({marks})", **row)
    assert _audit(site).ok
    reason = _state_failure(
        site, f"INSERT INTO wf_items ({names}) VALUES ({marks})", **{**row, "id": "KZ-GHOST"}
    )
    assert reason == "items row KZ-GHOST is not in the ledger"
    _execute(site, "DELETE FROM wf_items WHERE id = 'KZ-GHOST'")
    reason = _state_failure(site, "UPDATE wf_items SET location = 'WH-KRG' WHERE id = :i", i=rifle)
    assert reason == f"items row {rifle} differs from what the ledger says"


def test_a_row_holding_the_same_document_in_another_key_order_holds(site: Site) -> None:
    rifle = site.register_rifle()
    with site.ledger.database.read() as conn:
        data = conn.execute(
            text("SELECT data FROM wf_items WHERE id = :i"), {"i": rifle}
        ).scalar_one()
    reordered = dict(reversed(list(orjson.loads(data).items())))
    assert orjson.dumps(reordered) != data.encode()
    with site.ledger.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE wf_items SET data = :d WHERE id = :i"),
            {"d": orjson.dumps(reordered).decode(), "i": rifle},
        )
    assert _audit(site).ok
