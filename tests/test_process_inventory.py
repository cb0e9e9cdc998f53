"""Transfers checked item by item, discrepancies and losses, files, deadlines that survive a
restart, and the replay that proves the state tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from custody.verify import Audit, Report
from tests.support.driver import Driver
from tests.support.site import COMMISSION, DECISION, PLANT, UNIT, WAREHOUSE, Site, png
from workflows.errors import InvalidRequest, RuleViolation
from workflows.intake import Intake
from workflows.replay import verify_steps


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _audit(site: Site) -> Report:
    return Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run()


def _sent(site: Site, count: int) -> tuple[str, list[str]]:
    guns = [site.register_rifle(source="surplus") for _ in range(count)]
    site.process.record_decision("unit.serikbaev", guns, DECISION)
    site.process.send("unit.serikbaev", "T-1", WAREHOUSE, guns)
    return "T-1", guns


def test_an_item_sent_but_not_received_becomes_a_discrepancy(site: Site) -> None:
    transfer, guns = _sent(site, 3)
    site.process.receive("sklad.omarov", transfer, guns[:2])
    [opened] = site.process.close_transfer("sklad.omarov", transfer)
    missing = site.process.item(guns[2])
    assert (missing.state, missing.discrepancy) == ("discrepancy", opened)
    with pytest.raises(RuleViolation) as refusal:  # at its unit still, but blocked
        site.process.send("unit.serikbaev", "T-2", WAREHOUSE, [guns[2]])
    assert refusal.value.rule == "INVENTORY"
    site.process.resolve_discrepancy("official.zhakupov", opened, "found", "нашёлся в машине")
    assert site.process.item(guns[2]).state == "in_transit"
    site.process.receive("sklad.omarov", transfer, [guns[2]])  # late, on its closed transfer
    assert site.process.item(guns[2]).location == WAREHOUSE
    assert _audit(site).ok


def test_an_item_received_but_not_sent_becomes_a_discrepancy(site: Site) -> None:
    transfer, guns = _sent(site, 1)
    stray = site.register_rifle(source="surplus")
    opened = site.process.receive("sklad.omarov", transfer, [guns[0], stray])
    assert len(opened) == 1
    assert site.process.item(stray).state == "discrepancy"
    site.process.close_transfer("sklad.omarov", transfer)
    closed = site.process.transfer(transfer)
    assert (closed.state, closed.received, closed.unexpected) == ("closed", guns, [stray])
    assert _audit(site).ok


def test_a_lost_item_is_final_and_its_deadlines_are_cancelled(site: Site) -> None:
    rifle = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [rifle], DECISION)
    opened = site.process.record_discrepancy(
        "unit.serikbaev", rifle, "не найдено при инвентаризации"
    )
    site.process.resolve_discrepancy("official.zhakupov", opened, "lost", "утрата, рапорт №5")
    assert site.process.item(rifle).state == "lost"
    assert site.process.deadlines() == []
    with pytest.raises(RuleViolation, match="lost"):
        site.process.record_discrepancy("unit.serikbaev", rifle, "ещё раз")


def test_deadlines_survive_a_restart(site: Site) -> None:
    rifle = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [rifle], DECISION)
    site.clock.advance(days=11)
    restarted = Driver(site.ledger, site.files, clock=site.clock)  # nothing kept in memory
    [deadline] = restarted.deadlines()
    assert (deadline.item, deadline.rule, deadline.status(site.clock())) == (rifle, "R1", "overdue")


def test_replay_equals_the_state_tables_after_a_whole_destruction(site: Site) -> None:
    rifle = site.register_rifle()
    batch = site.destroy(rifle)
    site.sign(batch, "chair.nurlanov", "member.abenova")
    report = _audit(site)
    assert report.ok, report.first_failure
    assert [s.name for s in report.steps[-3:]] == ["state replay", "access", "files"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE wf_items SET state = 'destroyed'",
        'UPDATE wf_items SET data = replace(data, \'"source":"surplus"\', \'"source":"found"\')',
        "DELETE FROM wf_deadlines",
        "INSERT INTO wf_locations (id, kind, data) VALUES ('X', 'unit', '{}')",
    ],
    ids=["edited_state", "edited_document", "deleted_deadline", "invented_location"],
)
def test_replay_catches_a_state_table_that_lies(site: Site, statement: str) -> None:
    rifle = site.register_rifle(source="surplus")
    site.process.record_decision("unit.serikbaev", [rifle], DECISION)
    with site.ledger.database.engine.begin() as conn:
        conn.execute(text(statement))
    report = _audit(site)
    failure = report.first_failure
    assert failure is not None
    assert failure.name == "state replay"


def test_a_swapped_or_deleted_photo_shows(site: Site) -> None:
    rifle = site.register_rifle()
    photo = site.process.item(rifle).files[0]
    path = site.files.path(photo["sha256"])
    path.write_bytes(png("a different photo"))
    report = _audit(site)
    assert report.first_failure is not None
    assert (report.first_failure.name, report.first_failure.seq) == ("files", photo["seq"])
    path.unlink()
    assert "missing" in str(_audit(site).first_failure.reason)  # type: ignore[union-attr]


def test_a_file_is_judged_by_its_bytes_not_its_name(site: Site) -> None:
    with pytest.raises(InvalidRequest, match="only JPEG, PNG, PDF and MP4"):
        site.files.put(b"MZ\x90\x00 this is an executable, whatever it is called", "marking")
    ref = site.files.put(png("ok"), "marking")
    assert ref.media_type == "image/png"


def test_a_file_must_be_uploaded_before_a_step_names_it(site: Site) -> None:
    fake = {"sha256": "ab" * 32, "size": 10, "media_type": "image/png", "role": "marking"}
    with pytest.raises(InvalidRequest, match="has not been uploaded"):
        site.process.register("unit.serikbaev", _intake(files=[fake]))


def _intake(**changes: object):  # type: ignore[no-untyped-def]

    fields: dict[str, object] = {
        "item": "KZ-F",
        "category": "firearm",
        "source": "found",
        "location": UNIT,
        "weight_g": 800,
        "marking": "ИЖ №5",
        "files": [],
    }
    fields.update(changes)
    return Intake(**fields)  # type: ignore[arg-type]


def test_presence_at_a_batch_is_recorded_all_or_nothing(site: Site) -> None:
    gun = site.register_rifle(source="surplus")
    site.to_warehouse(gun)
    site.prepare(gun)
    site.process.open_batch("sklad.omarov", "B-P", "furnace", PLANT, "ДСП-3", COMMISSION)
    before = _size(site)
    twice = [("chair.nurlanov", "commission_member"), ("chair.nurlanov", "commission_member")]
    with pytest.raises(InvalidRequest, match=r"chair\.nurlanov is recorded present already"):
        site.process.record_presence("sklad.omarov", "B-P", twice)
    with pytest.raises(InvalidRequest, match="a role at a batch is one of"):
        site.process.record_presence("sklad.omarov", "B-P", [("member.kim", "guest")])
    assert _size(site) == before
    assert site.process.batch("B-P").present == []
    both = [("chair.nurlanov", "commission_member"), ("plant.ivanov", "plant_representative")]
    site.process.record_presence("sklad.omarov", "B-P", both)
    assert _size(site) == before + 2
    present = site.process.batch("B-P").present
    assert [(p["person"], p["role"]) for p in present] == both


def test_an_inventory_count_opens_a_discrepancy_for_what_is_missing_and_what_is_extra(
    site: Site,
) -> None:
    transfer, guns = _sent(site, 3)
    site.process.receive("sklad.omarov", transfer, guns)
    elsewhere = site.register_rifle(source="surplus")  # recorded at the unit
    before = _size(site)
    counted = site.process.count_inventory(
        "sklad.omarov", WAREHOUSE, [guns[0], guns[1], elsewhere, "KZ-NONE"]
    )
    assert counted["missing"] == [guns[2]]
    assert counted["unexpected"] == [elsewhere]
    assert counted["unknown"] == ["KZ-NONE"]
    # the unit's rifle: listed, but a clerk's scan does not block a place they do not work at
    assert counted["elsewhere"] == [elsewhere]
    assert len(counted["opened"]) == 1
    assert site.process.item(guns[2]).state == "discrepancy"
    assert site.process.item(elsewhere).state != "discrepancy"
    assert site.process.item(guns[0]).state == "at_warehouse"
    assert _size(site) == before + 2  # the count and one discrepancy
    assert _audit(site).ok
    again = site.process.count_inventory("sklad.omarov", WAREHOUSE, [guns[0], guns[1]])
    assert again["missing"] == []
    assert again["opened"] == []


def test_a_weapon_recorded_destroyed_found_at_a_count_is_named_and_suspected_r11(
    site: Site,
) -> None:
    rifle = site.register_rifle(source="surplus")
    batch = site.destroy(rifle)
    site.sign(batch, "chair.nurlanov", "member.abenova")
    assert site.process.item(rifle).state == "destroyed"
    counted = site.process.count_inventory("sklad.omarov", WAREHOUSE, [rifle])
    assert counted["destroyed_found"] == [rifle]
    assert list(counted["suspected"]) == [rifle]
    [suspicion] = site.process.suspicions()
    assert (suspicion.subject, suspicion.id) == (rifle, counted["suspected"][rifle])
    assert suspicion.details["found_at"] == "inventory_counted"
    assert suspicion.details["old_batch"] == batch
    assert site.process.item(rifle).state == "destroyed"  # nothing refused, nothing undone
    with site.ledger.database.read() as conn:  # the count's entry names it
        bodies = [bytes(e.body) for e in site.ledger.entries(conn, 0, _size(site))]
    [count] = [b for b in bodies if b'"inventory_counted"' in b and b'"scanned"' in b]
    assert f'"destroyed_found":["{rifle}"]'.encode() in count
    assert _audit(site).ok
    again = site.process.count_inventory("sklad.omarov", WAREHOUSE, [rifle])
    assert again["destroyed_found"] == [rifle]
    assert again["suspected"] == {}
