"""Step 9 of `custody verify`: every stored checkpoint, and every one an auditor brings, is
signed by the ledger key of its time, and its root is the recomputed root at its size; for
the auditor's, an RFC 9162 consistency proof to today's tree verifies as well.

An auditor's checkpoint is read as bytes: whatever is in the file (not UTF-8, no signature,
not a checkpoint) is a failure of this step in the report, never an error of the program. A
checkpoint of size 0 is the empty tree, whose root is SHA-256 of nothing (RFC 9162 section
2.1.1), and is consistent with every later tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from custody import checkpoint as tlog
from custody.db import Database
from custody.errors import CustodyError, ProofVerificationError
from custody.keys import KeyRegistry
from custody.ledger import Ledger
from custody.proofs import verify_consistency
from custody.rfc6962 import EMPTY_ROOT
from custody.store import StoredCheckpoint
from custody.verification.report import StepResult


@dataclass(frozen=True)
class AuditorCheckpoint:
    """A signed checkpoint an auditor saved earlier, as the bytes of its file; `source`
    names it in the report."""

    source: str
    text: bytes | str


@dataclass(frozen=True)
class ParsedCheckpoint:
    given: AuditorCheckpoint
    body: tlog.Checkpoint


def parse_auditor_checkpoints(
    result: StepResult, given: Sequence[AuditorCheckpoint]
) -> list[ParsedCheckpoint]:
    """The auditor's checkpoints that parse; the first that does not fails the step."""
    parsed = []
    for checkpoint in given:
        try:
            body, _ = tlog.parse_note(checkpoint.text)
        except CustodyError as exc:
            result.fail(None, f"checkpoint {checkpoint.source} is malformed: {exc}")
            continue
        parsed.append(ParsedCheckpoint(checkpoint, body))
    return parsed


@dataclass
class Checkpoints:
    result: StepResult
    database: Database
    registry: KeyRegistry
    roots_at: dict[int, bytes]  # tree size -> recomputed root, for every size asked for
    size: int
    root: bytes | None

    def check(
        self, conn: Connection, stored: list[StoredCheckpoint], auditor: list[ParsedCheckpoint]
    ) -> None:
        for row in stored:
            reason = self._problem(row.note)
            if reason is None and row.root != self._root_at(row.size):
                reason = "its stored root is not the recomputed root"
            if reason is not None:
                self.result.fail(None, f"stored checkpoint of size {row.size}: {reason}")
                return
        for parsed in auditor:
            reason = self._problem(parsed.given.text)
            if reason is None and self.root is not None and parsed.body.size > 0:
                reason = self._consistency_problem(conn, parsed.body)
            if reason is not None:
                self.result.fail(None, f"checkpoint {parsed.given.source}: {reason}")
                return

    def _root_at(self, size: int) -> bytes | None:
        return EMPTY_ROOT if size == 0 else self.roots_at.get(size)

    def _problem(self, text: str | bytes) -> str | None:
        # Signed by the ledger key of its time; a key the auditor pins is checked in step 5
        # to be of the same rotation chain, each link signed by the key before it.
        try:
            body, _ = tlog.parse_note(text)
        except CustodyError as exc:
            return f"malformed ({exc})"
        if body.origin != self.registry.origin:
            return f"it is for origin {body.origin!r}, not {self.registry.origin!r}"
        if body.size > self.size:
            return f"it covers {body.size} entries but the ledger has only {self.size}"
        key = self.registry.ledger_key_at(body.size)
        try:
            tlog.open_checkpoint(text, [key.verifier] if key else [])
        except CustodyError:
            return "it is not signed by the ledger key of its time"
        if body.root != self._root_at(body.size):
            if body.size == 0:
                return "its root is not the empty tree's (SHA-256 of nothing)"
            return f"its root is not the root of the ledger's first {body.size} entries"
        return None

    def _consistency_problem(self, conn: Connection, body: tlog.Checkpoint) -> str | None:
        assert self.root is not None
        try:
            proof = Ledger(self.database).consistency_proof(conn, body.size, self.size)
            verify_consistency(body.size, self.size, body.root, self.root, proof.hashes)
        except (ProofVerificationError, CustodyError) as exc:
            return f"the consistency proof to today's tree fails: {exc}"
        return None
