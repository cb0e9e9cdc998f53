"""R11 at work: an intake or a batch load meets the items its markings were already given to.

The rule itself is `workflows.diversion.comeback`; here the items sharing a marking identity
are read (by the index on it) and a suspicion is written beside the step that found it: a
discrepancy on the new item naming both items, the old item's batch and the statement that
certified it destroyed. An official settles it with a signed act (`resolve`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from custody.acts import SignedAct
from workflows.diversion import OUTCOMES, R11, SUSPECTED, comeback
from workflows.errors import InvalidRequest, RuleViolation
from workflows.model import Item
from workflows.movements import new_discrepancy_id
from workflows.unit_of_work import Work


def marked_alike(work: Work, folded: Iterable[str | None]) -> dict[str, list[Item]]:
    """The stored items of each marking identity given, by identity."""
    found: dict[str, list[Item]] = {}
    for item in work.repo.items_marked(f for f in folded if f):
        if item.marking_folded is not None:
            found.setdefault(item.marking_folded, []).append(item)
    return found


def suspect(work: Work, item_id: str, old: Item, place: str, found_at: str) -> str:
    """Write the R11 suspicion about `item_id` (whose marking is `old`'s): returns its id."""
    batch = None
    if old.batch is not None:
        work.load("batches", [old.batch])
        batch = work.world.find("batches", old.batch)
    discrepancy = new_discrepancy_id()
    data: dict[str, Any] = {
        "discrepancy": discrepancy,
        "rule": R11,
        "old_item": old.id,
        "old_marking": old.marking,
        "old_state": old.state,
        "old_batch": old.batch,
        "old_statement": batch.statement if batch is not None else None,
        "marking_folded": old.marking_folded,
        "place": place,
        "found_at": found_at,
    }
    work.entry(SUSPECTED, item_id, data)
    return discrepancy


def check_load(work: Work, place: str, item_ids: list[str]) -> dict[str, str]:
    """R11 at the furnace or bunker: each item (loaded in `work.world`) whose marking is that
    of one already destroyed is suspected, not loaded. Returns {item: suspicion}."""
    items = [work.world.item(i) for i in item_ids]
    marked = [i for i in items if i.marking_folded and i.diversion is None]
    if not marked:
        return {}
    alike = marked_alike(work, [i.marking_folded for i in marked])
    suspected = {}
    for item in marked:
        candidates = alike.get(item.marking_folded or "", [])
        old = comeback(item.category, item.model, candidates, item.diversion_cleared, item.id)
        if old is not None:
            suspected[item.id] = suspect(work, item.id, old, place, "batch_loaded")
    return suspected


def report(work: Work, item_id: str, old_id: str) -> str:
    """R11 by hand: someone sees that an item's marking is that of one gone (a plate read
    again, a record corrected). Refused unless the rule itself finds them the same weapon.
    Returns the suspicion's id. Raises UnknownObject, RuleViolation(R11)."""
    work.load("items", [item_id, old_id])
    item, old = work.world.item(item_id), work.world.item(old_id)
    if item.diversion is not None:
        raise RuleViolation(R11, f"{item.name} is suspected already ({item.diversion})", item_id)
    same = item.marking_folded is not None and item.marking_folded == old.marking_folded
    if not same or comeback(item.category, item.model, [old], itself=item.id) is None:
        raise RuleViolation(
            R11,
            f"{item.name} is not the weapon of item {old_id}: the marking, category and model "
            "must be one, and that item destroyed or returned",
            item_id,
        )
    return suspect(work, item_id, old, item.location, "reported")


def resolve(work: Work, discrepancy_id: str, signed: SignedAct) -> None:
    """R11: an authorised official's signed act settles a suspicion: `outcome` one of
    different_weapon, re_marked, diversion_confirmed, with a note. Raises InvalidRequest,
    UnknownObject; the ledger checks the act's signature and binding."""
    act = signed.act
    if act.get("outcome") not in OUTCOMES:
        raise InvalidRequest(f"an outcome is one of {', '.join(sorted(OUTCOMES))}")
    if not str(act.get("note") or "").strip():
        raise InvalidRequest("say in the act's note why")
    if act.get("discrepancy") != discrepancy_id:
        raise InvalidRequest(f"the act does not name suspicion {discrepancy_id}")
    work.load("discrepancies", [discrepancy_id])
    discrepancy = work.world.discrepancy(discrepancy_id)
    if discrepancy.reason != SUSPECTED:
        raise InvalidRequest(f"{discrepancy_id} is not a diversion suspicion")
    if not discrepancy.open:
        raise RuleViolation(R11, f"suspicion {discrepancy_id} is resolved already")
    work.load("items", [discrepancy.subject])
    work.world.item(discrepancy.subject)
    data = {"discrepancy": discrepancy_id, **signed.to_data()}
    work.entry("diversion_resolved", discrepancy.subject, data)
