"""The annual small-arms report: a fold over the entry bodies of the ledger up to a checkpoint.

Definitions (docs/reports.md gives them beside the national report's wording):

- weapons: items of the weapon categories (firearm, gas, edged, part); `rifled` is the subset
  of rifled firearms.
- surrendered / confiscated / found / surplus: weapons by the source recorded at intake,
  counted in the year of their `item_registered` entry, at the place they were registered.
- destroyed: weapons whose own `melted` entry falls in the year (the year of melting), by
  category, at the place of the furnace.
- returned_to_owner: weapons whose `item_returned` entry falls in the year.
- held_as_evidence_at_year_end: weapons whose registry match (R4) was recorded and not
  released at the end of the year (or at the checkpoint, if the year had not ended by then),
  at the place they were held.
- ammunition: lots (and their rounds) registered in the year; lots (and rounds) whose own
  `burned` entry falls in the year; scrap weight and explosive or fuel of the burn batches
  burned in the year (statement facts, grams in the ledger, kilograms here).

- campaigns (the national report only): each voluntary-surrender campaign whose period meets
  the year: weapons surrendered under it and registered in the year (total, rifled, by
  category); compensation paid in the year (`compensation_paid` entries, tenge) and confirmed
  in the year by the second person (`compensation_confirmed`, R13); its budget, and what was
  left of it at the end of the year (or at the checkpoint): the budget less every payment
  entered by then.

A year is a calendar year in the report's time zone (workflows.reports.period).
`by_month` gives registrations and destructions of weapons month by month, for the chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from custody.entries import EntryBody
from workflows.reports.period import Period
from workflows.reports.tally import Tally
from workflows.vocabulary import AMMUNITION, FIREARM, SOURCES, WEAPON_CATEGORIES

WEAPON_FIGURES = (
    "surrendered",
    "confiscated",
    "found",
    "surplus",
    "destroyed",
    "returned_to_owner",
    "held_as_evidence_at_year_end",
)
CATEGORY_FIGURES = ("firearm", "gas", "edged", "part")
AMMUNITION_FIGURES = (
    "lots_registered",
    "rounds_registered",
    "lots_destroyed",
    "rounds_destroyed",
    "scrap_weight_kg",
    "explosive_used_kg",
)
_TOTAL = {figure: f"weapons.{figure}.total" for figure in WEAPON_FIGURES}
_RIFLED = {figure: f"weapons.{figure}.rifled" for figure in WEAPON_FIGURES}
BURN_FIGURES = (("scrap_weight_kg", "scrap_weight_g"), ("explosive_used_kg", "explosive_amount"))
KILOGRAMS = frozenset({"scrap_weight_kg", "explosive_used_kg"})  # tallied in grams


class Kind(NamedTuple):
    """What the report needs to know of an item, from its intake entry (a tuple: one is
    made for each of tens of thousands of items)."""

    category: str
    rifled: bool
    quantity: int


@dataclass
class AnnualFold:
    period: Period
    tally: Tally = field(default_factory=Tally)
    kinds: dict[str, Kind] = field(default_factory=dict)
    registered_at: dict[str, str] = field(default_factory=dict)  # item -> its place of intake
    forensics: dict[str, str] = field(default_factory=dict)  # item -> forensic unit sent to
    batches: dict[str, str] = field(default_factory=dict)  # batch -> its plant or site
    evidence: dict[str, int] = field(default_factory=dict)  # item -> seq of its match
    gone: set[str] = field(default_factory=set)  # lost for good
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> its entry's data
    payments: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> campaign, tenge
    year_ended: bool = False

    def apply(self, body: EntryBody) -> None:
        if not self.year_ended and body.time >= self.period.end:
            self.close_year()
        if self.year_ended or body.time < self.period.start:
            self._keep(body)
            return
        handler = _COUNTS.get(body.kind)
        if handler is not None:
            handler(self, body)

    def _keep(self, body: EntryBody) -> None:
        """Outside the year, only what later counts need: items, places, evidence holds,
        campaigns and the payments that drew on their budgets before the year's end."""
        if body.kind == "item_registered":
            self._kind(body)
        elif body.kind in _KEPT:
            _COUNTS[body.kind](self, body)
        elif body.kind == "compensation_paid":
            self._paid(body, counted=False)

    def _kind(self, body: EntryBody) -> Kind:
        data, item = body.data, str(body.item)
        kind = Kind(data["category"], bool(data.get("rifled")), int(data.get("quantity") or 0))
        self.kinds[item] = kind
        self.registered_at[item] = data["location"]
        return kind

    def _weapon(self, place: str | None, figure: str, item: str, seq: int, kind: Kind) -> None:
        self.tally.add_at(place, _TOTAL[figure], item, seq)
        if kind.category == FIREARM and kind.rifled:
            self.tally.add_at(place, _RIFLED[figure], item, seq)

    def _registered(self, body: EntryBody) -> None:
        item, kind = str(body.item), self._kind(body)
        at = body.data["location"]
        if kind.category in WEAPON_CATEGORIES and body.data["source"] in SOURCES:
            self._weapon(at, body.data["source"], item, body.seq, kind)
            month = self.period.month(body.time)
            self.tally.add_at(at, f"by_month.registered.{month}", item, body.seq)
        elif kind.category == AMMUNITION:
            self.tally.add_at(at, "ammunition.lots_registered", item, body.seq)
            self.tally.add_at(at, "ammunition.rounds_registered", item, body.seq, kind.quantity)
        campaign = body.data.get("campaign")
        if campaign is not None and kind.category in WEAPON_CATEGORIES:
            path = f"campaigns.{campaign}"
            self.tally.add(f"{path}.items", item, body.seq)
            self.tally.add(f"{path}.by_category.{kind.category}", item, body.seq)
            if kind.category == FIREARM and kind.rifled:
                self.tally.add(f"{path}.rifled", item, body.seq)

    def _campaign_opened(self, body: EntryBody) -> None:
        campaign = str(body.item)
        self.campaigns[campaign] = body.data
        budget = body.data["budget_tenge"]
        self.tally.add(f"campaigns.{campaign}.budget_left_tenge", campaign, body.seq, budget)

    def _paid(self, body: EntryBody, counted: bool = True) -> None:
        """A payment draws on its campaign's budget when entered (before the year's end);
        it is paid in the year of its entry."""
        data = body.data
        campaign, amount = data["campaign"], int(data["amount_tenge"])
        self.payments[data["payment"]] = (campaign, amount)
        if self.year_ended:
            return
        path = f"campaigns.{campaign}"
        self.tally.add(f"{path}.budget_left_tenge", str(body.item), body.seq, -amount)
        if counted:
            self.tally.add(f"{path}.paid_tenge", str(body.item), body.seq, amount)

    def _confirmed(self, body: EntryBody) -> None:
        campaign, amount = self.payments[body.data["payment"]]
        self.tally.add(f"campaigns.{campaign}.confirmed_tenge", str(body.item), body.seq, amount)

    def _batch_opened(self, body: EntryBody) -> None:
        self.batches[str(body.item)] = body.data["location"]

    def _forensic_sent(self, body: EntryBody) -> None:
        self.forensics[str(body.item)] = body.data["forensics"]

    def _melted(self, body: EntryBody) -> None:
        if "batch" not in body.data:
            return  # the batch's entry; each item has its own
        item = str(body.item)
        kind = self.kinds.get(item)
        if kind is None or kind.category not in WEAPON_CATEGORIES:
            return
        place = self.batches.get(body.data["batch"])
        self._weapon(place, "destroyed", item, body.seq, kind)
        self.tally.add_at(place, f"weapons.destroyed.by_category.{kind.category}", item, body.seq)
        month = self.period.month(body.time)
        self.tally.add_at(place, f"by_month.destroyed.{month}", item, body.seq)

    def _burned(self, body: EntryBody) -> None:
        item = str(body.item)
        if "batch" in body.data:
            kind = self.kinds.get(item)
            if kind is not None and kind.category == AMMUNITION:
                place = self.batches.get(body.data["batch"])
                self.tally.add_at(place, "ammunition.lots_destroyed", item, body.seq)
                rounds = kind.quantity
                self.tally.add_at(place, "ammunition.rounds_destroyed", item, body.seq, rounds)
            return
        site = self.batches.get(item)
        for figure, fact in BURN_FIGURES:
            grams = body.data.get(fact)
            if isinstance(grams, int | float) and not isinstance(grams, bool):
                self.tally.add_at(site, f"ammunition.{figure}", item, body.seq, grams)

    def _returned(self, body: EntryBody) -> None:
        # A reversed decision comes before any transfer: the item is at its unit of intake.
        item = str(body.item)
        kind = self.kinds.get(item)
        if kind is not None and kind.category in WEAPON_CATEGORIES:
            self._weapon(self.registered_at.get(item), "returned_to_owner", item, body.seq, kind)

    def _registry(self, body: EntryBody) -> None:
        if body.data.get("act", {}).get("result") == "match":
            self.evidence[str(body.item)] = body.seq

    def _released(self, body: EntryBody) -> None:
        self.evidence.pop(str(body.item), None)

    def _resolved(self, body: EntryBody) -> None:
        if body.data.get("resolution") == "lost":
            self.gone.add(str(body.item))
            self.evidence.pop(str(body.item), None)

    def close_year(self) -> None:
        """The holds standing at the end of the year (or at the checkpoint): an item held
        for its case stays at the forensic unit that found the match (R4)."""
        self.year_ended = True
        for item, seq in self.evidence.items():
            kind = self.kinds.get(item)
            if kind is None or kind.category not in WEAPON_CATEGORIES or item in self.gone:
                continue
            place = self.forensics.get(item)
            self._weapon(place, "held_as_evidence_at_year_end", item, seq, kind)


_COUNTS = {
    "item_registered": AnnualFold._registered,
    "batch_opened": AnnualFold._batch_opened,
    "forensic_sent": AnnualFold._forensic_sent,
    "discrepancy_resolved": AnnualFold._resolved,
    "melted": AnnualFold._melted,
    "burned": AnnualFold._burned,
    "item_returned": AnnualFold._returned,
    "registry_result_recorded": AnnualFold._registry,
    "evidence_released": AnnualFold._released,
    "campaign_opened": AnnualFold._campaign_opened,
    "compensation_paid": AnnualFold._paid,
    "compensation_confirmed": AnnualFold._confirmed,
}
# Outside the year, what later counts need; the fold reads no other kind (KINDS).
_KEPT = frozenset(
    {"batch_opened", "forensic_sent", "registry_result_recorded", "evidence_released"}
    | {"discrepancy_resolved", "campaign_opened"}
)
KINDS = frozenset(_COUNTS)


def folded(bodies: Iterable[EntryBody], period: Period) -> AnnualFold:
    """A year folded over `bodies` (in seq order, from seq 0): its tally and campaigns."""
    annual = AnnualFold(period)
    for body in bodies:
        annual.apply(body)
    if not annual.year_ended:
        annual.close_year()
    return annual


def fold(bodies: Iterable[EntryBody], period: Period) -> Tally:
    """The tally of a year over `bodies` (in seq order, from seq 0)."""
    return folded(bodies, period).tally


def _number(tally: Tally, path: str) -> float:
    value = tally.value(path)
    if path.rsplit(".", 1)[-1] in KILOGRAMS:
        return round(value / 1000, 3)
    return int(value)


def figures(tally: Tally, prefix: str = "") -> dict[str, Any]:
    """The weapons and ammunition figures (of the nation, or of `by_place.<id>.`)."""
    weapons: dict[str, Any] = {}
    for figure in WEAPON_FIGURES:
        path = f"{prefix}weapons.{figure}"
        weapons[figure] = {
            "total": _number(tally, f"{path}.total"),
            "rifled": _number(tally, f"{path}.rifled"),
        }
    weapons["destroyed"]["by_category"] = {
        c: _number(tally, f"{prefix}weapons.destroyed.by_category.{c}") for c in CATEGORY_FIGURES
    }
    ammunition = {f: _number(tally, f"{prefix}ammunition.{f}") for f in AMMUNITION_FIGURES}
    return {"weapons": weapons, "ammunition": ammunition}


def places(tally: Tally) -> list[str]:
    return sorted({path.split(".")[1] for path in tally.behind if path.startswith("by_place.")})


def by_month(tally: Tally, prefix: str = "") -> dict[str, list[int]]:
    """Weapons registered and destroyed in each month (January first), for the chart."""
    return {
        what: [int(tally.value(f"{prefix}by_month.{what}.{month}")) for month in range(1, 13)]
        for what in ("registered", "destroyed")
    }


CAMPAIGN_FIGURES = ("items", "rifled", "paid_tenge", "confirmed_tenge", "budget_left_tenge")


def campaigns(tally: Tally, opened: dict[str, dict[str, Any]], period: Period) -> dict[str, Any]:
    """Each campaign whose period (its first and last day) meets the year, by id."""
    first, last = period.first.isoformat(), period.last.isoformat()
    shown: dict[str, Any] = {}
    for campaign, data in sorted(opened.items()):
        if data["starts"] > last or data["ends"] < first:
            continue
        path = f"campaigns.{campaign}"
        figures: dict[str, Any] = {
            "name": data["name"],
            "starts": data["starts"],
            "ends": data["ends"],
            "budget_tenge": int(data["budget_tenge"]),
        }
        figures |= {f: int(tally.value(f"{path}.{f}")) for f in CAMPAIGN_FIGURES}
        figures["by_category"] = {
            c: int(tally.value(f"{path}.by_category.{c}")) for c in CATEGORY_FIGURES
        }
        shown[campaign] = figures
    return shown


def report(
    tally: Tally,
    period: Period,
    place: str | None = None,
    opened: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report's figures (the caller adds the checkpoint): the nation's, or one place's;
    the nation's name the campaigns `opened` (AnnualFold.campaigns) that meet the year."""
    shown = [place] if place is not None else places(tally)
    prefix = f"by_place.{place}." if place is not None else ""
    national = figures(tally, prefix)
    return {
        "report": "annual",
        "year": period.first.year,
        "time_zone": period.zone,
        "place": place,
        **national,
        "by_place": {p: figures(tally, f"by_place.{p}.") for p in shown},
        "by_month": by_month(tally, prefix),
        "campaigns": campaigns(tally, opened or {}, period) if place is None else {},
    }
