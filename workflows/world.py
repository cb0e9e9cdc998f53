"""The objects one action (or a replay) works on, and which of them it changed.

A live action loads into a World only the objects it needs; a replay starts from an empty
World and folds the whole log into it. Either way `changed` says what to write back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workflows.errors import UnknownObject
from workflows.model import (
    Account,
    Batch,
    Campaign,
    Commission,
    Deadline,
    Device,
    Discrepancy,
    Document,
    IdClaim,
    Item,
    Location,
    Payment,
    Proposal,
    Transfer,
)

KINDS: dict[str, type[Document]] = {
    "items": Item,
    "locations": Location,
    "commissions": Commission,
    "transfers": Transfer,
    "batches": Batch,
    "deadlines": Deadline,
    "discrepancies": Discrepancy,
    "accounts": Account,
    "devices": Device,
    "campaigns": Campaign,
    "payments": Payment,
    "proposals": Proposal,
    "ids": IdClaim,
}
_NAMES = {
    "items": "item",
    "locations": "location",
    "commissions": "commission",
    "transfers": "transfer",
    "batches": "batch",
    "deadlines": "deadline",
    "discrepancies": "discrepancy",
    "accounts": "account",
    "devices": "device token",
    "campaigns": "campaign",
    "payments": "payment",
    "proposals": "proposed change",
    "ids": "id",
}


def unknown(kind: str, key: Any) -> UnknownObject:
    """The answer for an id of `kind` (a World table: "items", "transfers", ...) nobody
    registered, word for word: also the answer for one the reader may not see
    (docs/access.md)."""
    return UnknownObject(f"no {_NAMES[kind]} {key!r} is registered")


@dataclass
class World:
    items: dict[Any, Item] = field(default_factory=dict)
    locations: dict[Any, Location] = field(default_factory=dict)
    commissions: dict[Any, Commission] = field(default_factory=dict)
    transfers: dict[Any, Transfer] = field(default_factory=dict)
    batches: dict[Any, Batch] = field(default_factory=dict)
    deadlines: dict[Any, Deadline] = field(default_factory=dict)
    discrepancies: dict[Any, Discrepancy] = field(default_factory=dict)
    accounts: dict[Any, Account] = field(default_factory=dict)
    devices: dict[Any, Device] = field(default_factory=dict)
    campaigns: dict[Any, Campaign] = field(default_factory=dict)
    payments: dict[Any, Payment] = field(default_factory=dict)
    proposals: dict[Any, Proposal] = field(default_factory=dict)
    # The id register by folded id (workflows.subjects): a replay holds every id; a live
    # action, the folded ids of the subjects it makes.
    ids: dict[Any, IdClaim] = field(default_factory=dict)
    # R14: the payment made for each marking identity, as the fold has met them (a replay
    # meets them all; a live action, those it loaded or made).
    paid: dict[str, str] = field(default_factory=dict)
    # The proposal the entry just folded confirmed, as (its seq, the proposal's id): the one
    # entry after it may be that change (workflows.dual); any other entry ends it.
    confirmed: tuple[int, str] | None = None
    # How many times an account was made an administrator (a replay's count: the second
    # founding administrator is permitted only while it is 1, workflows.access).
    administrators_made: int = 0
    changed: dict[str, set[Any]] = field(default_factory=lambda: {k: set() for k in KINDS})
    # What was read from the state tables (and so has a row there), against what is new.
    stored: dict[str, set[Any]] = field(default_factory=lambda: {k: set() for k in KINDS})

    def table(self, kind: str) -> dict[Any, Any]:
        table: dict[Any, Any] = getattr(self, kind)
        return table

    def get(self, kind: str, key: Any) -> Any:
        try:
            return self.table(kind)[key]
        except KeyError:
            raise unknown(kind, key) from None

    def find(self, kind: str, key: Any) -> Any:
        return self.table(kind).get(key)

    def put(self, kind: str, document: Document) -> None:
        self.table(kind)[document.ref] = document
        self.changed[kind].add(document.ref)

    def touch(self, kind: str, document: Document) -> None:
        self.changed[kind].add(document.ref)

    def item(self, item_id: str) -> Item:
        item: Item = self.get("items", item_id)
        return item

    def batch(self, batch_id: str) -> Batch:
        batch: Batch = self.get("batches", batch_id)
        return batch

    def transfer(self, transfer_id: str) -> Transfer:
        transfer: Transfer = self.get("transfers", transfer_id)
        return transfer

    def commission(self, commission_id: str) -> Commission:
        commission: Commission = self.get("commissions", commission_id)
        return commission

    def location(self, location_id: str) -> Location:
        location: Location = self.get("locations", location_id)
        return location

    def discrepancy(self, discrepancy_id: str) -> Discrepancy:
        discrepancy: Discrepancy = self.get("discrepancies", discrepancy_id)
        return discrepancy

    def account(self, username: str) -> Account:
        account: Account = self.get("accounts", username)
        return account

    def device(self, device_id: str) -> Device:
        device: Device = self.get("devices", device_id)
        return device

    def campaign(self, campaign_id: str) -> Campaign:
        campaign: Campaign = self.get("campaigns", campaign_id)
        return campaign

    def payment(self, payment_id: str) -> Payment:
        payment: Payment = self.get("payments", payment_id)
        return payment

    def proposal(self, proposal_id: str) -> Proposal:
        proposal: Proposal = self.get("proposals", proposal_id)
        return proposal

    def deadline(self, item_id: str, rule: str) -> Deadline | None:
        deadline: Deadline | None = self.find("deadlines", (item_id, rule))
        return deadline

    def changed_documents(self) -> Iterable[tuple[str, Document]]:
        for kind, keys in self.changed.items():
            table = self.table(kind)
            for key in keys:
                yield kind, table[key]
