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

Ids are compared by their folded form, as markings are (workflows.markings.fold: case, the
Cyrillic and Greek capitals that look like Latin ones, spaces, dashes and dots): `KZ-7001`,
`kz-7001`, `ΚΖ-7001` (Greek) and `KZ 7001` read alike on a label, so they are one id, and
the first of them to be written holds it (the `ids` register, wf_ids, kept by the fold and
so replayed and compared by `custody verify` like every state table). docs/identifiers.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflows.markings import fold
from workflows.model import IdClaim
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


def folded(subject: str) -> str:
    """The register's key of an id (any text): its folded form (workflows.markings.fold),
    or the id itself for one of only spaces and dashes, which folds to nothing."""
    return fold(subject) or subject


def look_alike(subject: str, held: IdClaim | None) -> str | None:
    """The refusal for `subject` when the register's entry `held` for its folded form is
    another id written otherwise (`kz-7001` against `KZ-7001`), else None."""
    if held is None or held.id == subject:
        return None
    return (
        f"id {subject} reads as id {held.id}, which names {KINDS.get(held.kind, held.kind)} "
        "already: an id names one subject for ever (ids that differ only in case, look-alike "
        "Latin, Cyrillic or Greek letters, spaces, dashes or dots are one id)"
    )


def conflict(world: World, table: str, subject: str, key: str | None = None) -> str | None:
    """Why `subject` may not be brought into being as a member of `table`, or None, from the
    objects `world` holds (a replay holds everything). Refused: an id that reads as another
    already registered (`look_alike`), the id of a subject of another kind, and a second
    beginning of a subject made by one entry. `key`: `folded(subject)`, when the caller has
    it already (the fold, which registers the subject under it next)."""
    tables = vars(world)  # the fold asks this for every intake: a lookup of each table
    alike = look_alike(subject, tables["ids"].get(folded(subject) if key is None else key))
    if alike is not None:
        return alike
    return refusal(table, subject, [k for k in KINDS if subject in tables[k]])


def register(world: World, table: str, subject: str, key: str | None = None) -> None:
    """Record in `world`'s id register that `subject` names a member of `table` (once: a
    commission's or a transfer's later entries find it there). `key` as for `conflict`."""
    key = folded(subject) if key is None else key
    if world.find("ids", key) is None:
        world.put("ids", IdClaim(folded=key, id=subject, kind=table))


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


def alike_in_one_action(first: str, subject: str) -> str:
    """The refusal for one action that would make two subjects whose ids read alike."""
    return (
        f"ids {first} and {subject} read alike, and one action would make both: an id names "
        "one subject for ever (ids that differ only in case, look-alike Latin, Cyrillic or "
        "Greek letters, spaces, dashes or dots are one id)"
    )


def conflict_in_one_action(first: str, table: str, subject: str) -> str:
    """The refusal for one action that would make two subjects of different kinds share an id."""
    return (
        f"id {subject} would name {KINDS[first]} and {KINDS[table]} at once: "
        "an id names one subject for ever"
    )
