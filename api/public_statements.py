"""What the public check page says of a statement whose QR code was scanned: no login, and
nothing the paper does not already print.

From the QR code's facts (certificates.qr_payload: batch, the content's SHA-256, the size and
root of the checkpoint the paper is proven to) and the ledger as it stands now:

- whether the paper is this batch's statement (its SHA-256 is the content the members sign),
- whether the statement is final (the quorum fixed at the destruction signed), and who
  signed and when, named as the paper names them (full name and position, role on the
  commission), each flagged when signed after the paper's checkpoint,
- the checkpoint the paper is bound to, the log's newest signed checkpoint, and an RFC 9162
  consistency proof between them (section 2.1.4), made from the log and checked here
  (custody.proofs.verify_consistency) before it is shown. A log rolled back to an older
  copy has a newest checkpoint smaller than the paper's, or one whose tree does not extend
  the paper's root: both are reported as inconsistent, with why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from api.system import System
from certificates.qr_payload import Payload
from custody import entries
from custody.errors import CustodyError
from custody.proofs import verify_consistency
from workflows.errors import UnknownObject


@dataclass(frozen=True)
class Signed:
    name: str  # as the paper prints it: full name and position, else the user id
    role: str  # chair | member
    time: str  # RFC 3339 UTC, the entry's
    seq: int
    after_paper: bool  # recorded after the paper's checkpoint: the paper cannot show it


@dataclass(frozen=True)
class Consistency:
    """The paper's checkpoint against the log's newest; `ok` only when the proof held."""

    ok: bool
    reason: str | None  # why not, in English (the page says it in the reader's language too)
    rolled_back: bool  # the log's newest checkpoint is smaller than the paper's
    new_size: int | None
    new_root: str | None
    note: str | None  # the newest checkpoint as signed (C2SP signed note)
    hashes: list[str]  # the proof, hex, as RFC 9162 gives it


@dataclass(frozen=True)
class ComeBack:
    """A weapon of this statement presented again (R11): the paper's own item id, when it was
    found again, and how an official settled it (None while open). The new item's id and
    place stay off this public page: the paper does not show them."""

    old_item: str
    found_at: str  # RFC 3339 UTC, the suspicion's entry
    outcome: str | None  # different_weapon | re_marked | diversion_confirmed


@dataclass(frozen=True)
class PublicStatement:
    batch: str
    kind: str  # furnace | burn
    state: str  # open | melted | burned | final
    destroyed_at: str | None
    quorum: int | None
    final: bool
    digest_matches: bool  # the paper's SHA-256 is this batch's statement content's
    signatures: list[Signed]
    paper: Payload
    consistency: Consistency
    come_back: list[ComeBack] = field(default_factory=list)


def public_statement(system: System, paper: Payload) -> PublicStatement:
    """The public view of the statement `paper` names; UnknownObject when the log has no
    such batch (which, for a real paper, also means a rolled-back or replaced log)."""
    batch = system.process.batch(paper.batch)  # UnknownObject
    members = _members(system, batch.commission)
    with system.ledger.database.read() as conn:
        signed = [_signed(system, conn, s, members, paper.size) for s in batch.signatures]
        consistency = _consistency(system, conn, paper)
    return PublicStatement(
        batch=batch.id,
        kind=batch.kind,
        state=batch.state,
        destroyed_at=batch.destroyed_at,
        quorum=batch.quorum,
        final=batch.state == "final",
        digest_matches=batch.statement == paper.sha256,
        signatures=signed,
        paper=paper,
        consistency=consistency,
        come_back=[
            ComeBack(d.details["old_item"], d.opened_at, d.resolution)
            for d in system.process.suspicions_of_batch(batch.id)
        ],
    )


def log_state(system: System) -> tuple[int, int | None]:
    """The log's size and its newest checkpoint's size: a public page made at these is the
    same until one of them changes (a signature is an entry; a checkpoint is signed)."""
    ledger = system.ledger
    with ledger.database.read() as conn:
        latest = ledger.latest_checkpoint(conn)
        return ledger.head(conn).size, latest.size if latest is not None else None


def _members(system: System, commission: str) -> dict[str, dict[str, str]]:
    found = [c for c in system.process.commissions() if c.id == commission]
    if not found:
        raise UnknownObject(f"no commission {commission}")
    return {m["person"]: m for m in found[0].members}


def _signed(
    system: System,
    conn: Connection,
    signature: dict[str, object],
    members: dict[str, dict[str, str]],
    size: int,
) -> Signed:
    seq = int(str(signature["seq"]))
    person = str(signature["person"])
    (entry,) = system.ledger.entries(conn, seq, 1)
    body = entries.decode(entry.body)
    member = members.get(person, {})
    full_name, position = member.get("full_name"), member.get("position")
    name = (f"{full_name}, {position}" if position else full_name) if full_name else person
    return Signed(name, member.get("role") or "member", body.time, seq, seq >= size)


def _consistency(system: System, conn: Connection, paper: Payload) -> Consistency:
    ledger = system.ledger
    latest = ledger.latest_checkpoint(conn)
    if latest is None:
        return Consistency(False, "the log has signed no checkpoint", True, None, None, None, [])
    new_root = latest.root.hex()
    if latest.size < paper.size:
        reason = (
            f"the log's newest checkpoint (size {latest.size}) is older than the one this "
            f"statement is bound to (size {paper.size}): the log has been rolled back or "
            "replaced"
        )
        return Consistency(False, reason, True, latest.size, new_root, latest.note, [])
    hashes: list[bytes] = []
    try:
        proof = ledger.consistency_proof(conn, paper.size, latest.size)
        hashes = list(proof.hashes)
        verify_consistency(paper.size, latest.size, bytes.fromhex(paper.root), latest.root, hashes)
    except CustodyError as exc:
        reason = (
            f"the log's tree at size {paper.size} is not the one this statement is bound to "
            f"({exc}): the log has been rewritten since it was printed"
        )
        shown = [h.hex() for h in hashes]
        return Consistency(False, reason, False, latest.size, new_root, latest.note, shown)
    return Consistency(
        True, None, False, latest.size, new_root, latest.note, [h.hex() for h in hashes]
    )
