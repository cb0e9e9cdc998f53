"""The one register of ids: an id names one subject (an item, a batch, a place, a commission,
a transfer, a discrepancy, an account or a device token) for ever.

Entries name their subject in one field (`item`, docs/ledger.md), and the state of every kind
is looked up by that id alone, so a batch and an item both called `B-1` would be one subject
to every reader: a discrepancy on the item would land on the batch, a statement's evidence
would mix a commission's entries with an edged weapon's. Each kind's table keeps its ids
unique within the kind; this keeps them unique across the kinds.

The rule is a plain function of the entry and the objects already known; the live action
(workflows.unit_of_work) asks it before it appends, the fold asks it again on replay
(`custody verify` step 10), so a ledger written around the process fails the audit. The live
check asks the state tables which ids they hold (ids only: a 10,000-row import would
otherwise load documents it never reads); the fold's check then finds nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflows.world import World

# The tables whose ids share the one register, and the word a person reads for each.
KINDS = {
    "items": "an item",
    "batches": "a batch",
    "locations": "a place",
    "commissions": "a commission",
    "transfers": "a transfer",
    "discrepancies": "a discrepancy",
    "accounts": "an account",
    "devices": "a device token",
    "campaigns": "a campaign",
    "payments": "a payment",
}
# The entry kind that brings a subject into being, and where its id is: in `item` (None) or
# in a field of the data. A commission and a transfer are made by their first such entry;
# later ones of the same kind add to the same subject.
FIRST_ENTRIES: dict[str, tuple[str, str | None]] = {
    "item_registered": ("items", None),
    "batch_opened": ("batches", None),
    "location_added": ("locations", None),
    "commission_member_added": ("commissions", None),
    "transfer_sent": ("transfers", "transfer"),
    "discrepancy_recorded": ("discrepancies", "discrepancy"),
    "account_created": ("accounts", None),
    "device_token_issued": ("devices", None),
    "diversion_suspected": ("discrepancies", "discrepancy"),
    "campaign_opened": ("campaigns", None),
    "compensation_paid": ("payments", "payment"),
}
_GROWS = frozenset({"commissions", "transfers"})  # subjects more than one entry adds to


def claimed(kind: str, item: str | None, data: dict[str, Any]) -> tuple[str, str] | None:
    """(table, id) of the subject an entry of `kind` brings into being, or None when the
    kind makes no subject (or names none, which the fold refuses on its own)."""
    first = FIRST_ENTRIES.get(kind)
    if first is None:
        return None
    table, field = first
    subject = item if field is None else data.get(field)
    return (table, subject) if isinstance(subject, str) else None


def conflict(world: World, table: str, subject: str) -> str | None:
    """Why `subject` may not be brought into being as a member of `table`, or None, from the
    objects `world` holds (a replay holds everything). Refused: the id of a subject of
    another kind, and a second beginning of a subject made by one entry."""
    tables = vars(world)  # the fold asks this for every intake: a lookup of each table
    return refusal(table, subject, [k for k in KINDS if subject in tables[k]])


def refusal(table: str, subject: str, holders: Iterable[str]) -> str | None:
    """The refusal for making `subject` in `table` when the tables `holders` have it."""
    for other in holders:
        if other == table:
            if table in _GROWS:
                continue
            return f"id {subject} names {KINDS[table]} already: an id names one subject for ever"
        return (
            f"id {subject} names {KINDS[other]} already, so it cannot name {KINDS[table]}: "
            "an id names one subject for ever (item, batch, place, commission, transfer, "
            "discrepancy, account, device token)"
        )
    return None


def unavailable(subject: str) -> str:
    """The one refusal a person reads when an id they chose for a new subject is taken,
    whatever took it: an item of their place, another place's item, a batch, a transfer, an
    account (issue 14, L1). Which kind holds the id, and whether it is one they may read, is
    not said: with `refusal`'s wording a clerk could learn by trying that another place
    registered a weapon under an id (docs/access.md, "Ids of new subjects"). The auditor's
    replay (`conflict`, `custody verify` step 10) still names the kinds."""
    return (
        f"id {subject} is not available: an id names one subject for ever; choose another, "
        "or leave it out where the service gives one"
    )


def conflict_in_one_action(first: str, table: str, subject: str) -> str:
    """The refusal for one action that would make two subjects of different kinds share an id."""
    return (
        f"id {subject} would name {KINDS[first]} and {KINDS[table]} at once: "
        "an id names one subject for ever"
    )
