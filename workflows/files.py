"""Photos and scanned documents, stored by their content outside the database.

A file is kept under `<files dir>/<first two hex digits>/<SHA-256 hex>`, written once and
never changed; a step's entry holds its SHA-256, size, media type and role, so a file that is
swapped, edited or deleted shows (`custody verify` checks every one). The media type is read
from the whole file, never from a name (workflows.media).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from workflows.errors import InvalidRequest, UnknownObject
from workflows.media import MEDIA_TYPES, identify, sniff
from workflows.vocabulary import FILE_ROLES

_SHA256 = re.compile(r"[0-9a-f]{64}")
_STAGED = ".staged-"
T = TypeVar("T")


@dataclass(frozen=True)
class FileRef:
    sha256: str
    size: int
    media_type: str
    role: str

    def to_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "role": self.role,
        }

    @classmethod
    def parse(cls, value: Any) -> FileRef:
        if not isinstance(value, dict):
            raise InvalidRequest("a file is {sha256, size, media_type, role}")
        sha256, size = value.get("sha256"), value.get("size")
        media_type, role = value.get("media_type"), value.get("role")
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise InvalidRequest("a file's sha256 is 64 lowercase hex digits")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise InvalidRequest("a file's size is a whole number of bytes")
        if media_type not in MEDIA_TYPES:
            raise InvalidRequest(f"a file is one of {', '.join(sorted(MEDIA_TYPES))}")
        if role not in FILE_ROLES:
            raise InvalidRequest(f"a file's role is one of {', '.join(sorted(FILE_ROLES))}")
        return cls(sha256, size, str(media_type), str(role))


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = str(root)
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def stored(self, sha256: str) -> tuple[Path, str]:
        """The kept file named by `sha256` (lowercase hex) and its media type, from its first
        bytes (it was checked whole when kept). InvalidRequest for a malformed name,
        UnknownObject when no such file is kept."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise InvalidRequest("a file is named by its SHA-256 in lowercase hex")
        path = self.path(sha256)
        if not path.is_file():
            raise UnknownObject(f"no file {sha256}")
        with open(path, "rb") as handle:
            return path, sniff(handle.read(16)) or "application/octet-stream"

    def put(self, content: bytes, role: str) -> FileRef:
        """Keep `content`, once checked whole to be a JPEG, PNG, PDF or MP4 and nothing else
        (workflows.media); return its reference. The same content is kept once."""
        if role not in FILE_ROLES:
            raise InvalidRequest(f"a file's role is one of {', '.join(sorted(FILE_ROLES))}")
        media_type = identify(content)
        sha256 = hashlib.sha256(content).hexdigest()
        path = self.path(sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = path.with_suffix(".partial")
            with open(partial, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
        return FileRef(sha256, len(content), media_type, role)

    def put_stream(self, chunks: Iterable[bytes], role: str) -> FileRef:
        """Keep the content `chunks` yield, written to a temporary file of the store as it
        comes; return its reference. Whatever `chunks` raises (the caller's size limit) or
        the checks refuse leaves nothing behind in the store. The file, once whole and within
        the caller's limit, is read back for the whole-file checks (workflows.media)."""
        if role not in FILE_ROLES:
            raise InvalidRequest(f"a file's role is one of {', '.join(sorted(FILE_ROLES))}")
        digest, size = hashlib.sha256(), 0
        descriptor, partial = tempfile.mkstemp(dir=self.root, suffix=".partial")
        try:
            with os.fdopen(descriptor, "w+b") as handle:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
                handle.seek(0)
                media_type = identify(handle.read())
            sha256 = digest.hexdigest()
            path = self.path(sha256)
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        return FileRef(sha256, size, media_type, role)

    def has(self, ref: FileRef) -> bool:
        # os.stat on a joined string: a bulk intake asks this of 500 photos, and building
        # Path objects costs more than the system call.
        sha256 = ref.sha256
        try:
            return os.stat(os.path.join(self._root, sha256[:2], sha256)).st_size == ref.size
        except FileNotFoundError:
            return False

    def problem(self, ref: dict[str, Any]) -> str | None:
        """Why a referenced file does not hold (missing, changed, not of the media type its
        entry says), or None."""
        path = self.path(str(ref["sha256"]))
        if not path.exists():
            return f"file {ref['sha256']} is missing from the store"
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != ref["sha256"] or path.stat().st_size != ref["size"]:
            return f"file {ref['sha256']} in the store is not the file that was recorded"
        kept = self.media_type_of(str(ref["sha256"]))
        if "media_type" in ref and kept != ref["media_type"]:
            return f"file {ref['sha256']} is {kept}, but its entry says {ref['media_type']}"
        return None

    def check_refs(self, refs: Iterable[FileRef]) -> None:
        """InvalidRequest unless each file is kept with its size and the media type the
        reference gives is the kept file's own (read from its first bytes, as it was checked
        whole when kept): a client's word for it is not taken (a PDF given as a photo)."""
        for ref in dict.fromkeys(refs):  # a photo of a whole batch is named once per item
            if not self.has(ref):
                size = self.size_of(ref.sha256)
                if size is not None:  # kept, but the reference gives another size
                    raise InvalidRequest(
                        f"file {ref.sha256} is {size} bytes, not {ref.size} as its reference "
                        "says: the size is the file's own, as POST /files answered"
                    )
                raise InvalidRequest(f"file {ref.sha256} has not been uploaded")
            kept = self.media_type_of(ref.sha256)
            if kept != ref.media_type:
                raise InvalidRequest(
                    f"file {ref.sha256} is {kept}, not {ref.media_type}: its media type is "
                    "the file's own, as POST /files answered"
                )

    def size_of(self, sha256: str) -> int | None:
        """The size in bytes of the kept file of that SHA-256 (None when none is kept)."""
        try:
            return os.stat(os.path.join(self._root, sha256[:2], sha256)).st_size
        except FileNotFoundError:
            return None

    def media_type_of(self, sha256: str) -> str | None:
        """The media type a kept file's first bytes say (None for none of ours)."""
        with open(os.path.join(self._root, sha256[:2], sha256), "rb") as handle:
            return sniff(handle.read(16))

    @contextmanager
    def staged(self) -> Iterator[StagedFiles]:
        """Files sent with one action that may yet be refused (an import, a form): put into a
        folder of their own under the store's root, moved into the store only by
        `StagedFiles.keep`, once the action's rows are checked, and removed on leaving the
        block whatever happened, so that a refused action leaves the store as it was."""
        staged = StagedFiles(self)
        try:
            yield staged
        finally:
            staged.discard()


class StagedFiles(FileStore):
    """The files of one action, apart from the store until it is checked (FileStore.staged).

    `put` and `put_stream` write to `<root>/.staged-XXXX/` (same file system: a move into
    the store is one rename); `action(perform)` wraps a command's `perform` so that its
    checks take these files as uploaded, and keeps them when it returns, inside the action's
    transaction, before its commit. A commit that then fails leaves them in the store unused,
    as an upload (POST /files) that nothing names does."""

    def __init__(self, store: FileStore) -> None:
        self.store = store
        super().__init__(Path(tempfile.mkdtemp(prefix=_STAGED, dir=store.root)))
        self.refs: list[FileRef] = []

    def put(self, content: bytes, role: str) -> FileRef:
        ref = super().put(content, role)
        self.refs.append(ref)
        return ref

    def put_stream(self, chunks: Iterable[bytes], role: str) -> FileRef:
        ref = super().put_stream(chunks, role)
        self.refs.append(ref)
        return ref

    def has(self, ref: FileRef) -> bool:
        return super().has(ref) or self.store.has(ref)

    def size_of(self, sha256: str) -> int | None:
        size = super().size_of(sha256)
        return size if size is not None else self.store.size_of(sha256)

    def media_type_of(self, sha256: str) -> str | None:
        if self.path(sha256).exists():
            return super().media_type_of(sha256)
        return self.store.media_type_of(sha256)

    def keep(self) -> None:
        """Move every staged file into the store (one already there is left as it is)."""
        for ref in dict.fromkeys(self.refs):
            source, target = self.path(ref.sha256), self.store.path(ref.sha256)
            if source.exists() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.replace(source, target)

    def action(self, perform: Callable[[Any], T]) -> Callable[[Any], T]:
        """`perform` (a command's, given a workflows.unit_of_work.Work) that takes the staged
        files as uploaded and keeps them once it has returned."""

        def act(work: Any) -> T:
            work.uploaded.update(self.refs)
            done = perform(work)
            self.keep()
            return done

        return act

    def discard(self) -> None:
        """Remove the staging folder and whatever was not kept."""
        shutil.rmtree(self.root, ignore_errors=True)
