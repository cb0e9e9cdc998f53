"""The ledger's own signing key, in a file only its owner may read (mode 0600).

The file holds Go's note private-key form (`PRIVATE+KEY+<origin>+<id>+<seed>`), so the same
key can sign entries and checkpoints. Its contents are never logged or printed.

Rotation must survive a crash at any point, so the new key is first written beside the old
one (`<file>.pending`), then the rotation entry commits, then the pending file replaces the
old one. On the next start, a pending key is promoted if the ledger already names it as its
key, and thrown away if not (the rotation never committed).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from custody.errors import LedgerKeyError, MalformedNoteError
from custody.note import Signer


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    _sync_dir(path.parent)


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_private(path: Path) -> Signer:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise LedgerKeyError(f"ledger key file {path} does not exist") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LedgerKeyError(
            f"ledger key file {path} is readable by others (mode {stat.S_IMODE(mode):o}): "
            "make it 0600"
        )
    try:
        return Signer.parse(path.read_text())
    except MalformedNoteError as exc:
        raise LedgerKeyError(f"ledger key file {path} is not a ledger key") from exc


class LedgerKeyFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending_path = path.with_name(path.name + ".pending")

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, signer: Signer) -> None:
        """Write a new key file; refuses to overwrite one (a key is never silently replaced)."""
        try:
            _write_private(self.path, signer.skey + "\n")
        except FileExistsError as exc:
            raise LedgerKeyError(f"ledger key file {self.path} already exists") from exc

    def load(self) -> Signer:
        return _read_private(self.path)

    def stage(self, signer: Signer) -> None:
        self.discard_pending()
        _write_private(self.pending_path, signer.skey + "\n")

    def promote(self) -> None:
        try:
            os.replace(self.pending_path, self.path)
        except FileNotFoundError:
            if not self.path.exists():
                raise
            # A server that saw the rotation commit promoted it a moment ago.
        _sync_dir(self.path.parent)

    def discard_pending(self) -> None:
        self.pending_path.unlink(missing_ok=True)

    def load_current(self, ledger_key_id: str) -> Signer:
        """The key the ledger names as current, finishing or undoing an interrupted rotation."""
        try:
            pending: Signer | None = _read_private(self.pending_path)
        except LedgerKeyError:
            pending = None  # none, or another process promoted it as we looked
        if pending is not None:
            if pending.verifier.key_id == ledger_key_id:
                self.promote()
            else:
                self.discard_pending()
        signer = self.load()
        if signer.verifier.key_id != ledger_key_id:
            raise LedgerKeyError(
                f"ledger key file {self.path} holds key {signer.verifier.key_id}, "
                f"but this ledger is signed by key {ledger_key_id}"
            )
        return signer
