"""The marking photos an intake table's `photo` column names, and only those.

A cell is a plain file name, never a path to any file of the server:

- `custody import` (`beside`): a file in the table's own folder or below it. The name is
  resolved (symbolic links followed) and must stay inside that folder; the file must be a
  regular file (not /dev/zero, a FIFO or a directory) of at most `limit` bytes, checked on the
  opened file before a byte is read, and never more than `limit` bytes are read.
- the web page's import (`sent`): one of the files uploaded with the form, by its plain file
  name. Anything else (a path, `..`, a name not sent) gets the one refusal a missing photo
  gets, so the answer never tells whether some file exists on the server.

Each raises RowError("photo", ...) naming the cell as given.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from api.imports.intake_rows import RowError


def _read_regular(path: Path, shown: str, limit: int) -> bytes:
    """At most `limit` bytes of the regular file at `path`, opened without following a link
    at its last component and without blocking on a FIFO; RowError otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise RowError("photo", f"{shown!r}: {exc.strerror}") from None
    try:
        found = os.fstat(descriptor)
    except OSError:
        os.close(descriptor)
        raise
    if not stat.S_ISREG(found.st_mode) or found.st_size > limit:
        os.close(descriptor)
        if not stat.S_ISREG(found.st_mode):
            raise RowError("photo", f"{shown!r} is not a regular file")
        raise RowError("photo", f"{shown!r} is larger than {limit:,} bytes")
    with os.fdopen(descriptor, "rb") as handle:
        content = handle.read(limit + 1)
    if len(content) > limit:  # it grew while read
        raise RowError("photo", f"{shown!r} is larger than {limit:,} bytes")
    return content


def beside(folder: Path, cell: str, limit: int) -> bytes:
    """The content of the photo `cell` names, relative to `folder` (the table's own), within
    it after resolving links; RowError for an absolute path, one that leaves the folder, a
    file that is missing, not regular, or larger than `limit` bytes."""
    root = folder.resolve()
    given = Path(cell)
    if given.is_absolute() or "\\" in cell:
        raise RowError("photo", f"{cell!r}: a photo is named relative to the table's folder")
    try:
        resolved = (root / given).resolve(strict=True)
    except (OSError, RuntimeError):
        raise RowError("photo", f"{cell!r}: no such file beside the table") from None
    if not resolved.is_relative_to(root):
        raise RowError("photo", f"{cell!r} is outside the table's folder ({root})")
    return _read_regular(resolved, cell, limit)


def sent(photos: Mapping[str, Path], cell: str, limit: int) -> bytes:
    """The content of the uploaded photo whose file name is `cell` (`photos`: file name as
    sent -> where it was kept); RowError "not among the photos sent" for anything else."""
    kept = photos.get(cell) if cell not in ("", ".", "..") and "/" not in cell else None
    if kept is None or "\\" in cell:
        raise RowError("photo", f"{cell!r} is not among the photos sent")
    return _read_regular(kept, cell, limit)
