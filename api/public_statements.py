"""What the public check page says of a statement whose QR code was scanned: no login, and
nothing the paper does not already print, but one thing the paper cannot: a weapon of the
statement presented again since (R11), which is what a reader of the paper checks it for
(docs/statement-qr.md).

From the QR code's facts (certificates.qr_payload: batch, the content's SHA-256, the size and
root of the checkpoint the paper is proven to) and the ledger as it stands now:

- whether the paper is this batch's statement (its SHA-256 is the content the members sign),
- the items the paper lists (id, kind, marking, weight) and the totals it states, from the
  content whose SHA-256 the paper carries, so that a reader compares paper and page,
- whether the statement is final (the quorum fixed at the destruction signed), and who
  signed and when, named as the paper names them (full name and position as the register
  stood at their signature, role on the commission at the destruction: one definition,
  workflows.membership.as_signed), each flagged when signed after the paper's checkpoint,
- the checkpoint the paper is bound to, the log's newest signed checkpoint, and an RFC 9162
  consistency proof between them (section 2.1.4), made from the log and checked here
  (custody.proofs.verify_consistency) before it is shown. The paper's checkpoint is first
  looked up among those the log signed (its stored checkpoints): one it never signed is a
  paper (or a log) that is not genuine, never proof that the log was rewritten. A log whose
  newest checkpoint is smaller than the paper's is reported rolled back; a log that signed the
  paper's checkpoint but whose proof to its newest no longer holds, inconsistent.

Guessing batch ids must not disclose a batch: when the paper's SHA-256 is not the batch's
statement content, or the batch is not final, the page says that verdict alone (`withheld`):
no signers, no times, no items, no suspicions, no quorum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from api.system import System
from certificates.qr_payload import Payload
from custody import entries
from custody.errors import CustodyError
from custody.proofs import verify_consistency
from workflows import membership
from workflows.errors import UnknownObject

DESTROYED = ("melted", "burned")  # a statement to sign, not yet final


@dataclass(frozen=True)
class Signed:
    name: str  # as the paper prints it: full name and position, else the user id
    role: str  # chair | member
    time: str  # RFC 3339 UTC, the entry's
    seq: int
    after_paper: bool  # recorded after the paper's checkpoint: the paper cannot show it


@dataclass(frozen=True)
class Consistency:
    """The paper's checkpoint against the log's newest; `ok` only when the proof held.

    `verdict`: ok | rolled_back (the log signed none, or its newest is smaller than the
    paper's: rolled back or replaced, or the size made up) | not_signed (the log never
    signed the paper's size and root) | inconsistent (it did, but the proof to its newest
    does not hold now)."""

    ok: bool
    reason: str | None  # why not, in English, for logs and the API; the page words it itself
    verdict: str
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
    # The content the paper prints and its SHA-256 covers (workflows.statements.content):
    # the page lists its items and totals as the paper does (certificates.page.listed).
    content: dict[str, Any] | None = None

    @property
    def withheld(self) -> bool:
        """Only the verdict is shown: the paper is not this batch's statement, or the batch
        is not final (a guessed id with made-up values learns nothing more)."""
        return not self.digest_matches or not self.final


def public_statement(system: System, paper: Payload) -> PublicStatement:
    """The public view of the statement `paper` names. A batch the log does not have is
    answered as one whose statement is not the paper's (`withheld`, the same fields, so the
    same page byte for byte): whether a batch id exists is not for anyone without a login to
    learn (docs/access.md, "The public check"); for a real paper the log's verdict still says
    when the log has been rolled back or replaced."""
    try:
        batch = system.process.batch(paper.batch)
    except UnknownObject:
        with system.ledger.database.read() as conn:
            consistency = _consistency(system, conn, paper)
        return PublicStatement(
            paper.batch, "", "", None, None, False, False, [], paper, consistency
        )
    final = batch.state == "final"
    # The signed content's digest once a member has signed; before the first signature
    # `batch.statement` is empty, and the paper is compared with the content as it is now
    # (what the members will sign): a genuine paper of a melted batch is "not final".
    matches = batch.statement == paper.sha256 or (
        not final and batch.state in DESTROYED and _digest(system, paper.batch) == paper.sha256
    )
    with system.ledger.database.read() as conn:
        consistency = _consistency(system, conn, paper)
        if not (final and matches):
            # The verdict alone: nothing of the batch is read for the page, not even its
            # kind (a batch unknown to the log is answered with these same fields).
            return PublicStatement(
                paper.batch, "", "", None, None, final, matches, [], paper, consistency
            )
        members = _members(system, batch.commission)
        destroyed_at = batch.destroyed_at or ""
        signed = [
            _signed(system, conn, s, members, destroyed_at, paper.size) for s in batch.signatures
        ]
    return PublicStatement(
        batch=batch.id,
        kind=batch.kind,
        state=batch.state,
        destroyed_at=batch.destroyed_at,
        quorum=batch.quorum,
        final=final,
        digest_matches=matches,
        signatures=signed,
        paper=paper,
        consistency=consistency,
        come_back=[
            ComeBack(d.details["old_item"], d.opened_at, d.resolution)
            for d in system.process.suspicions_of_batch(batch.id)
        ],
        content=_printed(system, paper),
    )


def _digest(system: System, batch: str) -> str:
    return system.process.statement(batch)[1]


def _printed(system: System, paper: Payload) -> dict[str, Any] | None:
    """The statement's content as the paper prints it, only if its SHA-256 is the paper's:
    the page then repeats what that paper says, never what it does not."""
    content, digest = system.process.statement(paper.batch)
    return content if digest == paper.sha256 else None


def log_state(system: System) -> tuple[Any, ...]:
    """The log's head (its size and the peaks its root is made of) and its newest
    checkpoint (size and root hash): a public page made at these is the same until one of
    them changes (a signature is an entry; a checkpoint is signed). The roots are in it:
    a log replaced by another history of the same size is another log, and a page that
    said "consistent" of the first must not be served of the second."""
    ledger = system.ledger
    with ledger.database.read() as conn:
        latest = ledger.latest_checkpoint(conn)
        head = ledger.head(conn)
    newest = (latest.size, latest.root) if latest is not None else None
    return head.size, tuple(head.peaks), newest


def paper_checkpoint_on_log(system: System, size: int, root: str) -> str:
    """Whether this log holds the checkpoint (`size`, `root` hex) a statement is bound to:
    "held" (the log signed it), "beyond" (larger than the log's newest signed checkpoint:
    the log rolled back or replaced, or the size made up) or "not_signed" (a size and root
    this log never signed). Raises nothing."""
    ledger = system.ledger
    with ledger.database.read() as conn:
        latest = ledger.latest_checkpoint(conn)
        if latest is None or latest.size < size:
            return "beyond"
        signed = ledger.checkpoint_at(conn, size)
    return "held" if signed is not None and signed.root.hex() == root else "not_signed"


def _members(system: System, commission: str) -> list[dict[str, Any]]:
    """Every membership period of `commission` (workflows.membership), as the fold keeps
    them: the same periods the paper's evidence replays from the commission's entries."""
    found = [c for c in system.process.commissions() if c.id == commission]
    if not found:
        raise UnknownObject(f"no commission {commission}")
    return found[0].members


def _signed(
    system: System,
    conn: Connection,
    signature: dict[str, object],
    members: list[dict[str, Any]],
    destroyed_at: str,
    size: int,
) -> Signed:
    """A signer named as the paper names them (certificates.page): the register at their
    signature (workflows.membership.as_signed), the role held at the destruction; a later
    edit of the register (a member removed and added again under another name or
    position) changes neither."""
    seq = int(str(signature["seq"]))
    person = str(signature["person"])
    (entry,) = system.ledger.entries(conn, seq, 1)
    body = entries.decode(entry.body)
    member = membership.as_signed(members, person, body.time, destroyed_at) or {}
    full_name, position = member.get("full_name"), member.get("position")
    name = (f"{full_name}, {position}" if position else full_name) if full_name else person
    own = [p for p in members if p["person"] == person]
    chair = any(p["role"] == "chair" for p in membership.in_office(own, destroyed_at))
    return Signed(name, "chair" if chair else "member", body.time, seq, seq >= size)


def _consistency(system: System, conn: Connection, paper: Payload) -> Consistency:
    ledger = system.ledger
    latest = ledger.latest_checkpoint(conn)
    if latest is None:
        # A paper names a checkpoint (size >= 1): a log that signed none is behind it, as
        # one whose newest is smaller.
        reason = (
            f"the log has signed no checkpoint, and this statement is bound to one of size "
            f"{paper.size}: either the log has been rolled back or replaced, or the paper's "
            "size is made up"
        )
        return Consistency(False, reason, "rolled_back", None, None, None, [])
    new_root = latest.root.hex()
    if latest.size < paper.size:
        reason = (
            f"the log's newest checkpoint (size {latest.size}) is older than the one this "
            f"statement is bound to (size {paper.size}): either the log has been rolled "
            "back or replaced, or the paper's size is made up (the QR code carries no "
            "signature of its checkpoint, so the two cannot be told apart here)"
        )
        return Consistency(False, reason, "rolled_back", latest.size, new_root, latest.note, [])
    signed = ledger.checkpoint_at(conn, paper.size)
    if signed is None or signed.root.hex() != paper.root:
        reason = (
            f"this paper's checkpoint (size {paper.size}, root {paper.root}) is not one this "
            "log signed: the paper or the log is not genuine"
        )
        return Consistency(False, reason, "not_signed", latest.size, new_root, latest.note, [])
    hashes: list[bytes] = []
    try:
        proof = ledger.consistency_proof(conn, paper.size, latest.size)
        hashes = list(proof.hashes)
        verify_consistency(paper.size, latest.size, bytes.fromhex(paper.root), latest.root, hashes)
    except CustodyError as exc:
        reason = (
            f"the log signed this paper's checkpoint (size {paper.size}), but its tree no "
            f"longer extends it ({exc}): the log has been rewritten since"
        )
        shown = [h.hex() for h in hashes]
        return Consistency(False, reason, "inconsistent", latest.size, new_root, latest.note, shown)
    shown = [h.hex() for h in hashes]
    return Consistency(True, None, "ok", latest.size, new_root, latest.note, shown)
