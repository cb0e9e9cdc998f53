"""`custody demo`: a new database filled with a realistic site, every state of the process in
it, dated over the last six weeks so that deadlines are running, met and overdue.

It goes through the process like its users would (the same calls the API makes, the same
rules), with people's acts signed by their own keys; those keys are written encrypted with
the demo password under `<data dir>/demo-keys/`, so that `custody sign` can be tried.
The ledger never lets time go back, so the demo dates entries in the past only in a
database of its own: it refuses one that holds a ledger already.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

import workflows.commands as c
from api.access import accounts, changes
from api.access.passwords import hash_password
from api.demo import data as d
from api.system import System, initialise
from custody import keyfile
from custody.acts import SignedAct, new_act, sign_act
from custody.clock import format_time, utc_now
from custody.db import Database
from custody.errors import CustodyError
from custody.settings import Settings
from workflows import dual
from workflows.commands.fields import ActIn
from workflows.process import Process

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

    def date(self, days_before: int = 0) -> str:
        """The date at the demo's units (Almaty), `days_before` the demo's now."""
        local = self.now.astimezone(ZoneInfo("Asia/Almaty")).date()
        return (local - dt.timedelta(days=days_before)).isoformat()


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
    def p(self) -> Process:
        return self.system.process

    def do(self, actor: str, command: c.Command) -> Any:
        """One command of the demo's site, as its person would give it; one that makes a
        signer or an administrator proposed by `actor` and confirmed by the other
        administrator (four eyes: workflows.dual), as two people do it."""
        fields = command.model_dump(mode="json", exclude_none=True)
        if not dual.needs_four_eyes(command.kind, fields):
            return self.system.process.run(actor, command)
        proposal = changes.propose(self.p, actor, command.kind, fields)
        return changes.confirm(self.p, next(a for a in ADMINS if a != actor), proposal)

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
    _registers(demo)
    _accounts(demo)
    _supervision(demo)
    _commission(demo)
    say("weapons", 0)
    _weapons(demo, say)
    say("ammunition", 0)
    _ammunition(demo)
    say("campaigns and diversion signals", 0)
    _campaign(demo)
    _comeback(demo)
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


ADMINS = ("admin", "admin2")  # the demo's two administrators (custody init)


def _accounts(demo: Demo) -> None:
    hashed = hash_password(d.PASSWORD)  # one hash for all: they share the demo password
    for username, (role, name) in d.PEOPLE.items():
        places = d.PLACES_OF.get(username, [])
        if username in ADMINS:  # the two administrators, made by init
            pass
        elif dual.needs_four_eyes("account_created", {"roles": [role]}):
            made = c.CreateAccount(username=username, name=name, roles=[role], places=places)
            demo.do("admin", made)  # proposed and confirmed: it gets no password from them
        else:
            accounts.add(demo.p, "admin", username, name, [role], places, hashed)
        # At the console, as each person sets their own (the demo: one for all).
        accounts.set_password(demo.p, username, hashed)
    demo.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for person in d.SIGNERS:
        key = keyfile.PersonKey.generate()
        public = base64.b64encode(key.public_key).decode()
        key_id = demo.do("admin", c.AddKey(owner=person, purpose="act", public_key=public))
        demo.keys[person] = (key, str(key_id))
        path = demo.keys_dir / f"{person}.key"
        path.unlink(missing_ok=True)
        keyfile.write(path, key, d.PASSWORD, keyfile.INTERACTIVE)


def _supervision(demo: Demo) -> None:
    """Who is told of the units' deadlines (issue 19): people with accounts; the supervisor
    is outside the units' staff (the commission's chair, a deputy head of the city's police
    department: workflows.supervision); the warehouses' and the forensic unit's own staff answer
    for theirs (a fresh demo's `custody notify` had said nobody was there to tell: n12)."""
    for unit in d.UNITS:
        for person, level in (("unit.serikbaev", "staff"), ("chair.nurlanov", "supervisor")):
            demo.do("admin", c.AssignSupervisor(location=unit, person=person, level=level))
    for place, person in d.STAFF_OF.items():  # the R2 and transit deadlines' people
        demo.do("admin", c.AssignSupervisor(location=place, person=person, level="staff"))


def _registers(demo: Demo) -> None:
    for place_id, kind, region in d.PLACES:
        names = d.PLACE_NAMES[place_id]
        place: dict[str, Any] = {"location": place_id, "kind": kind, "name": names["ru"]}
        place |= {"region": region, "names": names}
        demo.do("admin", c.AddLocation.model_validate(place))
    demo.photos = [demo.p.files.put(d.photo(i), "marking").to_json() for i in range(24)]


def _commission(demo: Demo) -> None:
    """The members join after their accounts exist: a member is one who can sign (R8)."""
    for n, (person, role) in enumerate(d.MEMBERS):
        member: dict[str, Any] = {"commission": d.COMMISSION, "person": person, "role": role}
        # Named as the statements print them; the commission in each statement language.
        member |= {"full_name": d.PEOPLE[person][1], "position": d.POSITIONS[person]}
        member |= {"name": d.COMMISSION_NAME, "names": d.COMMISSION_NAMES if n == 0 else None}
        demo.do("admin", c.AddCommissionMember.model_validate(member))


def _register(demo: Demo, count: int, unit: str) -> list[str]:
    intakes = []
    for _ in range(count):
        fields = d.firearm(demo.rng, demo.counter, unit)
        demo.counter += 1
        intakes.append({**fields, "files": [demo.photo()]})
    ids: list[str] = demo.do("unit.serikbaev", c.RegisterItems.model_validate({"intakes": intakes}))
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
        demo.do(
            "unit.serikbaev", c.SendTransfer(transfer=transfer, destination="WH-ALM", items=group)
        )
        demo.clock.tick()
        gone = missing if n == len(groups) - 1 else 0
        demo.do(
            "sklad.omarov", c.ReceiveTransfer(transfer=transfer, items=group[: len(group) - gone])
        )
        demo.do("sklad.omarov", c.CloseTransfer(transfer=transfer))
        arrived += group[: len(group) - gone]
    return arrived


def _forensics(demo: Demo, items: list[str], results: Sequence[tuple[str, str | None]]) -> None:
    demo.do("sklad.omarov", c.SendToForensics(items=items, forensics="CSE-ALM"))
    demo.do("expert.sadykova", c.ReceiveAtForensics(items=items))
    demo.do("expert.sadykova", c.TestFire(items=items))
    signed = []
    for item, (result, case) in zip(items, results, strict=True):
        fields: dict[str, Any] = {"result": result}
        if case:
            fields["case"] = case
        act = demo.act("expert.sadykova", "registry_result_recorded", item, **fields)
        signed.append({"item": item, "act": ActIn.of(act)})
    demo.do("expert.sadykova", c.RecordRegistryResults.model_validate({"results": signed}))


def _prepare(demo: Demo, items: list[str], until: str) -> None:
    steps = ("parts_removed", "parts_incinerated", "deformed", "cut")
    for step in steps[: steps.index(until) + 1]:
        demo.clock.tick()
        if step == "parts_removed":
            demo.do(
                "sklad.omarov", c.RemoveParts(items=items, parts=["приклад", "цевьё", "рукоятка"])
            )
        elif step == "parts_incinerated":
            demo.do("sklad.omarov", c.IncinerateParts(items=items))
        elif step == "deformed":
            demo.do("sklad.omarov", c.Deform(items=items, method="гидравлический пресс П-100"))
        else:
            weights = {i: demo.p.item(i).weight_g - 400 for i in items}
            cut = {
                "weights": weights,
                "barrel_along": True,
                "barrel_across": True,
                "parts_through": True,
                "per_item_files": {i: [demo.photo()] for i in items},
            }
            demo.do("sklad.omarov", c.Cut.model_validate(cut))


def _melt(demo: Demo, items: list[str], *, melt: bool, signers: Sequence[str] = ()) -> None:
    batch = demo.next_id("ПЕЧЬ")
    _open(demo, batch, "furnace", "PLANT-TMR", "ДСП-25 №2")
    demo.do("sklad.omarov", c.LoadBatch(batch=batch, items=items))
    if not melt:
        return
    _present(demo, batch, ("plant.ivanov", "plant_representative"))
    charge = sum(demo.p.item(i).charge_weight_g or 0 for i in items)
    melted = {
        "batch": batch,
        "facts": {"charge_weight_g": charge + 150, "scrap_weight_g": int(charge * 0.93)},
        "files": [demo.photo()],
        "per_item": {i: {"files": [demo.photo()]} for i in items},
    }
    demo.do("sklad.omarov", c.Melt.model_validate(melted))
    _sign(demo, batch, signers)


def _sign(demo: Demo, batch: str, members: Sequence[str]) -> None:
    content, digest = demo.p.statement(batch)
    ids = [i["id"] for i in content["items"]]
    for member in members:
        act = demo.act(member, "statement_signed", batch, items=ids, statement=digest)
        demo.do(member, c.SignStatement(batch=batch, act=ActIn.of(act)))


def _open(demo: Demo, batch: str, kind: str, place: str, installation: str) -> None:
    opened = {"batch": batch, "kind": kind, "location": place, "installation": installation}
    demo.do("sklad.omarov", c.OpenBatch.model_validate(opened | {"commission": d.COMMISSION}))


def _present(demo: Demo, batch: str, other: tuple[str, str]) -> None:
    """The commission (named from its entries) and `other`, named as the statement prints."""
    present = [{"person": person, "role": "commission_member"} for person, _ in d.MEMBERS]
    person, role = other
    present.append(
        {
            "person": person,
            "role": role,
            "full_name": d.FULL_NAMES[person],
            "position": d.POSITIONS[person],
        }
    )
    demo.do("sklad.omarov", c.RecordPresence.model_validate({"batch": batch, "present": present}))


def _weapons(demo: Demo, say: Progress) -> None:
    clock, p = demo.clock, demo.p
    old = [i for unit in d.UNITS for i in _register(demo, 64, unit)]
    say("weapons", len(old))
    clock.to(40)
    # Decided eleven days before it was entered: the unit's record shows a late entry.
    decision = {"ref": "2-4471/2026", "authority": "court", "date": clock.date(11)}
    demo.do("unit.serikbaev", c.RecordDecision.model_validate({"items": old, "decision": decision}))
    appealed, suspended, reversed_, rest = old[:8], old[8:12], old[12:17], old[17:]
    appeal = c.AppealDecision(
        items=appealed, note="апелляция подана", date=clock.date(), document="дело 2а-118/2026"
    )
    demo.do("unit.serikbaev", appeal)
    suspend = c.SuspendDecision(
        items=suspended,
        note="производство приостановлено",
        date=clock.date(),
        document="определение о приостановлении № 14",
    )
    demo.do("unit.serikbaev", suspend)
    demo.do("unit.serikbaev", c.ReverseDecision(items=reversed_, note="решение отменено"))
    demo.do("unit.serikbaev", c.ReturnToOwner(items=reversed_[:3], owner="Ахметов Б. К."))
    clock.to(38)
    rest = rest[7:]  # the first seven stay at their unit, never sent: R1 overdue
    demo.do("unit.serikbaev", c.FinaliseDecision(items=rest, date=clock.date()))
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
    demo.do("official.zhakupov", c.ReleaseEvidence(item=examine[1], act=ActIn.of(release)))
    back = examine[2:]  # the released one stays at forensics, examined
    demo.do("expert.sadykova", c.ReturnFromForensics(items=back, warehouse="WH-ALM"))
    ready = back + plain
    say("weapons", len(old))
    clock.to(30)
    resolved = {
        "discrepancy": p.item(lost).discrepancy,
        "resolution": "lost",
        "note": "утрата при перевозке, рапорт №17",
    }
    demo.do("official.zhakupov", c.ResolveDiscrepancy.model_validate(resolved))
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
    demo.do("sklad.omarov", c.SendToForensics(items=items, forensics="CSE-ALM"))
    demo.do("expert.sadykova", c.ReceiveAtForensics(items=items[8:]))
    demo.do("expert.sadykova", c.TestFire(items=items[16:]))


def _recent(demo: Demo, say: Progress, done: int) -> None:
    clock = demo.clock
    clock.to(12)
    recent = [i for unit in d.UNITS[:3] for i in _register(demo, 30, unit)]
    decision = {"ref": "2-5120/2026", "authority": "court", "date": clock.date(1)}
    given = {"items": recent, "decision": decision}
    demo.do("unit.serikbaev", c.RecordDecision.model_validate(given))
    clock.to(4)
    demo.do("unit.serikbaev", c.FinaliseDecision(items=recent[:70], date=clock.date()))
    arrived = _to_warehouse(demo, recent[:40])
    in_transit = c.SendTransfer(
        transfer=demo.next_id("T"), destination="WH-ALM", items=recent[40:60]
    )
    demo.do("unit.serikbaev", in_transit)
    clock.to(1)
    forensic = [i for i in arrived if _needs_forensics(demo, i)][:10]
    demo.do("sklad.omarov", c.SendToForensics(items=forensic, forensics="CSE-ALM"))
    missing = c.RecordDiscrepancy(subject=arrived[-1], reason="не найден при инвентаризации склада")
    demo.do("sklad.omarov", missing)
    clock.to(0.2)
    _register(demo, 25, "UNIT-UKK")
    say("weapons", done + 115)


def _ammunition(demo: Demo) -> None:
    clock, p = demo.clock, demo.p
    clock.to(0.15)
    decision = {
        "ref": "ВТК-12/2026",
        "authority": "military_technical_commission",
        "date": clock.date(27),
    }
    lots = []
    for n, (kind, calibre, quantity, weight) in enumerate(d.AMMUNITION * 2):
        lots.append(
            {
                "marking": f"партия {17 + n}-{1979 + n}",
                "marking_place": "укупорка",
                "category": "ammunition",
                "source": "surplus",
                "location": "WH-KRG",
                "weight_g": weight,
                "quantity": quantity,
                # a detail nobody knows is left out, not given as null (docs/identifiers.md)
                "details": {"kind": kind, **({"calibre": calibre} if calibre else {})},
                "decision": decision,
            }
        )
    ids = demo.do("sklad.omarov", c.RegisterItems.model_validate({"intakes": lots}))
    for lot in ids[:5]:
        grenades = p.item(lot).details["kind"].startswith("ручные гранаты")
        fuses = (p.item(lot).quantity or 0) if grenades else 0
        unfused = c.RemoveFuses(item=lot, fuses=fuses, firing_devices=0, detonators=0)
        demo.do("sklad.omarov", unfused)
    weights = {lot: p.item(lot).weight_g - 900 for lot in ids[:4]}
    demo.do("sklad.omarov", c.Depackage(weights=weights))
    batch = demo.next_id("БУНКЕР")
    _open(demo, batch, "burn", "WH-KRG", "подрывная площадка №1")
    demo.do("sklad.omarov", c.LoadBatch(batch=batch, items=ids[:3]))
    _present(demo, batch, ("expert.baimukhanov", "expert"))
    charge = sum(p.item(i).charge_weight_g or 0 for i in ids[:3])
    facts = {
        "charge_weight_g": charge,
        "scrap_weight_g": int(charge * 0.4),
        "method": "подрыв накладным зарядом",
        "quantity": sum(p.item(i).quantity or 0 for i in ids[:3]),
        "explosive_type": "тротил",
        "explosive_amount": 12_000,
    }
    demo.do("sklad.omarov", c.Burn.model_validate({"batch": batch, "facts": facts}))
    _sign(demo, batch, ("chair.nurlanov", "member.kim"))


def _campaign(demo: Demo) -> None:
    """A "Karu" surrender campaign at the units: six shotguns brought in, four paid (one
    checked by a second paymaster, R13), the rest of the budget left."""
    clock = demo.clock
    clock.to(0.1)
    opened = c.OpenCampaign(
        campaign="KARU-2026-2",
        name="«Қару» 2026, екінші кезең",
        starts=clock.date(),
        ends=clock.date(-30),
        places=list(d.UNITS),
        budget_tenge=5_000_000,
        tariffs={"firearm": 60_000, "gas": 20_000, "edged": 5_000},
    )
    demo.do("admin", opened)
    intakes = []
    for n in range(6):
        fields = d.firearm(demo.rng, demo.counter, d.UNITS[0])
        demo.counter += 1
        fields |= {
            "source": "surrendered",
            "rifled": False,
            "marking": f"ИЖ {770_100 + n}",
            "marking_place": "колодка",
            "unmarked": False,
            "campaign": "KARU-2026-2",
            "files": [demo.photo()],
        }
        fields["details"] = {"type": "ружьё", "model": "ИЖ-27", "calibre": "12"}
        intakes.append(fields)
    brought = demo.do("unit.serikbaev", c.RegisterItems.model_validate({"intakes": intakes}))
    for n, item in enumerate(brought[:4]):
        national_id = f"8501{n:02d}300{n:03d}"  # made up: 12 digits as an IIN has
        pay = c.PayCompensation(
            item=item,
            amount_tenge=60_000,
            reference=f"ПП-{4100 + n}",
            national_id=SecretStr(national_id),
        )
        payment = demo.do("kassa.amanova", pay)
        if n == 0:
            demo.do("kassa.bekov", c.ConfirmCompensation(payment=payment))


def _comeback(demo: Demo) -> None:
    """A rifle certified melted turns up again, its marking typed in Latin letters: it is
    registered and suspected at once (R11) until an official settles it."""
    with demo.system.ledger.database.read() as conn:
        row = conn.exec_driver_sql(
            "SELECT id FROM wf_items WHERE state = 'destroyed' AND category = 'firearm' "
            "AND marking IS NOT NULL ORDER BY id LIMIT 1"
        ).first()
    if row is None:
        return
    old = demo.p.item(str(row[0]))
    latin = str(old.marking).translate(str.maketrans("АВЕКМНОРСТХ", "ABEKMHOPCTX")).lower()
    fields = d.firearm(demo.rng, demo.counter, d.UNITS[1])
    demo.counter += 1
    fields |= {
        "source": "confiscated",
        "rifled": old.rifled,
        "marking": latin,
        "marking_place": "ствольная коробка",
        "unmarked": False,
        "files": [demo.photo()],
    }
    fields["details"] = dict(old.details)
    demo.do("unit.serikbaev", c.RegisterItems.model_validate({"intakes": [fields]}))
