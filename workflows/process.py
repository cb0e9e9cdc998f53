"""The destruction process as the ways in use it: reading its state, and doing commands
(workflows.commands), each one transaction that checks the rules, writes the entries and
updates the state (DESIGN §4).

    process = Process(ledger, FileStore(data_dir / "files"))
    [item] = process.run("unit.serikbaev", RegisterItems(intakes=[{"category": "firearm", ...}]))
    process.item(item).state                       # "registered"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import orjson

from custody.clock import Clock, format_time, utc_now
from custody.db import savepoint
from custody.entries import decode
from custody.ledger import Ledger
from custody.store import Store
from workflows import campaigns, rules, statements, terms
from workflows.access import ADMINISTRATOR, ADMINISTRATOR_MAKING, administrators_made
from workflows.cache import DocumentCache
from workflows.commands.accounts import CreateAccount
from workflows.commands.base import Command
from workflows.config import ProcessConfig
from workflows.deadlines import AFTER_DESTRUCTION
from workflows.diversion import SUSPECTED
from workflows.errors import InvalidRequest, RuleViolation, UnknownObject
from workflows.files import FileStore
from workflows.heap import collector_paused
from workflows.model import (
    Account,
    Batch,
    Campaign,
    Commission,
    Deadline,
    Discrepancy,
    Item,
    Location,
    Payment,
    Transfer,
)
from workflows.repository import ItemSearch, Repository, stored_json_sql
from workflows.tables import DiscrepancyRow
from workflows.unit_of_work import Work
from workflows.world import World

T = TypeVar("T")
FOUNDER = "Первый администратор"  # the first administrator's name until they say theirs
SECOND = "Второй администратор"  # the second's
SECOND_ADMIN = "admin2"  # the second administrator's username unless `custody init` is told
Action = Callable[[Work], T]


def flagged(deadline: Deadline) -> bool:
    """Whether an appeal or suspension after destruction began is among the deadline's
    facts (workflows.deadlines.with_destruction)."""
    return any(AFTER_DESTRUCTION in fact for fact in deadline.facts)


class Process:
    def __init__(
        self,
        ledger: Ledger,
        files: FileStore,
        config: ProcessConfig | None = None,
        clock: Clock = utc_now,
        cache: DocumentCache | None = None,
    ) -> None:
        terms.check_zone_data()  # a due time an hour off is worse than no service
        self.ledger, self.files = ledger, files
        self.config = config or ProcessConfig()
        self.clock = clock
        self.cache = cache if cache is not None else DocumentCache()

    @contextmanager
    def work(self, actor: str, device: str | None = None) -> Iterator[Work]:
        """One action: everything inside commits together, entries and state, or nothing.
        `device` is the device token the actor acts through, if any (workflows.gate).

        The cyclic collector is held off meanwhile (workflows.heap): an action's many small
        objects go when it ends, by their counts; a bulk step of 500 set it walking the
        documents the cache keeps some 150 times (7 % of bench/lifecycles.py's time)."""
        with collector_paused(), self.ledger.database.write() as conn:
            now = self.clock()
            work = Work(self.ledger, conn, actor, now, self.config, self.files, self.cache, device)
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
        with collector_paused(), self.ledger.database.write() as conn:
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
        """The item's document as stored, JSON bytes: for a server to send as they are.
        UnknownObject when no item has this id.

        One statement, so no Repository nor read transaction around it (Database.read_rows:
        the item read of the API, bench/api.py)."""
        database = self.ledger.database
        sql = stored_json_sql("items", database.dialect == "postgresql")
        rows = database.read_rows(sql, (item_id,))
        if not rows:
            raise UnknownObject(f"no item {item_id!r} is registered")
        return bytes(rows[0][0])

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
            repo.load(world, "discrepancies", repo.discrepancy_ids(batch_id))
            statement = statements.content(world, batch)
        return statement, statements.digest(statement)

    def locations(self) -> list[Location]:
        with self._read() as (repo, _):
            return sorted(repo.documents("locations"), key=lambda place: place.id)

    def disabled_accounts(self) -> frozenset[str]:
        """The usernames of the disabled accounts: nobody to notify (workflows.escalation)."""
        with self._read() as (repo, _):
            accounts: list[Account] = repo.documents("accounts")
        return frozenset(a.id for a in accounts if a.disabled)

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

    def deadlines(
        self, include_closed: bool = False, limit: int | None = None, offset: int = 0
    ) -> list[Deadline]:
        """Deadlines not yet met, overdue first, then by due time, paused last; with
        include_closed, also those met late (after the overdue ones) and the cancelled ones
        (last), and those met in time that carry an appeal after destruction began (at the
        end). With `limit`, that many
        from `offset` (a page)."""
        now = format_time(self.clock())
        with self._read() as (repo, _):
            if not include_closed:
                shown: list[Deadline] = repo.open_deadlines(limit, offset)
                return shown
            found: list[Deadline] = repo.deadlines(open_only=False)
        order = {
            "overdue": 0,
            "missed": 0,
            "met_late": 1,
            "missed_cancelled": 1,
            "running": 2,
            "paused": 3,
            "cancelled": 4,  # closed, but shown when asked for (issue 19 re-attack, M1)
        }
        keyed = [(order.get(d.status_at(now), 5), d.due_at or "~", d.item, d) for d in found]
        # A deadline met in time is shown too when an appeal after destruction began is
        # among its facts (fix19h M3): the flag is on the deadlines list.
        keyed = [k for k in keyed if k[0] < 5 or flagged(k[3])]
        keyed.sort(key=lambda k: k[:3])
        chosen = keyed[offset:] if limit is None else keyed[offset : offset + limit]
        return [k[3] for k in chosen]

    def suspicions(self, open_only: bool = True) -> list[Discrepancy]:
        """R11's diversion suspicions (discrepancies of reason diversion_suspected), oldest
        first: each names both items, the old item's batch and statement (`details`). What
        the dashboard and the auditor's views list; open ones only unless asked."""
        table = DiscrepancyRow.__table__  # type: ignore[attr-defined]
        where = table.c.data.like(f'%"reason":"{SUSPECTED}"%')
        if open_only:
            where = where & table.c.resolved_at.is_(None)
        with self._read() as (repo, _):
            found: list[Discrepancy] = repo.documents("discrepancies", where)
        kept = [d for d in found if d.reason == SUSPECTED and (d.open or not open_only)]
        return sorted(kept, key=lambda d: d.opened_seq)

    def suspicions_of_batch(self, batch_id: str) -> list[Discrepancy]:
        """Every suspicion naming an item of this batch as the one that came back: what its
        statement's page shows beside the statement."""
        every = self.suspicions(open_only=False)
        return [d for d in every if d.details.get("old_batch") == batch_id]

    def campaigns(self) -> list[Campaign]:
        with self._read() as (repo, _):
            return sorted(repo.documents("campaigns"), key=lambda c: c.starts + c.id)

    def campaign_totals(self, campaign_id: str) -> dict[str, Any]:
        """campaigns.totals of one campaign (items, rifled, by category, paid, budget left).
        Raises UnknownObject."""
        with self._read() as (repo, world):
            repo.load(world, "campaigns", [campaign_id])
            campaign = world.campaign(campaign_id)
            items = repo.items_of_campaign(campaign_id)
            payments = repo.payments_where("campaign", campaign_id)
        return campaigns.totals(campaign, items, payments)

    def payments(self, item_id: str) -> list[Payment]:
        """The compensation paid for an item (R14: at most one), with who checked it."""
        with self._read() as (repo, _):
            found: list[Payment] = repo.payments_where("item", item_id)
            return found

    def refusal(
        self, step: str, item_id: str, data: dict[str, Any] | None = None
    ) -> RuleViolation | None:
        """The rule that would stop `step` for the item now, or None: what a scanning page
        flags the moment a label is read. Reading only; the command checks again when it runs.
        Raises UnknownObject for an item nobody registered."""
        with self._read() as (repo, world):
            repo.load(world, "items", [item_id])
            item = world.item(item_id)
            given = dict(data or {})
            if isinstance(given.get("batch"), str):
                repo.load(world, "batches", [given["batch"]])
            now = format_time(self.clock())
            check = rules.Check(step, item, given, world, now, self.config)
            return rules.check_step(check, facts=None)  # a preview: whichever result is given

    def may_sign(self, batch_id: str, person: str) -> RuleViolation | None:
        """The rule that would stop `person` signing the batch's statement now (R8), or None;
        reading only: the command checks again when it runs."""
        with self._read() as (repo, world):
            repo.load(world, "batches", [batch_id])
            batch = world.batch(batch_id)
            repo.load(world, "commissions", [batch.commission])
            return rules.r8_may_sign(batch, world, person, format_time(self.clock()))

    def refusals(
        self, step: str | None, item_ids: Sequence[str], data: dict[str, Any] | None = None
    ) -> dict[str, tuple[Item, RuleViolation | None]]:
        """`refusal` for many items in one read: each registered item with the rule that
        would stop `step` for it now (None: nothing stops it, or no step given). Items
        nobody registered are left out."""
        with self._read() as (repo, world):
            return self._refusals(repo, world, step, item_ids, data)

    def found_refusals(
        self,
        find: Callable[[Repository, World], dict[str, str]],
        step: str | None,
        data: dict[str, Any] | None = None,
    ) -> tuple[dict[str, str], dict[str, tuple[Item, RuleViolation | None]]]:
        """`refusals` of the items `find` names (what it was asked -> item id), found and
        checked in the same read transaction: a scanned code costs one transaction, not two
        (api.web.scan). `find` may put the items' documents into the World it is given, if
        it reads them anyway: those are not read again. Returns what `find` returned and the
        refusals of its items. The transaction is the driver's own (Database.snapshot): a
        scan's find and check run only the Repository's raw statements."""
        with self.ledger.database.snapshot() as conn:
            repo, world = Repository(conn), World()
            ids = find(repo, world)
            return ids, self._refusals(repo, world, step, sorted(set(ids.values())), data)

    def _refusals(
        self,
        repo: Repository,
        world: World,
        step: str | None,
        item_ids: Sequence[str],
        data: dict[str, Any] | None,
    ) -> dict[str, tuple[Item, RuleViolation | None]]:
        found: dict[str, tuple[Item, RuleViolation | None]] = {}
        missing = [i for i in item_ids if i not in world.items]
        if missing:  # those a `find` read already are in the World
            repo.load(world, "items", missing)
        now = format_time(self.clock())
        for item_id in item_ids:
            item = world.items.get(item_id)
            if item is None:
                continue
            refused = None
            if step is not None:
                check = rules.Check(step, item, dict(data or {}), world, now, self.config)
                refused = rules.check_step(check, facts=None)  # a preview, as `refusal`
            found[item_id] = (item, refused)
        return found

    def now(self) -> dt.datetime:
        return self.clock()

    def found(self, second: str = SECOND_ADMIN) -> str | None:
        """The founding accounts, made at the console (`custody init`): while the ledger has
        none, its genesis entry's actor makes itself the administrator
        (workflows.access.founding); then, while it is the only administrator, it makes
        `second`, the second administrator (workflows.access.second_founding; a ledger made
        before dual control gets its second so): from then on one administrator proposes a
        signer-making change and another confirms it (workflows.dual). Returns the founder's
        username if it wrote an account now, None if there was nothing to found."""
        with self.ledger.database.read() as conn:
            genesis = Store(conn).entries(0, 1)
            stored: list[Account] = Repository(conn).documents("accounts")
        founder = decode(genesis[0].body).actor
        if second == founder:
            raise InvalidRequest("the second administrator is another person than the first")
        wrote = False
        if not stored:
            command = CreateAccount(username=founder, name=FOUNDER, roles=[ADMINISTRATOR])
            self.run(founder, command)
            wrote = True
        elif any(a.id == second for a in stored):
            return None
        admins = [a for a in stored if ADMINISTRATOR in a.roles]
        if stored and (len(admins) != 1 or admins[0].disabled):
            return None  # two already, or none to found with (a new ledger, then)
        # Counted as `custody verify` counts them (workflows.access.second_founding): every
        # account ever made an administrator, whatever became of it since (the log is read
        # only here, where one administrator holds the role: rarely).
        with self.ledger.database.read() as conn:
            store = Store(conn)
            kinds = store.bodies_of_kinds(ADMINISTRATOR_MAKING, 0, store.head_size())
            made = administrators_made(orjson.loads(body) for _, body in kinds)
        if stored and made != 1:
            return None  # another was made an administrator once: no second founding
        actor = admins[0].id if admins else founder
        with self.work(actor) as work:
            work.gate.console = True
            CreateAccount(username=second, name=SECOND, roles=[ADMINISTRATOR]).perform(work)
        return founder if wrote or admins else None

    # -- acting ---------------------------------------------------------------------------------

    def run(self, actor: str, command: Command, device: str | None = None) -> Any:
        """Do one command as `actor`, in one transaction: who may checked (their roles and
        places, as the ledger says: RuleViolation ACCESS naming the place), its rules
        checked, its entries appended, the state they lead to saved, or nothing at all.
        Returns what the command returns (ids made, discrepancies opened, or None); raises
        the workflows.errors family."""
        with self.work(actor, device) as work:
            return command.perform(work)
