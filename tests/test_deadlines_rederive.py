"""The deadline rows derived again in one pass (workflows.deadline_replay) are the rows the
whole fold makes: after every kind of history the process can give a deadline, through the
real commands on SQLite and PostgreSQL, and over random appeals, suspensions and finality
against the fold itself (the same histories the day-count property draws)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given
from sqlalchemy import text

import workflows.commands as c
from custody.clock import format_time
from custody.entries import EntryBody
from tests.support.processes import environment, run
from tests.support.site import DECISION, WAREHOUSE, Site
from tests.test_deadlines_by_law import ALMATY, _noon, histories
from workflows import fold
from workflows.deadline_replay import derive, rederive
from workflows.replay import check_state, replay
from workflows.world import World


def _rows(site: Site) -> list[tuple[Any, ...]]:
    with site.ledger.database.read() as conn:
        rows = conn.execute(
            text("SELECT item, rule, due_at, closed, data FROM wf_deadlines ORDER BY item, rule")
        ).all()
    return [(*row[:4], orjson.loads(row[4])) for row in rows]


def test_rederive_writes_the_rows_of_the_whole_fold(site: Site) -> None:
    appealed, forensics, tested, reversed_, lost, smoothbore = (
        site.register_rifle() for _ in range(6)
    )
    today = site.clock().astimezone(ALMATY).date()
    site.process.record_decision(
        "unit.serikbaev",
        [appealed, reversed_, lost],
        {**DECISION, "date": (today - dt.timedelta(days=8)).isoformat()},
    )
    site.process.decision_step(
        "unit.serikbaev", "decision_appealed", [appealed], date=today.isoformat()
    )
    site.process.decision_step("unit.serikbaev", "decision_final", [appealed])
    site.process.decision_step("unit.serikbaev", "decision_reversed", [reversed_])
    opened = site.process.record_discrepancy("unit.serikbaev", lost, "не найден")
    site.process.resolve_discrepancy("official.zhakupov", opened, "lost", "утрата")
    site.to_warehouse(forensics, tested)  # R1 met, R2 running
    site.through_forensics(tested)  # R2 met
    site.register_rifle(rifled=False)
    site.to_warehouse(smoothbore)  # no R2 for a smoothbore gun
    before = _rows(site)
    assert {rule for _, rule, *_ in before} == {"R1", "R2", "transit"}
    assert any(row[3] is None for row in before)
    assert any(row[3] for row in before)
    database = site.ledger.database
    with database.write() as conn:
        conn.execute(text("UPDATE wf_deadlines SET due_at = NULL, data = '{}'"))
        conn.execute(text("DELETE FROM wf_deadlines WHERE rule IN ('R2', 'transit')"))
    assert rederive(database) == len(before)
    assert _rows(site) == before
    assert check_state(replay(database), database) is None


def test_rederive_mends_only_the_rows_that_differ_and_removes_the_ones_not_made(
    site: Site,
) -> None:
    kept, changed, missing = (site.register_rifle() for _ in range(3))
    decided = site.clock().astimezone(ALMATY).date() - dt.timedelta(days=2)
    site.process.record_decision(
        "unit.serikbaev", [kept, changed, missing], {**DECISION, "date": decided.isoformat()}
    )
    before = _rows(site)
    database = site.ledger.database
    with database.write() as conn:
        conn.execute(text("UPDATE wf_deadlines SET data = '{}' WHERE item = :i"), {"i": changed})
        conn.execute(text("DELETE FROM wf_deadlines WHERE item = :i"), {"i": missing})
        conn.execute(  # a row the ledger does not make
            text(
                "INSERT INTO wf_deadlines (item, rule, due_at, closed, data) "
                "SELECT 'KZ-NOWHERE', rule, due_at, closed, data FROM wf_deadlines "
                "WHERE item = :i"
            ),
            {"i": kept},
        )
    assert rederive(database) == len(before)
    assert _rows(site) == before


def test_custody_deadlines_rederive_mends_the_rows(site: Site, tmp_path: Path) -> None:
    rifle = site.register_rifle()
    decided = site.clock().astimezone(ALMATY).date() - dt.timedelta(days=3)
    site.process.record_decision(
        "unit.serikbaev", [rifle], {**DECISION, "date": decided.isoformat()}
    )
    before = _rows(site)
    database = site.ledger.database
    with database.write() as conn:
        conn.execute(text("UPDATE wf_deadlines SET due_at = NULL, data = '{}'"))
    url = database.engine.url.render_as_string(hide_password=False)
    database.dispose()
    done = run(environment(tmp_path, url), "deadlines", "--rederive", "--why")
    assert done.returncode == 0, done.stderr
    assert "derived from the ledger: 1 deadlines" in done.stdout
    assert f"decision of {decided.isoformat()}" in done.stdout
    assert _rows(site) == before


@given(histories())
def test_derive_agrees_with_the_fold(
    history: tuple[str, dt.date, list[tuple[str, dt.date | None, int]], int],
) -> None:
    zone, decided, steps, delay = history
    place = {"kind": "unit", "name": "unit", "region": "region", "time_zone": zone}
    intake = {"category": "firearm", "rifled": True, "source": "found", "location": "U"}
    decision = {"ref": "1", "authority": "court", "date": decided.isoformat()}
    entries: list[tuple[str, str, dict[str, Any], dt.datetime]] = [
        ("location_added", "U", place, _noon(decided, zone, 0)),
        ("item_registered", "KZ-1", {**intake, "weight_g": 1}, _noon(decided, zone, 0)),
        ("decision_recorded", "KZ-1", decision, _noon(decided, zone, delay)),
    ]
    last = entries[-1][3]
    for kind, day, after in steps:
        last = max(last, _noon(day or decided, zone, after))
        entries.append((kind, "KZ-1", {} if day is None else {"date": day.isoformat()}, last))
    world = World()
    bodies = [
        EntryBody(seq, format_time(at), "clerk", kind, item, None, None, data)
        for seq, (kind, item, data, at) in enumerate(entries)
    ]
    for body in bodies:
        fold.apply(world, body)
    derived = derive(dataclasses.asdict(body) for body in bodies)
    assert {k: d.to_json() for k, d in derived.items()} == {
        k: d.to_json() for k, d in world.table("deadlines").items()
    }


def test_r2_follows_a_rifle_moved_to_another_warehouse_before_forensics(site: Site) -> None:
    # Issue 19 re-attack: moved from WH-ALM to WH-2 before forensic dispatch, R2's
    # responsible place stayed WH-ALM, whose staff were told of a rifle they no longer held.
    place = {"location": "WH-2", "kind": "warehouse", "name": "Склад 2", "region": "Алматы"}
    site.process.run("admin", c.AddLocation.model_validate(place))
    site.process.run("admin", c.AssignPlace(username="sklad.omarov", place="WH-2"))
    rifle = site.register_rifle()
    site.to_warehouse(rifle)
    [first] = [d for d in site.process.deadlines() if d.rule == "R2"]
    assert first.place == WAREHOUSE
    site.clock.advance(hours=5)
    site.process.send("sklad.omarov", "T-WH2", "WH-2", [rifle])
    site.process.receive("sklad.omarov", "T-WH2", [rifle])
    [moved] = [d for d in site.process.deadlines() if d.rule == "R2"]
    assert (moved.place, moved.due_at, moved.started_at) == ("WH-2", first.due_at, first.started_at)
    database = site.ledger.database
    before = _rows(site)
    with database.write() as conn:
        conn.execute(text("UPDATE wf_deadlines SET data = '{}'"))
    rederive(database)  # the rederive pass agrees with the fold
    assert _rows(site) == before
    assert check_state(replay(database), database) is None
