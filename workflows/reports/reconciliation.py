"""Stock and weight reconciliation of a period, from the ledger's entries alone.

For each place: opening stock + received - sent - destroyed - returned - lost = closing
stock, where stock is what the ledger records as on the place's shelves (not on the road,
not gone), `received` counts intake and arrivals, `sent` every departure (transfers,
forensics, loading into a batch at another place). The last physical inventory count at the
place (`inventory_counted`) is set beside it: every item the count missed or found in the
wrong place is listed, with the ledger's stock at the moment of the count.

For each furnace or burn batch destroyed in the period: the sum of its items' weights after
cutting or depackaging (their `cut` / `depackaged` entries) against the charge weighed into
the furnace or bunker, and the scrap that came out; a difference beyond the tolerance the
batch's entry recorded is flagged, with the discrepancy it opened and how it was resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from custody.entries import EntryBody
from workflows.reports.period import Period
from workflows.reports.tally import Tally
from workflows.reports.whereabouts import MOVING, Whereabouts

FLOWS = ("received", "sent", "destroyed", "returned", "lost")


@dataclass
class Batch:
    kind: str
    location: str
    items: list[str] = field(default_factory=list)
    destroyed: dict[str, Any] | None = None  # the batch's melted / burned entry: data, seq, time
    discrepancies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReconciliationFold:
    period: Period
    tally: Tally = field(default_factory=Tally)
    where: Whereabouts = field(default_factory=Whereabouts)
    opening: dict[str, dict[str, int]] | None = None  # place -> item -> seq it came by
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)  # place -> last count
    weights: dict[str, tuple[int, int]] = field(default_factory=dict)  # item -> (g, seq)
    batches: dict[str, Batch] = field(default_factory=dict)
    ended: bool = False

    def stock(self) -> dict[str, dict[str, int]]:
        """What each place holds now: item -> the seq of the entry that brought it there."""
        shelves: dict[str, dict[str, int]] = {}
        since = self.where.since
        for item, place in self.where.place.items():
            if place is not None:
                shelves.setdefault(place, {})[item] = since[item]
        return shelves

    def apply(self, body: EntryBody) -> None:
        if self.opening is None and body.time >= self.period.start:
            self.opening = self.stock()
        if body.time >= self.period.end:
            self.ended = True
            return
        moves = self.where.apply(body)
        if self.opening is not None:
            for item, source, target, how in moves:
                if source is not None:
                    flow = "sent" if how == "moved" else how
                    self.tally.add(f"places.{source}.{flow}", item, body.seq)
                if target is not None:
                    self.tally.add(f"places.{target}.received", item, body.seq)
        handler = _FACTS.get(body.kind)
        if handler is not None:
            handler(self, body)

    def _inventory(self, body: EntryBody) -> None:
        place = str(body.item)
        on_shelf = self.stock().get(place, {})
        self.counts[place] = {
            "seq": body.seq,
            "time": body.time,
            **{k: body.data.get(k) for k in ("scanned", "recorded", "missing", "unexpected")},
            "ledger_stock": len(on_shelf),
        }

    def _weighed(self, body: EntryBody) -> None:
        self.weights[str(body.item)] = (int(body.data["weight_g"]), body.seq)

    def _opened(self, body: EntryBody) -> None:
        self.batches[str(body.item)] = Batch(body.data["kind"], body.data["location"])

    def _loaded(self, body: EntryBody) -> None:
        batch = self.batches.get(body.data["batch"])
        if batch is not None:
            batch.items.append(str(body.item))

    def _unloaded(self, body: EntryBody) -> None:
        batch = self.batches.get(body.data["batch"])
        if batch is not None and str(body.item) in batch.items:
            batch.items.remove(str(body.item))

    def _destroyed(self, body: EntryBody) -> None:
        batch = self.batches.get(str(body.item))
        if "batch" not in body.data and batch is not None and self.period.holds(body.time):
            batch.destroyed = {"data": body.data, "seq": body.seq, "time": body.time}

    def _discrepancy(self, body: EntryBody) -> None:
        batch = self.batches.get(str(body.item))
        if batch is None:
            return
        if body.kind == "discrepancy_recorded":
            batch.discrepancies.append(
                {"discrepancy": body.data["discrepancy"], "seq": body.seq, "resolution": None}
            )
            return
        for open_one in batch.discrepancies:
            if open_one["discrepancy"] == body.data["discrepancy"]:
                open_one["resolution"] = body.data["resolution"]
                open_one["resolved_seq"] = body.seq


_FACTS = {
    "inventory_counted": ReconciliationFold._inventory,
    "cut": ReconciliationFold._weighed,
    "depackaged": ReconciliationFold._weighed,
    "batch_opened": ReconciliationFold._opened,
    "batch_loaded": ReconciliationFold._loaded,
    "unloaded": ReconciliationFold._unloaded,
    "melted": ReconciliationFold._destroyed,
    "burned": ReconciliationFold._destroyed,
    "discrepancy_recorded": ReconciliationFold._discrepancy,
    "discrepancy_resolved": ReconciliationFold._discrepancy,
}


KINDS = frozenset(_FACTS) | MOVING


def fold(bodies: Iterable[EntryBody], period: Period) -> ReconciliationFold:
    reconciliation = ReconciliationFold(period)
    for body in bodies:
        reconciliation.apply(body)
        if reconciliation.ended:
            break
    if reconciliation.opening is None:
        reconciliation.opening = reconciliation.stock()
    return reconciliation


def _place(fold: ReconciliationFold, place: str, closing: dict[str, int]) -> dict[str, Any]:
    tally = fold.tally
    opening = (fold.opening or {}).get(place, {})
    for item in sorted(opening):
        tally.add(f"places.{place}.opening", item, opening[item])
    for item in sorted(closing):
        tally.add(f"places.{place}.closing", item, closing[item])
    flows = {flow: int(tally.value(f"places.{place}.{flow}")) for flow in FLOWS}
    balance = len(opening) + flows["received"] - sum(flows[f] for f in FLOWS[1:])
    count = fold.counts.get(place)
    differences = []
    if count is not None:
        for item in count["missing"] or []:
            differences.append({"item": item, "difference": "missing", "seq": count["seq"]})
        for item in count["unexpected"] or []:
            differences.append({"item": item, "difference": "unexpected", "seq": count["seq"]})
    return {
        "opening": len(opening),
        **flows,
        "closing": len(closing),
        "balanced": balance == len(closing),
        "lost_items": [entry[0] for entry in tally.behind.get(f"places.{place}.lost", [])],
        "last_count": count,
        "differences": differences,
    }


def _batch(fold: ReconciliationFold, batch_id: str, batch: Batch) -> dict[str, Any]:
    assert batch.destroyed is not None
    data = batch.destroyed["data"]
    items: list[dict[str, Any]] = []
    expected = 0
    for item in batch.items:
        grams, seq = fold.weights.get(item, (0, -1))
        items.append({"item": item, "weight_g": grams, "seq": seq})
        fold.tally.add(f"batches.{batch_id}.items_weight_g", item, seq, grams)
        expected += grams
    charge = int(data.get("charge_weight_g", 0))
    tolerance = int(data.get("tolerance_g", 0))
    return {
        "kind": batch.kind,
        "location": batch.location,
        "destroyed_at": batch.destroyed["time"],
        "seq": batch.destroyed["seq"],
        "items": items,
        "items_weight_g": expected,
        "charge_weight_g": charge,
        "scrap_weight_g": int(data.get("scrap_weight_g", 0)),
        "difference_g": charge - expected,
        "tolerance_g": tolerance,
        "within_tolerance": abs(charge - expected) <= tolerance,
        "discrepancies": list(batch.discrepancies),
    }


def report(fold: ReconciliationFold) -> tuple[dict[str, Any], Tally]:
    """The report's figures (the caller adds the checkpoint), and what lies behind them."""
    closing = fold.stock()
    shelves = set(closing) | set(fold.opening or {}) | set(fold.counts)
    shelves |= {path.split(".")[1] for path in fold.tally.behind if path.startswith("places.")}
    period = fold.period
    figures = {
        "report": "reconciliation",
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "time_zone": period.zone,
        "places": {p: _place(fold, p, closing.get(p, {})) for p in sorted(shelves)},
        "batches": {
            b: _batch(fold, b, batch)
            for b, batch in sorted(fold.batches.items())
            if batch.destroyed is not None
        },
    }
    return figures, fold.tally
