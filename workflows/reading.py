"""Who may read what, and where (issue 14; DESIGN §2): staff read only what is at their
places, the auditor (a role that reads and acts at no place) reads everywhere.

A place reader's *scope* is the set of place ids they work at; `None` stands for everywhere.
What is "at" a place, for reading:

- an item: where it is now, and, while it is on the road, where it goes (the receiving clerk
  checks what is coming to them);
- a transfer: where it left from and where it goes;
- a batch, its statement and presences: the plant or burning site where it burns;
- a deadline: the place whose deadline it is (the unit for R1, the warehouse for R2, the
  sending place for the transit watch);
- a discrepancy: the place of its subject (an item, a batch, a transfer), or where it was
  counted.

An object outside the scope is answered as one that does not exist (404, the same words as
for an unknown id): a refusal that named the place, or only said "exists", would tell a clerk
of one warehouse where a weapon of another is, the very diversion risk the reading rule is
there to close (docs/access.md). Lists are filtered, never refused.

Plain functions over workflows.model documents: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflows.access import PLACE_KINDS, READ, ROLES
from workflows.model import Batch, Deadline, Discrepancy, Item, Transfer

Scope = frozenset[str] | None
"""The places one reads at; None: everywhere."""

EVERYWHERE: Scope = None

# Roles that hold `read` and act at no place (workflows.access: the auditor) oversee every
# place, so their reading is not bound to one. The administrator acts at no place either,
# but holds no `read`: it reads the registers, not item bodies, so it never widens the
# scope of a placed role held beside it (a clerk who is also an administrator reads at the
# clerk's places).
READS_EVERYWHERE = frozenset(
    role for role, kinds in PLACE_KINDS.items() if not kinds and READ in ROLES[role]
)


def scope(roles: Iterable[str], places: Iterable[str]) -> Scope:
    """The places an account (or a device token, with its one role and place) reads at:
    None when one of `roles` reads everywhere, else exactly `places` (none: nothing)."""
    if any(role in READS_EVERYWHERE for role in roles):
        return EVERYWHERE
    return frozenset(places)


def item_places(item: Item) -> frozenset[str]:
    """Where an item is, for reading: its location and, on the road, its destination."""
    return frozenset(p for p in (item.location, item.destination) if p)


def decision_places(item: Item) -> frozenset[str]:
    """Where an item is, for a step of its decision (an appeal, a suspension, finality, a
    reversal: workflows.access.DECISION_LATER): where it is now, and the unit that recorded
    its decision (its `unit`), where that step is done whoever holds the item (fix19f)."""
    return item_places(item) | {item.unit}


def transfer_places(transfer: Transfer) -> frozenset[str]:
    return frozenset((transfer.origin, transfer.destination))


def batch_places(batch: Batch) -> frozenset[str]:
    return frozenset((batch.location,))


def deadline_places(deadline: Deadline) -> frozenset[str]:
    return frozenset((deadline.place,)) if deadline.place else frozenset()


def discrepancy_places(
    discrepancy: Discrepancy,
    subject: Item | Batch | Transfer | None,
) -> frozenset[str]:
    """Where a discrepancy is read: where it was counted (`counted_at`) or found (a
    diversion suspicion's `place`), and where its subject (loaded by the caller, None if it
    is gone) is."""
    found: set[str] = set()
    for key in ("counted_at", "place"):
        where = discrepancy.details.get(key)
        if isinstance(where, str):
            found.add(where)
    if subject is not None:
        found |= places_of(subject)
    return frozenset(found)


def places_of(document: Any) -> frozenset[str]:
    """The places a document is read at (an item, transfer, batch or deadline); none for
    anything else, which a place reader then does not see."""
    if isinstance(document, Item):
        return item_places(document)
    if isinstance(document, Transfer):
        return transfer_places(document)
    if isinstance(document, Batch):
        return batch_places(document)
    if isinstance(document, Deadline):
        return deadline_places(document)
    return frozenset()


def sees(reader: Scope, places: Iterable[str]) -> bool:
    """Whether a reader of scope `reader` reads what is at any of `places`."""
    return reader is None or not reader.isdisjoint(places)


def sees_document(reader: Scope, document: Any) -> bool:
    return reader is None or sees(reader, places_of(document))
