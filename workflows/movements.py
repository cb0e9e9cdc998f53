"""Moving items: transfers confirmed item by item on arrival, and the forensic path (R2-R4).

A transfer is checked by its receiver, who scans each item that arrives. An item scanned but
never sent with it, and one sent but not scanned when the receiver closes the transfer, each
becomes a discrepancy that blocks the item until someone resolves it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from custody.acts import SignedAct
from workflows import registers
from workflows.errors import InvalidRequest, RuleViolation
from workflows.model import Transfer
from workflows.steps import advance, unique
from workflows.unit_of_work import Work
from workflows.vocabulary import FORENSICS, MATCH, REGISTRY_RESULTS, WAREHOUSE


def new_discrepancy_id() -> str:
    return f"D-{uuid.uuid4().hex[:10].upper()}"


def send(work: Work, transfer_id: str, destination: str, item_ids: Sequence[str]) -> None:
    """Items leave together for a warehouse (R1: only under a decision in force); each is
    watched in transit until received (CUSTODY_TRANSIT_HOURS, workflows.deadlines)."""
    registers.location_of_kind(work, destination, WAREHOUSE)
    ids = unique(item_ids)
    work.load("items", ids)
    work.load("transfers", [transfer_id])
    origins = {work.world.item(i).location for i in ids}
    if len(origins) != 1:
        raise InvalidRequest("the items of one transfer leave from one place")
    origin = origins.pop()
    if origin == destination:
        raise InvalidRequest("a transfer goes somewhere else")
    existing: Transfer | None = work.world.find("transfers", transfer_id)
    if existing is not None and (
        existing.state != "open" or (existing.origin, existing.destination) != (origin, destination)
    ):
        raise InvalidRequest(f"transfer {transfer_id} is not an open transfer on this route")
    data = {
        "transfer": transfer_id,
        "origin": origin,
        "destination": destination,
        # The transit watch's term as configured now, kept with the sending: a replay counts
        # it from the entry, not from settings that may have changed (workflows.deadlines).
        "transit_hours": work.config.transit_hours,
    }
    advance(work, "transfer_sent", ids, data)


def receive(work: Work, transfer_id: str, scanned: Sequence[str]) -> list[str]:
    """The receiver scans what arrived; returns the discrepancies of items never sent."""
    ids = unique(scanned)
    work.load("transfers", [transfer_id])
    transfer = work.world.transfer(transfer_id)
    work.load("items", ids)
    # An item missing when the transfer was closed may still turn up (once its discrepancy
    # is resolved): it is received on its own transfer, open or closed.
    unexpected = [i for i in ids if not transfer.expects(i)]
    expected = [i for i in ids if i not in unexpected]
    if expected:
        advance(work, "transfer_received", expected, {"transfer": transfer_id})
    return [
        _discrepancy(work, item_id, "received_not_sent", {"transfer": transfer_id})
        for item_id in unexpected
    ]


def close(work: Work, transfer_id: str) -> list[str]:
    """The receiver has scanned all that arrived; returns the discrepancies of the missing."""
    work.load("transfers", [transfer_id])
    transfer = work.world.transfer(transfer_id)
    if transfer.state != "open":
        raise InvalidRequest(f"transfer {transfer_id} is closed already")
    missing = [i for i in transfer.sent if i not in transfer.received]
    work.load("items", missing)
    opened = [
        _discrepancy(work, item_id, "sent_not_received", {"transfer": transfer_id})
        for item_id in missing
    ]
    work.entry("transfer_closed", transfer_id, {"missing": missing, "discrepancies": opened})
    return opened


def _discrepancy(work: Work, subject: str, reason: str, details: dict[str, Any]) -> str:
    discrepancy_id = new_discrepancy_id()
    data = {"discrepancy": discrepancy_id, "reason": reason, "details": details}
    advance(work, "discrepancy_recorded", [subject], data)
    return discrepancy_id


# -- forensics (R2-R4) --------------------------------------------------------------------------


def send_to_forensics(work: Work, item_ids: Sequence[str], forensics: str) -> None:
    registers.location_of_kind(work, forensics, FORENSICS)
    advance(work, "forensic_sent", item_ids, {"forensics": forensics})


def record_registry_results(work: Work, results: Sequence[tuple[str, SignedAct]]) -> None:
    """R3: each result the examiner's own signed act; a match (R4) holds its item as evidence.
    Many at once are one transaction, all or nothing."""
    per_item: dict[str, dict[str, Any]] = {}
    facts: dict[str, frozenset[str]] = {}
    for item_id, signed in results:
        result = signed.act.get("result")
        if result not in REGISTRY_RESULTS:
            raise InvalidRequest(
                f"a registry result is one of {', '.join(sorted(REGISTRY_RESULTS))}"
            )
        if result == MATCH and not str(signed.act.get("case") or "").strip():
            raise RuleViolation(
                "R4", "a registry match names the criminal case it is held for", item_id
            )
        per_item[item_id] = signed.to_data()
        facts[item_id] = frozenset({"match" if result == MATCH else "no_match"})
    advance(work, "registry_result_recorded", list(per_item), {}, per_item, facts)


def release_evidence(work: Work, item_id: str, signed: SignedAct) -> None:
    """R4: an authorised official's signed release ends the evidence hold."""
    advance(work, "evidence_released", [item_id], signed.to_data())


def return_from_forensics(work: Work, item_ids: Sequence[str], warehouse: str) -> None:
    registers.location_of_kind(work, warehouse, WAREHOUSE)
    advance(work, "forensic_returned", item_ids, {"warehouse": warehouse})
