"""R1 counted as the law counts days (workflows.terms, workflows.deadlines): from the day
after the decision's own date, or finality's after an appeal or suspension, to 24:00 of the
tenth day at the unit; late entries on record; dates in the future refused. The named
scenarios of issue 19 run through the process on SQLite and PostgreSQL; the property runs the
fold itself over random appeals, suspensions and finality against a day count of its own."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import workflows.commands as c
from api.system import MIGRATIONS
from custody import migrate
from custody.clock import format_time
from custody.entries import EntryBody, decode
from custody.store import Store
from custody.verify import Audit
from tests.support.driver import Driver
from tests.support.forge import append_unchecked
from tests.support.processes import CUSTODY, environment, run
from tests.support.site import DECISION, WAREHOUSE, Site
from workflows import fold, terms
from workflows.config import ProcessConfig
from workflows.errors import InvalidRequest, ZonesOutdated
from workflows.intake import Intake
from workflows.model import Location
from workflows.replay import refold, verify_steps
from workflows.world import World

ALMATY = ZoneInfo("Asia/Almaty")


def _midnight_after(day: dt.date, zone: ZoneInfo = ALMATY) -> dt.datetime:
    """00:00 of the day after `day` at the place: the end of `day`, counted independently."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)


def _today(site: Site) -> dt.date:
    return site.clock().astimezone(ALMATY).date()


def _status_at(site: Site, moment: dt.datetime) -> str:
    site.clock.now = moment.astimezone(dt.UTC)
    [deadline] = site.process.deadlines()
    return deadline.status(site.clock())


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _decide(site: Site, rifle: str, day: dt.date) -> None:
    site.process.record_decision("unit.serikbaev", [rifle], {**DECISION, "date": day.isoformat()})


# -- the named scenarios ------------------------------------------------------------------------


def test_decision_entered_eight_days_late_is_overdue_two_days_after_entry(site: Site) -> None:
    rifle = site.register_rifle()
    entered = _today(site)
    _decide(site, rifle, entered - dt.timedelta(days=8))
    [deadline] = site.process.deadlines()
    [fact] = deadline.facts
    assert (fact["delay_days"], fact["entered_late"]) == (8, True)
    assert site.process.item(rifle).decision["late_entries"][0]["delay_days"] == 8  # type: ignore[index]
    end = _midnight_after(entered + dt.timedelta(days=2))
    assert _status_at(site, end - dt.timedelta(microseconds=1)) == "running"
    assert _status_at(site, end + dt.timedelta(microseconds=1)) == "overdue"  # two, not ten


def test_appeal_on_day_3_and_finality_20_days_later_leave_10_full_days(site: Site) -> None:
    rifle = site.register_rifle()
    decided = _today(site)
    _decide(site, rifle, decided)
    site.clock.advance(days=3)
    appeal_day = decided + dt.timedelta(days=3)
    site.process.decision_step(
        "unit.serikbaev", "decision_appealed", [rifle], date=appeal_day.isoformat()
    )
    site.clock.advance(days=20)
    final_day = appeal_day + dt.timedelta(days=20)
    site.process.decision_step(
        "unit.serikbaev", "decision_final", [rifle], date=final_day.isoformat()
    )
    [deadline] = site.process.deadlines()
    assert deadline.facts[-1]["paused_days"] == 20
    assert deadline.counted_from == final_day.isoformat()
    end = _midnight_after(final_day + dt.timedelta(days=10))
    assert _status_at(site, end - dt.timedelta(microseconds=1)) == "running"
    assert _status_at(site, end + dt.timedelta(microseconds=1)) == "overdue"


def test_deadline_ending_31_december_counts_to_the_end_of_that_day_in_almaty(site: Site) -> None:
    now = site.clock()
    year = now.year if now < dt.datetime(now.year, 12, 21, tzinfo=ALMATY) else now.year + 1
    site.clock.now = dt.datetime(year, 12, 21, 10, tzinfo=ALMATY).astimezone(dt.UTC)
    rifle = site.register_rifle()
    _decide(site, rifle, dt.date(year, 12, 21))
    [deadline] = site.process.deadlines()
    # 24:00 on 31 December in Almaty, UTC+5 since March 2024: 19:00 UTC that day.
    assert deadline.due_at == f"{year}-12-31T19:00:00.000000Z"
    last_minute = dt.datetime(year, 12, 31, 23, 59, 59, tzinfo=ALMATY)
    assert _status_at(site, last_minute) == "running"
    first_instant = dt.datetime(year + 1, 1, 1, 0, 0, 0, 1, tzinfo=ALMATY)
    assert _status_at(site, first_instant) == "overdue"


@pytest.mark.parametrize("ahead", [1, 2, 30])
def test_decision_dated_tomorrow_is_refused_and_writes_nothing(site: Site, ahead: int) -> None:
    # Issue 19 fix: one day ahead was refused as R1's, two or more (intake.check_decision)
    # without naming the rule.
    rifle = site.register_rifle()
    before = _size(site)
    with pytest.raises(InvalidRequest, match=r"^R1: .*is in the future"):
        _decide(site, rifle, _today(site) + dt.timedelta(days=ahead))
    assert _size(site) == before
    assert site.process.item(rifle).state == "registered"


def test_finality_dated_tomorrow_or_before_the_appeal_is_refused(site: Site) -> None:
    rifle = site.register_rifle()
    today = _today(site)
    _decide(site, rifle, today - dt.timedelta(days=5))
    site.process.decision_step(
        "unit.serikbaev",
        "decision_appealed",
        [rifle],
        date=(today - dt.timedelta(days=2)).isoformat(),
    )
    with pytest.raises(InvalidRequest, match="in the future"):
        site.process.decision_step(
            "unit.serikbaev",
            "decision_final",
            [rifle],
            date=(today + dt.timedelta(days=1)).isoformat(),
        )
    with pytest.raises(InvalidRequest, match="before the appealed"):
        site.process.decision_step(
            "unit.serikbaev",
            "decision_final",
            [rifle],
            date=(today - dt.timedelta(days=3)).isoformat(),
        )
    with pytest.raises(ValidationError, match="not a date of the calendar"):  # the grammar
        site.process.decision_step("unit.serikbaev", "decision_final", [rifle], date="2026-02-30")


def test_an_entry_on_time_is_not_marked_late(site: Site) -> None:
    rifle = site.register_rifle()
    _decide(site, rifle, _today(site) - dt.timedelta(days=3))  # CUSTODY_LATE_ENTRY_DAYS: 3
    [deadline] = site.process.deadlines()
    assert deadline.late_entries() == []
    assert deadline.facts[0]["delay_days"] == 3


# -- the 2024 change of Kazakhstan's zones ------------------------------------------------------


def test_almaty_moved_to_utc_plus_5_in_march_2024() -> None:
    assert terms.term_end(dt.date(2023, 12, 21), 10, "Asia/Almaty") == "2023-12-31T18:00:00.000000Z"
    assert terms.term_end(dt.date(2024, 12, 21), 10, "Asia/Almaty") == "2024-12-31T19:00:00.000000Z"
    assert (
        terms.term_end(dt.date(2024, 12, 21), 10, "Asia/Qostanay") == "2024-12-31T19:00:00.000000Z"
    )


def test_regions_name_their_zone() -> None:
    assert terms.zone_of_region("Kostanay region") == "Asia/Qostanay"
    assert terms.zone_of_region("Мангистауская область") == "Asia/Aqtau"
    assert terms.zone_of_region("Mars") is None


# -- the property: the fold's due time against an independent day count ----------------------

ZONES = ["Asia/Almaty", "Asia/Qostanay", "Asia/Aqtau", "Asia/Oral", "Asia/Aqtobe"]
# From each state of the decision, the steps the machine allows that keep the clock alive.
NEXT = {
    "decided": ("decision_appealed", "decision_suspended", "decision_final"),
    "appealed": ("decision_suspended", "decision_final"),
    "suspended": ("decision_appealed", "decision_final"),
}
STATE_OF = {"decision_appealed": "appealed", "decision_suspended": "suspended"}


@st.composite
def histories(draw: st.DrawFn) -> tuple[str, dt.date, list[tuple[str, dt.date | None, int]], int]:
    zone = draw(st.sampled_from(ZONES))
    decided = draw(st.dates(dt.date(2022, 1, 1), dt.date(2027, 12, 31)))
    steps: list[tuple[str, dt.date | None, int]] = []
    state, day = "decided", decided
    while state in NEXT and draw(st.booleans()):
        kind = draw(st.sampled_from(NEXT[state]))
        day = day + dt.timedelta(days=draw(st.integers(0, 40)))
        dated = draw(st.booleans()) or kind == "decision_final"  # old entries had no date
        steps.append((kind, day if dated else None, draw(st.integers(0, 12))))
        state = STATE_OF.get(kind, "final")
    return zone, decided, steps, draw(st.integers(0, 12))


def _entry(seq: int, kind: str, data: dict[str, object], at: dt.datetime) -> EntryBody:
    return EntryBody(seq, format_time(at), "clerk", kind, "KZ-1", None, None, data)


def _noon(day: dt.date, zone: str, delay: int) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=delay), dt.time(12), ZoneInfo(zone))


@given(histories())
def test_due_time_equals_an_independent_day_count(
    history: tuple[str, dt.date, list[tuple[str, dt.date | None, int]], int],
) -> None:
    zone, decided, steps, delay = history
    world = World()
    world.put("locations", Location("U", "unit", "unit", "region", time_zone=zone))
    intake = {"category": "edged", "source": "found", "location": "U", "weight_g": 1}
    fold.apply(world, _entry(1, "item_registered", intake, _noon(decided, zone, 0)))
    decision = {"ref": "1", "authority": "court", "date": decided.isoformat()}
    fold.apply(world, _entry(2, "decision_recorded", decision, _noon(decided, zone, delay)))
    # The count, written out: ten days from the day after the decision, or after finality
    # if an appeal or suspension came first; a pause without finality has no due time.
    start: dt.date | None = decided
    paused = False
    last_entry = _noon(decided, zone, delay)
    for seq, (kind, given_day, entered_after) in enumerate(steps, start=3):
        at = max(last_entry, _noon(given_day or decided, zone, entered_after))
        last_entry = at
        data = {} if given_day is None else {"date": given_day.isoformat()}
        fold.apply(world, _entry(seq, kind, data, at))
        # Written before entries carried their date: counted from the entry's own day.
        day = given_day or at.astimezone(ZoneInfo(zone)).date()
        if kind == "decision_final":
            start = day if paused else start
            paused = False
        else:
            paused, start = True, None
    deadline = world.deadline("KZ-1", "R1")
    assert deadline is not None
    if paused:
        assert deadline.due_at is None
        return
    assert start is not None
    end = dt.datetime.combine(start + dt.timedelta(days=11), dt.time(), ZoneInfo(zone))
    assert deadline.due_at == format_time(end.astimezone(dt.UTC))


# -- a place's zone is one of Kazakhstan's (issue 19, M5) -------------------------------------


def test_the_kazakhstan_zones_are_those_the_tz_database_gives_country_kz() -> None:
    import zoneinfo
    from pathlib import Path

    tables = [Path(root) / "zone1970.tab" for root in zoneinfo.TZPATH]
    [table, *_] = [t for t in tables if t.is_file()]
    rows = [line.split("\t") for line in table.read_text().splitlines()]
    kz = {row[2] for row in rows if not row[0].startswith("#") and "KZ" in row[0].split(",")}
    assert set(terms.KAZAKHSTAN_ZONES) == kz


@pytest.mark.parametrize("zone", ["Europe/Moscow", "Asia/Tashkent", "UTC", "Asia/Alma-Ata"])
def test_a_place_in_a_zone_outside_kazakhstan_is_refused(site: Site, zone: str) -> None:
    place = {"location": "UNIT-NEW", "kind": "unit", "name": "Новый", "region": "Алматы"}
    before = _size(site)
    with pytest.raises(InvalidRequest, match="R1: a place's time zone is one of Kazakhstan's"):
        site.process.run("admin", c.AddLocation.model_validate({**place, "time_zone": zone}))
    assert _size(site) == before


def test_a_place_in_each_zone_of_kazakhstan_is_taken(site: Site) -> None:
    for n, zone in enumerate(terms.KAZAKHSTAN_ZONES):
        place = {"location": f"UNIT-KZ{n}", "kind": "unit", "name": "Новый", "region": "x"}
        site.process.run("admin", c.AddLocation.model_validate({**place, "time_zone": zone}))
    zones = {p.id: p.time_zone for p in site.process.locations()}
    assert [zones[f"UNIT-KZ{n}"] for n in range(7)] == list(terms.KAZAKHSTAN_ZONES)


# -- the decision's dates in order, against every earlier step (issue 19, M4) -----------------


def _dated_step(site: Site, step: str, rifle: str, day: dt.date) -> None:
    site.process.decision_step("unit.serikbaev", step, [rifle], date=day.isoformat())


def test_a_suspension_dated_before_the_appeal_before_it_is_refused(site: Site) -> None:
    rifle = site.register_rifle()
    today = _today(site)
    _decide(site, rifle, today - dt.timedelta(days=20))
    _dated_step(site, "decision_appealed", rifle, today - dt.timedelta(days=5))
    before = _size(site)
    with pytest.raises(InvalidRequest, match=r"R1: .* is before the appealed of"):
        _dated_step(site, "decision_suspended", rifle, today - dt.timedelta(days=8))
    assert _size(site) == before
    # ...so no finality can then come before the appeal it ends, as with the latest pause.
    _dated_step(site, "decision_suspended", rifle, today - dt.timedelta(days=4))
    with pytest.raises(InvalidRequest, match="is before the suspended of"):
        _dated_step(site, "decision_final", rifle, today - dt.timedelta(days=5))


def test_a_second_pause_dated_before_the_one_it_follows_is_refused(site: Site) -> None:
    rifle = site.register_rifle()
    today = _today(site)
    _decide(site, rifle, today - dt.timedelta(days=20))
    _dated_step(site, "decision_appealed", rifle, today - dt.timedelta(days=10))
    _dated_step(site, "decision_suspended", rifle, today - dt.timedelta(days=6))
    before = _size(site)
    with pytest.raises(InvalidRequest, match="is before the suspended of"):
        _dated_step(site, "decision_appealed", rifle, today - dt.timedelta(days=8))
    with pytest.raises(InvalidRequest, match="is before the suspended of"):
        _dated_step(site, "decision_final", rifle, today - dt.timedelta(days=8))
    assert _size(site) == before
    _dated_step(site, "decision_final", rifle, today - dt.timedelta(days=6))  # same day: ok
    [deadline] = site.process.deadlines()
    assert deadline.facts[-1]["paused_days"] == 4  # stopped from the appeal, not the suspension


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_zone_refusal_is_said_in_each_language(language: str) -> None:
    from api.web import i18n

    message = f"R1: a place's time zone is one of Kazakhstan's: {', '.join(terms.KAZAKHSTAN_ZONES)}"
    said = i18n.reason(ValueError(message), language)
    assert said.startswith("R1: ")
    assert "Asia/Qostanay" in said
    assert (said == message) == (language == "en")


def _tzif(hours: int) -> bytes:
    """A TZif file (RFC 8536, version 2) of a zone always UTC+`hours`, no transitions: what
    a tz database older than 2024a has for Asia/Almaty since 2004 (UTC+6)."""
    name = f"+{hours:02d}".encode() + b"\0"
    header = b"TZif2" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 0, 1, len(name))
    block = header + struct.pack(">lBB", hours * 3600, 0, 0) + name
    return block + block + f"\n<+{hours:02d}>-{hours}\n".encode()


def test_a_tz_database_older_than_2024a_is_refused_in_one_line(site: Site, tmp_path: Path) -> None:
    # Issue 19 re-attack: with tzdata 2023.4, R1 of a unit in Almaty fell due at 18:00 UTC.
    terms.check_zone_data()  # the machine's own is 2024a or later
    old = ZoneInfo.from_file(io.BytesIO(_tzif(6)), key="Asia/Almaty")
    with pytest.raises(ZonesOutdated, match=r"older than tzdata 2024a: Asia/Almaty is UTC\+06:00"):
        terms.check_zone_data(old)
    (tmp_path / "zones" / "Asia").mkdir(parents=True)
    (tmp_path / "zones" / "Asia" / "Almaty").write_bytes(_tzif(6))
    env = environment(tmp_path, site.ledger.database.url, PYTHONTZPATH=str(tmp_path / "zones"))
    for args in (["deadlines"], ["deadlines", "--rederive"], ["serve", "--port", "0"]):
        done = subprocess.run(
            [CUSTODY, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        [line] = done.stderr.splitlines()
        assert line.startswith("custody: the time zone database is older than tzdata 2024a")


@pytest.mark.parametrize(
    ("region", "zone"),
    [
        ("Ақтөбе облысы", "Asia/Aqtobe"),
        ("Қостанай облысы", "Asia/Qostanay"),
        ("Батыс Қазақстан облысы", "Asia/Oral"),
        ("Маңғыстау  облысы", "Asia/Aqtau"),
        ("Қызылорда облысы", "Asia/Qyzylorda"),
        ("Атырау облысы", "Asia/Atyrau"),
    ],
)
def test_a_region_named_in_kazakh_names_its_zone(region: str, zone: str) -> None:
    # Issue 19 re-attack: "Ақтөбе облысы" was counted in Asia/Almaty.
    assert terms.zone_of_region(region) == zone


def test_a_place_of_no_known_region_is_not_counted_in_a_zone_outside_kazakhstan(
    site: Site,
) -> None:
    # Issue 19 re-attack: CUSTODY_TIMEZONE=Europe/Moscow wrote a place with that zone.
    site.process.config = ProcessConfig(timezone="Europe/Moscow")
    place = {"location": "UNIT-NEW", "kind": "unit", "name": "Новый", "region": "Марс"}
    before = _size(site)
    with pytest.raises(InvalidRequest, match="R1: a place's time zone is one of Kazakhstan's"):
        site.process.run("admin", c.AddLocation.model_validate(place))
    assert _size(site) == before
    given = {**place, "time_zone": "Asia/Oral"}  # its zone given, the place is taken
    site.process.run("admin", c.AddLocation.model_validate(given))
    kazakh = {**place, "location": "UNIT-AKT", "region": "Ақтөбе облысы"}
    site.process.run("admin", c.AddLocation.model_validate(kazakh))
    zones = {p.id: p.time_zone for p in site.process.locations()}
    assert (zones["UNIT-NEW"], zones["UNIT-AKT"]) == ("Asia/Oral", "Asia/Aqtobe")


def test_a_late_entry_is_judged_by_the_ledger_not_by_the_setting_now(
    site: Site, tmp_path: Path
) -> None:
    # Issue 19 re-attack: GET /deadlines and the CLI judged by CUSTODY_LATE_ENTRY_DAYS now,
    # the item page and the compliance report by the entry's stored `entered_late_days`.
    migrate.upgrade(site.ledger.database, MIGRATIONS)
    late, on_time = site.register_rifle(), site.register_rifle()
    _decide(site, late, _today(site) - dt.timedelta(days=5))  # late at the setting then, 3
    _decide(site, on_time, _today(site) - dt.timedelta(days=2))
    for setting in ("1", "30"):
        env = environment(tmp_path, site.ledger.database.url, CUSTODY_LATE_ENTRY_DAYS=setting)
        listed = json.loads(run(env, "deadlines", "--json").stdout)
        marked = {d["item"]: [f["delay_days"] for f in d["late_entries"]] for d in listed}
        assert marked == {late: [5], on_time: []}, setting
        said = _said_per_deadline(run(env, "deadlines", "--why").stdout)
        assert {item: "ENTERED LATE" in said[item] for item in said} == {
            late: True,
            on_time: False,
        }, setting
    assert [d.item for d in site.process.deadlines() if d.late_entries()] == [late]


def _said_per_deadline(why: str) -> dict[str, str]:
    """`custody deadlines --why`'s output by item: a deadline's line and its indented
    reasons below it."""
    said: dict[str, str] = {}
    item = ""
    for line in why.splitlines():
        if not line.startswith(" "):
            item = line.split()[2]  # STATUS RULE ITEM ...
        said[item] = said.get(item, "") + line + "\n"
    return said


def _surplus_at_the_warehouse(site: Site, date: str) -> None:
    decision = {**DECISION, "authority": "military_technical_commission", "date": date}
    site.process.register(
        "sklad.omarov",
        Intake(
            item=site.next_id(),
            category="firearm",
            source="surplus",
            location=WAREHOUSE,
            weight_g=3600,
            rifled=True,
            marking=f"АК-74 №{site.counter + 5000}",
            marking_place="ствольная коробка",
            details={"type": "автомат", "model": "AK-74"},
            files=[site.photo(f"surplus {site.counter}")],
            decision=decision,
        ),
    )


def test_a_decision_dated_tomorrow_at_the_place_is_refused_at_noon_utc(site: Site) -> None:
    # Issue 19 re-attack: "tomorrow" was judged at UTC+14, so a decision dated tomorrow in
    # Almaty was taken at a warehouse from 10:00 UTC.
    now = site.clock()
    noon = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(12), dt.UTC)
    site.clock.advance(seconds=(noon - now).total_seconds())  # 17:00 in Almaty, UTC+5
    today = _today(site)
    before = _size(site)
    with pytest.raises(InvalidRequest, match=r"R1: a decision's date \S+ is in the future"):
        _surplus_at_the_warehouse(site, (today + dt.timedelta(days=1)).isoformat())
    assert _size(site) == before
    _surplus_at_the_warehouse(site, today.isoformat())
    assert _size(site) == before + 1


def test_a_place_naming_no_zone_counts_in_almaty_whatever_the_setting(site: Site) -> None:
    """r19j L4: the command fell back to CUSTODY_TIMEZONE, the fold and verify to
    Asia/Almaty, for a place whose entry names no zone (written before places carried one)
    in a region of no known zone: both now ask terms.place_zone, which reads the ledger."""
    signer = site.ledger.signer
    assert signer is not None
    place = {"kind": "unit", "name": "Старый", "region": "Марс"}
    with site.ledger.database.engine.begin() as conn:
        append_unchecked(conn, signer, "location_added", "admin", "UNIT-OLD", place)
    refold(site.ledger.database)
    site.process = Driver(
        site.ledger, site.files, ProcessConfig(timezone="Europe/Moscow"), site.clock
    )
    clerk = c.CreateAccount(
        username="staryi.clerk", name="Старый", roles=["unit_officer"], places=["UNIT-OLD"]
    )
    site.process.run("admin", clerk)
    rifle = site.register_rifle(actor="staryi.clerk", location="UNIT-OLD", marking="АК-74 №77")
    site.process.record_decision("staryi.clerk", [rifle], DECISION)
    with site.ledger.database.read() as conn:
        [decided] = [
            decode(e.body)
            for e in Store(conn).item_entries(rifle)
            if decode(e.body).kind == "decision_recorded"
        ]
    assert decided.data["time_zone"] == terms.DEFAULT_ZONE == "Asia/Almaty"
    assert terms.place_zone(None, "Марс") == "Asia/Almaty"
    report = Audit(site.ledger.database, extra_steps=verify_steps(site.files)).run()
    assert report.ok, report.first_failure
