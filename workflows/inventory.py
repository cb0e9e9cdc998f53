"""Discrepancies and losses: explicit, and blocking an item until someone resolves them.

An item with an open discrepancy can take no step but its resolution: found (back to where
it was in the process), corrected (the same, when the record was wrong), or lost (for good).
A batch whose charge did not match its items' weights has its statement blocked (R8) until
the discrepancy is resolved.
"""

from __future__ import annotations

from typing import Any

from workflows.errors import InvalidRequest
from workflows.movements import new_discrepancy_id
from workflows.steps import advance
from workflows.unit_of_work import Work

RESOLUTIONS = frozenset({"found", "corrected", "lost"})


def record(work: Work, subject: str, reason: str, details: dict[str, Any] | None = None) -> str:
    """Open a discrepancy about an item (it is then blocked)."""
    if not reason.strip():
        raise InvalidRequest("say what does not match")
    discrepancy = new_discrepancy_id()
    data = {"discrepancy": discrepancy, "reason": reason.strip(), "details": details or {}}
    advance(work, "discrepancy_recorded", [subject], data)
    return discrepancy


def resolve(work: Work, discrepancy_id: str, resolution: str, note: str) -> None:
    if resolution not in RESOLUTIONS:
        raise InvalidRequest(f"a resolution is one of {', '.join(sorted(RESOLUTIONS))}")
    if not note.strip():
        raise InvalidRequest("say how it was resolved")
    work.load("discrepancies", [discrepancy_id])
    discrepancy = work.world.discrepancy(discrepancy_id)
    if not discrepancy.open:
        raise InvalidRequest(f"discrepancy {discrepancy_id} is resolved already")
    data = {"discrepancy": discrepancy_id, "resolution": resolution, "note": note.strip()}
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
