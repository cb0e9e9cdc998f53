"""One action: its transaction, the objects it works on, the entries it writes.

    with process.work(actor) as work:        # BEGIN, and the ledger's append lock
        work.load("items", ids)              # the objects the rules need
        ...check the rules, then work.entry(kind, item, data) for each step...
                                             # on leaving: append the entries, fold them
                                             # into the objects, save those; COMMIT

All of it commits together or not at all: the entries, and the state they lead to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Connection

from custody.clock import format_time
from custody.entries import Entry, EntryBody, NewEntry
from custody.ledger import Ledger
from workflows import fold, subjects
from workflows.access import place_of
from workflows.cache import DocumentCache
from workflows.config import ProcessConfig
from workflows.errors import InvalidRequest
from workflows.files import FileRef, FileStore
from workflows.gate import Gate
from workflows.repository import Repository
from workflows.world import World


class Work:
    def __init__(
        self,
        ledger: Ledger,
        conn: Connection,
        actor: str,
        now: dt.datetime,
        config: ProcessConfig,
        files: FileStore,
        cache: DocumentCache | None = None,
        device: str | None = None,
    ) -> None:
        self.ledger, self.conn, self.actor = ledger, conn, actor
        # Who acts, through which device token: checked for each entry as it is written.
        self.gate = Gate(actor, device)
        self.moment = now
        self.now = format_time(now)
        self.config, self.files = config, files
        self.repo = Repository(conn, cache)
        self.world = World()
        self.news: list[NewEntry] = []
        self.written: list[Entry] = []
        self.uploaded: set[FileRef] = set()  # files found in the store (workflows.steps)

    def through(self, device: str | None) -> Work:
        """Act through this device token (its role and place only), or none."""
        self.gate = Gate(self.actor, device)
        return self

    def load(self, kind: str, keys: Iterable[Any]) -> None:
        self.repo.load(self.world, kind, keys)

    def entry(self, kind: str, item: str | None, data: dict[str, Any]) -> None:
        self.news.append(NewEntry(kind=kind, actor=self.actor, item=item, data=data))

    def _load_what_the_fold_touches(self) -> None:
        """Everything the fold of these entries may change, so that a live action folds into
        the same objects a replay would."""
        wanted: dict[str, set[Any]] = {}
        seen_data: set[int] = set()  # a bulk step shares one data dict among its entries
        for new in self.news:
            reached: list[tuple[str, Any]] = []
            if new.item is not None:
                reached.extend(fold.touches_subject(new.kind, new.item))
            if id(new.data) not in seen_data:
                seen_data.add(id(new.data))
                reached.extend(fold.touches_data(new.data))
            for kind, key in reached:
                wanted.setdefault(kind, set()).add(key)
            claim = subjects.claimed(new.kind, new.item, new.data)
            if claim is not None:  # the id register's entry its fold reads and may make
                wanted.setdefault("ids", set()).add(subjects.folded(claim[1]))
        self.repo.load_kinds(self.world, wanted)

    def check_new_subjects(self) -> None:
        """The id register (workflows.subjects): no entry may bring into being a subject whose
        id names one of another kind, whichever command wrote it. Raises InvalidRequest, with
        one sentence whatever holds the id (subjects.unavailable: no existence oracle)."""
        claims = [subjects.claimed(n.kind, n.item, n.data) for n in self.news]
        made = [claim for claim in claims if claim is not None]
        if not made:
            return
        ids = [subject for _, subject in made]
        # An id that reads as one registered (`kz-7001` against `KZ-7001`), or as another of
        # this action's own: one id, the first written holds it (subjects.look_alike).
        spelled: dict[str, str] = {}
        for subject in ids:
            key = subjects.folded(subject)
            if subjects.look_alike(subject, self.world.find("ids", key)) is not None:
                raise InvalidRequest(subjects.unavailable(subject))
            if spelled.setdefault(key, subject) != subject:
                raise InvalidRequest(subjects.alike_in_one_action(spelled[key], subject))
        # Each kind's own command refuses a second one of its kind; here, the other kinds.
        holders: dict[str, list[str]] = {}
        held = self.repo.holders(list(subjects.KINDS), ids)  # one statement, not one a kind
        for kind in subjects.KINDS:
            for subject in held.get(kind, ()):
                holders.setdefault(subject, []).append(kind)
        first: dict[str, str] = {}  # the subjects these entries make, before they exist
        for table, subject in made:
            if subjects.refusal(table, subject, holders.get(subject, ())) is not None:
                raise InvalidRequest(subjects.unavailable(subject))
            if first.setdefault(subject, table) != table:  # the request's own two subjects
                raise InvalidRequest(
                    subjects.conflict_in_one_action(first[subject], table, subject)
                )

    def commit(self) -> list[Entry]:
        """Append the entries, fold them into the loaded objects, save what changed."""
        if not self.news:
            return []
        self._load_what_the_fold_touches()
        self.check_new_subjects()
        world, gate = self.world, self.gate
        gate.prepare(self, {p for n in self.news if (p := place_of(world, n.kind, n.item, n.data))})
        if gate.device is not None:
            # Each entry names the device token it is written through (its body's `device`):
            # the token's account is the actor, but whoever holds the token wrote it (issue
            # 14). Set here, from the gate that checks it, whatever wrote the entries.
            self.news = [replace(new, device=gate.device) for new in self.news]
        with self.ledger.appending(self.conn, self.news) as pending:
            # The state is folded and saved while the ledger's signatures are being made.
            seq, time = pending.first, pending.time
            for new in self.news:
                # Who may write it, where, from the state just before it, as verify will.
                gate.check(self, seq, time, new.kind, new.item, new.data)
                body = EntryBody(
                    seq, time, new.actor, new.kind, new.item, None, None, new.data, None, new.device
                )
                fold.apply(self.world, body)
                seq += 1
            self.repo.save(self.world)
            entries = pending.write()
        self.written, self.news = entries, []
        return entries
