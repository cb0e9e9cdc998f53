"""Destruction statements (R8, R9): what the commission members present sign.

The content is built from the batch and its items, deterministically, and each signer signs
its SHA-256 in a person's act (DESIGN §5): {"kind": "statement_signed", "item": <batch>,
"items": [...], "statement": <hex digest>, "person", "key_id", "time"}. Once more than half of
the commission in office at the destruction have signed, the statement is final and its items
are destroyed. The statements issue renders the same content as a PDF.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from custody import canonical
from custody.acts import SignedAct
from workflows import rules
from workflows.errors import InvalidRequest
from workflows.model import Batch, Discrepancy
from workflows.unit_of_work import Work
from workflows.world import World


def content(world: World, batch: Batch) -> dict[str, Any]:
    """What the statement says, as data; every field comes from the ledger's fold. The
    batch's discrepancies (`world` holds them: load_discrepancies) are in it, as
    `discrepancies` (discrepancy_lines), when it had any: a court reading the statement sees
    that the weights did not reconcile and how it was settled (issue 16). A statement the
    members signed before statements carried them keeps the content they signed
    (`batch.statement` is its digest), so that it still verifies."""
    stated = _content(world, batch)
    found = batch_discrepancies(world, batch.id)
    if not found:  # as before discrepancies were stated: the same content, the same digest
        return stated
    if batch.statement is not None and batch.statement == digest(stated):
        return stated  # signed before statements carried discrepancies
    return stated | {"discrepancies": [discrepancy_line(d) for d in found]}


def batch_discrepancies(world: World, batch_id: str) -> list[Discrepancy]:
    """The discrepancies about `batch_id` that `world` holds, in the order they opened."""
    found = [d for d in world.discrepancies.values() if d.subject == batch_id]
    return sorted(found, key=lambda d: d.opened_seq)


# What a statement says of each discrepancy of its batch; `certificates.verify_statement`
# makes the same from the batch's discrepancy_recorded and discrepancy_resolved entries.
def discrepancy_line(discrepancy: Discrepancy) -> dict[str, Any]:
    """{"discrepancy", "reason", "recorded_at", "details" (as recorded: a weight
    discrepancy's expected_g, charge_g, difference_g, tolerance_g, grams), "resolution"
    (found | corrected, or None while open), "resolved_at", "note", and "corrected_charge_g"
    (grams) where the settlement stated one}."""
    details = dict(discrepancy.details)
    corrected = details.pop("corrected_charge_g", None)
    line = {
        "discrepancy": discrepancy.id,
        "reason": discrepancy.reason,
        "recorded_at": discrepancy.opened_at,
        "details": details,
        "resolution": discrepancy.resolution,
        "resolved_at": discrepancy.resolved_at,
        "note": discrepancy.note,
    }
    if corrected is not None:
        line["corrected_charge_g"] = corrected
    return line


def _content(world: World, batch: Batch) -> dict[str, Any]:
    location = world.location(batch.location)
    commission = world.commission(batch.commission)
    items = [world.item(item_id) for item_id in sorted(batch.items)]
    # Names in the statement's languages, full names and positions are there only where the
    # register has them, so that statements of data without them keep their digests.
    place: dict[str, Any] = {"id": location.id, "name": location.name, "region": location.region}
    if location.names:
        place["names"] = location.names
    named: dict[str, Any] = {"id": commission.id, "name": commission.name}
    if commission.names:
        named["names"] = commission.names
    return {
        "batch": batch.id,
        "kind": batch.kind,
        "location": place,
        "installation": batch.installation,
        "commission": named,
        "destroyed_at": batch.destroyed_at,
        "present": [{k: p[k] for k in PRESENT if k in p} for p in batch.present],
        "facts": {k: v for k, v in batch.facts.items() if k != "files"},
        "items": [
            {
                "id": item.id,
                "category": item.category,
                "marking": item.marking,
                "internal_tag": item.internal_tag,
                "source": item.source,
                "model": item.details.get("model"),
                "calibre": item.details.get("calibre"),
                "quantity": item.quantity,
                "decision": (item.decision or {}).get("ref"),
                "registry_result": item.registry_result,
                "weight_g": item.charge_weight_g,
            }
            for item in items
        ],
    }


PRESENT: Final = ("person", "role", "full_name", "position")


def digest(statement: dict[str, Any]) -> str:
    return hashlib.sha256(canonical.dumps(statement)).hexdigest()


def load_for_statement(work: Work, batch_id: str) -> Batch:
    work.load("batches", [batch_id])
    batch = work.world.batch(batch_id)
    work.load("items", batch.items)
    work.load("locations", [batch.location])
    work.load("commissions", [batch.commission])
    work.load("discrepancies", work.repo.discrepancy_ids(batch_id))
    return batch


# The fields of a statement signature act (DESIGN §5), no more: a field the statement and its
# verifier show nowhere must not ride along under a member's signature (issue 16).
ACT_FIELDS: Final = frozenset({"kind", "person", "key_id", "time", "item", "items", "statement"})


def check_act_fields(act: dict[str, Any]) -> None:
    """InvalidRequest unless `act` has exactly ACT_FIELDS (workflows.commands.StatementAct
    is the same shape as a model, for the HTTP boundary)."""
    extra, missing = sorted(set(act) - ACT_FIELDS), sorted(ACT_FIELDS - set(act))
    if extra or missing:
        said = "; ".join(
            f"{what} {', '.join(names)}"
            for what, names in (("unknown", extra), ("missing", missing))
            if names
        )
        raise InvalidRequest(f"a statement act has exactly {', '.join(sorted(ACT_FIELDS))}: {said}")


def sign(work: Work, batch_id: str, signed: SignedAct) -> None:
    """One commission member's signature; R8 says who may sign, and when: after the
    destruction, and not dated ahead of the clock (rules.r8_signed_in_time). The act has
    exactly ACT_FIELDS (InvalidRequest otherwise), signs this batch's content's digest and
    names its items (InvalidRequest otherwise)."""
    check_act_fields(signed.act)
    batch = load_for_statement(work, batch_id)
    act = signed.act
    person = str(act.get("person"))
    violation = rules.r8_may_sign(batch, work.world, person, work.now) or (
        rules.r8_signed_in_time(batch, str(act.get("time")), work.now)
    )
    if violation is not None:
        raise violation.about_batch(batch_id)
    expected = digest(content(work.world, batch))
    if act.get("statement") != expected:
        raise InvalidRequest("the act signs another content than this batch's statement")
    if act.get("items") != sorted(batch.items) or act.get("item") != batch_id:
        raise InvalidRequest("the act must name the batch and every item in it")
    work.entry("statement_signed", batch_id, signed.to_data())
