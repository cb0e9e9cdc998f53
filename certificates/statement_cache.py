"""Rendered statements kept on disk by their content, so that a second download is a file read.

A statement's PDF is a function of its evidence, language, zone and renderer, and its
evidence is a function of the statement's content (its SHA-256, which the members sign) and
the checkpoint it is proven to (its size and root hash; evidence.gather reads nothing else:
the chains, key entries and proofs are those below the checkpoint's size). So the key is
the SHA-256 of those, known before any evidence is gathered (the root in it: a log replaced
by another history of the same size is another statement); a batch that changes (a new
signature) has a new content
digest, a new checkpoint or rotation a new checkpoint, and so a new file. Files are written
whole and renamed into place, so a reader never sees half of one; the directory may be
emptied at any time.

The cache is bounded: at most `most_files` statements and `most_bytes` in all; past either,
the least recently read or written go first (a read touches its file's time).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class StatementBasis:
    """What a statement's evidence is made from: its content, digest and checkpoint (size,
    and root hash in hex: a log replaced by another history of the same size has another
    root at that size, and its statement is another file)."""

    content: dict[str, Any]
    digest: str
    checkpoint_size: int
    checkpoint_root: str

    def key(
        self, lang: str, zone: str, renderer: dict[str, Any], public_url: str | None = None
    ) -> str:
        """The cache key: a PDF is a function of these (its QR code names `public_url`)."""
        named = json.dumps(
            [
                self.digest,
                self.checkpoint_size,
                self.checkpoint_root,
                lang,
                zone,
                renderer,
                public_url,
            ],
            sort_keys=True,
        )
        return hashlib.sha256(named.encode()).hexdigest()


MOST_FILES = 256
MOST_BYTES = 512 * 1024 * 1024


class StatementCache:
    def __init__(
        self, directory: Path, most_files: int = MOST_FILES, most_bytes: int = MOST_BYTES
    ) -> None:
        self.directory = directory
        self.most_files, self.most_bytes = most_files, most_bytes

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pdf"

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            pdf = path.read_bytes()
            os.utime(path)  # recently used: the last to go
        except FileNotFoundError:
            return None
        return pdf

    def put(self, key: str, pdf: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(pdf)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._trim()

    def _trim(self) -> None:
        """Remove the least recently used statements past `most_files` or `most_bytes`."""
        kept: list[tuple[float, int, Path]] = []
        for path in self.directory.glob("*/*.pdf"):
            try:
                found = path.stat()
            except FileNotFoundError:  # another server removed it
                continue
            kept.append((found.st_mtime, found.st_size, path))
        kept.sort(reverse=True)  # newest first
        total = 0
        for number, (_, size, path) in enumerate(kept):
            total += size
            if number >= self.most_files or total > self.most_bytes:
                path.unlink(missing_ok=True)
