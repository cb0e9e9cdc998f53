"""The transit watch (issue 19, diversion risk): a transfer sent and never received is on the
sending place's list as a deadline, `transit`, like R1 and R2: listed with its reason,
shown on the home page's queue, notified and escalated to the sending place's staff,
supervisor and head; met by the receipt, cancelled by a loss; derived again from an
existing ledger. It is the ministry's configured watch (CUSTODY_TRANSIT_HOURS), not a rule
of the law: it has no R-number. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import text

import workflows.commands as c
from api.access import roles
from api.deadline_reasons import reasons
from api.notices import outbox
from api.notices.config import NoticeConfig
from api.notices.worker import one_pass
from api.system import MIGRATIONS, System
from api.web import queues
from custody import migrate
from custody.clock import format_time, parse_time
from custody.entries import EntryBody
from tests.support.driver import Driver
from tests.support.mailbox import mailbox
from tests.support.processes import environment, run
from tests.support.site import DECISION, UNIT, WAREHOUSE, Site
from workflows import fold
from workflows.config import ProcessConfig
from workflows.deadline_replay import derive, rederive
from workflows.deadlines import TRANSIT, TRANSIT_HOURS
from workflows.model import Deadline
from workflows.replay import check_state, replay
from workflows.repository import Repository
from workflows.world import World

PEOPLE = {"staff": "unit.ospanov", "supervisor": "chief.bekov", "regional_head": "head.amanov"}


def _sent(site: Site, transfer: str = "T-ROAD") -> str:
    """A rifle decided, final and sent from the unit to the warehouse, not received."""
    rifle = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [rifle], DECISION)
    site.process.decision_step("unit.serikbaev", "decision_final", [rifle])
    site.process.send("unit.serikbaev", transfer, WAREHOUSE, [rifle])
    return rifle


def _transit(site: Site, item: str) -> Deadline | None:
    with site.ledger.database.read() as conn:
        found = [
            d
            for d in Repository(conn).deadlines(open_only=False)
            if (d.item, d.rule) == (item, TRANSIT)
        ]
    return found[0] if found else None


def test_a_transfer_sent_and_never_received_becomes_overdue_at_the_sending_place(
    site: Site,
) -> None:
    rifle = _sent(site)
    watch = _transit(site, rifle)
    assert watch is not None
    hours = parse_time(str(watch.due_at)) - parse_time(watch.started_at)
    assert hours == dt.timedelta(hours=TRANSIT_HOURS) == dt.timedelta(days=3)
    assert (watch.place, watch.status(site.clock())) == (UNIT, "running")
    site.clock.advance(hours=TRANSIT_HOURS + 1)
    listed = {(d.item, d.rule): d for d in site.process.deadlines()}
    assert listed[(rifle, TRANSIT)].status(site.clock()) == "overdue"
    shown = reasons(listed[(rifle, TRANSIT)], site.clock(), [])
    assert shown["status"] == "overdue"
    assert shown["facts"][0]["transfer"] == "T-ROAD"
    assert any("not a rule of the law" in line for line in shown["why"])
    # Received at last: met, late, and off the list of open deadlines.
    site.process.receive("sklad.omarov", "T-ROAD", [rifle])
    met = _transit(site, rifle)
    assert met is not None
    assert met.status(site.clock()) == "met_late"
    assert (rifle, TRANSIT) not in {(d.item, d.rule) for d in site.process.deadlines()}


def test_the_sending_places_home_queue_shows_the_item_on_the_road(site: Site) -> None:
    rifle = _sent(site)
    site.clock.advance(hours=TRANSIT_HOURS + 1)
    home = queues.for_role(site.process, roles.UNIT_OFFICER, [UNIT])
    [road] = [q for q in home.queues if q.spec.key == "transit"]
    assert [row.item.id for row in road.rows] == [rifle]
    assert road.rows[0].deadline is not None
    assert road.rows[0].deadline.rule == TRANSIT
    assert road.rows[0].remaining(site.clock()) < dt.timedelta(0)  # overdue
    # The receiving warehouse's own queue of the kind holds what it sent, not this.
    clerk = queues.for_role(site.process, roles.WAREHOUSE_CLERK, [WAREHOUSE])
    [theirs] = [q for q in clerk.queues if q.spec.key == "transit"]
    assert theirs.rows == []


def test_the_term_is_the_one_configured_when_sent_and_kept_in_the_entry(site: Site) -> None:
    shorter = Driver(site.ledger, site.files, ProcessConfig(transit_hours=24), site.clock)
    rifle = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [rifle], DECISION)
    site.process.decision_step("unit.serikbaev", "decision_final", [rifle])
    shorter.send("unit.serikbaev", "T-24", WAREHOUSE, [rifle])
    watch = _transit(site, rifle)
    assert watch is not None
    assert parse_time(str(watch.due_at)) - parse_time(watch.started_at) == dt.timedelta(hours=24)
    with site.ledger.database.read() as conn:
        body = conn.execute(
            text("SELECT body FROM ledger_entries WHERE kind = 'transfer_sent'")
        ).scalar_one()
    assert json.loads(bytes(body))["data"]["transit_hours"] == 24


def test_a_transfer_item_declared_lost_cancels_the_watch_and_keeps_the_miss(
    site: Site,
) -> None:
    rifle = _sent(site, "T-LOST")
    site.clock.advance(hours=TRANSIT_HOURS + 30)
    [opened] = site.process.close_transfer("sklad.omarov", "T-LOST")
    assert _transit(site, rifle).status(site.clock()) == "overdue"  # type: ignore[union-attr]
    site.process.resolve_discrepancy("official.zhakupov", opened, "lost", "не прибыло")
    watch = _transit(site, rifle)
    assert watch is not None
    assert watch.status(site.clock()) == "missed_cancelled"
    [miss] = watch.misses()
    assert (miss["fact"], miss["days_overdue"]) == ("lost", 2)


def test_an_overdue_transit_climbs_to_the_sending_places_supervisor_and_head(
    site: Site,
) -> None:
    migrate.upgrade(site.ledger.database, MIGRATIONS)
    for level, person in PEOPLE.items():
        places = [UNIT] if level == "staff" else []
        account = c.CreateAccount(username=person, name=person, roles=["official"], places=places)
        site.process.run("admin", account)
        site.process.run("admin", c.AssignSupervisor(location=UNIT, person=person, level=level))
    with site.ledger.database.write() as conn:
        for person in PEOPLE.values():
            outbox.set_contact(conn, person, f"{person}@police.kz", format_time(site.clock()))
    system = System(site.ledger, site.process)
    rifle = _sent(site)
    site.clock.advance(hours=TRANSIT_HOURS + 1)
    with mailbox() as box:
        config = NoticeConfig(smtp_url=box.url)
        one_pass(system, config)
        site.clock.advance(hours=25)
        one_pass(system, config)
        site.clock.advance(hours=25)
        one_pass(system, config)
        got = [(m["To"], m["Subject"]) for m in box.messages]
        body = box.messages[0].get_content()
    assert [to for to, _ in got] == [
        "unit.ospanov@police.kz",
        "chief.bekov@police.kz",
        "head.amanov@police.kz",
    ]
    assert all(f"transit {rifle}" in subject for _, subject in got)
    for said in ("контроль в пути", "жолдағы бақылау", "transit watch"):
        assert said in body
    # Received: nothing more is written for it.
    site.process.receive("sklad.omarov", "T-ROAD", [rifle])
    site.clock.advance(hours=100)
    assert one_pass(system, NoticeConfig()).written == 0


def test_rederive_makes_the_watch_of_an_existing_ledger(site: Site, tmp_path: Path) -> None:
    on_road, arrived = _sent(site, "T-A"), _sent(site, "T-B")
    site.process.receive("sklad.omarov", "T-B", [arrived])
    database = site.ledger.database
    with database.write() as conn:  # a database made before the watch: no transit rows
        conn.execute(text("DELETE FROM wf_deadlines WHERE rule = 'transit'"))
    url = database.engine.url.render_as_string(hide_password=False)
    database.dispose()
    done = run(environment(tmp_path, url), "deadlines", "--rederive", "--why")
    assert done.returncode == 0, done.stderr
    assert f"RUNNING   transit {on_road}" in done.stdout
    assert "the ministry's transit watch" in done.stdout
    assert _transit(site, arrived).met_at is not None  # type: ignore[union-attr]
    assert check_state(replay(database), database) is None
    assert rederive(database) == _count(site)


def _count(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM wf_deadlines")).scalar_one())


def test_an_entry_written_before_the_watch_counts_the_default_term() -> None:
    unit = {"kind": "unit", "name": "unit", "region": "region", "time_zone": "Asia/Almaty"}
    store = {**unit, "kind": "warehouse"}
    intake = {"category": "firearm", "rifled": True, "source": "found", "location": "U"}
    sent = {"transfer": "T-1", "origin": "U", "destination": "W"}  # no transit_hours
    decision = {"ref": "1", "authority": "court", "date": "2025-03-01"}
    entries: list[tuple[str, str, dict[str, Any]]] = [
        ("location_added", "U", unit),
        ("location_added", "W", store),
        ("item_registered", "KZ-1", {**intake, "weight_g": 1}),
        ("decision_recorded", "KZ-1", decision),
        ("transfer_sent", "KZ-1", sent),
    ]
    bodies = [
        EntryBody(seq, f"2025-03-02T0{seq}:00:00.000000Z", "clerk", kind, item, None, None, data)
        for seq, (kind, item, data) in enumerate(entries)
    ]
    world = World()
    for body in bodies:
        fold.apply(world, body)
    derived = derive(dataclasses.asdict(body) for body in bodies)
    assert derived[("KZ-1", TRANSIT)].due_at == "2025-03-05T04:00:00.000000Z"
    assert {k: d.to_json() for k, d in derived.items()} == {
        k: d.to_json() for k, d in world.table("deadlines").items()
    }


def test_a_later_transfer_keeps_the_earlier_missed_watch_on_record(site: Site) -> None:
    """fix19h LOW: the second transfer's row had replaced the first, missed, watch: the
    miss was gone from the record. It stays in the new row's facts and reasons, and the
    fold, the rederived rows and `custody verify`'s replay agree."""
    rifle = _sent(site, "T-LATE")
    site.clock.advance(hours=TRANSIT_HOURS + 5)  # received 5 hours past the watch
    site.process.receive("sklad.omarov", "T-LATE", [rifle])
    site.process.add_location("admin", "WH-SEC", "warehouse", "Склад №2", "Алматы")
    site.process.send("sklad.omarov", "T-ON", "WH-SEC", [rifle])  # sent on to another
    watch = _transit(site, rifle)
    assert watch is not None
    assert watch.facts[0]["transfer"] == "T-ON"
    [missed] = [f for f in watch.facts if f["fact"] == "earlier_transit"]
    assert missed["transfer"] == "T-LATE"
    assert missed["hours_overdue"] == 5
    assert missed["received_at"] is not None
    said = reasons(watch, site.clock(), [])
    assert any("T-LATE" in line and "MISSED" in line for line in said["why"])
    database = site.ledger.database
    assert check_state(replay(database), database) is None
    rederive(database)  # the rows derived again, in one pass, are the fold's
    assert _transit(site, rifle) == watch


def test_a_later_transfer_after_one_met_in_time_keeps_nothing_more(site: Site) -> None:
    rifle = _sent(site, "T-FAST")
    site.process.receive("sklad.omarov", "T-FAST", [rifle])
    site.process.add_location("admin", "WH-SEC", "warehouse", "Склад №2", "Алматы")
    site.process.send("sklad.omarov", "T-ON2", "WH-SEC", [rifle])
    watch = _transit(site, rifle)
    assert watch is not None
    assert [f["fact"] for f in watch.facts] == ["sent"]
