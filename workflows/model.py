"""The objects of the process: items, locations, commissions, transfers, batches, deadlines
and discrepancies, as plain data.

Their state is a fold of the ledger (`workflows.fold`); the state tables store each object as
a JSON document (`to_json`) beside a few columns to search by, and replay compares documents.
Times are RFC 3339 UTC strings, as the ledger writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

import orjson

from custody.clock import format_time, parse_time
from workflows import membership
from workflows.markings import fold_or_none

T = TypeVar("T", bound="Document")


class Document:
    """A dataclass that is stored as JSON and read back equal.

    Its values are JSON already (text, numbers, lists, dicts), so it is written field by field
    without the deep copy `dataclasses.asdict` makes: the process writes thousands a second.
    """

    _names: ClassVar[tuple[str, ...]] = ()
    _name_set: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._names = ()  # filled in on first use, once the dataclass decorator has run

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        if not cls._names:
            cls._names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
            cls._name_set = frozenset(cls._names)
        return cls._names

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.field_names()}

    @classmethod
    def from_json(cls: type[T], data: dict[str, Any]) -> T:
        names = cls.field_names()
        if len(data) == len(names) and data.keys() == cls._name_set:
            # Written by to_json: exactly the fields, so no defaults to fill in. Skipping
            # __init__ (which these dataclasses only use to assign) saves two thirds.
            document = object.__new__(cls)
            document.__dict__.update(data)
            return document
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def adopt(cls: type[T], data: dict[str, Any]) -> T:
        """`from_json` of a dict nobody else holds (one just parsed): the document takes the
        dict itself as its attributes instead of copying it, a fifth of the cost, which
        counts when a listing reads 100,000 of them (bench/deadlines.py)."""
        if len(data) == len(cls.field_names()) and data.keys() == cls._name_set:
            document = object.__new__(cls)
            document.__dict__ = data
            return document
        return cls.from_json(data)

    @classmethod
    def load_rows(cls: type[T], rows: Iterable[Sequence[bytes]]) -> list[T]:
        """The documents of rows of one column, their stored JSON: each parsed and adopted
        (`adopt`), written out as one loop since a listing reads 100,000 of them and the
        calls cost a third as much as the parse (bench/deadlines.py)."""
        names, count = cls._name_set, len(cls.field_names())
        new, loads = object.__new__, orjson.loads
        made = []
        for (stored,) in rows:
            data = loads(stored)
            if len(data) == count and data.keys() == names:
                document = new(cls)
                document.__dict__ = data
            else:
                document = cls.from_json(data)
            made.append(document)
        return made

    @property
    def ref(self) -> Any:
        """The key a World indexes it by: its id, or the key tuple where there are several."""
        return self.id  # type: ignore[attr-defined]


@dataclass
class Location(Document):
    id: str
    kind: str  # unit | warehouse | forensics | plant
    name: str
    region: str
    # The tz database's zone the place counts days in (R1); None: its region's, or the
    # configured one. Written at location_added; a place made before it has none.
    time_zone: str | None = None
    # Who answers for the place's deadlines, and who above them (the supervision register):
    # each {person, level: staff | supervisor | regional_head, since, until}.
    people: list[dict[str, Any]] = field(default_factory=list)

    def on_duty(self, level: str) -> list[str]:
        """The people of this level at the place now (their assignment not withdrawn)."""
        return [p["person"] for p in self.people if p["level"] == level and p["until"] is None]

    names: dict[str, str] = field(default_factory=dict)  # the name in ru, kk, en, if given


@dataclass
class Item(Document):
    id: str
    workflow: str  # weapon | ammunition
    category: str
    source: str
    state: str
    location: str  # where it is now; in transit, where it left from
    unit: str  # where it was registered
    rifled: bool
    marking: str | None
    marking_place: str | None
    internal_tag: str | None  # R10: an unmarked item gets one
    weight_g: int
    quantity: int | None  # ammunition lots: rounds or pieces
    details: dict[str, Any]  # type, model, calibre, manufacturer, country, year; lot kind
    registered_at: str
    updated_at: str
    last_seq: int
    decision: dict[str, Any] | None = None  # ref, authority, date, status
    registry_result: str | None = None
    case_ref: str | None = None  # R4: the criminal case a registry match is held for
    evidence_released: bool = False
    transfer: str | None = None
    destination: str | None = None  # while in transit
    batch: str | None = None
    discrepancy: str | None = None
    state_before_discrepancy: str | None = None
    fuses: dict[str, int] | None = None  # R9: fuses, firing devices, detonators removed
    # What it should add to a furnace or bunker charge: weighed after cutting (weapons, parts
    # gone) or after depackaging (lots), so that a charge can be reconciled against it.
    charge_weight_g: int | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    # R11: the open diversion suspicion (a discrepancy id) that blocks its destruction, and
    # the items an official's signed act found it is not (or is knowingly) the same as.
    diversion: str | None = None
    diversion_cleared: list[str] = field(default_factory=list)
    # R11: the suspicion an official settled as diversion confirmed or a re-marked weapon
    # (nothing is paid for it, R12)
    diversion_found: str | None = None
    campaign: str | None = None  # the surrender campaign its intake named
    compensation: str | None = None  # R14: the payment made for it, if any

    @property
    def marking_folded(self) -> str | None:
        """Its marking's identity (workflows.markings.fold): the column searched by."""
        return fold_or_none(self.marking)

    @property
    def model(self) -> str | None:
        given = self.details.get("model")
        return given if isinstance(given, str) and given.strip() else None

    @property
    def name(self) -> str:
        """How people know it: its marking, or the internal tag R10 gave it."""
        return self.marking or self.internal_tag or self.id


@dataclass
class Member(Document):
    person: str
    role: str  # chair | member
    since: str
    until: str | None = None
    full_name: str | None = None  # as the statement prints them
    position: str | None = None

    def in_office(self, moment: str) -> bool:
        return membership.holds(self.since, self.until, moment)


@dataclass
class Commission(Document):
    id: str
    name: str
    members: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # the name in ru, kk, en, if given

    def members_at(self, moment: str) -> list[Member]:
        """Every membership period in office at `moment` (workflows.membership): a person
        removed and added again counts in the period of each record."""
        return [m for m in map(Member.from_json, self.members) if m.in_office(moment)]

    def quorum_at(self, moment: str) -> int:
        """More than half of the members in office (the chair is one of them)."""
        return len(self.members_at(moment)) // 2 + 1


@dataclass
class Transfer(Document):
    id: str
    origin: str
    destination: str
    state: str  # open | closed
    opened_at: str
    closed_at: str | None = None
    sent: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # received, but never sent

    def expects(self, item_id: str) -> bool:
        """Whether receiving `item_id` on this transfer receives it: sent on it and not
        received yet. Any other item scanned on arrival is recorded received, not sent (a
        discrepancy; workflows.movements.receive), an item received twice included."""
        return item_id in self.sent and item_id not in self.received


@dataclass
class Batch(Document):
    id: str
    kind: str  # furnace | burn
    location: str  # the plant, or the burning site
    installation: str  # the furnace, or the bunker
    commission: str
    state: str  # open | melted | burned | final
    opened_at: str
    items: list[str] = field(default_factory=list)
    present: list[dict[str, Any]] = field(default_factory=list)  # person, role, at
    destroyed_at: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # weights, fuel, method, quantities
    quorum: int | None = None  # fixed when the batch is destroyed (R8)
    discrepancy: str | None = None
    signatures: list[dict[str, Any]] = field(default_factory=list)  # person, key_id, seq
    statement: str | None = None  # hex SHA-256 of the content the signers sign
    # Items taken out before the batch was destroyed (`unloaded`): item, reason, seq, at, by
    # (who); an item loaded again into this batch after it adds loaded_again_at, _seq, _by.
    unloaded: list[dict[str, Any]] = field(default_factory=list)

    def present_in_role(self, role: str) -> list[str]:
        return [p["person"] for p in self.present if p["role"] == role]


@dataclass
class Deadline(Document):
    """A legal time limit (R1, R2) as data: due times survive any restart.

    `facts` is why it is due when it is (workflows.deadlines): each dated event that moved
    it, {fact, date, entered_at, seq, delay_days[, entered_late][, date_from]}, in order."""

    item: str
    rule: str  # R1 | R2 | transit (the ministry's watch, not a rule of the law)
    started_at: str
    due_at: str | None  # None while the clock is paused
    paused_at: str | None = None
    met_at: str | None = None
    cancelled_at: str | None = None
    # Whose deadline it is: the unit (R1), the warehouse (R2), the sending place (transit).
    place: str | None = None
    zone: str | None = None  # the tz zone its days are counted in (R1)
    counted_from: str | None = None  # the date (YYYY-MM-DD) the running term counts from
    facts: list[dict[str, Any]] = field(default_factory=list)

    def misses(self) -> list[dict[str, Any]]:
        """The facts that stopped or cancelled the term after it had run out, each with the
        due time missed and the days overdue at its date (workflows.deadlines, issue 19)."""
        return [f for f in self.facts if "missed" in f]

    def late_entries(self) -> list[dict[str, Any]]:
        """The facts that were entered late (more than CUSTODY_LATE_ENTRY_DAYS after their
        own date, as the command that wrote them found), and those entered after the term in
        force had run out though dated inside it (`overdue_until_late_entry`, issue 19)."""
        return [f for f in self.facts if f.get("entered_late") or "overdue_until_late_entry" in f]

    def overdue_until_late_entry(self) -> list[dict[str, Any]]:
        """The facts dated inside the term but entered after it had run out: each keeps the
        days the term stood overdue until it (workflows.deadlines, issue 19 re-attack H1)."""
        return [f for f in self.facts if "overdue_until_late_entry" in f]

    @property
    def ref(self) -> Any:
        return (self.item, self.rule)

    @property
    def closed(self) -> str | None:
        return self.met_at or self.cancelled_at

    def status(self, now: dt.datetime) -> str:
        return self.status_at(format_time(now))

    def status_at(self, now: str) -> str:
        """The status at `now`, an RFC 3339 UTC time as the ledger writes it."""
        if self.cancelled_at is not None:
            return "missed_cancelled" if self.stopped_missed() else "cancelled"
        if self.met_at is not None:
            return "met" if self.due_at is None or self.met_at <= self.due_at else "met_late"
        if self.due_at is None:
            return "missed" if self.stopped_missed() else "paused"
        return "overdue" if now > self.due_at else "running"

    def stopped_missed(self) -> bool:
        """Stopped (paused or cancelled) by a fact dated after its term had run out, and no
        term has run since: the last term was missed."""
        for fact in reversed(self.facts):
            if "missed" in fact:
                return True
            if fact["fact"] == "final" and "paused_days" in fact:
                return False  # a term ran again after the miss
        return False

    def remaining(self, now: dt.datetime) -> dt.timedelta | None:
        if self.due_at is None or self.met_at is not None or self.cancelled_at is not None:
            return None
        return parse_time(self.due_at) - now


@dataclass
class Discrepancy(Document):
    id: str
    subject: str  # an item, a batch or a transfer
    reason: str
    opened_at: str
    opened_seq: int
    details: dict[str, Any] = field(default_factory=dict)
    resolved_at: str | None = None
    resolution: str | None = None  # found | corrected | lost
    note: str | None = None
    # Who recorded it (the actor of its entry): never the one who settles it
    # (workflows.access.duty_refusal, separation of duties).
    opened_by: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass
class Account(Document):
    """Who may act: a person's roles and the places they act at, as the ledger says
    (workflows.accounts). Passwords and tokens are not here: the service keeps them."""

    id: str  # the username: the actor of the entries its person writes
    name: str
    roles: list[str]
    places: list[str]
    disabled: bool
    created_at: str
    # Who made it: the actor of its `account_created`, or, when another administrator's
    # confirmation wrote it, the one who proposed it (the founder for the founding
    # accounts); never the one who confirms a signer-making change about it (workflows.dual).
    created_by: str | None = None


@dataclass
class Device(Document):
    """A device token (a scanner, a script): bound to one account, one of its roles and one
    of its places, until it expires or is revoked. Its id is a fingerprint, not the token."""

    id: str
    account: str
    role: str
    place: str | None
    label: str
    issued_at: str
    expires_at: str
    revoked_at: str | None = None


@dataclass
class Campaign(Document):
    """A voluntary surrender campaign ("Karu"): its period (YYYY-MM-DD, both days in), the
    places that take surrenders, its budget and the tariff per category, in whole tenge."""

    id: str
    name: str
    starts: str
    ends: str
    places: list[str]
    budget_tenge: int
    tariffs: dict[str, int]
    opened_at: str

    def runs_on(self, day: str) -> bool:
        return self.starts <= day <= self.ends


@dataclass
class Proposal(Document):
    """A change that makes a signer or an administrator (workflows.dual), proposed by one
    administrator: it takes effect only when another confirms it. `fields` are the
    command's input (workflows.commands, its `kind`); `concerns` the account the change is
    about (the account made or granted, a key's owner, a commission's member)."""

    id: str
    kind: str
    fields: dict[str, Any]
    concerns: str
    proposed_by: str
    proposed_at: str
    proposed_seq: int
    state: str = "proposed"  # proposed, confirmed or declined
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None


@dataclass
class IdClaim(Document):
    """One entry of the id register (workflows.subjects): the folded form of an id
    (workflows.markings.fold, as a marking's identity), the id as it was first written, and
    the register table of the subject it names. `KZ-7001`, `kz 7001` and `ΚΖ-7001` (Greek)
    read alike, so the first of them to be registered holds the folded form for ever."""

    folded: str
    id: str
    kind: str

    @property
    def ref(self) -> Any:
        return self.folded


@dataclass
class Payment(Document):
    """A compensation paid for one surrendered item (R12-R14): the recipient only as a keyed
    hash of their national identity number; checked by a second person (four eyes)."""

    id: str
    item: str
    campaign: str
    marking_folded: str | None
    amount_tenge: int
    reference: str
    recipient: str  # hex HMAC-SHA-256 of the national identity number (workflows.compensation)
    paid_by: str
    paid_at: str
    paid_seq: int
    confirmed_by: str | None = None
    confirmed_at: str | None = None
