"""The deadline rows derived again from the ledger in one streaming pass, without the whole
fold: what `custody deadlines --rebuild` needs to be quick on a large ledger.

The full replay (workflows.replay) builds every item, batch and transfer to write the
deadlines of 100,000 items: about 30 times the time it takes to read the ledger. The
deadlines depend on little of that: where each item was registered and is now, whether it
goes to forensics (R2), the zone of its unit, and the dated facts of its decision. This pass
keeps only those, per item, as a tuple, reads only the entries of the kinds that move them
(`KINDS`), and counts the clocks with the very functions the fold uses
(`workflows.deadlines`, law days by `workflows.terms`), so a due time cannot be counted
another way here. The bodies are taken as stored, as the reports take them: `custody
verify` checks their form, and its state replay checks these rows against the whole fold
(tests/test_deadlines_rederive.py checks the two agree on every scenario it builds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from custody.db import Database
from custody.store import Store
from workflows import deadlines, terms
from workflows.deadlines import R1, R2
from workflows.heap import collector_paused
from workflows.model import Deadline
from workflows.reports.recompute import CHUNK
from workflows.vocabulary import WAREHOUSE, needs_forensics

# What an item needs for its deadlines: [unit, location, destination, goes_to_forensics].
_Item = list[Any]
_UNIT, _LOCATION, _DESTINATION, _FORENSICS = range(4)

KINDS = frozenset(
    {
        "location_added",
        "item_registered",
        "decision_recorded",
        "decision_appealed",
        "decision_suspended",
        "decision_final",
        "decision_reversed",
        "transfer_sent",
        "transfer_received",
        "forensic_sent",
        "forensic_received",
        "forensic_returned",
        "batch_opened",
        "batch_loaded",
        "discrepancy_resolved",
    }
)
# The row of each deadline as workflows.repository's shelf writes it; the JSON goes as
# UTF-8 bytes, converted to text by the database (see Repository).
_INSERT = (
    "INSERT INTO wf_deadlines (item, rule, due_at, closed, data) "
    "VALUES (?, ?, ?, ?, CAST(? AS TEXT))"
)
_PG_TEXT = "convert_from(%s, 'UTF8')"
_CLOCKS: dict[str, tuple[str, Callable[..., None]]] = {
    "decision_appealed": ("appealed", deadlines.pause),
    "decision_suspended": ("suspended", deadlines.pause),
    "decision_final": ("final", deadlines.finalise),
    "decision_reversed": ("reversed", lambda d, e: deadlines.cancel(d, e["entered_at"])),
}


class _Pass:
    """The little state the deadlines need, folded entry by entry (see fold.py for each
    kind's full effect; only the part that reaches a deadline is repeated here)."""

    def __init__(self) -> None:
        self.places: dict[str, tuple[str, str]] = {}  # id -> (kind, zone)
        self.items: dict[str, _Item] = {}
        self.transfers: dict[str, str] = {}  # id -> destination
        self.batches: dict[str, str] = {}  # id -> location
        self.deadlines: dict[tuple[str, str], Deadline] = {}

    def apply(self, body: dict[str, Any]) -> None:
        """Fold one parsed entry body (its fields as DESIGN §5 has them)."""
        kind, item, data = body["kind"], body["item"], body["data"]
        if kind in _CLOCKS:
            self._clock(body, *_CLOCKS[kind])
        elif kind == "item_registered":
            self._registered(body)
        elif kind == "decision_recorded":
            self._decided(body)
        elif kind == "transfer_sent":
            self.transfers.setdefault(data["transfer"], data["destination"])
            state = self.items[item]
            state[_DESTINATION] = self.transfers[data["transfer"]]
            if state[_LOCATION] == state[_UNIT]:
                self._step(item, R1, deadlines.meet, body["time"])
        elif kind == "transfer_received":
            state = self.items[item]
            state[_LOCATION], state[_DESTINATION] = self.transfers[data["transfer"]], None
            if state[_FORENSICS] and (item, R2) not in self.deadlines:
                self._put(deadlines.start_r2(item, state[_LOCATION], body["time"]))
        elif kind == "forensic_sent":
            self.items[item][_DESTINATION] = data["forensics"]
            self._step(item, R2, deadlines.meet, body["time"])
        elif kind == "forensic_received":
            state = self.items[item]
            state[_LOCATION], state[_DESTINATION] = state[_DESTINATION] or state[_LOCATION], None
        elif kind == "forensic_returned":
            self.items[item][_LOCATION] = data["warehouse"]
        elif kind == "batch_opened":
            self.batches[item] = data["location"]
        elif kind == "batch_loaded":
            self.items[item][_LOCATION] = self.batches[data["batch"]]
        elif kind == "discrepancy_resolved":
            if data["resolution"] == "lost" and item not in self.batches:
                for rule in (R1, R2):
                    self._step(item, rule, deadlines.cancel, body["time"])
        elif kind == "location_added":
            zone = data.get("time_zone")
            if not isinstance(zone, str):
                zone = terms.zone_of_region(data["region"]) or terms.DEFAULT_ZONE
            self.places[item] = (data["kind"], zone)

    def _put(self, deadline: Deadline) -> None:
        self.deadlines[(deadline.item, deadline.rule)] = deadline

    def _step(self, item: str, rule: str, step: Callable[..., None], at: str) -> None:
        deadline = self.deadlines.get((item, rule))
        if deadline is not None:
            step(deadline, at)

    def _registered(self, body: dict[str, Any]) -> None:
        data, place = body["data"], body["data"]["location"]
        forensics = needs_forensics(data["category"], bool(data.get("rifled")), data["source"])
        self.items[body["item"]] = [place, place, None, forensics]
        if forensics and self.places[place][0] == WAREHOUSE:
            self._put(deadlines.start_r2(body["item"], place, body["time"]))

    def _decided(self, body: dict[str, Any]) -> None:
        data, item = body["data"], body["item"]
        unit = self.items[item][_UNIT]
        zone = data.get("time_zone")
        if not isinstance(zone, str):
            zone = self.places[unit][1] if unit in self.places else terms.DEFAULT_ZONE
        late = "entered_late_days" in data
        event = deadlines.fact("decision", data["date"], body["time"], body["seq"], zone, late)
        self._put(deadlines.start_r1(item, unit, zone, event))

    def _clock(self, body: dict[str, Any], status: str, clock: Callable[..., None]) -> None:
        deadline = self.deadlines.get((body["item"], R1))
        if deadline is None:
            return
        data = body["data"]
        zone = deadline.zone or terms.DEFAULT_ZONE
        late = "entered_late_days" in data
        event = deadlines.fact(status, data.get("date"), body["time"], body["seq"], zone, late)
        clock(deadline, event)


def derive(bodies: Iterable[dict[str, Any]]) -> dict[tuple[str, str], Deadline]:
    """The deadlines the parsed entry bodies (seq 0 on, in order, at least those of `KINDS`)
    make."""
    state = _Pass()
    for body in bodies:
        state.apply(body)
    return state.deadlines


def _bodies(database: Database) -> Iterator[dict[str, Any]]:
    """The parsed bodies of the entries of `KINDS`, in seq order, read in one snapshot a
    chunk at a time (the kind found in the stored bytes first, as
    workflows.reports.recompute.kind_of does)."""
    wanted, marker, loads = {k.encode() for k in KINDS}, b',"kind":"', orjson.loads
    with database.read() as conn:
        store = Store(conn)
        size = store.head().size
        for start in range(0, size, CHUNK):
            for (stored,) in store.bodies(start, min(start + CHUNK, size)):
                at = stored.rfind(marker) + 9
                if stored[at : stored.index(b'"', at)] in wanted:
                    yield loads(stored)


def rederive(database: Database) -> int:
    """Write the deadline rows again from the ledger alone, in one transaction: every row
    removed, every deadline the ledger makes inserted (the driver's executemany). Returns how
    many. The other state tables are left as they are."""
    with collector_paused():  # hundreds of thousands of small dicts, kept (workflows.heap)
        made = derive(_bodies(database))
        dumps = orjson.dumps
        rows = [
            (d.item, d.rule, d.due_at, d.met_at or d.cancelled_at, dumps(d)) for d in made.values()
        ]
    postgres = database.engine.dialect.name == "postgresql"
    sql = _INSERT.replace("?", "%s").replace("CAST(%s AS TEXT)", _PG_TEXT) if postgres else _INSERT
    with database.write() as conn:
        raw: Any = conn.connection.driver_connection
        raw.execute("DELETE FROM wf_deadlines")
        raw.cursor().executemany(sql, rows)
    return len(rows)
