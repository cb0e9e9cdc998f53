"""The work queues of each role's home page, drawn from the state and deadline facts: which
items wait for which step at the person's places, each with its legal clock (R1, R2) and
the step a bulk action would apply. Reading only; the step itself is a command.

Places: an account acts at its places (DESIGN §2). `places_of` gives them; an account with
none is shown every place, until accounts carry places (the access issue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from api.access import roles
from api.access.tokens import Principal
from workflows.model import Deadline, Item, Transfer
from workflows.process import Process
from workflows.repository import ItemSearch, Repository
from workflows.tables import TransferRow
from workflows.vocabulary import needs_forensics
from workflows.world import World

SHOWN = 50  # rows per queue on the page; the count says how many there are


@dataclass(frozen=True)
class QueueSpec:
    key: str
    title: str  # msgid
    states: tuple[str, ...]
    step: str | None  # the bulk action, a command kind; None: link to the item's own page
    rule: str | None = None  # the clock shown: R1, R2
    when: str | None = None  # "forensics": only items that still need the registry check


def N_(message: str) -> str:
    return message


ROLE_QUEUES: dict[str, tuple[QueueSpec, ...]] = {
    roles.UNIT_OFFICER: (
        QueueSpec("decide", N_("Decisions to record"), ("registered",), None),
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


def places_of(principal: Principal) -> Sequence[str] | None:
    """The places the account acts at; None while accounts carry none (every place)."""
    return getattr(principal, "places", None) or None


def for_role(process: Process, role: str, places: Sequence[str] | None) -> Home:
    """The role's queues at `places` (None: everywhere), SHOWN rows each, clocks first."""
    specs = ROLE_QUEUES.get(role, ())
    with process.ledger.database.read() as conn:
        repo = Repository(conn)
        counts = _counts(repo, places)
        queues = [Queue(spec) for spec in specs]
        fetched: dict[str, list[Item]] = {}
        for queue in queues:
            for state in queue.spec.states:
                if state not in fetched:
                    fetched[state] = _items(repo, process, state, places)
        world = World()
        keys = [(i.id, r) for items in fetched.values() for i in items for r in ("R1", "R2")]
        repo.load(world, "deadlines", keys)
        for queue in queues:
            for state in queue.spec.states:
                for item in fetched[state]:
                    if not _belongs(queue.spec, item):
                        continue
                    rule = queue.spec.rule
                    deadline = world.find("deadlines", (item.id, rule)) if rule else None
                    queue.rows.append(Row(item, deadline))
            queue.total = _total(queue, counts, len(queue.rows))
            queue.rows.sort(key=lambda r: (r.deadline is None, _due(r), r.item.id))
        transfers = _arriving(repo, places) if role == roles.WAREHOUSE_CLERK else []
    return Home(queues, transfers)


def _belongs(spec: QueueSpec, item: Item) -> bool:
    pending = needs_forensics(item.category, item.rifled, item.source) and not item.registry_result
    if spec.when == "forensics":
        return pending
    if spec.when == "ready":
        return not pending
    return True


def _due(row: Row) -> str:
    return (row.deadline.due_at if row.deadline else None) or "~"


def _total(queue: Queue, counts: dict[str, int], shown: int) -> int:
    if queue.spec.when is not None:  # a share of a state: counted among those fetched
        return shown
    return sum(counts.get(s, 0) for s in queue.spec.states)


def _counts(repo: Repository, places: Sequence[str] | None) -> dict[str, int]:
    sql = "SELECT state, COUNT(*) FROM wf_items"
    params: list[str] = []
    if places is not None:
        sql += f" WHERE location IN ({', '.join('?' * len(places))})"
        params = list(places)
    sql += " GROUP BY state"
    rows = repo.raw.execute(repo._sql(sql), params).fetchall()
    return {str(state): int(n) for state, n in rows}


def _items(
    repo: Repository, process: Process, state: str, places: Sequence[str] | None
) -> list[Item]:
    now = process.now().isoformat()
    if places is None:
        return repo.search_items(ItemSearch(state=state, limit=SHOWN), now)
    found: list[Item] = []
    for place in places:
        found += repo.search_items(ItemSearch(state=state, location=place, limit=SHOWN), now)
    return found[:SHOWN]


def _arriving(repo: Repository, places: Sequence[str] | None) -> list[Transfer]:
    open_ = repo.documents("transfers", TransferRow.state == "open")
    return [t for t in open_ if places is None or t.destination in places][:SHOWN]
