"""`custody demo`: a new database filled with a realistic site, every state of the process in
it, dated over the last six weeks so that deadlines are running, met and overdue.

It goes through the process like its users would (the same calls the API makes, the same
rules), with people's acts signed by their own keys; those keys are written encrypted with
the demo password under `<data dir>/demo-keys/`, so that `custody sign` can be tried.
The ledger never lets time go back, so the demo dates entries in the past only in a
database of its own: it refuses one that holds a ledger already.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api import accounts
from api import demo_data as d
from api.accounts import User
from api.passwords import hash_password
from api.system import System, initialise
from custody import keyfile, keyring
from custody.acts import SignedAct, new_act, sign_act
from custody.clock import format_time, utc_now
from custody.db import Database
from custody.entries import decode
from custody.errors import CustodyError
from custody.settings import Settings
from workflows.batches import Present
from workflows.intake import Intake

Progress = Callable[[str, int], None]  # (what is being done, items so far)


class DemoRefused(CustodyError):
    pass


class DemoClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def to(self, days_ago: float) -> None:
        """Move on to `days_ago` before the real now; never back."""
        self.now = max(self.now, utc_now() - dt.timedelta(days=days_ago))

    def tick(self) -> None:
        self.now += dt.timedelta(seconds=37)


@dataclass
class Demo:
    system: System
    clock: DemoClock
    keys_dir: Path
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    keys: dict[str, tuple[keyfile.PersonKey, str]] = field(default_factory=dict)
    photos: list[dict[str, Any]] = field(default_factory=list)
    counter: int = 0

    @property
    def p(self) -> Any:
        return self.system.process

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter:04d}"

    def photo(self) -> dict[str, Any]:
        return self.rng.choice(self.photos)

    def act(self, person: str, kind: str, item: str, **fields: Any) -> SignedAct:
        self.clock.tick()
        key, key_id = self.keys[person]
        act = new_act(kind, person, key_id, format_time(self.clock()), item, **fields)
        return sign_act(act, key.seed)


def fill(settings: Settings, progress: Progress | None = None) -> dict[str, int]:
    """Fill a new database; returns how many items are in each state."""
    require_new(settings)
    clock = DemoClock(utc_now() - dt.timedelta(days=42))
    _, system = initialise(settings, "admin", clock)
    demo = Demo(system, clock, Path(settings.data_dir) / "demo-keys")
    say = progress or (lambda _what, _n: None)
    say("accounts and keys", 0)
    _accounts(demo)
    _registers(demo)
    say("weapons", 0)
    _weapons(demo, say)
    say("ammunition", 0)
    _ammunition(demo)
    states: dict[str, int] = {}
    with system.ledger.database.read() as conn:
        for (state,) in conn.exec_driver_sql("SELECT state FROM wf_items"):
            states[state] = states.get(state, 0) + 1
    system.ledger.database.dispose()
    return states


def is_demo(settings: Settings) -> bool:
    """Whether the database there holds the demo's accounts."""
    database = Database(settings.database_url)
    try:
        if not database.is_migrated():
            return False
        with database.read() as conn:
            return accounts.find(conn, "auditor.li") is not None
    finally:
        database.dispose()


def require_new(settings: Settings) -> None:
    """Raise DemoRefused if the database holds a ledger."""
    database = Database(settings.database_url)
    try:
        if database.is_migrated():
            with database.read() as conn:
                size = conn.exec_driver_sql("SELECT size FROM ledger_head").scalar()
            if size:
                raise DemoRefused(
                    f"the database at {settings.safe_database_url} holds a ledger already "
                    f"({size} entries); the demo fills a new one (set CUSTODY_DATA_DIR)"
                )
    finally:
        database.dispose()


def _accounts(demo: Demo) -> None:
    ledger = demo.system.ledger
    hashed = hash_password(d.PASSWORD)  # one hash for all: they share the demo password
    with ledger.database.write(lock=False) as conn:
        for username, (role, name) in d.PEOPLE.items():
            accounts.add(conn, User(username, name, role, False, format_time(demo.clock())), hashed)
    demo.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for person in d.SIGNERS:
        key = keyfile.PersonKey.generate()
        entry = keyring.add_key(ledger, "admin", person, "act", key.public_key)
        demo.keys[person] = (key, decode(entry.body).data["key"]["key_id"])
        path = demo.keys_dir / f"{person}.key"
        path.unlink(missing_ok=True)
        keyfile.write(path, key, d.PASSWORD, keyfile.INTERACTIVE)


def _registers(demo: Demo) -> None:
    for place_id, kind, name, region in d.PLACES:
        demo.p.add_location("admin", place_id, kind, name, region, d.PLACE_NAMES.get(place_id))
    for n, (person, role) in enumerate(d.MEMBERS):
        demo.p.add_commission_member(
            "admin",
            d.COMMISSION,
            person,
            role,
            d.COMMISSION_NAME,
            full_name=d.PEOPLE[person][1],
            position=d.POSITIONS[person],
            names=d.COMMISSION_NAMES if n == 0 else None,
        )
    demo.photos = [demo.p.files.put(d.photo(i), "marking").to_json() for i in range(24)]


def _register(demo: Demo, count: int, unit: str) -> list[str]:
    intakes = []
    for _ in range(count):
        fields = d.firearm(demo.rng, demo.counter, unit)
        demo.counter += 1
        intakes.append(Intake(**fields, files=[demo.photo()]))
    ids: list[str] = demo.p.register("unit.serikbaev", *intakes)
    return ids


def _needs_forensics(demo: Demo, item: str) -> bool:
    found = demo.p.item(item)
    return bool(found.rifled and found.source != "surplus")


def _to_warehouse(demo: Demo, items: list[str], missing: int = 0) -> list[str]:
    """Send from each unit and receive; the last `missing` are sent but never arrive."""
    by_unit: dict[str, list[str]] = {}
    for item in items:
        by_unit.setdefault(demo.p.item(item).location, []).append(item)
    groups = list(by_unit.values())
    arrived: list[str] = []
    for n, group in enumerate(groups):
        transfer = demo.next_id("T")
        demo.p.send("unit.serikbaev", transfer, "WH-ALM", group)
        demo.clock.tick()
        gone = missing if n == len(groups) - 1 else 0
        demo.p.receive("sklad.omarov", transfer, group[: len(group) - gone])
        demo.p.close_transfer("sklad.omarov", transfer)
        arrived += group[: len(group) - gone]
    return arrived


def _forensics(demo: Demo, items: list[str], results: Sequence[tuple[str, str | None]]) -> None:
    demo.p.send_to_forensics("sklad.omarov", items, "CSE-ALM")
    demo.p.step("expert.sadykova", "forensic_received", items)
    demo.p.step("expert.sadykova", "test_fired", items)
    signed = []
    for item, (result, case) in zip(items, results, strict=True):
        fields: dict[str, Any] = {"result": result}
        if case:
            fields["case"] = case
        signed.append(
            (item, demo.act("expert.sadykova", "registry_result_recorded", item, **fields))
        )
    demo.p.record_registry_results("expert.sadykova", signed)


def _prepare(demo: Demo, items: list[str], until: str) -> None:
    steps = ("parts_removed", "parts_incinerated", "deformed", "cut")
    for step in steps[: steps.index(until) + 1]:
        demo.clock.tick()
        if step == "parts_removed":
            demo.p.remove_parts("sklad.omarov", items, ["приклад", "цевьё", "рукоятка"])
        elif step == "parts_incinerated":
            demo.p.incinerate_parts("sklad.omarov", items)
        elif step == "deformed":
            demo.p.deform("sklad.omarov", items, "гидравлический пресс П-100")
        else:
            weights = {i: demo.p.item(i).weight_g - 400 for i in items}
            demo.p.cut(
                "sklad.omarov",
                weights,
                barrel_along=True,
                barrel_across=True,
                parts_through=True,
                per_item_files={i: [demo.photo()] for i in items},
            )


def _melt(demo: Demo, items: list[str], *, melt: bool, signers: Sequence[str] = ()) -> None:
    batch = demo.next_id("ПЕЧЬ")
    demo.p.open_batch("sklad.omarov", batch, "furnace", "PLANT-TMR", "ДСП-25 №2", d.COMMISSION)
    demo.p.load("sklad.omarov", batch, items)
    if not melt:
        return
    present = [Present(person, "commission_member") for person, _ in d.MEMBERS]
    present.append(
        Present(
            "plant.ivanov",
            "plant_representative",
            d.PEOPLE["plant.ivanov"][1],
            d.POSITIONS["plant.ivanov"],
        )
    )
    demo.p.record_presence("sklad.omarov", batch, present)
    charge = sum(demo.p.item(i).charge_weight_g or 0 for i in items)
    demo.p.destroy(
        "sklad.omarov",
        batch,
        {"charge_weight_g": charge + 150, "scrap_weight_g": int(charge * 0.93)},
        files=[demo.photo()],
        per_item={i: {"files": [demo.photo()]} for i in items},
    )
    _sign(demo, batch, signers)


def _sign(demo: Demo, batch: str, members: Sequence[str]) -> None:
    content, digest = demo.p.statement(batch)
    ids = [i["id"] for i in content["items"]]
    for member in members:
        act = demo.act(member, "statement_signed", batch, items=ids, statement=digest)
        demo.p.sign_statement(member, batch, act)


def _weapons(demo: Demo, say: Progress) -> None:
    clock, p = demo.clock, demo.p
    old = [i for unit in d.UNITS for i in _register(demo, 64, unit)]
    say("weapons", len(old))
    clock.to(40)
    p.record_decision(
        "unit.serikbaev", old, {"ref": "2-4471/2026", "authority": "court", "date": "2026-10-09"}
    )
    appealed, suspended, reversed_, rest = old[:8], old[8:12], old[12:17], old[17:]
    p.decision_step("unit.serikbaev", "decision_appealed", appealed, "апелляция подана")
    p.decision_step(
        "unit.serikbaev", "decision_suspended", suspended, "производство приостановлено"
    )
    p.decision_step("unit.serikbaev", "decision_reversed", reversed_, "решение отменено")
    p.return_to_owner("unit.serikbaev", reversed_[:3], "Ахметов Б. К.")
    clock.to(38)
    rest = rest[7:]  # the first seven stay at their unit, never sent: R1 overdue
    p.decision_step("unit.serikbaev", "decision_final", rest)
    clock.to(37)
    arrived = _to_warehouse(demo, rest, missing=2)
    lost = rest[-1]  # with rest[-2], sent and never received: one lost, one still open
    clock.to(36)
    examine = [i for i in arrived if _needs_forensics(demo, i)]
    plain = [i for i in arrived if i not in examine]
    examine = examine[6:]  # the first six, received 36 days ago and not sent: R2 overdue
    in_forensics, examine = examine[:24], examine[24:]
    _forensics_stages(demo, in_forensics)
    results: list[tuple[str, str | None]] = [("no_match", None)] * len(examine)
    results[0] = ("match", "уг. дело №261500031000417")
    results[1] = ("match", "уг. дело №261500031000522")
    results[2] = ("not_testable", None)
    _forensics(demo, examine, results)
    clock.to(33)
    release = demo.act("official.zhakupov", "evidence_released", examine[1], basis="постановление")
    p.release_evidence("official.zhakupov", examine[1], release)
    back = examine[2:]  # the released one stays at forensics, examined
    p.return_from_forensics("expert.sadykova", back, "WH-ALM")
    ready = back + plain
    say("weapons", len(old))
    clock.to(30)
    p.resolve_discrepancy(
        "official.zhakupov", p.item(lost).discrepancy, "lost", "утрата при перевозке, рапорт №17"
    )
    stages = [ready[0:6], ready[6:12], ready[12:18], ready[18:24]]
    until_steps = ("parts_removed", "parts_incinerated", "deformed", "cut")
    for chunk, until in zip(stages, until_steps, strict=True):
        _prepare(demo, chunk, until)
    to_melt, to_load, unsigned = ready[24:144], ready[144:174], ready[174:184]
    _prepare(demo, to_melt + to_load + unsigned, "cut")
    clock.to(21)
    _melt(demo, to_melt, melt=True, signers=("chair.nurlanov", "member.abenova"))
    clock.to(14)
    _melt(demo, to_load, melt=False)
    clock.to(3)
    _melt(demo, unsigned, melt=True, signers=("member.kim",))  # one of three: not final yet
    say("weapons", len(old))
    _recent(demo, say, len(old))


def _forensics_stages(demo: Demo, items: list[str]) -> None:
    """Items still on their way through forensics, at each step."""
    p = demo.p
    p.send_to_forensics("sklad.omarov", items, "CSE-ALM")
    p.step("expert.sadykova", "forensic_received", items[8:])
    p.step("expert.sadykova", "test_fired", items[16:])


def _recent(demo: Demo, say: Progress, done: int) -> None:
    clock, p = demo.clock, demo.p
    clock.to(12)
    recent = [i for unit in d.UNITS[:3] for i in _register(demo, 30, unit)]
    p.record_decision(
        "unit.serikbaev", recent, {"ref": "2-5120/2026", "authority": "court", "date": "2026-11-10"}
    )
    clock.to(4)
    p.decision_step("unit.serikbaev", "decision_final", recent[:70])
    arrived = _to_warehouse(demo, recent[:40])
    p.send("unit.serikbaev", demo.next_id("T"), "WH-ALM", recent[40:60])  # in transit
    clock.to(1)
    forensic = [i for i in arrived if _needs_forensics(demo, i)][:10]
    p.send_to_forensics("sklad.omarov", forensic, "CSE-ALM")
    p.record_discrepancy("sklad.omarov", arrived[-1], "не найден при инвентаризации склада")
    clock.to(0.2)
    _register(demo, 25, "UNIT-UKK")
    say("weapons", done + 115)


def _ammunition(demo: Demo) -> None:
    clock, p = demo.clock, demo.p
    clock.to(0.15)
    decision = {
        "ref": "ВТК-12/2026",
        "authority": "military_technical_commission",
        "date": "2026-11-02",
    }
    lots = []
    for n, (kind, calibre, quantity, weight) in enumerate(d.AMMUNITION * 2):
        lots.append(
            Intake(
                marking=f"партия {17 + n}-{1979 + n}",
                marking_place="укупорка",
                category="ammunition",
                source="surplus",
                location="WH-KRG",
                weight_g=weight,
                quantity=quantity,
                details={"kind": kind, "calibre": calibre},
                decision=decision,
            )
        )
    ids = p.register("sklad.omarov", *lots)
    for lot in ids[:5]:
        grenades = p.item(lot).details["kind"].startswith("ручные гранаты")
        fuses = p.item(lot).quantity if grenades else 0
        p.remove_fuses("sklad.omarov", lot, fuses=fuses, firing_devices=0, detonators=0)
    p.depackage("sklad.omarov", {lot: p.item(lot).weight_g - 900 for lot in ids[:4]})
    batch = demo.next_id("БУНКЕР")
    p.open_batch("sklad.omarov", batch, "burn", "WH-KRG", "подрывная площадка №1", d.COMMISSION)
    p.load("sklad.omarov", batch, ids[:3])
    present = [Present(person, "commission_member") for person, _ in d.MEMBERS]
    present.append(
        Present(
            "expert.baimukhanov",
            "expert",
            "Баймуханов Данияр Ерболович",
            d.POSITIONS["expert.baimukhanov"],
        )
    )
    p.record_presence("sklad.omarov", batch, present)
    charge = sum(p.item(i).charge_weight_g or 0 for i in ids[:3])
    p.destroy(
        "sklad.omarov",
        batch,
        {
            "charge_weight_g": charge,
            "scrap_weight_g": int(charge * 0.4),
            "method": "подрыв накладным зарядом",
            "quantity": sum(p.item(i).quantity or 0 for i in ids[:3]),
            "explosive_type": "тротил",
            "explosive_amount": 12_000,
        },
    )
    _sign(demo, batch, ("chair.nurlanov", "member.kim"))
