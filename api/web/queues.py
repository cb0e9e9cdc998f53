"""The work queues of each role's home page, drawn from the state and deadline facts: which
items wait for which step at the person's places, each with its legal clock (R1, R2) or the
transit watch (not a rule of the law: items sent from the place and not yet received) and
the step a bulk action would apply. Reading only; the step itself is a command.

Places: an account acts at its places (DESIGN §2). `places_of` gives them; only the roles
that act at no place (auditor, administrator) read every place, and an account of a placed
role without places is shown nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from api.access import roles
from api.access.tokens import Principal
from workflows import reading
from workflows.model import Batch, Deadline, Item, Transfer
from workflows.process import Process
from workflows.repository import Repository
from workflows.vocabulary import needs_forensics
from workflows.world import World

SHOWN = 10  # rows per queue on the home page; the count says how many, "more" pages on
QUEUE_PAGE = 50  # rows per page of one queue (/web/queues/{key})


@dataclass(frozen=True)
class QueueSpec:
    key: str
    title: str  # msgid
    states: tuple[str, ...]
    step: str | None  # the bulk action, a command kind; None: link to the item's own page
    rule: str | None = None  # the clock shown: R1, R2, transit
    when: str | None = None  # "forensics": only items that still need the registry check


def N_(message: str) -> str:
    return message


# Items sent from the person's places and not yet received, soonest due first: the sending
# place answers for them until then (workflows.deadlines, the transit watch).
_TRANSIT = QueueSpec(
    "transit",
    N_("Sent, not yet received (transit watch)"),
    ("in_transit",),
    None,
    "transit",
)


ROLE_QUEUES: dict[str, tuple[QueueSpec, ...]] = {
    roles.UNIT_OFFICER: (
        QueueSpec("decide", N_("Decisions to record"), ("registered",), "decision_recorded"),
        QueueSpec(
            "send",
            N_("Transfers to send (R1: 10 days)"),
            ("decided", "final"),
            "transfer_sent",
            "R1",
        ),
        QueueSpec(
            "paused",
            N_("Appealed or suspended (R1 clock paused)"),
            ("appealed", "suspended"),
            None,
            "R1",
        ),
        _TRANSIT,
    ),
    roles.WAREHOUSE_CLERK: (
        QueueSpec(
            "forensics",
            N_("Due at forensics (R2: 48 hours)"),
            ("at_warehouse",),
            "forensic_sent",
            "R2",
            "forensics",
        ),
        QueueSpec(
            "parts",
            N_("Ready for parts removal (R5)"),
            ("at_warehouse",),
            "parts_removed",
            None,
            "ready",
        ),
        QueueSpec(
            "incinerate", N_("Parts to incinerate (R5)"), ("parts_removed",), "parts_incinerated"
        ),
        QueueSpec("deform", N_("Ready for deformation (R6)"), ("parts_incinerated",), "deformed"),
        QueueSpec("cut", N_("Ready for cutting (R6)"), ("deformed",), None),
        QueueSpec("load", N_("Ready for loading (R7)"), ("cut",), None),
        QueueSpec("discrepancies", N_("Discrepancies"), ("discrepancy",), None),
        _TRANSIT,
    ),
    roles.FORENSIC_EXAMINER: (
        QueueSpec("receive", N_("Items to receive"), ("to_forensics",), "forensic_received"),
        QueueSpec("fire", N_("Awaiting test fire"), ("at_forensics",), "test_fired"),
        QueueSpec("result", N_("Awaiting registry result"), ("test_fired",), None),
        QueueSpec("return", N_("To return to the warehouse"), ("examined",), "forensic_returned"),
    ),
}


@dataclass
class Row:
    item: Item
    deadline: Deadline | None = None

    def remaining(self, now: dt.datetime) -> dt.timedelta | None:
        return self.deadline.remaining(now) if self.deadline else None


@dataclass
class Queue:
    spec: QueueSpec
    rows: list[Row] = field(default_factory=list)
    total: int = 0


@dataclass
class Home:
    queues: list[Queue]
    transfers: list[Transfer]  # open transfers coming to the person's places
    # Inventory counts to make: each warehouse of the person's places, with how many items
    # are recorded there (a clerk's).
    counts: list[tuple[str, int]] = field(default_factory=list)


def places_of(principal: Principal) -> Sequence[str] | None:
    """The places the account reads at (workflows.reading.scope): None (every place) only
    for an account holding a role that acts at no place and reads everywhere (the auditor,
    the administrator: `PLACE_KINDS` empty, DESIGN §2); otherwise its places, and an account
    of a placed role with none (its only warehouse withdrawn) gets () and sees nothing.
    Least privilege: a missing place never widens what one reads."""
    if reading.scope(principal.roles, principal.places) is None:
        return None
    return tuple(principal.places)


def for_role(process: Process, role: str, places: Sequence[str] | None) -> Home:
    """The role's queues at `places` (None: everywhere), SHOWN rows each, clocks first.

    Plain SQL on the driver, like the API's hot reads: a state's rows are taken by its index
    without sorting the thousands a warehouse holds (the clocks order what is shown); the
    R2 queue comes from the open R2 deadlines, soonest due first."""
    specs = ROLE_QUEUES.get(role, ())
    with process.ledger.database.read() as conn:
        shelf = _Shelf(Repository(conn), places)
        counts = shelf.counts()
        queues = [Queue(spec) for spec in specs]
        fetched: dict[str, list[Item]] = {}
        for queue in queues:
            for state in queue.spec.states:
                if queue.spec.when == "forensics":
                    fetched["R2"] = shelf.due("R2", state)
                elif queue.spec.rule and queue.spec.when is None:
                    fetched[state] = shelf.clocks_first(queue.spec.rule, state, SHOWN)
                elif state not in fetched:
                    # A state shared with a forensics queue is sifted: take more of it.
                    shared = any(q.when == "ready" and state in q.states for q in specs)
                    fetched[state] = shelf.items(state, 3 * SHOWN if shared else SHOWN)
        world = World()
        clocks = ("R1", "R2", "transit")
        keys = [(i.id, r) for items in fetched.values() for i in items for r in clocks]
        shelf.repo.load(world, "deadlines", keys)
        for queue in queues:
            for state in queue.spec.states:
                source = fetched["R2" if queue.spec.when == "forensics" else state]
                for item in source:
                    if not _belongs(queue.spec, item) or len(queue.rows) >= SHOWN:
                        continue
                    rule = queue.spec.rule
                    deadline = world.find("deadlines", (item.id, rule)) if rule else None
                    queue.rows.append(Row(item, deadline))
            queue.total = _total(queue, counts, shelf)
            queue.rows.sort(key=lambda r: (r.deadline is None, _due(r), r.item.id))
        clerk = role == roles.WAREHOUSE_CLERK
        transfers = shelf.arriving() if clerk else []
        to_count = shelf.held_at_warehouses() if clerk else []
    return Home(queues, transfers, to_count)


def arriving(process: Process, places: Sequence[str] | None) -> list[Transfer]:
    """The open transfers coming to `places` (None: everywhere), at most SHOWN: what a
    clerk receives (the scan page offers their ids)."""
    with process.ledger.database.read() as conn:
        return _Shelf(Repository(conn), places).arriving()


def _sifted(shelf: _Shelf, spec: QueueSpec, state: str, skip: int) -> list[Item]:
    """A page of a state's items that belong to `spec`, read in chunks until it is full."""
    chunk, offset = 1000, 0
    kept: list[Item] = []
    while len(kept) < skip + QUEUE_PAGE:
        read = shelf.items(state, chunk, offset, ordered=True)
        kept += [i for i in read if _belongs(spec, i)]
        if len(read) < chunk:
            break
        offset += chunk
    return kept[skip : skip + QUEUE_PAGE]


def _belongs(spec: QueueSpec, item: Item) -> bool:
    pending = needs_forensics(item.category, item.rifled, item.source) and not item.registry_result
    if spec.when == "forensics":
        return pending
    if spec.when == "ready":
        return not pending
    return True


def _due(row: Row) -> str:
    return (row.deadline.due_at if row.deadline else None) or "~"


def _total(queue: Queue, counts: dict[str, int], shelf: _Shelf) -> int:
    whole = sum(counts.get(s, 0) for s in queue.spec.states)
    if queue.spec.when is None:
        return whole
    # A share of a state: those that still wait for forensics have their R2 clock open.
    waiting = sum(shelf.count_due("R2", s) for s in queue.spec.states)
    return waiting if queue.spec.when == "forensics" else max(0, whole - waiting)


def spec_of(role: str, key: str) -> QueueSpec | None:
    """The role's queue of that key, or None."""
    return next((spec for spec in ROLE_QUEUES.get(role, ()) if spec.key == key), None)


def one_page(process: Process, spec: QueueSpec, places: Sequence[str] | None, number: int) -> Queue:
    """Page `number` (from 1) of one queue, QUEUE_PAGE rows with its clocks and its total:
    a queue with a clock (R1) pages over all its states at once, those with the clock open
    first, soonest due first, then the rest by id (the order of the home page's rows); the
    R2 queue soonest due first; the others by id."""
    skip = (number - 1) * QUEUE_PAGE
    with process.ledger.database.read() as conn:
        shelf = _Shelf(Repository(conn), places)
        counts = shelf.counts()
        queue = Queue(spec)
        found: list[Item] = []
        if spec.when is None and spec.rule:
            # One paging over all the queue's states (send: decided and final), clocks first.
            found = shelf.clocks_first(spec.rule, spec.states, QUEUE_PAGE, skip)
        elif spec.when is None:
            found = shelf.items(spec.states, QUEUE_PAGE, skip, ordered=True)
        else:
            for state in spec.states:  # the sifted queues have one state each
                if spec.when == "forensics":
                    found += shelf.due("R2", state, QUEUE_PAGE, skip)
                else:  # sifted in Python, the registry result being inside the item's document
                    found += _sifted(shelf, spec, state, skip)
        found = found[:QUEUE_PAGE]
        world = World()
        if spec.rule:
            shelf.repo.load(world, "deadlines", [(i.id, spec.rule) for i in found])
        for item in found:
            deadline = world.find("deadlines", (item.id, spec.rule)) if spec.rule else None
            queue.rows.append(Row(item, deadline))
        queue.rows.sort(key=lambda r: (r.deadline is None, _due(r), r.item.id))
        queue.total = _total(queue, counts, shelf)
    return queue


States = str | Sequence[str]


def _states_in(column: str, state: States) -> tuple[str, list[str]]:
    """The SQL condition that `column` is the state, or one of the states, and its values."""
    if isinstance(state, str):
        return f"{column} = ?", [state]
    return f"{column} IN ({', '.join('?' * len(state))})", list(state)


class _Shelf:
    """The reads of the queues, at some places or everywhere."""

    def __init__(self, repo: Repository, places: Sequence[str] | None) -> None:
        self.repo, self.places = repo, list(places) if places is not None else None
        self.data = repo._bytes

    def _where_place(self, column: str = "location") -> tuple[str, list[str]]:
        if self.places is None:
            return "", []
        if not self.places:  # an account of a placed role without places sees nothing
            return " AND 1 = 0", []
        return f" AND {column} IN ({', '.join('?' * len(self.places))})", list(self.places)

    def _rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return list(self.repo.raw.execute(self.repo._sql(sql), list(params)).fetchall())

    def counts(self) -> dict[str, int]:
        where, params = self._where_place()
        sql = f"SELECT state, COUNT(*) FROM wf_items WHERE 1 = 1{where} GROUP BY state"
        return {str(state): int(n) for state, n in self._rows(sql, params)}

    def items(self, state: States, limit: int, skip: int = 0, ordered: bool = False) -> list[Item]:
        where, params = self._where_place()
        states, given = _states_in("state", state)
        order = " ORDER BY id" if ordered else ""
        sql = (
            f"SELECT {self.data} FROM wf_items WHERE {states}{where}{order} "
            f"LIMIT {int(limit)} OFFSET {int(skip)}"
        )
        return [
            Item.from_json(orjson.loads(bytes(r[0]))) for r in self._rows(sql, [*given, *params])
        ]

    def count_due(self, rule: str, state: States) -> int:
        """How many items in `state` (one or several) have an open `rule` clock."""
        where, params = self._where_place("i.location")
        states, given = _states_in("i.state", state)
        sql = (
            "SELECT COUNT(*) FROM wf_deadlines d CROSS JOIN wf_items i "
            f"WHERE i.id = d.item AND d.rule = ? AND d.closed IS NULL AND {states}{where}"
        )
        return int(self._rows(sql, [rule, *given, *params])[0][0])

    def due(self, rule: str, state: States, limit: int = SHOWN, skip: int = 0) -> list[Item]:
        """Items in `state` (one or several) with an open `rule` clock, soonest due first."""
        where, params = self._where_place("i.location")
        states, given = _states_in("i.state", state)
        data = self.data.replace("data", "i.data")
        sql = (
            # CROSS JOIN: SQLite then starts from the open clocks, a few, not from the
            # thousands of items in the state; standard SQL, the same for PostgreSQL.
            f"SELECT {data} FROM wf_deadlines d CROSS JOIN wf_items i "
            f"WHERE i.id = d.item AND d.rule = ? AND d.closed IS NULL AND {states}{where} "
            f"ORDER BY d.due_at IS NULL, d.due_at, i.id LIMIT {int(limit)} OFFSET {int(skip)}"
        )
        return [
            Item.from_json(orjson.loads(bytes(r[0])))
            for r in self._rows(sql, [rule, *given, *params])
        ]

    def clocks_first(self, rule: str, state: States, limit: int, skip: int = 0) -> list[Item]:
        """Items in `state` (one, or several paged as one), those with an open `rule` clock
        first, soonest due first (a paused one, with no due time, after the running ones),
        then the rest in id order: a queue's overdue items are never behind rows that have
        no clock."""
        clocked = self.count_due(rule, state)
        found = self.due(rule, state, limit, skip) if skip < clocked else []
        if len(found) < limit:
            where, params = self._where_place()
            states, given = _states_in("state", state)
            rest = limit - len(found)
            sql = (
                f"SELECT {self.data} FROM wf_items WHERE {states}{where} AND id NOT IN "
                "(SELECT item FROM wf_deadlines WHERE rule = ? AND closed IS NULL) "
                f"ORDER BY id LIMIT {int(rest)} OFFSET {int(max(0, skip - clocked))}"
            )
            rows = self._rows(sql, [*given, *params, rule])
            found += [Item.from_json(orjson.loads(bytes(r[0]))) for r in rows]
        return found

    def held_at_warehouses(self) -> list[tuple[str, int]]:
        """Each warehouse among the places, with how many items are recorded there."""
        where, params = self._where_place("l.id")
        sql = (
            "SELECT l.id, (SELECT COUNT(*) FROM wf_items i WHERE i.location = l.id) "
            f"FROM wf_locations l WHERE l.kind = 'warehouse'{where} ORDER BY l.id"
        )
        return [(str(place), int(n)) for place, n in self._rows(sql, params)]

    def arriving(self) -> list[Transfer]:
        sql = f"SELECT {self.data} FROM wf_transfers WHERE state = 'open'"
        found = [Transfer.from_json(orjson.loads(bytes(r[0]))) for r in self._rows(sql, [])]
        return [t for t in found if self.places is None or t.destination in self.places][:SHOWN]


AWAITING_SIGNATURES = ("melted", "burned")  # a batch's states while its statement is signed


def to_sign(process: Process, principal: Principal) -> list[Batch]:
    """The batches whose statement waits for this commission member's signature: destroyed
    (melted, burned), not final, the member recorded present (R8: only those present sign)
    and not signed yet; at the places the member reads, oldest first. Empty for anyone who
    is not a commission member."""
    if roles.COMMISSION_MEMBER not in principal.roles:
        return []
    reader = reading.scope(principal.roles, principal.places)
    me = principal.username
    waiting = (
        b
        for b in process.batches()
        if b.state in AWAITING_SIGNATURES
        and me in b.present_in_role(roles.COMMISSION_MEMBER)
        and me not in {s["person"] for s in b.signatures}
        and reading.sees_document(reader, b)
    )
    return sorted(waiting, key=lambda b: b.opened_at)
