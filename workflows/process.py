"""The destruction process as the ways in use it: one method per user action, each one
transaction that checks the rules, writes the entries and updates the state (DESIGN §4).

    process = Process(ledger, FileStore(data_dir / "files"))
    [item] = process.register("unit.serikbaev", Intake(category="firearm", ...))
    process.record_decision("unit.serikbaev", [item], {"ref": "2-1234/2026", ...})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from custody.acts import SignedAct
from custody.clock import Clock, format_time, utc_now
from custody.db import savepoint
from custody.ledger import Ledger
from workflows import batches, intake, inventory, movements, preparation, registers, statements
from workflows.batches import Present
from workflows.cache import DocumentCache
from workflows.config import ProcessConfig
from workflows.errors import UnknownObject
from workflows.files import FileStore
from workflows.intake import Intake
from workflows.model import Batch, Commission, Deadline, Item, Location, Transfer
from workflows.repository import ItemSearch, Repository
from workflows.steps import advance
from workflows.tables import DeadlineRow
from workflows.unit_of_work import Work
from workflows.world import World

T = TypeVar("T")
Action = Callable[[Work], T]


class Process:
    def __init__(
        self,
        ledger: Ledger,
        files: FileStore,
        config: ProcessConfig | None = None,
        clock: Clock = utc_now,
        cache: DocumentCache | None = None,
    ) -> None:
        self.ledger, self.files = ledger, files
        self.config = config or ProcessConfig()
        self.clock = clock
        self.cache = cache if cache is not None else DocumentCache()

    @contextmanager
    def work(self, actor: str) -> Iterator[Work]:
        """One action: everything inside commits together, entries and state, or nothing."""
        with self.ledger.database.write() as conn:
            now = self.clock()
            work = Work(self.ledger, conn, actor, now, self.config, self.files, self.cache)
            yield work
            work.commit()
        # Committed: what it wrote may serve the next action (workflows.cache).
        self.cache.give(work.repo.written)

    def work_together(self, actions: Sequence[tuple[str, Action[T]]]) -> list[T | Exception]:
        """Several actions in one transaction, one after another, each in a savepoint of its
        own: each is whole or not there, as with `work`, and one refused leaves the others
        written. They share one commit, and so one fsync: a server's group commit.

        Returns each action's result, or the exception that undid it. If the commit itself
        fails, it raises, and none of them is written."""
        outcomes: list[T | Exception] = []
        done: list[Work] = []
        with self.ledger.database.write() as conn:
            for actor, action in actions:
                now = self.clock()
                work = Work(self.ledger, conn, actor, now, self.config, self.files, self.cache)
                try:
                    with savepoint(conn):
                        result = action(work)
                        work.commit()
                except Exception as refused:  # handed to the caller of that action
                    outcomes.append(refused)
                else:
                    outcomes.append(result)
                    done.append(work)
        for work in done:
            self.cache.give(work.repo.written)
        return outcomes

    # -- reading --------------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[tuple[Repository, World]]:
        with self.ledger.database.read() as conn:
            yield Repository(conn), World()

    def item(self, item_id: str) -> Item:
        with self._read() as (repo, world):
            repo.load(world, "items", [item_id])
            return world.item(item_id)

    def item_json(self, item_id: str) -> bytes:
        """The item's document as stored, JSON bytes: for a server to send as they are."""
        with self._read() as (repo, _):
            stored = repo.stored_json("items", item_id)
        if stored is None:
            raise UnknownObject(f"no item {item_id!r} is registered")
        return stored

    def transfer(self, transfer_id: str) -> Transfer:
        with self._read() as (repo, world):
            repo.load(world, "transfers", [transfer_id])
            return world.transfer(transfer_id)

    def batch(self, batch_id: str) -> Batch:
        with self._read() as (repo, world):
            repo.load(world, "batches", [batch_id])
            return world.batch(batch_id)

    def statement(self, batch_id: str) -> tuple[dict[str, Any], str]:
        """The content the members present sign, and its SHA-256 (hex)."""
        with self._read() as (repo, world):
            repo.load(world, "batches", [batch_id])
            batch = world.batch(batch_id)
            repo.load(world, "items", batch.items)
            repo.load(world, "locations", [batch.location])
            repo.load(world, "commissions", [batch.commission])
            statement = statements.content(world, batch)
        return statement, statements.digest(statement)

    def locations(self) -> list[Location]:
        with self._read() as (repo, _):
            return sorted(repo.documents("locations"), key=lambda place: place.id)

    def batches(self) -> list[Batch]:
        """Every furnace and burn batch, in id order."""
        with self._read() as (repo, _):
            return sorted(repo.documents("batches"), key=lambda b: b.id)

    def commissions(self) -> list[Commission]:
        with self._read() as (repo, _):
            return sorted(repo.documents("commissions"), key=lambda c: c.id)

    def items(self, search: ItemSearch) -> list[Item]:
        """Items matching every given filter, in id order after `search.after` (a page)."""
        with self._read() as (repo, _):
            return repo.search_items(search, format_time(self.clock()))

    def deadlines(self, include_closed: bool = False) -> list[Deadline]:
        """Deadlines not yet met, overdue first; with include_closed, also those met late."""
        now = self.clock()
        with self._read() as (repo, _):
            where = None if include_closed else DeadlineRow.closed.is_(None)  # type: ignore[union-attr]
            found: list[Deadline] = repo.documents("deadlines", where)
        if include_closed:
            found = [
                d for d in found if d.status(now) in ("met_late", "overdue", "running", "paused")
            ]
        order = {"overdue": 0, "met_late": 1, "running": 2, "paused": 3}
        return sorted(found, key=lambda d: (order[d.status(now)], d.due_at or "~", d.item))

    def now(self) -> dt.datetime:
        return self.clock()

    # -- registers ------------------------------------------------------------------------------

    def add_location(
        self,
        actor: str,
        location_id: str,
        kind: str,
        name: str,
        region: str,
        names: Mapping[str, str] | None = None,
    ) -> None:
        with self.work(actor) as work:
            registers.add_location(work, location_id, kind, name, region, names)

    def add_commission_member(
        self,
        actor: str,
        commission: str,
        person: str,
        role: str,
        name: str | None = None,
        since: str | None = None,
        full_name: str | None = None,
        position: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        with self.work(actor) as work:
            registers.add_member(
                work, commission, person, role, name, since, full_name, position, names
            )

    def remove_commission_member(self, actor: str, commission: str, person: str) -> None:
        with self.work(actor) as work:
            registers.remove_member(work, commission, person)

    # -- intake and decisions (R1, R10) ---------------------------------------------------------

    def register(self, actor: str, *intakes: Intake) -> list[str]:
        with self.work(actor) as work:
            return intake.register(work, intakes)

    def record_decision(
        self, actor: str, items: Sequence[str], decision: dict[str, Any], files: Sequence[Any] = ()
    ) -> None:
        with self.work(actor) as work:
            intake.record_decision(work, items, decision, files)

    def decision_step(
        self,
        actor: str,
        step: str,
        items: Sequence[str],
        note: str | None = None,
        files: Sequence[Any] = (),
    ) -> None:
        """decision_appealed, decision_suspended, decision_final or decision_reversed."""
        if step not in (
            "decision_appealed",
            "decision_suspended",
            "decision_final",
            "decision_reversed",
        ):
            raise ValueError(f"{step} is not a step of a decision")
        with self.work(actor) as work:
            intake.decision_step(work, step, items, note, files)

    def return_to_owner(self, actor: str, items: Sequence[str], owner: str) -> None:
        with self.work(actor) as work:
            intake.return_to_owner(work, items, owner)

    # -- transfers and forensics (R2-R4) --------------------------------------------------------

    def send(self, actor: str, transfer: str, destination: str, items: Sequence[str]) -> None:
        with self.work(actor) as work:
            movements.send(work, transfer, destination, items)

    def receive(self, actor: str, transfer: str, items: Sequence[str]) -> list[str]:
        with self.work(actor) as work:
            return movements.receive(work, transfer, items)

    def close_transfer(self, actor: str, transfer: str) -> list[str]:
        with self.work(actor) as work:
            return movements.close(work, transfer)

    def send_to_forensics(self, actor: str, items: Sequence[str], forensics: str) -> None:
        with self.work(actor) as work:
            movements.send_to_forensics(work, items, forensics)

    def step(
        self, actor: str, step: str, items: Sequence[str], data: Mapping[str, Any] | None = None
    ) -> None:
        """A step that needs nothing but the items: forensic_received, test_fired."""
        if step not in ("forensic_received", "test_fired"):
            raise ValueError(f"{step} takes data of its own; use its method")
        with self.work(actor) as work:
            advance(work, step, items, data)

    def record_registry_result(self, actor: str, item: str, act: SignedAct) -> None:
        self.record_registry_results(actor, [(item, act)])

    def record_registry_results(self, actor: str, results: Sequence[tuple[str, SignedAct]]) -> None:
        with self.work(actor) as work:
            movements.record_registry_results(work, results)

    def release_evidence(self, actor: str, item: str, act: SignedAct) -> None:
        with self.work(actor) as work:
            movements.release_evidence(work, item, act)

    def return_from_forensics(self, actor: str, items: Sequence[str], warehouse: str) -> None:
        with self.work(actor) as work:
            movements.return_from_forensics(work, items, warehouse)

    # -- preparation (R5, R6, R9) ---------------------------------------------------------------

    def remove_parts(
        self, actor: str, items: Sequence[str], parts: Sequence[str], files: Sequence[Any] = ()
    ) -> None:
        with self.work(actor) as work:
            preparation.remove_parts(work, items, parts, files)

    def incinerate_parts(self, actor: str, items: Sequence[str], files: Sequence[Any] = ()) -> None:
        with self.work(actor) as work:
            preparation.incinerate_parts(work, items, files)

    def deform(
        self, actor: str, items: Sequence[str], method: str, files: Sequence[Any] = ()
    ) -> None:
        with self.work(actor) as work:
            preparation.deform(work, items, method, files)

    def cut(
        self,
        actor: str,
        weights: Mapping[str, int],
        *,
        barrel_along: bool,
        barrel_across: bool,
        parts_through: bool,
        files: Sequence[Any] = (),
        per_item_files: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        with self.work(actor) as work:
            preparation.cut(
                work,
                weights,
                barrel_along=barrel_along,
                barrel_across=barrel_across,
                parts_through=parts_through,
                files=files,
                per_item_files=per_item_files,
            )

    def remove_fuses(
        self,
        actor: str,
        item: str,
        fuses: int,
        firing_devices: int,
        detonators: int,
        files: Sequence[Any] = (),
    ) -> None:
        with self.work(actor) as work:
            preparation.remove_fuses(work, item, fuses, firing_devices, detonators, files)

    def depackage(self, actor: str, weights: Mapping[str, int], files: Sequence[Any] = ()) -> None:
        with self.work(actor) as work:
            preparation.depackage(work, weights, files)

    # -- batches and statements (R7-R9) ---------------------------------------------------------

    def open_batch(
        self, actor: str, batch: str, kind: str, location: str, installation: str, commission: str
    ) -> None:
        with self.work(actor) as work:
            batches.open_batch(work, batch, kind, location, installation, commission)

    def load(
        self,
        actor: str,
        batch: str,
        items: Sequence[str],
        per_item: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        with self.work(actor) as work:
            batches.load(work, batch, items, per_item)

    def record_presence(
        self, actor: str, batch: str, present: Sequence[Present | tuple[str, str]]
    ) -> None:
        """Record who is present at a batch, as batches.Present or (person, role) pairs, in
        one action."""
        with self.work(actor) as work:
            batches.record_presence(work, batch, present)

    def destroy(
        self,
        actor: str,
        batch: str,
        facts: Mapping[str, Any],
        files: Sequence[Any] = (),
        per_item: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str | None:
        """Melt or burn; returns the weight discrepancy it opened, if any."""
        with self.work(actor) as work:
            return batches.destroy(work, batch, facts, files, per_item)

    def sign_statement(self, actor: str, batch: str, act: SignedAct) -> None:
        with self.work(actor) as work:
            statements.sign(work, batch, act)

    # -- the inventory --------------------------------------------------------------------------

    def record_discrepancy(
        self, actor: str, subject: str, reason: str, details: dict[str, Any] | None = None
    ) -> str:
        with self.work(actor) as work:
            return inventory.record(work, subject, reason, details)

    def count_inventory(self, actor: str, location: str, scanned: Sequence[str]) -> dict[str, Any]:
        """An inventory count at `location` of the items scanned there."""
        with self.work(actor) as work:
            return inventory.count(work, location, scanned)

    def resolve_discrepancy(self, actor: str, discrepancy: str, resolution: str, note: str) -> None:
        with self.work(actor) as work:
            inventory.resolve(work, discrepancy, resolution, note)
