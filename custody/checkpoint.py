"""C2SP tlog-checkpoint bodies (c2sp.org/tlog-checkpoint): origin, tree size, root hash.

    <origin>\\n<decimal size>\\n<base64 root hash>\\n[<extension line>\\n...]

The body is the text of a signed note (`custody.note`); the ledger signs it with its key,
whose name is the origin, and witnesses may add cosignatures.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from custody import note
from custody.errors import MalformedNoteError
from custody.rfc6962 import HASH_SIZE

_SIZE = re.compile(r"0|[1-9][0-9]*")
MAX_SIZE = 2**64 - 1


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = field(default=())

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "".join(line + "\n" for line in (*lines, *self.extensions))

    def sign(self, signers: Iterable[note.Signer]) -> str:
        return note.sign(self.body(), signers)


def parse_body(text: str) -> Checkpoint:
    """Parse a checkpoint body; raise MalformedNoteError on anything the spec does not allow."""
    if not text.endswith("\n"):
        raise MalformedNoteError("checkpoint body must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedNoteError("checkpoint body needs origin, size and root hash")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise MalformedNoteError("checkpoint origin is empty")
    if not _SIZE.fullmatch(size_text) or int(size_text) > MAX_SIZE:
        raise MalformedNoteError(f"checkpoint size {size_text!r} is not a decimal uint64")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedNoteError("checkpoint root is not base64") from exc
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != root_text:
        raise MalformedNoteError("checkpoint root is not a canonical base64 SHA-256 hash")
    if any(not line for line in extensions):
        raise MalformedNoteError("checkpoint extension lines must not be empty")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def parse_note(signed_note: str | bytes) -> tuple[Checkpoint, note.Note]:
    """Parse a signed checkpoint note without verifying its signatures."""
    parsed = note.parse(signed_note)
    return parse_body(parsed.text), parsed


def open_checkpoint(
    signed_note: str | bytes, verifiers: Iterable[note.Verifier]
) -> tuple[Checkpoint, list[note.Verifier]]:
    """Verify a signed checkpoint note and parse its body; return who of `verifiers` signed."""
    parsed, signed_by = note.open_note(signed_note, verifiers)
    return parse_body(parsed.text), signed_by
