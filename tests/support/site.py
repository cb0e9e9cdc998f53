"""A working site for the process tests: places, a technical commission, people with real
keys, a file store with a real marking photo, and a clock the tests can move."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from custody.acts import SignedAct, new_act, sign_act
from custody.bootstrap import init
from custody.clock import format_time, utc_now
from custody.ledger import Ledger
from custody.settings import Settings
from tests.support.driver import Driver
from tests.support.people import Person, register_confirmed
from workflows.commands.accounts import CreateAccount
from workflows.config import ProcessConfig
from workflows.files import FileStore
from workflows.intake import Intake
from workflows.migrations import VERSIONS

UNIT, WAREHOUSE, FORENSICS, PLANT = "UNIT-ALM", "WH-ALM", "CSE-ALM", "PLANT-KRG"
COMMISSION = "TK-1"
# The chair is named by full name and position; the other members by user id only (an older
# register), so that statements show both. The plant has its name in Kazakh and English.
NAMED = {"chair.nurlanov": ("Нурланов Қайрат Серікұлы", "заместитель начальника ДП")}
PLACE_NAMES = {
    PLANT: {
        "kk": "Қарағанды металлургиялық комбинаты",
        "en": "Karaganda metallurgical plant",
    }
}
# Every person of the site, with their roles and the places they act at (workflows.access).
ACCOUNTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "unit.serikbaev": ("unit_officer", (UNIT,)),
    "sklad.omarov": ("warehouse_clerk", (WAREHOUSE, PLANT)),
    "expert.sadykova": ("forensic_examiner", (FORENSICS,)),
    "official.zhakupov": ("official", (UNIT, WAREHOUSE, FORENSICS, PLANT)),
    "official.beisenov": ("official", (UNIT, WAREHOUSE, FORENSICS, PLANT)),  # holds no key
    "chair.nurlanov": ("commission_member", (WAREHOUSE, PLANT)),
    "member.abenova": ("commission_member", (WAREHOUSE, PLANT)),
    "member.kim": ("commission_member", (WAREHOUSE, PLANT)),
    "member.tokayeva": ("commission_member", (WAREHOUSE, PLANT)),
    "plant.ivanov": ("plant_representative", (PLANT,)),
    "auditor.li": ("auditor", ()),
    "kassa.amanova": ("paymaster", (UNIT, WAREHOUSE)),
    "kassa.bekov": ("paymaster", (UNIT, WAREHOUSE)),
}


def today() -> str:
    """Today's date at the tests' units (Almaty), as decision steps carry it."""
    return utc_now().astimezone(ZoneInfo("Asia/Almaty")).date().isoformat()


# Dated the day the tests run: R1 counts from a decision's own date (issue 19), so a fixed
# date would make every deadline of a test overdue and every decision entered late.
DECISION = {"ref": "2-1234/2026", "authority": "court", "date": today()}


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def png(text: str) -> bytes:
    """A real (tiny) PNG: a 1x1 pixel whose colour depends on `text`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    colour = hashlib.sha256(text.encode()).digest()[:3]
    raw = zlib.compress(b"\x00" + colour)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@dataclass
class Site:
    process: Driver
    ledger: Ledger
    clock: Clock
    files: FileStore
    people: dict[str, Person] = field(default_factory=dict)
    counter: int = 0

    def photo(self, what: str = "marking") -> dict[str, Any]:
        return self.files.put(png(what), "marking").to_json()

    def next_id(self, prefix: str = "KZ") -> str:
        self.counter += 1
        return f"{prefix}-{self.counter:06d}"

    def act(self, person: str, kind: str, item: str, **fields: Any) -> SignedAct:
        # Each act at its own instant, as on a real clock: the ledger records an act once.
        self.clock.advance(microseconds=1)
        who = self.people[person]
        act = new_act(kind, who.user, who.key_id, format_time(self.clock()), item, **fields)
        return sign_act(act, who.key.seed)

    # -- taking items along the path --------------------------------------------------------

    def register_rifle(
        self,
        *,
        source: str = "confiscated",
        rifled: bool = True,
        marking: str | None = None,
        weight_g: int = 3600,
        actor: str = "unit.serikbaev",
        location: str = UNIT,
    ) -> str:
        [item] = self.process.register(
            actor,
            Intake(
                item=self.next_id(),
                category="firearm",
                source=source,
                location=location,
                weight_g=weight_g,
                rifled=rifled,
                marking=marking or f"АК-74 №{self.counter + 1000}",
                marking_place="ствольная коробка",
                details={
                    "type": "автомат",
                    "model": "AK-74",
                    "calibre": "5.45x39",
                    "manufacturer": "Ижмаш",
                    "country": "СССР",
                    "year": 1986,
                },
                files=[self.photo(f"intake {self.counter}")],
            ),
        )
        return item

    def to_warehouse(self, *items: str) -> None:
        self.process.record_decision("unit.serikbaev", list(items), DECISION)
        self.process.decision_step("unit.serikbaev", "decision_final", list(items))
        transfer = self.next_id("T")
        self.process.send("unit.serikbaev", transfer, WAREHOUSE, list(items))
        self.process.receive("sklad.omarov", transfer, list(items))
        self.process.close_transfer("sklad.omarov", transfer)

    def sent_not_final(self) -> str:
        """A smoothbore decided today and not final, sent to the warehouse and received
        there the same day (allowed from `decided`: R1's days do not wait for finality);
        the transfer left open. The set-up of the tests of a decision's later steps after
        the item has left the unit (issue 19)."""
        item = self.register_rifle(rifled=False)
        self.process.record_decision("unit.serikbaev", [item], DECISION)
        transfer = self.next_id("T")
        self.process.send("unit.serikbaev", transfer, WAREHOUSE, [item])
        self.process.receive("sklad.omarov", transfer, [item])
        return item

    def through_forensics(
        self, item: str, result: str = "no_match", case: str | None = None
    ) -> None:
        self.process.send_to_forensics("sklad.omarov", [item], FORENSICS)
        self.process.step("expert.sadykova", "forensic_received", [item])
        self.process.step("expert.sadykova", "test_fired", [item])
        fields: dict[str, Any] = {"result": result}
        if case:
            fields["case"] = case
        act = self.act("expert.sadykova", "registry_result_recorded", item, **fields)
        self.process.record_registry_result("expert.sadykova", item, act)
        if result == "match":
            return
        self.process.return_from_forensics("expert.sadykova", [item], WAREHOUSE)

    def prepare(self, *items: str, weight_g: int = 3000) -> None:
        self.process.remove_parts("sklad.omarov", list(items), ["приклад", "цевьё"])
        self.process.incinerate_parts("sklad.omarov", list(items))
        self.process.deform("sklad.omarov", list(items), "гидравлический пресс")
        self.process.cut(
            "sklad.omarov",
            dict.fromkeys(items, weight_g),
            barrel_along=True,
            barrel_across=True,
            parts_through=True,
            files=[self.photo("cut")],
        )

    def melt(self, *items: str, charge_weight_g: int | None = None) -> str:
        batch = self.next_id("B")
        self.process.open_batch("sklad.omarov", batch, "furnace", PLANT, "ДСП-3", COMMISSION)
        self.process.load("sklad.omarov", batch, list(items))
        members = ("chair.nurlanov", "member.abenova", "member.kim")
        present = [(person, "commission_member") for person in members]
        present.append(("plant.ivanov", "plant_representative"))
        self.process.record_presence("sklad.omarov", batch, present)
        weight = charge_weight_g if charge_weight_g is not None else 3000 * len(items)
        self.process.destroy(
            "sklad.omarov",
            batch,
            {"charge_weight_g": weight, "scrap_weight_g": weight - 100},
            files=[self.photo("furnace")],
            per_item={i: {"files": [self.photo(f"melt {i}")]} for i in items},
        )
        return batch

    def destroy(self, *items: str, charge_weight_g: int | None = None) -> str:
        """`items` (registered) taken to the warehouse, through forensics, prepared and melted
        in one new batch (`melt`, its `charge_weight_g`); the batch's id."""
        self.to_warehouse(*items)
        for item in items:
            self.through_forensics(item)
        self.prepare(*items)
        return self.melt(*items, charge_weight_g=charge_weight_g)

    def sign(self, batch: str, *members: str) -> None:
        content, digest = self.process.statement(batch)
        for member in members:
            act = self.act(
                member,
                "statement_signed",
                batch,
                items=[i["id"] for i in content["items"]],
                statement=digest,
            )
            self.process.sign_statement(member, batch, act)


def build_site(settings: Settings) -> Site:
    ledger = init(settings, "admin", migrations=[VERSIONS]).ledger
    # From the present on: the ledger never lets time go back, and its genesis entry was
    # written with the real clock.
    clock = Clock(utc_now())
    ledger.clock = clock
    files = FileStore(Path(settings.data_dir) / "files")
    site = Site(Driver(ledger, files, ProcessConfig(), clock), ledger, clock, files)
    site.process.found()  # admin, the genesis actor, is the first administrator
    for location, kind, name in (
        (UNIT, "unit", "УП г. Алматы, Медеуский РУВД"),
        (WAREHOUSE, "warehouse", "Артиллерийский склад ДП г. Алматы"),
        (FORENSICS, "forensics", "Центр судебной экспертизы, г. Алматы"),
        (PLANT, "plant", "Карагандинский металлургический комбинат"),
    ):
        site.process.add_location(
            "admin", location, kind, name, "Алматы", PLACE_NAMES.get(location)
        )
    for username, (role, places) in ACCOUNTS.items():
        account = CreateAccount(
            username=username, name=f"Сотрудник {username}", roles=[role], places=list(places)
        )
        site.process.run("admin", account)
    for person, role in (
        ("chair.nurlanov", "chair"),
        ("member.abenova", "member"),
        ("member.kim", "member"),
    ):
        full_name, position = NAMED.get(person, (None, None))
        site.process.add_commission_member(
            "admin",
            COMMISSION,
            person,
            role,
            name="Техническая комиссия №1",
            full_name=full_name,
            position=position,
        )
    for person in (
        "expert.sadykova",
        "official.zhakupov",
        "chair.nurlanov",
        "member.abenova",
        "member.kim",
        "member.tokayeva",
    ):
        site.people[person] = register_confirmed(site.process, person)
    return site


def reopen_site(settings: Settings, template: Site) -> Site:
    """The template's people and time, on a copy of its database and files."""
    clock = Clock(template.clock.now)
    ledger = init(settings, migrations=[VERSIONS]).ledger
    ledger.clock = clock
    files = FileStore(Path(settings.data_dir) / "files")
    process = Driver(ledger, files, ProcessConfig(), clock)
    return Site(process, ledger, clock, files, dict(template.people), template.counter)
