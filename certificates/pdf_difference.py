"""What differs between a statement's PDF and the render of its evidence, in words.

`verify-statement` renders the page again from the evidence; a genuine file is that render,
byte for byte. Any other file fails, and this module says how it differs, page by page: what
its content stream draws that the render does not (rectangles, filled areas, images, text,
and in which fonts), annotations, fonts whose glyphs or text mapping (ToUnicode) differ, and
whether the original bytes are intact with an incremental update appended (PDF 2.0, ISO
32000-2 section 7.5.6). It runs only on the failure path, so it may take its time (pypdf).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

import pypdf
from pypdf import PageObject
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject, StreamObject

# Content stream operators (ISO 32000-2 tables 50-107) as a reader understands them.
OPERATORS = {
    b"re": "rectangle",
    b"f": "filled area",
    b"F": "filled area",
    b"f*": "filled area",
    b"B": "filled and stroked area",
    b"S": "stroked line",
    b"Do": "image or form",
    b"BI": "inline image",
    b"TJ": "text",
    b"Tj": "text",
    b"'": "text",
    b'"': "text",
    b"Tf": "font selection",
    b"Td": "text position",
    b"Tm": "text position",
    b"BT": "text object",
    b"cm": "transformation",
    b"q": "saved graphics state",
    b"Q": "restored graphics state",
    b"rg": "fill colour",
    b"g": "fill colour",
    b"k": "fill colour",
    b"sc": "fill colour",
    b"scn": "fill colour",
}
_OBJECT = re.compile(rb"(\d+) (\d+) obj\b")


def describe(expected: bytes, given: bytes) -> str:
    """One sentence (or a few, joined by "; ") saying how `given` differs from `expected`."""
    told: list[str] = []
    if given.startswith(expected) and len(given) > len(expected):
        tail = given[len(expected) :]
        numbers = sorted({int(m.group(1)) for m in _OBJECT.finditer(tail)})
        told.append(
            f"an incremental update of {len(tail):,} bytes is appended to the statement as "
            f"rendered from its evidence, adding or replacing "
            f"{_plural(len(numbers), 'object')} ({_object_kinds(given, numbers)})"
        )
    try:
        told += _page_differences(expected, given)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        told.append(f"its pages cannot be compared object by object ({exc})")
    if not told:
        at = next((i for i, (a, b) in enumerate(zip(expected, given, strict=False)) if a != b), 0)
        told.append(
            "the file is not the render of its evidence outside the pages' content "
            f"(from byte {at:,}: its metadata, attachment or structure)"
        )
    return "; ".join(told)


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data), strict=False)


def _page_differences(expected: bytes, given: bytes) -> list[str]:
    wanted, found = _reader(expected), _reader(given)
    told = []
    if len(wanted.pages) != len(found.pages):
        told.append(
            f"the file has {_plural(len(found.pages), 'page')}, the render of its evidence "
            f"{len(wanted.pages)}"
        )
    for number, (a, b) in enumerate(zip(wanted.pages, found.pages, strict=False), 1):
        told += [f"page {number}: {d}" for d in _page(a, b, wanted, found)]
    return told


def _page(a: PageObject, b: PageObject, ra: Any, rb: Any) -> list[str]:
    told = []
    annotations = [_resolve(x) for x in _resolve(b.get("/Annots")) or []]
    if len(annotations) > len(_resolve(a.get("/Annots")) or []):
        kinds = ", ".join(str(x.get("/Subtype", "?")) for x in annotations)
        told.append(f"it carries {_plural(len(annotations), 'annotation')} ({kinds})")
    told += _fonts(a, b)
    told += _xobjects(a, b)
    content_a, content_b = _content(a), _content(b)
    if content_a != content_b:
        told.append(_content_difference(a, b, ra, rb))
    return told


def _fonts(a: DictionaryObject, b: DictionaryObject) -> list[str]:
    mine, theirs = _resources(a, "/Font"), _resources(b, "/Font")
    told = []
    for name, font in theirs.items():
        base = str(font.get("/BaseFont", "?")).lstrip("/")
        if name not in mine:
            told.append(f"it uses a font the render does not ({base} as {name})")
            continue
        original = mine[name]
        if _stream(font.get("/ToUnicode")) != _stream(original.get("/ToUnicode")):
            told.append(
                f"the text mapping (ToUnicode) of font {base} differs from the render's: "
                "the text read from the page is not what its glyphs show"
            )
        if _glyphs(font) != _glyphs(original):
            told.append(f"the glyphs or widths of font {base} differ from the render's")
    return told


def _xobjects(a: DictionaryObject, b: DictionaryObject) -> list[str]:
    mine, theirs = _resources(a, "/XObject"), _resources(b, "/XObject")
    added = [f"{x.get('/Subtype', '?')} {n}" for n, x in theirs.items() if n not in mine]
    changed = [n for n, x in theirs.items() if n in mine and _stream(x) != _stream(mine[n])]
    told = []
    if added:
        told.append(f"it draws objects the render has not ({', '.join(added)})")
    if changed:
        told.append(f"its objects {', '.join(changed)} differ from the render's")
    return told


def _content_difference(a: PageObject, b: PageObject, ra: Any, rb: Any) -> str:
    ops_a, ops_b = _operations(a, ra), _operations(b, rb)
    count_a = Counter(op for _, op in ops_a)
    count_b = Counter(op for _, op in ops_b)
    added = count_b - count_a
    removed = count_a - count_b
    parts = []
    if added:
        parts.append("adds " + _operators(added))
    if removed:
        parts.append("leaves out " + _operators(removed))
    fonts = {str(operands[0]) for operands, op in ops_b if op == b"Tf" and operands}
    fonts -= {str(operands[0]) for operands, op in ops_a if op == b"Tf" and operands}
    if fonts:
        parts.append(f"shows text in fonts the render does not use ({', '.join(sorted(fonts))})")
    if not parts:
        changed = sum(1 for x, y in zip(ops_a, ops_b, strict=False) if x != y)
        parts.append(
            f"draws the same operators with other operands ({changed} of them differ: "
            "other text, glyphs or places)"
        )
    return "its content is not the render of its evidence: it " + "; ".join(parts)


def _operators(counts: Counter[bytes]) -> str:
    named: Counter[str] = Counter()
    for op, n in counts.items():
        named[OPERATORS.get(op, op.decode("latin-1"))] += n
    return ", ".join(f"{n} × {name}" for name, n in named.most_common())


def _operations(page: PageObject, reader: Any) -> list[tuple[Any, bytes]]:
    contents = page.get_contents()
    if contents is None:
        return []
    return [(operands, op) for operands, op in ContentStream(contents, reader).operations]


def _content(page: PageObject) -> bytes:
    contents = page.get_contents()
    return contents.get_data() if contents is not None else b""


def _resources(page: DictionaryObject, kind: str) -> dict[str, Any]:
    resources = _resolve(page.get("/Resources")) or {}
    found = _resolve(resources.get(kind)) or {}
    return {str(name): _resolve(value) for name, value in found.items()}


def _glyphs(font: Any) -> tuple[bytes, str]:
    descendants = _resolve(font.get("/DescendantFonts")) or []
    parts: list[bytes] = []
    widths = ""
    for descendant in (_resolve(d) for d in descendants):
        descriptor = _resolve(descendant.get("/FontDescriptor")) or {}
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            parts.append(_stream(descriptor.get(key)))
        widths += repr(_resolve(descendant.get("/W")))
    descriptor = _resolve(font.get("/FontDescriptor")) or {}
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        parts.append(_stream(descriptor.get(key)))
    return b"".join(parts), widths + repr(_resolve(font.get("/Widths")))


def _stream(value: Any) -> bytes:
    value = _resolve(value)
    return value.get_data() if isinstance(value, StreamObject) else b""


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _object_kinds(data: bytes, numbers: list[int]) -> str:
    reader = _reader(data)
    kinds = []
    for number in numbers[:8]:
        try:
            value = _resolve(reader.get_object(number))
        except (PdfReadError, ValueError, KeyError):
            value = None
        kinds.append(f"{number}: {_kind(value)}")
    more = f", and {len(numbers) - 8} more" if len(numbers) > 8 else ""
    return ", ".join(kinds) + more


def _kind(value: Any) -> str:
    if isinstance(value, StreamObject):
        subtype = value.get("/Subtype")
        return f"a stream ({subtype})" if subtype else "a content stream"
    if isinstance(value, DictionaryObject):
        kind = value.get("/Type") or value.get("/Subtype")
        return f"{kind} dictionary" if kind else "a dictionary"
    return type(value).__name__ if value is not None else "unreadable"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
