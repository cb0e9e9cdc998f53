"""What renders a statement, recorded in its evidence so that a verifier renders it again.

A statement rendered twice from the same evidence is the same bytes, as long as the same
software draws it: WeasyPrint and pydyf (layout, PDF objects), Pango and HarfBuzz (shaping),
fontTools (font subsets), the DejaVu fonts, Babel (dates and numbers), segno (the QR code),
Jinja2 and our own template, words and page code. The identity names each by version or
SHA-256; `verify-statement` renders again only where its own identity is the same, and
otherwise says that the page proof could not be completed on this machine, and why.

Call `identity()` only where WeasyPrint may be imported (the renderer's process): it asks
Pango for its version.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("weasyprint", "pydyf", "fonttools", "babel", "segno", "jinja2")
FONTS = ("DejaVu Sans", "DejaVu Sans:bold")  # what the template asks for
# Our own code and data that decide what is drawn.
SOURCES = (
    "templates/statement.html.j2", "render.py", "page.py", "words.py", "office.py",
    "qr_payload.py", "regions.py", "../workflows/membership.py",
)  # fmt: skip


@functools.cache
def identity() -> dict[str, Any]:
    """{"packages": {name: version}, "pango", "harfbuzz", "fonts": {file name: sha256},
    "sources": sha256 of our template and page code}; the same in every call of a process."""
    return {
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "pango": _pango_version(),
        "harfbuzz": _harfbuzz_version(),
        "fonts": {path.name: _sha256(path.read_bytes()) for path in map(_font_file, FONTS)},
        "sources": _sources_digest(),
    }


def differences(recorded: Any, here: dict[str, Any]) -> list[str]:
    """What differs between the identity a statement records and this machine's, in words."""
    if not isinstance(recorded, dict):
        return ["the evidence does not say what rendered the page"]
    found = []
    for key, value in here.items():
        was = recorded.get(key)
        if isinstance(value, dict) and isinstance(was, dict):
            for name in sorted(value.keys() | was.keys()):
                if was.get(name) != value.get(name):
                    found.append(f"{name} {was.get(name)} there, {value.get(name)} here")
        elif was != value:
            found.append(f"{key} {was} there, {value} here")
    return found


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sources_digest() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update(name.encode() + b"\x00" + (here / name).read_bytes())
    return digest.hexdigest()


def _pango_version() -> str:
    from weasyprint.text.ffi import pango

    number = int(pango.pango_version())
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def _harfbuzz_version() -> str:
    name = ctypes.util.find_library("harfbuzz") or "libharfbuzz.so.0"
    library = ctypes.CDLL(name)
    library.hb_version_string.restype = ctypes.c_char_p
    return str(library.hb_version_string().decode())


def _font_file(pattern: str) -> Path:
    """The file fontconfig gives for `pattern`, as Pango will ask it."""
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    fc = ctypes.CDLL(name)
    fc.FcNameParse.restype = ctypes.c_void_p
    fc.FcNameParse.argtypes = [ctypes.c_char_p]
    fc.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    fc.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    fc.FcFontMatch.restype = ctypes.c_void_p
    fc.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    fc.FcPatternGetString.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
    ]
    fc.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    wanted = fc.FcNameParse(pattern.encode())
    fc.FcConfigSubstitute(None, wanted, 0)  # FcMatchPattern
    fc.FcDefaultSubstitute(wanted)
    result = ctypes.c_int()
    match = fc.FcFontMatch(None, wanted, ctypes.byref(result))
    try:
        file = ctypes.c_char_p()
        if not match or fc.FcPatternGetString(match, b"file", 0, ctypes.byref(file)) != 0:
            raise RuntimeError(f"fontconfig finds no font for {pattern!r}")
        return Path(str(file.value.decode()) if file.value else "")
    finally:
        fc.FcPatternDestroy(wanted)
        if match:
            fc.FcPatternDestroy(match)
