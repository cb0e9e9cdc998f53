"""What an uploaded photo, scan or video is, read from the whole file, never from its name or
its first bytes alone: a file whose first bytes say JPEG may carry an HTML page (a polyglot)
that a browser would run if it ever sniffed it.

- JPEG and PNG: decoded whole with Pillow (`verify`, then `load`, under its decompression-bomb
  limit); their structure walked to the end (JPEG segments and scans up to EOI, PNG chunks up
  to IEND) with no byte after it; no HTML in their text (JPEG APPn and COM segments, PNG text
  chunks).
- PDF: opened with PDFium (pypdfium2), every page loaded; no document JavaScript.
- MP4: ISO base media boxes (ISO/IEC 14496-12 section 4.2) that tile the file exactly, `ftyp`
  first with brands of MP4_BRANDS only, a `moov` holding an `mvhd` with a time scale and a
  `trak` with its `tkhd`, only top-level box types of the standard, and no mark of a web page
  anywhere in it (`<html`, `<script`, ... : `_PAGE`, long enough not to occur by chance in
  compressed video).
- A photo (JPEG, PNG) has at most MAX_PIXELS pixels, read from its header before it is
  decoded, and at most DECODERS are decoded at once in a process: decoding memory is bounded
  by about DECODERS x MAX_PIXELS x 4 bytes (320 MB with the defaults below).

Each refusal is an InvalidRequest saying why. The API serves files back as attachments with
`nosniff` and a sandboxing Content-Security-Policy besides (api/http/files.py).
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import threading
import warnings
import zlib
from collections.abc import Callable, Iterator

from workflows.errors import InvalidRequest

JPEG, PNG, PDF, MP4 = "image/jpeg", "image/png", "application/pdf", "video/mp4"
MEDIA_TYPES = frozenset({JPEG, PNG, PDF, MP4})
_MAGIC = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)
# Tags that make text a page a browser would run; XMP metadata (XML) has none of them.
_MARKUP = re.compile(
    rb"<\s*(script|html|body|iframe|svg|object|embed|meta|link|style|img|a\s|form|base)\b"
    rb"|javascript:",
    re.IGNORECASE,
)
# What a whole MP4 may not hold anywhere: marks of a web page, each long enough (6 bytes or
# more) that compressed video does not produce it by chance.
_PAGE = re.compile(
    rb"<\s*(script|html|body|iframe|svg|object|embed)\b|<!doctype|javascript:", re.IGNORECASE
)
# The ftyp brands of MP4 and its relatives (the MP4 registration authority's list, the ones
# cameras and phones write): ISO base media, MP4 v1/v2, AVC/HEVC, DASH, Apple, 3GPP.
MP4_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
        b"mp41", b"mp42", b"mp71", b"avc1", b"hvc1", b"hev1", b"dash", b"msnv", b"M4V ",
        b"M4A ", b"qt  ", b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3g2a", b"cmfc", b"mmp4",
    }
)  # fmt: skip
MAX_PIXELS = 40_000_000  # a photo's width x height: 40 MP, more than any phone or camera takes
DECODERS = 2  # photos decoded at once in one process
_DECODING = threading.BoundedSemaphore(DECODERS)
_MP4_TOP_LEVEL = frozenset(
    {
        b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pdin", b"moof",
        b"mfra", b"meta", b"styp", b"sidx", b"ssix", b"prft", b"emsg",
    }
)  # fmt: skip


def sniff(head: bytes) -> str | None:
    """The media type the first bytes claim, or None if they are none of ours."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head[4:8] == b"ftyp":  # ISO base media: MP4 and relatives
        return MP4
    return None


def identify(content: bytes) -> str:
    """The media type of a whole file, once it has been checked to be nothing but that.
    Raises InvalidRequest naming what is wrong."""
    media_type = sniff(content[:16])
    if media_type is None:
        raise InvalidRequest("only JPEG, PNG, PDF and MP4 files are kept")
    _CHECKS[media_type](content)
    return media_type


# -- images -----------------------------------------------------------------------------------


def _decode_image(content: bytes, expected: str) -> None:
    from PIL import Image  # imported here: only uploads need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:  # the header only
                if image.format != expected:
                    raise InvalidRequest(f"the file is not a {expected} image")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise InvalidRequest(
                        f"the image has {width} x {height} pixels: a photo has at most "
                        f"{MAX_PIXELS:,} pixels"
                    )
                image.verify()
            with _DECODING, _whole_images(), Image.open(io.BytesIO(content)) as image:
                image.load()
    except InvalidRequest:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise InvalidRequest("the image has too many pixels to be a photo") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise InvalidRequest(f"the {expected} image does not decode: {exc}") from exc


@contextlib.contextmanager
def _whole_images() -> Iterator[None]:
    """Pillow decoding only whole images while inside: WeasyPrint sets
    `ImageFile.LOAD_TRUNCATED_IMAGES` for the whole process once imported, and a truncated
    photo (or one whose header claims more pixels than its data holds) would then decode
    "whole" (the suite found it so). Held under _DECODING, so that uploads do not race."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _no_markup(text: bytes, where: str) -> None:
    if _MARKUP.search(text):
        raise InvalidRequest(f"the file carries HTML or script in its {where}")


def _check_jpeg(content: bytes) -> None:
    _decode_image(content, "JPEG")
    try:
        end = _jpeg_end(content)
    except (struct.error, IndexError) as exc:
        raise InvalidRequest("the JPEG's segments are cut short") from exc
    if end != len(content):
        raise InvalidRequest(f"{len(content) - end} bytes follow the end of the JPEG image")


def _jpeg_end(content: bytes) -> int:
    """The offset just past EOI, walking segments (ITU T.81 annex B) and entropy-coded data."""
    position = 2  # past SOI
    while position < len(content):
        if content[position] != 0xFF:
            raise InvalidRequest(f"the JPEG has no marker at byte {position}")
        while position < len(content) and content[position] == 0xFF:  # fill bytes
            position += 1
        if position >= len(content):
            break
        marker = content[position]
        position += 1
        if marker == 0xD9:  # EOI
            return position
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # RSTn, TEM: no length
            continue
        (length,) = struct.unpack(">H", content[position : position + 2])
        segment = content[position + 2 : position + length]
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn, COM: where text hides
            _no_markup(segment, "metadata")
        position += length
        if marker == 0xDA:  # SOS: entropy-coded data up to the next real marker
            position = _after_scan(content, position)
    raise InvalidRequest("the JPEG has no end of image")


def _after_scan(content: bytes, position: int) -> int:
    while True:
        position = content.find(b"\xff", position)
        if position < 0 or position + 1 >= len(content):
            raise InvalidRequest("the JPEG's image data has no end")
        following = content[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1 if following == 0xFF else 2
            continue
        return position


def _check_png(content: bytes) -> None:
    _decode_image(content, "PNG")
    position = 8  # past the signature; Pillow has checked every chunk's CRC
    while position + 12 <= len(content):
        length, kind = struct.unpack(">I4s", content[position : position + 8])
        data = content[position + 8 : position + 8 + length]
        position += 12 + length
        if kind in (b"tEXt", b"iTXt"):
            _no_markup(data, "text")
        elif kind == b"zTXt":
            _no_markup(_inflate(data.partition(b"\x00")[2][1:]), "text")
        if kind == b"IEND":
            if position != len(content):
                raise InvalidRequest(f"{len(content) - position} bytes follow the PNG's end")
            return
    raise InvalidRequest("the PNG has no end chunk")


def _inflate(data: bytes, limit: int = 1 << 20) -> bytes:
    """A zTXt chunk's text, refused when it inflates beyond `limit` bytes. Checked here, not
    left to Pillow: Pillow lets a too large text chunk pass as empty wherever
    `ImageFile.LOAD_TRUNCATED_IMAGES` is set, as a library in the same process may set it
    (the suite found it so)."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, limit)
    except zlib.error as exc:
        raise InvalidRequest("a PNG text chunk does not inflate") from exc
    if inflater.unconsumed_tail:
        raise InvalidRequest("a PNG text chunk is too large when inflated")
    return text


# -- PDF --------------------------------------------------------------------------------------


def _check_pdf(content: bytes) -> None:
    import pypdfium2 as pdfium  # imported here: it loads a native library
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        raise InvalidRequest(f"the PDF does not open: {exc}") from exc
    try:
        if len(document) < 1:
            raise InvalidRequest("the PDF has no pages")
        for index in range(len(document)):
            document[index].close()
        if pdfium_c.FPDFDoc_GetJavaScriptActionCount(document.raw) != 0:
            raise InvalidRequest("the PDF carries JavaScript")
    except pdfium.PdfiumError as exc:
        raise InvalidRequest(f"a page of the PDF does not load: {exc}") from exc
    finally:
        document.close()


# -- MP4 --------------------------------------------------------------------------------------


def _boxes(content: bytes, start: int, stop: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, end) of the boxes that must tile content[start:stop] exactly."""
    found = []
    position = start
    while position < stop:
        if stop - position < 8:
            raise InvalidRequest(f"a truncated MP4 box at byte {position}")
        size, kind = struct.unpack(">I4s", content[position : position + 8])
        header = 8
        if size == 1:
            if stop - position < 16:
                raise InvalidRequest(f"a truncated MP4 box at byte {position}")
            (size,) = struct.unpack(">Q", content[position + 8 : position + 16])
            header = 16
        elif size == 0:  # to the end of the file
            size = stop - position
        if size < header or position + size > stop:
            raise InvalidRequest(f"an MP4 box of a wrong size at byte {position}")
        found.append((kind, position + header, position + size))
        position += size
    return found


def _check_mp4(content: bytes) -> None:
    if _PAGE.search(content):
        raise InvalidRequest("the file carries HTML or script in its boxes")
    top = _boxes(content, 0, len(content))
    kinds = [kind for kind, _, _ in top]
    if kinds[0] != b"ftyp":
        raise InvalidRequest("an MP4 begins with its ftyp box")
    unknown = sorted({k for k in kinds if k not in _MP4_TOP_LEVEL})
    if unknown:
        raise InvalidRequest(f"not an MP4 box: {unknown[0]!r}")
    movies = [(start, end) for kind, start, end in top if kind == b"moov"]
    if len(movies) != 1:
        raise InvalidRequest("an MP4 has one moov box")
    inside = {kind: (start, end) for kind, start, end in _boxes(content, *movies[0])}
    if not {b"mvhd", b"trak"} <= inside.keys():
        raise InvalidRequest("the MP4's moov box has no movie header or no track")
    start, end = inside[b"mvhd"]
    # version 0: version+flags (4), creation, modification (4 each), time scale (4); 1: 8-byte
    # times; the header is 100 or 112 bytes in all
    offset = 12 if content[start] == 0 else 20
    if (
        end - start < offset + 4 + 84
        or struct.unpack(">I", content[start + offset : start + offset + 4])[0] == 0
    ):
        raise InvalidRequest("the MP4's movie header is empty (no time scale)")
    track = {kind for kind, _, _ in _boxes(content, *inside[b"trak"])}
    if b"tkhd" not in track:
        raise InvalidRequest("the MP4's track has no track header")
    _check_brands(content[top[0][1] : top[0][2]])


def _check_brands(ftyp: bytes) -> None:
    """The ftyp payload: major brand, minor version, compatible brands, all of MP4_BRANDS."""
    if len(ftyp) < 8 or len(ftyp) % 4:
        raise InvalidRequest("the MP4's ftyp box is malformed")
    brands = [ftyp[0:4]] + [ftyp[i : i + 4] for i in range(8, len(ftyp), 4)]
    unknown = [b for b in brands if b not in MP4_BRANDS]
    if unknown:
        shown = unknown[0].decode("latin-1").encode("unicode_escape").decode()
        raise InvalidRequest(f"not an MP4 brand: {shown!r}")


_CHECKS: dict[str, Callable[[bytes], None]] = {
    JPEG: _check_jpeg,
    PNG: _check_png,
    PDF: _check_pdf,
    MP4: _check_mp4,
}
