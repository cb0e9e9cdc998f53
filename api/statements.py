"""Statements as the API and the CLI hand them out: the process's content, the ledger's
evidence for it, rendered to PDF in the certificates worker."""

from __future__ import annotations

from typing import Any

from api.system import System
from certificates import evidence
from certificates import page as pages
from certificates.labels import LabelItem
from certificates.statement_cache import StatementBasis
from custody.errors import LedgerStateError
from workflows import reading
from workflows.errors import InvalidRequest
from workflows.reading import Scope

DESTROYED = ("melted", "burned", "final")


def statement_basis(system: System, batch_id: str) -> StatementBasis:
    """What the statement's evidence is made from (certificates.statement_cache): its
    content and the checkpoint it is proven to; one is signed first if none covers it."""
    batch = system.process.batch(batch_id)
    if batch.state not in DESTROYED:
        raise InvalidRequest(f"batch {batch_id} is {batch.state}: nothing destroyed to state yet")
    content, digest = system.process.statement(batch_id)
    database = system.ledger.database
    with database.read() as conn:
        checkpoint = evidence.covering_checkpoint(conn, evidence.newest_seq(conn, content) + 1)
    if checkpoint is None:
        with database.write() as conn:
            checkpoint = system.ledger.issue_checkpoint(conn)
    return StatementBasis(content, digest, checkpoint.size, checkpoint.root.hex())


def gather_evidence(system: System, basis: StatementBasis) -> dict[str, Any]:
    """Everything the statement's PDF carries, proven to the basis's checkpoint."""
    with system.ledger.database.read() as conn:
        # The first checkpoint of at least that size is the basis's own.
        checkpoint = evidence.covering_checkpoint(conn, basis.checkpoint_size)
        if checkpoint is None or checkpoint.size != basis.checkpoint_size:
            raise LedgerStateError(f"no checkpoint of size {basis.checkpoint_size}")
        if checkpoint.root.hex() != basis.checkpoint_root:  # the log replaced meanwhile
            raise LedgerStateError(f"the checkpoint of size {basis.checkpoint_size} changed")
        return evidence.gather(system.ledger, conn, basis.content, basis.digest, checkpoint)


def preview(system: System, batch_id: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """The statement as it stands now, for the commission's page: its content, digest and an
    evidence of the entries so far (certificates.evidence.preview), from which
    `certificates.page.build` makes the same page the PDF prints."""
    content, digest = system.process.statement(batch_id)
    with system.ledger.database.read() as conn:
        shown = evidence.preview(conn, content, digest)
    if shown is None:  # as statement_basis does: the first statement asks for the first one
        with system.ledger.database.write() as conn:
            system.ledger.issue_checkpoint(conn)
        with system.ledger.database.read() as conn:
            shown = evidence.preview(conn, content, digest)
    if shown is None:
        raise LedgerStateError("the ledger signed no checkpoint")
    return content, digest, shown


def preview_page(
    system: System, batch_id: str, lang: str, zone: str
) -> tuple[dict[str, Any], str, pages.Page]:
    """What the members sign (the content, whose SHA-256 of its RFC 8785 form is the digest
    in their acts), that digest, and the statement's page as the PDF prints it now."""
    content, digest, shown = preview(system, batch_id)
    return content, digest, pages.build(shown, lang, zone)


def statement_evidence(system: System, batch_id: str) -> dict[str, Any]:
    """Everything a statement's PDF carries; a checkpoint is signed first if none covers it."""
    return gather_evidence(system, statement_basis(system, batch_id))


def statements(system: System, reader: Scope = None) -> list[dict[str, Any]]:
    """Every batch with a statement to give: destroyed, awaiting signatures or final; of a
    place reader (`reader`, workflows.reading), those burnt at its places."""
    shown = []
    for batch in system.process.batches():
        if not reading.sees_document(reader, batch):
            continue
        signers = {s["person"] for s in batch.signatures}
        shown.append(
            {
                "batch": batch.id,
                "kind": batch.kind,
                "state": batch.state,
                "destroyed_at": batch.destroyed_at,
                "items": len(batch.items),
                "signatures": len(signers),
                "quorum": batch.quorum,
                "final": batch.state == "final",
                "discrepancy": batch.discrepancy,
            }
        )
    return shown


def label_items(system: System, item_ids: list[str]) -> list[LabelItem]:
    """What the labels of these items print; UnknownObject for an id not registered."""
    found = []
    for item_id in item_ids:
        item = system.process.item(item_id)
        details = item.details
        found.append(
            LabelItem(
                item.id,
                item.marking,
                item.internal_tag,
                item.category,
                details.get("model"),
                details.get("calibre"),
            )
        )
    return found
