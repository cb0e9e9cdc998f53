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

import functools
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from custody.db import Database
from custody.store import Store
from workflows import deadlines, terms
from workflows.deadlines import R1, R2, TRANSIT
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
_STORED = "SELECT item, rule, CAST(data AS BLOB) FROM wf_deadlines"
_STORED_PG = "SELECT item, rule, convert_to(data, 'UTF8') FROM wf_deadlines"
_CLOCKS: dict[str, tuple[str, Callable[..., None]]] = {
    "decision_appealed": ("appealed", deadlines.pause),
    "decision_suspended": ("suspended", deadlines.pause),
    "decision_final": ("final", deadlines.finalise),
    "decision_reversed": ("reversed", deadlines.reverse),
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

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        """What each kind of `KINDS` does to the state, by kind, given the parsed entry body
        (its fields as DESIGN §5 has them): looked up once per entry."""
        made: dict[str, Callable[[dict[str, Any]], None]] = {
            kind: functools.partial(self._clock, status=status, clock=clock)
            for kind, (status, clock) in _CLOCKS.items()
        }
        made.update(
            item_registered=self._registered,
            decision_recorded=self._decided,
            transfer_sent=self._sent,
            transfer_received=self._received,
            forensic_sent=self._forensic_sent,
            forensic_received=self._forensic_received,
            forensic_returned=self._forensic_returned,
            batch_opened=self._batch_opened,
            batch_loaded=self._batch_loaded,
            discrepancy_resolved=self._resolved,
            location_added=self._location,
        )
        return made

    def _sent(self, body: dict[str, Any]) -> None:
        item, data = body["item"], body["data"]
        self.transfers.setdefault(data["transfer"], data["destination"])
        state = self.items[item]
        state[_DESTINATION] = self.transfers[data["transfer"]]
        if state[_LOCATION] == state[_UNIT]:
            self._step(item, R1, deadlines.meet, body["time"])
        earlier = self.deadlines.get((item, TRANSIT))
        watch = deadlines.start_transit(item, data, body["time"], body["seq"])
        self._put(deadlines.restart_transit(earlier, watch, body["time"]))

    def _received(self, body: dict[str, Any]) -> None:
        item = body["item"]
        state = self.items[item]
        state[_LOCATION], state[_DESTINATION] = self.transfers[body["data"]["transfer"]], None
        self._step(item, TRANSIT, deadlines.meet, body["time"])
        if state[_FORENSICS] and (item, R2) not in self.deadlines:
            self._put(deadlines.start_r2(item, state[_LOCATION], body["time"]))
        else:  # as workflows.fold: R2 follows the item to another warehouse
            self._step(item, R2, deadlines.move_r2, state[_LOCATION])

    def _forensic_sent(self, body: dict[str, Any]) -> None:
        item = body["item"]
        self.items[item][_DESTINATION] = body["data"]["forensics"]
        self._step(item, R2, deadlines.meet, body["time"])

    def _forensic_received(self, body: dict[str, Any]) -> None:
        state = self.items[body["item"]]
        state[_LOCATION], state[_DESTINATION] = state[_DESTINATION] or state[_LOCATION], None

    def _forensic_returned(self, body: dict[str, Any]) -> None:
        self.items[body["item"]][_LOCATION] = body["data"]["warehouse"]

    def _batch_opened(self, body: dict[str, Any]) -> None:
        self.batches[body["item"]] = body["data"]["location"]

    def _batch_loaded(self, body: dict[str, Any]) -> None:
        self.items[body["item"]][_LOCATION] = self.batches[body["data"]["batch"]]

    def _resolved(self, body: dict[str, Any]) -> None:
        item = body["item"]
        if body["data"]["resolution"] == "lost" and item not in self.batches:
            for rule in (R1, R2, TRANSIT):
                cancel = functools.partial(deadlines.cancel, seq=body["seq"], why="lost")
                self._step(item, rule, cancel, body["time"])

    def _location(self, body: dict[str, Any]) -> None:
        data = body["data"]
        given = data.get("time_zone")
        zone = terms.place_zone(given if isinstance(given, str) else None, data["region"])
        self.places[body["item"]] = (data["kind"], zone)

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
        self.deadlines[(item, R1)] = deadlines.start_r1(item, unit, zone, event)

    def _clock(
        self, body: dict[str, Any], status: str, clock: Callable[[Deadline, Any], None]
    ) -> None:
        deadline = self.deadlines.get((body["item"], R1))
        if deadline is None:
            return
        data = body["data"]
        zone = deadline.zone or terms.DEFAULT_ZONE
        late = "entered_late_days" in data
        event = deadlines.fact(status, data.get("date"), body["time"], body["seq"], zone, late)
        clock(deadline, deadlines.with_destruction(event, data))


def derive(bodies: Iterable[dict[str, Any]]) -> dict[tuple[str, str], Deadline]:
    """The deadlines the parsed entry bodies (seq 0 on, in order, at least those of `KINDS`)
    make."""
    state = _Pass()
    handlers = state.handlers()
    for body in bodies:
        handler = handlers.get(body["kind"])
        if handler is not None:
            handler(body)
    return state.deadlines


def _derive_stored(conn: Connection) -> dict[tuple[str, str], Deadline]:
    """`derive` over the ledger in the caller's transaction: only the rows of `KINDS` are
    read, by their kind column (`custody verify` checks it repeats the body's kind), a chunk
    at a time in seq order, and each body is parsed once and handed to its kind's handler."""
    state = _Pass()
    handlers, loads = state.handlers(), orjson.loads
    store = Store(conn)
    size, kinds = store.head().size, sorted(KINDS)
    for start in range(0, size, CHUNK):
        for kind, stored in store.bodies_of_kinds(kinds, start, min(start + CHUNK, size)):
            handlers[kind](loads(stored))
    return state.deadlines


def rederive(database: Database) -> int:
    """Derive the deadline rows again from the ledger and make the table hold exactly them,
    in one write transaction (so no entry is appended between the read and the write):
    a row that is already as derived is left alone, the others are written (the driver's
    executemany) and rows the ledger does not make are removed. Returns how many deadlines
    the ledger makes. The other state tables are left as they are.

    After a restart the rows are normally right already, and comparing costs a read of
    them instead of a rewrite of 100,000 rows (bench/deadlines.py); a database made
    before the law count has every row rewritten."""
    postgres = database.engine.dialect.name == "postgresql"
    read = _STORED_PG if postgres else _STORED
    # Hundreds of thousands of small dicts made and kept for the pass (workflows.heap).
    with collector_paused(), database.write() as conn:
        made = _derive_stored(conn)
        count = len(made)
        raw: Any = conn.connection.driver_connection
        # Each stored row compared, as it is read, with its document written out: neither
        # side is kept (the bytes of the equal ones, all after a restart, are freed at once).
        # The table holds its rows in the order they were made (Repository.save keeps the
        # fold's order), the order of `made`, so both are walked through memory in step: in
        # a scattered order the same compare took twice as long (bench/deadlines.py).
        dumps, changed, stale = orjson.dumps, [], []
        for item, rule, body in raw.execute(read):
            d = made.pop((item, rule), None)
            if d is None:
                stale.append((item, rule))
            elif dumps(d) != body:
                changed.append(d)
        changed += made.values()  # the deadlines with no row yet
        rows = [(d.item, d.rule, d.due_at, d.met_at or d.cancelled_at, dumps(d)) for d in changed]
        _write(raw, postgres, rows, stale, everything=len(rows) == count)
        # Freed while the collector is held off: left for it, the first collection after
        # the pause would walk every one of them (workflows.heap).
        del made, changed, rows
    return count


def _write(
    raw: Any, postgres: bool, rows: list[Any], stale: list[tuple[str, str]], everything: bool
) -> None:
    """Remove the `stale` rows and write `rows` over those of their keys."""
    insert = (
        _INSERT.replace("?", "%s").replace("CAST(%s AS TEXT)", _PG_TEXT) if postgres else _INSERT
    )
    delete = "DELETE FROM wf_deadlines WHERE item = ? AND rule = ?"
    if everything:  # nothing to keep: one statement instead of a delete per row
        raw.execute("DELETE FROM wf_deadlines")
    else:
        gone = stale + [(row[0], row[1]) for row in rows]
        if gone:
            raw.cursor().executemany(delete.replace("?", "%s") if postgres else delete, gone)
    if rows:
        raw.cursor().executemany(insert, rows)
