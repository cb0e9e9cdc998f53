"""A year of the process with known numbers, built through the real process on a Site, for the
reports' tests: every source of weapon with rifled ones among them, some destroyed, one
returned to its owner, one held as evidence at the end of the year, ammunition burned, and
entries either side of midnight on 31 December in Asia/Almaty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.site import COMMISSION, DECISION, UNIT, WAREHOUSE, Site
from workflows.intake import Intake

ZONE = "Asia/Almaty"


@dataclass
class Year:
    year: int
    items: dict[str, str] = field(default_factory=dict)  # name in the scenario -> item id
    batches: dict[str, str] = field(default_factory=dict)


def register(
    site: Site, category: str, source: str, *, rifled: bool = False, quantity: int | None = None
) -> str:
    item = site.next_id("L" if category == "ammunition" else "KZ")
    [registered] = site.process.register(
        "unit.serikbaev",
        Intake(
            item=item,
            category=category,
            source=source,
            location=UNIT,
            weight_g=12_000 if category == "ammunition" else 3600,
            rifled=rifled,
            quantity=quantity,
            marking=None if category == "ammunition" else f"{category.upper()} №{site.counter}",
            marking_place=None if category == "ammunition" else "корпус",
            unmarked=category == "ammunition",
            details={"model": "AK-74"} if category == "firearm" else {"kind": category},
            files=[site.photo(f"intake {item}")],
        ),
    )
    return registered


def _at(site: Site, moment: dt.datetime) -> None:
    assert moment >= site.clock.now, "the ledger's time never goes back"
    site.clock.now = moment


def burn(site: Site, lot: str, batch: str) -> None:
    site.process.remove_fuses("sklad.omarov", lot, 0, 0, 0)
    site.process.depackage("sklad.omarov", {lot: 11_000})
    site.process.open_batch("sklad.omarov", batch, "burn", WAREHOUSE, "бункер №2", COMMISSION)
    site.process.load("sklad.omarov", batch, [lot])
    members = [(p, "commission_member") for p in ("chair.nurlanov", "member.abenova")]
    site.process.record_presence(
        "sklad.omarov", batch, [*members, ("sapper.bekov", "expert", "Беков Арман", "сапёр")]
    )
    facts: dict[str, Any] = {
        "charge_weight_g": 11_000,
        "scrap_weight_g": 7_400,
        "method": "выжигание",
        "quantity": 480,
        "explosive_type": "тротил",
        "explosive_amount": 12_000,
    }
    site.process.destroy("sklad.omarov", batch, facts)


def build(site: Site) -> Year:
    """The year of the site's clock (the next one from the evening of 31 December on)."""
    zone = ZoneInfo(ZONE)
    local = site.clock.now.astimezone(zone)
    number = local.year if (local.month, local.day) < (12, 31) else local.year + 1
    year = Year(number)
    take = year.items
    for name, category, source, rifled in (
        ("S1", "firearm", "surrendered", True),
        ("S2", "firearm", "surrendered", True),
        ("S3", "gas", "surrendered", False),
        ("C1", "firearm", "confiscated", True),
        ("C2", "firearm", "confiscated", False),
        ("C3", "edged", "confiscated", False),
        ("C4", "part", "confiscated", False),
        ("F1", "firearm", "found", True),
        ("F2", "firearm", "found", False),
        ("P1", "firearm", "surplus", True),
        ("P2", "firearm", "surplus", False),
    ):
        take[name] = register(site, category, source, rifled=rifled)
    take["L1"] = register(site, "ammunition", "confiscated", quantity=480)
    take["L2"] = register(site, "ammunition", "found", quantity=100)
    # C1: the court reverses its decision; the rifle goes back to its owner.
    site.process.record_decision("unit.serikbaev", [take["C1"]], DECISION)
    site.process.decision_step("unit.serikbaev", "decision_reversed", [take["C1"]], "отменено")
    site.process.return_to_owner("unit.serikbaev", [take["C1"]], "Сейткали А. Б.")
    rest = [take[n] for n in ("S1", "S2", "S3", "C2", "C3", "C4", "F1", "F2", "P1", "P2", "L1")]
    site.to_warehouse(*rest)
    site.through_forensics(take["S1"], "match", case="УД-2026-0042")  # held as evidence
    site.through_forensics(take["S2"])
    site.through_forensics(take["F1"])
    melted = [take[n] for n in ("S2", "S3", "C2", "C4", "P1")]
    site.prepare(*melted)
    year.batches["B1"] = site.melt(*melted)
    burn(site, take["L1"], "BB-1")
    # Either side of midnight on 31 December in Almaty (UTC+5).
    _at(site, dt.datetime(number, 12, 31, 18, 30, tzinfo=dt.UTC))  # 23:30 there: this year
    take["N1"] = register(site, "firearm", "surrendered", rifled=True)
    _at(site, dt.datetime(number, 12, 31, 19, 30, tzinfo=dt.UTC))  # 00:30 there: next year
    take["N2"] = register(site, "firearm", "surrendered", rifled=True)
    site.prepare(take["P2"])
    year.batches["B2"] = site.melt(take["P2"])  # melted next year
    return year


# The numbers the scenario was built with, for the year and for the next.
EXPECTED_WEAPONS = {
    "surrendered": {"total": 4, "rifled": 3},
    "confiscated": {"total": 4, "rifled": 1},
    "found": {"total": 2, "rifled": 1},
    "surplus": {"total": 2, "rifled": 1},
    "destroyed": {
        "total": 5,
        "rifled": 2,
        "by_category": {"firearm": 3, "gas": 1, "edged": 0, "part": 1},
    },
    "returned_to_owner": {"total": 1, "rifled": 1},
    "held_as_evidence_at_year_end": {"total": 1, "rifled": 1},
}
EXPECTED_AMMUNITION = {
    "lots_registered": 2,
    "rounds_registered": 580,
    "lots_destroyed": 1,
    "rounds_destroyed": 480,
    "scrap_weight_kg": 7.4,
    "explosive_used_kg": 12.0,
}


@dataclass
class Troubles:
    """A month that goes wrong: deadlines missed, an item lost after cutting, a charge too
    heavy. `first` is the local day it starts on."""

    first: dt.date
    items: dict[str, str] = field(default_factory=dict)
    batch: str = ""


def troubles(site: Site) -> Troubles:
    zone = ZoneInfo(ZONE)
    month = Troubles(site.clock.now.astimezone(zone).date())
    take = month.items
    for name in "ABCD":
        take[name] = site.register_rifle(source="confiscated")
    site.process.record_decision("unit.serikbaev", [take["A"], take["D"]], DECISION)
    site.to_warehouse(take["B"], take["C"])  # R1 met at once
    site.through_forensics(take["B"])  # R2 met at once
    site.through_forensics(take["C"])
    site.clock.advance(days=11)  # A waits at the unit a day too long; D is never sent
    site.process.decision_step("unit.serikbaev", "decision_final", [take["A"]])
    transfer = site.next_id("T")
    site.process.send("unit.serikbaev", transfer, WAREHOUSE, [take["A"]])
    site.process.receive("sklad.omarov", transfer, [take["A"]])
    site.process.close_transfer("sklad.omarov", transfer)
    site.clock.advance(hours=50)  # two hours late to forensics
    site.through_forensics(take["A"])
    site.prepare(take["A"], take["B"], take["C"])  # 3,000 g each after cutting
    # C goes missing between the cutting table and the furnace.
    counted = site.process.count_inventory("sklad.omarov", WAREHOUSE, [take["A"], take["B"]])
    [lost] = counted["opened"]
    site.process.resolve_discrepancy("official.zhakupov", lost, "lost", "не найден при пересчёте")
    # The charge weighs a kilogram more than the two items that went into it.
    month.batch = site.melt(take["A"], take["B"], charge_weight_g=7000)
    discrepancy = site.process.batch(month.batch).discrepancy
    assert discrepancy is not None
    site.process.resolve_discrepancy(
        "official.zhakupov",
        discrepancy,
        "corrected",
        "весы не были обнулены",
        corrected_charge_g=6000,  # weighed again on a zeroed scale
    )
    return month
