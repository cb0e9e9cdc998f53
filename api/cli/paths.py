"""The files and folders named on the command line, checked before any work starts: a file
that is missing or unreadable, or an output whose folder is missing or not writable, is one
line on stderr and exit 2 (a command used wrongly), not an internal error after minutes of
rendering. api/cli/main.py also turns any OSError naming a file into that line."""

from __future__ import annotations

import os
from pathlib import Path

from custody.errors import CustodyError


class PathRefused(CustodyError):
    """A path given on the command line cannot be used; exit 2."""


def readable(path: Path, what: str = "") -> Path:
    """`path` if it is a file this process can read; PathRefused otherwise."""
    label = f"{what} {path}" if what else str(path)
    if path.is_dir():
        raise PathRefused(f"{label} is a folder, not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise PathRefused(f"cannot read {label}: {exc.strerror or exc}") from None
    return path


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
