"""What a statement's QR code says, made and read back (docs/statement-qr.md).

Version 2, printed when the service has a public base URL (CUSTODY_PUBLIC_URL): an address
of the service's public check page for this statement, which a phone opens without login:

    {base}/web/check/{batch}?sha256={64 hex}&size={decimal}&root={64 hex}

Version 1, printed before there was a public page, and still when no public URL is set:

    custody-statement:v1;batch={batch};sha256={64 hex};size={decimal};root={64 hex}

Both carry the same four facts: the batch, the SHA-256 of the statement's content (what the
members signed), and the size and root hash of the checkpoint its evidence is proven to.
`verify-statement` reads either back and checks each fact against the statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

V1 = "custody-statement:v1;"
PATH = "/web/check/"
_HEX = re.compile(r"[0-9a-f]{64}")
_SIZE = re.compile(r"[1-9][0-9]{0,18}")


class NotAStatementCode(ValueError):
    """The text is not a statement's QR payload of any version."""


@dataclass(frozen=True)
class Payload:
    batch: str
    sha256: str  # hex
    size: int
    root: str  # hex
    base: str | None  # the public base URL (version 2), None for version 1

    def text(self) -> str:
        if self.base is None:
            return f"{V1}batch={self.batch};sha256={self.sha256};size={self.size};root={self.root}"
        return (
            f"{self.base}{PATH}{quote(self.batch, safe='')}"
            f"?sha256={self.sha256}&size={self.size}&root={self.root}"
        )


def parse(text: str) -> Payload:
    """The facts a QR code's text carries; NotAStatementCode when it is no statement's."""
    if text.startswith(V1):
        fields = dict(part.partition("=")[::2] for part in text[len(V1) :].split(";"))
        if set(fields) != {"batch", "sha256", "size", "root"}:
            raise NotAStatementCode(f"a version 1 code with the fields {sorted(fields)}")
        return from_fields(fields["batch"], fields["sha256"], fields["size"], fields["root"], None)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or PATH not in parts.path or parts.fragment:
        raise NotAStatementCode("neither a version 1 code nor an address of a public check")
    prefix, _, batch = parts.path.rpartition(PATH)
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
    if set(query) != {"sha256", "size", "root"} or any(len(v) != 1 for v in query.values()):
        raise NotAStatementCode("the address does not carry sha256, size and root once each")
    base = f"{parts.scheme}://{parts.netloc}{prefix}"
    return from_fields(unquote(batch), query["sha256"][0], query["size"][0], query["root"][0], base)


def from_fields(batch: str, sha256: str, size: str, root: str, base: str | None) -> Payload:
    """The payload of these facts as text gives them; NotAStatementCode if one is malformed."""
    if not batch or not _HEX.fullmatch(sha256) or not _HEX.fullmatch(root):
        raise NotAStatementCode("the batch, the SHA-256 or the root is malformed")
    if not _SIZE.fullmatch(size):
        raise NotAStatementCode(f"the checkpoint size {size!r} is not a positive number")
    return Payload(batch, sha256, int(size), root, base)
