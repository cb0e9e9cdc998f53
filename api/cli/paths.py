"""The files and folders named on the command line, checked before any work starts: a file
that is missing or unreadable, or an output whose folder is missing or not writable, is one
line on stderr and exit 2 (a command used wrongly), not an internal error after minutes of
rendering. api/cli/main.py also turns any OSError naming a file into that line.

Every file the command line reads is read through `read_bytes` / `read_text` (or, for a file
a reader opens by its path, checked by `readable` first): only a regular file (a link to one
is followed; /dev/zero, /dev/urandom, a FIFO or a socket are refused without blocking), and
only up to the limit of its kind (`LIMITS`), so that no file given can fill the memory or
hang the command."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from custody.errors import CustodyError


class PathRefused(CustodyError):
    """A path given on the command line cannot be used; exit 2."""


KIB, MIB = 1024, 1024 * 1024
# The largest file of each kind the command line reads (bytes).
CHECKPOINT = 64 * KIB  # a signed checkpoint note: a few hundred bytes
KEY = 64 * KIB  # a verifier key, a passphrase or password file, a person's key file
ACT = 4 * MIB  # an act to sign, as JSON
BUNDLE = 256 * MIB  # an item-proof bundle: its entries and proofs
STATEMENT = 64 * MIB  # a destruction statement's PDF
REPORT = 256 * MIB  # a report: JSON, XLSX or PDF
TABLE = 1024 * MIB  # an intake table (.csv, .xlsx): up to 100,000 rows
LIMITS = {
    "checkpoint": CHECKPOINT,
    "key": KEY,
    "act": ACT,
    "bundle": BUNDLE,
    "statement": STATEMENT,
    "report": REPORT,
    "table": TABLE,
}


def _open_regular(path: Path, label: str, limit: int) -> int:
    """A descriptor of the regular file at `path`, at most `limit` bytes (PathRefused)."""
    if path.is_dir():
        raise PathRefused(f"{label} is a folder, not a file")
    try:  # O_NONBLOCK: opening a FIFO for reading would wait for a writer
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PathRefused(f"cannot read {label}: {exc.strerror or exc}") from None
    found = os.fstat(descriptor)
    if not stat.S_ISREG(found.st_mode):
        os.close(descriptor)
        raise PathRefused(f"{label} is not a regular file (a device, a FIFO or a socket)")
    if found.st_size > limit:
        os.close(descriptor)
        raise PathRefused(f"{label} is larger than {limit:,} bytes")
    return descriptor


def readable(path: Path, what: str = "", limit: int = TABLE) -> Path:
    """`path` if it is a regular file this process can read, of at most `limit` bytes;
    PathRefused otherwise (for a file a reader then opens by its path)."""
    label = f"{what} {path}" if what else str(path)
    os.close(_open_regular(path, label, limit))
    return path


def read_bytes(path: Path, what: str, limit: int) -> bytes:
    """The content of the regular file at `path`, at most `limit` bytes (LIMITS); PathRefused
    (exit 2, one line) for a folder, a device, a FIFO, a socket, a larger file, or one that
    grows past the limit while read."""
    label = f"{what} {path}" if what else str(path)
    with os.fdopen(_open_regular(path, label, limit), "rb") as handle:
        content = handle.read(limit + 1)
    if len(content) > limit:
        raise PathRefused(f"{label} is larger than {limit:,} bytes")
    return content


def read_text(path: Path, what: str, limit: int) -> str:
    """`read_bytes` decoded as UTF-8 (PathRefused if it is not)."""
    try:
        return read_bytes(path, what, limit).decode()
    except UnicodeDecodeError:
        raise PathRefused(f"{(what + ' ') if what else ''}{path} is not UTF-8 text") from None


def writable(path: Path, what: str = "") -> Path:
    """`path` if it can be written: its folder exists and is writable, and it is not a folder."""
    label = f"{what} {path}" if what else str(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise PathRefused(f"cannot write {label}: it is a folder")
    if not folder.is_dir():
        raise PathRefused(f"cannot write {label}: there is no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise PathRefused(f"cannot write {label}: permission denied")
    return path
