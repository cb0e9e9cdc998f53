"""Every error the ledger raises, in one family.

    CustodyError
    ├── EncodingError          a value JCS (RFC 8785) cannot carry exactly; nothing was written
    ├── MalformedEntryError    an entry body that is not of the ledger's format (DESIGN §5)
    ├── LedgerStateError       the database is not a ledger yet, or not the one the key expects
    │   └── NoLedger           no database where the settings point: nothing opened or made
    ├── LedgerKeyError         the ledger's signing key file is missing, unreadable or foreign
    ├── KeyRegistryError       a person's key is unknown, revoked, of the wrong owner or purpose
    ├── ActError               a person's signed act does not verify or does not fit its entry
    ├── KeyFileError           a person's encrypted key file is malformed or the passphrase wrong
    ├── ProofError
    │   ├── ProofRangeError    a proof was asked for sizes or indexes the tree does not have
    │   ├── NotAnItem          a disclosure bundle was asked for a subject that is no item
    │   └── ProofVerificationError  a proof does not lead to the root it claims
    ├── NoteError
    │   ├── MalformedNoteError      text that is not a C2SP signed note (or key, or checkpoint)
    │   └── UnverifiedNoteError     no trusted signature on the note verifies
    └── VerificationFailure    `custody verify` found a step that does not hold

Callers catch the family or one member. The API maps them to problem+json in one place.
"""

from __future__ import annotations


class CustodyError(Exception):
    """Base of every error raised by `custody`."""


class EncodingError(CustodyError, ValueError):
    """A value cannot be written as RFC 8785 canonical JSON without loss.

    Raised before anything is written: floats beyond 2^53 or not finite, integers beyond 2^53,
    datetimes, bytes, lone surrogates, non-string keys and any other non-JSON type.
    """


class MalformedEntryError(CustodyError, ValueError):
    """An entry body lacks a field, has one of the wrong type, or names an unknown kind."""


class LedgerStateError(CustodyError):
    """The database holds no ledger (run `custody init`), or a different one than expected."""


class NoLedger(LedgerStateError):
    """No database file where the settings point (CUSTODY_DATA_DIR, CUSTODY_DATABASE_URL): a
    command that opens a ledger makes none there (issue 16: one run outside the data dir left
    an empty database behind); the message names where it looked."""


class LedgerKeyError(CustodyError):
    """The ledger's signing key file is missing, malformed, or does not match the ledger."""


class KeyRegistryError(CustodyError):
    """A key is unknown, not valid at this point of the log, or not fit for the purpose."""


class ActError(CustodyError):
    """A person's signed act does not verify, or does not belong to the entry that carries it."""


class KeyFileError(CustodyError):
    """A person's encrypted key file is malformed, or the passphrase does not open it."""


class ProofError(CustodyError):
    """Base of the Merkle proof errors."""


class ProofRangeError(ProofError, ValueError):
    """Indexes or sizes outside the tree (RFC 9162 defines proofs only for index < size,
    0 < old <= new <= tree size)."""


class NotAnItem(ProofError, LookupError):
    """A disclosure bundle (custody.disclosure) asked for a subject whose entries do not begin
    with item_registered: a batch, a place, an account. Its file would fail `custody
    verify-item` at step 5 as if tampered, so none is made (issue 16)."""


class ProofVerificationError(ProofError):
    """A proof is malformed or does not lead to the expected root."""


class NoteError(CustodyError):
    """Base of the C2SP signed-note errors."""


class MalformedNoteError(NoteError, ValueError):
    """Text that is not a well-formed signed note, verifier key or checkpoint body."""


class UnverifiedNoteError(NoteError):
    """None of the note's signatures verifies with a trusted key (or one of them is forged)."""


class VerificationFailure(CustodyError):
    """A numbered step of `custody verify` does not hold.

    `step` and `step_name` say which check failed, `seq` the first bad entry (None when the
    failure is not about one entry, e.g. a checkpoint), and `reason` why, in one sentence.
    """

    def __init__(self, step: int, step_name: str, seq: int | None, reason: str) -> None:
        self.step = step
        self.step_name = step_name
        self.seq = seq
        self.reason = reason
        where = f" at seq {seq}" if seq is not None else ""
        super().__init__(f"step {step} ({step_name}){where}: {reason}")
