"""Real files of each kind the file store keeps, made by Pillow and PDFium, and an MP4 built
box by box (ISO/IEC 14496-12): for the upload tests."""

from __future__ import annotations

import io
import struct

import pypdfium2 as pdfium
from PIL import Image, PngImagePlugin


def jpeg(**options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (180, 40, 20)).save(out, "JPEG", **options)
    return out.getvalue()


def png(info: PngImagePlugin.PngInfo | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def pdf() -> bytes:
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(*extra: bytes) -> bytes:
    """An ISO base media file: ftyp, a moov with a version-0 mvhd and a trak, and mdat."""
    mvhd = box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 1000, 0) + bytes(80))
    trak = box(b"trak", box(b"tkhd", bytes(4 + 80)))
    return (
        box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
        + box(b"moov", mvhd + trak)
        + box(b"mdat", bytes(64))
        + b"".join(extra)
    )
