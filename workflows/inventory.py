"""Discrepancies and losses: explicit, and blocking an item until someone resolves them.

An item with an open discrepancy can take no step but its resolution: found (back to where
it was in the process), corrected (the same, when the record was wrong), or lost (for good).
A batch whose charge did not match its items' weights has its statement blocked (R8) until
the discrepancy is resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from workflows import registers
from workflows.comebacks import suspect
from workflows.diversion import R11, RECORDED_DESTROYED, SUSPECTED
from workflows.errors import INVENTORY, InvalidRequest, RuleViolation, WorkflowError
from workflows.machines import WORKFLOWS
from workflows.model import Discrepancy
from workflows.movements import new_discrepancy_id
from workflows.steps import advance
from workflows.unit_of_work import Work
from workflows.vocabulary import LOCATION_KINDS, NOT_ON_HAND

RESOLUTIONS = frozenset({"found", "corrected", "lost"})


# The ids nobody registered that one count may list (a scanner misreading labels gives a few;
# more is a list that is not a count, and each is stored in the entry): refused beyond.
MAX_UNKNOWN = 1000


def count(work: Work, location_id: str, scanned: Sequence[str]) -> dict[str, Any]:
    """An inventory count: what was scanned at a place against what is recorded there.
    Each item recorded but not found, and each found but recorded elsewhere at a place the
    counting account works at too, gets a discrepancy (where its state allows one); one
    recorded at a place the account does not work at is listed in `elsewhere` and left to
    that place and the auditor. The count itself is an entry listing them all.

    An item found that the ledger records destroyed (melted, burned, destroyed) is listed
    besides in `destroyed_found` and, unless suspected already, an R11 diversion suspicion
    is opened on it (comebacks.suspect, the item its own "old" item, found_at
    inventory_counted): nothing is refused, the count is recorded as it was.
    Returns {"missing", "unexpected", "unknown", "destroyed_found", "elsewhere": [item ids],
    "opened": [discrepancy ids], "suspected": {item: suspicion id}}. InvalidRequest when
    more than MAX_UNKNOWN of the ids scanned are registered nowhere."""
    registers.location_of_kind(work, location_id, *LOCATION_KINDS)
    found = list(dict.fromkeys(scanned))
    recorded = [i for i, state in work.repo.states_at(location_id) if state not in NOT_ON_HAND]
    work.load("items", found)
    unknown = [i for i in found if i not in work.world.items]
    if len(unknown) > MAX_UNKNOWN:
        raise InvalidRequest(
            f"a count lists at most {MAX_UNKNOWN} ids registered nowhere; this one "
            f"{len(unknown)} (the first: {unknown[0]})"
        )
    missing = sorted(set(recorded) - set(found))
    unexpected = [i for i in found if i in work.world.items and i not in set(recorded)]
    destroyed = [i for i in unexpected if work.world.item(i).state in RECORDED_DESTROYED]
    elsewhere = _not_the_counters(work, [i for i in unexpected if i not in set(destroyed)])
    work.entry(
        "inventory_counted",
        location_id,
        {
            "scanned": len(found),
            "recorded": len(recorded),
            "missing": missing,
            "unexpected": unexpected,
            "unknown": unknown,
            "destroyed_found": destroyed,
            "elsewhere": elsewhere,
        },
    )
    work.load("items", missing)
    opened = [
        record(work, item, reason, {"counted_at": location_id})
        for items, reason in (
            (missing, f"not found at the count of {location_id}"),
            (
                [i for i in unexpected if i not in set(elsewhere)],
                f"found at the count of {location_id}, but recorded elsewhere",
            ),
        )
        for item in items
        if _may_open(work, item)
    ]
    suspected = _suspect_destroyed(work, location_id, destroyed)
    return {
        "missing": missing,
        "unexpected": unexpected,
        "unknown": unknown,
        "destroyed_found": destroyed,
        "elsewhere": elsewhere,
        "opened": opened,
        "suspected": suspected,
    }


def _suspect_destroyed(work: Work, location_id: str, destroyed: list[str]) -> dict[str, str]:
    """R11: a weapon recorded destroyed and found at a count is suspected of diversion, as a
    comeback is: the suspicion names the item itself as the one recorded gone, its batch and
    statement. An item suspected already keeps its open suspicion."""
    suspected = {}
    for item_id in destroyed:
        item = work.world.item(item_id)
        if item.diversion is None:
            suspected[item_id] = suspect(work, item_id, item, location_id, "inventory_counted")
    return suspected


def _not_the_counters(work: Work, items: list[str]) -> list[str]:
    """Of the live items found, those recorded at a place the counting account does not work
    at. The count lists them (`elsewhere`, and in `unexpected` for the reconciliation) but
    opens no discrepancy on them: a clerk's scan of a label must not block another place's
    weapon, or one on the road, on their word alone (least privilege by place, issue 14);
    the reconciliation report puts them before the auditor."""
    account = work.world.accounts.get(work.actor)
    mine = set(account.places) if account is not None else set()
    return [i for i in items if work.world.item(i).location not in mine]


def _may_open(work: Work, item_id: str) -> bool:
    item = work.world.item(item_id)
    return WORKFLOWS[item.workflow].next_state(item.state, "discrepancy_recorded") is not None


# The keys of a discrepancy's details the service writes and its readers give meaning to:
# where it was counted (`counted_at`: the count's place, which also lets that place read it),
# the transfer it was found on, a diversion suspicion's place, old item and statement (R11),
# a batch's weights (R7) and the corrected charge weight its settlement states (kept among the
# details by the fold: workflows.fold._discrepancy_resolved). A person's discrepancy may not
# carry them: `{"place": "UNIT-KRG"}` would show it to another place, `counted_at` would pass
# it off as an inventory count (issue 12, finding 12).
SERVER_DETAILS: Final = frozenset(
    {
        "counted_at",
        "transfer",
        "place",
        "found_at",
        "rule",
        "old_item",
        "old_marking",
        "old_state",
        "old_batch",
        "old_statement",
        "marking_folded",
        "expected_g",
        "charge_g",
        "difference_g",
        "tolerance_g",
        "corrected_charge_g",
    }
)


def reserved_refusal(details: dict[str, Any] | None) -> str | None:
    """The refusal of details a person gives (a discrepancy's, an intake's) that hold a key
    the service writes (SERVER_DETAILS), or None."""
    taken = sorted(set(details or {}) & SERVER_DETAILS)
    if not taken:
        return None
    return f"details.{taken[0]} is written by the service, not given: leave it out"


def record(work: Work, subject: str, reason: str, details: dict[str, Any] | None = None) -> str:
    """Open a discrepancy about an item (it is then blocked). A count's own discrepancies
    give `counted_at` here; a person's (RecordDiscrepancy) go through `record_given`."""
    if not reason.strip():
        raise InvalidRequest("say what does not match")
    discrepancy = new_discrepancy_id()
    data = {"discrepancy": discrepancy, "reason": reason.strip(), "details": details or {}}
    advance(work, "discrepancy_recorded", [subject], data)
    return discrepancy


def record_given(work: Work, subject: str, reason: str, details: dict[str, Any] | None) -> str:
    """`record` of a discrepancy a person states: InvalidRequest for details that hold a key
    the service writes (SERVER_DETAILS)."""
    refused = reserved_refusal(details)
    if refused is not None:
        raise InvalidRequest(refused)
    return record(work, subject, reason, details)


def resolve(
    work: Work,
    discrepancy_id: str,
    resolution: str,
    note: str,
    corrected_charge_g: int | None = None,
) -> None:
    """Settle a discrepancy: found, corrected or lost (an item's; a batch's is found or
    corrected). A batch's weight discrepancy settled "corrected" says the charge weight
    recorded was wrong: it states the right one (`corrected_charge_g`, grams), which must
    reconcile with the items' weight within the tolerance the melt recorded; no other
    settlement carries one. InvalidRequest / RuleViolation(INVENTORY) otherwise."""
    if resolution not in RESOLUTIONS:
        raise InvalidRequest(f"a resolution is one of {', '.join(sorted(RESOLUTIONS))}")
    if not note.strip():
        raise InvalidRequest("say how it was resolved")
    work.load("discrepancies", [discrepancy_id])
    discrepancy = work.world.discrepancy(discrepancy_id)
    if discrepancy.reason == SUSPECTED:
        raise RuleViolation(
            R11,
            f"{discrepancy_id} is a diversion suspicion: an official settles it with a signed "
            "act (diversion_resolved)",
        )
    if not discrepancy.open:
        raise InvalidRequest(f"discrepancy {discrepancy_id} is resolved already")
    refused = corrected_weight_refusal(discrepancy, resolution, corrected_charge_g)
    if refused is not None:
        raise refused
    data: dict[str, Any] = {
        "discrepancy": discrepancy_id,
        "resolution": resolution,
        "note": note.strip(),
    }
    if corrected_charge_g is not None:
        data["corrected_charge_g"] = corrected_charge_g
    work.load("batches", [discrepancy.subject])
    if discrepancy.subject in work.world.batches:
        if resolution == "lost":
            raise InvalidRequest("a batch's discrepancy is found or corrected, not lost")
        work.entry("discrepancy_resolved", discrepancy.subject, data)
        return
    work.load("items", [discrepancy.subject])
    item = work.world.item(discrepancy.subject)
    fact = "lost" if resolution == "lost" else f"was_{item.state_before_discrepancy}"
    advance(work, "discrepancy_resolved", [discrepancy.subject], data, facts=frozenset({fact}))


WEIGHT = "weight"  # the reason of a batch's weight discrepancy (workflows.batches.destroy)


def corrected_weight_refusal(
    discrepancy: Discrepancy, resolution: str, corrected_charge_g: int | None
) -> WorkflowError | None:
    """Why this settlement's corrected charge weight is refused, or None. A weight
    discrepancy "corrected" says the recorded charge weight was wrong, so a statement that
    prints the settlement must print the right figure (issue 16): it is required, and must
    reconcile with the items' weight (`expected_g`) within the tolerance (`tolerance_g`)
    the melt recorded, else the weights still do not reconcile and nothing was corrected.
    Any other settlement states no corrected weight."""
    weighed = discrepancy.reason == WEIGHT and "expected_g" in discrepancy.details
    if not (weighed and resolution == "corrected"):
        if corrected_charge_g is None:
            return None
        return InvalidRequest(
            "corrected_charge_g is stated only when a batch's weight discrepancy is settled "
            "corrected: leave it out"
        )
    if corrected_charge_g is None:
        return InvalidRequest(
            "a weight discrepancy settled corrected states the right charge weight: give "
            "corrected_charge_g (grams)"
        )
    expected, tolerance = discrepancy.details["expected_g"], discrepancy.details["tolerance_g"]
    if abs(corrected_charge_g - expected) > tolerance:
        return RuleViolation(
            INVENTORY,
            f"the corrected charge weight {corrected_charge_g} g still differs from the items' "
            f"{expected} g by more than the tolerance of {tolerance} g: that corrects "
            "nothing; settle it found, saying where the difference went",
            batch=discrepancy.subject,
        )
    return None
