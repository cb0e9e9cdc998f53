"""Uploaded files typed from the whole file (workflows.media): real JPEGs, PNGs and PDFs made
by Pillow and PDFium, an MP4's boxes; polyglots that a browser could run as a page refused."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ImageFile, PngImagePlugin
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from tests.support.samples import box, jpeg, mp4, pdf, png
from workflows.errors import InvalidRequest
from workflows.files import FileRef, FileStore
from workflows.media import identify

PAGE = b"<html><body><script>fetch('/ledger/entries')</script></body></html>"


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (jpeg(), "image/jpeg"),
        (jpeg(progressive=True, restart_marker_blocks=1), "image/jpeg"),
        (jpeg(xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'), "image/jpeg"),
        (png(), "image/png"),
        (pdf(), "application/pdf"),
        (mp4(), "video/mp4"),
        (mp4(box(b"free", bytes(16))), "video/mp4"),
    ],
    ids=[
        "jpeg",
        "progressive-jpeg-with-restarts",
        "jpeg-with-xmp",
        "png",
        "pdf",
        "mp4",
        "mp4+free",
    ],
)
def test_genuine_files_are_typed_from_their_whole_content(content: bytes, media_type: str) -> None:
    assert identify(content) == media_type


def _png_with_text(key: str, text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text(key, text)
    return png(info)


def _png_with_compressed_text(text: bytes) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text.decode(), zip=True)
    return png(info)


def _pdf_with_javascript() -> bytes:
    """Document-level JavaScript (ISO 32000-1 section 12.6.4.16), which a reader runs on open."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf()))
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    scripts = ArrayObject([TextStringObject("hello"), writer._add_object(action)])
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): scripts})}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (jpeg(comment=PAGE), "HTML or script"),
        (jpeg() + PAGE, "bytes follow the end of the JPEG"),
        (b"\xff\xd8\xff\xe0" + PAGE, "does not decode"),
        (jpeg()[:-200], "does not decode"),
        (_png_with_text("Comment", PAGE.decode()), "HTML or script"),
        (_png_with_compressed_text(PAGE), "HTML or script"),
        (png() + PAGE, "follow the PNG's end"),
        (b"%PDF-1.7\n" + PAGE, "the PDF does not open"),
        (_pdf_with_javascript(), "JavaScript"),
        (mp4(PAGE), "box"),
        (mp4()[:-10], "wrong size"),
        (box(b"ftyp", b"isom") + box(b"mdat", bytes(8)), "one moov box"),
        (PAGE, "only JPEG, PNG, PDF and MP4"),
    ],
    ids=[
        "jpeg_html_polyglot_in_comment",
        "jpeg_html_polyglot_after_end",
        "jpeg_magic_then_html",
        "truncated_jpeg",
        "png_html_in_text_chunk",
        "png_html_in_compressed_text",
        "png_html_after_end",
        "pdf_magic_then_html",
        "pdf_with_javascript",
        "mp4_html_after_boxes",
        "truncated_mp4",
        "mp4_without_movie",
        "plain_html",
    ],
)
def test_polyglots_and_broken_files_are_refused(content: bytes, words: str) -> None:
    with pytest.raises(InvalidRequest, match=words):
        identify(content)


MAGICS = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-", b"\x00\x00\x00\x10ftyp"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MAGICS), st.binary(max_size=600))
def test_any_bytes_behind_a_magic_are_refused_with_a_reason_never_a_crash(
    magic: bytes, rest: bytes
) -> None:
    try:
        identify(magic + rest)
    except InvalidRequest as refused:
        reason = str(refused)
    else:
        reason = "accepted"
    assert reason


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_genuine_jpeg_cut_or_extended_anywhere_is_refused(data: st.DataObject) -> None:
    content = jpeg()
    cut = data.draw(st.integers(2, len(content) - 1))
    with pytest.raises(InvalidRequest):
        identify(content[:cut])
    tail = data.draw(st.binary(min_size=1, max_size=64))
    with pytest.raises(InvalidRequest):
        identify(content + tail)


@pytest.mark.parametrize("truncated_allowed", [False, True])
def test_a_png_text_bomb_is_refused_without_being_inflated_whole(
    truncated_allowed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process, and Pillow then
    # lets a too large text chunk pass as empty: the check must hold either way.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", truncated_allowed)
    bomb = zlib.compress(bytes(50_000_000))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "x")
    plain = png(info)
    chunk = b"zTXt" + b"Comment\x00\x00" + bomb
    body = struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
    end = plain.index(b"IEND") - 4
    with pytest.raises(InvalidRequest, match="too large"):
        identify(plain[:end] + body + plain[end:])


def test_a_reference_naming_another_media_type_is_refused_and_verify_says_so(
    tmp_path: Path,
) -> None:
    """The store's word for a file's media type, not the client's: a PDF referred to as a
    PNG is refused when named (FileStore.check_refs), and an entry that says so anyway is a
    problem for `custody verify` (FileStore.problem)."""
    store = FileStore(tmp_path / "files")
    ref = store.put(pdf(), "marking")
    claimed = FileRef(ref.sha256, ref.size, "image/png", ref.role)
    with pytest.raises(InvalidRequest, match="is application/pdf, not image/png"):
        store.check_refs([claimed])
    store.check_refs([ref])
    assert store.problem(claimed.to_json()) == (
        f"file {ref.sha256} is application/pdf, but its entry says image/png"
    )
    assert store.problem(ref.to_json()) is None


# -- issue 12 (b12): MP4s that are pages or nothing, photos too large to decode ----------------


def _zero_movie() -> bytes:
    """The breaker's file: brands right, a movie header and a track of zeros, no tkhd."""
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = box(b"mvhd", bytes(100))
    return ftyp + box(b"moov", mvhd + box(b"trak", bytes(8))) + box(b"mdat", bytes(64))


def _png_claiming(width: int, height: int) -> bytes:
    """A real PNG whose header (IHDR, CRC right) claims width x height pixels."""
    content = bytearray(png())
    at = content.index(b"IHDR")
    content[at + 4 : at + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(content[at : at + 4 + 13]))
    content[at + 17 : at + 21] = struct.pack(">I", crc)
    return bytes(content)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (mp4()[: -64 - 8] + box(b"mdat", PAGE), "HTML or script"),
        (box(b"ftyp", b"isom" + bytes(4) + PAGE[:12]) + mp4()[32:], "HTML or script"),
        (box(b"ftyp", b"isom" + bytes(4) + b"<htm") + mp4()[32:], "not an MP4 brand"),
        (box(b"ftyp", b"abcd" + bytes(4) + b"isom") + mp4()[32:], "not an MP4 brand"),
        (_zero_movie(), "empty"),
        (
            mp4()[:32]
            + box(
                b"moov",
                box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 1000, 0) + bytes(80))
                + box(b"trak", box(b"free", bytes(8))),
            )
            + box(b"mdat", bytes(8)),
            "no track header",
        ),
        (_png_claiming(9400, 9400), "9400 x 9400 pixels"),
        (_png_claiming(40_001, 1000), "at most 40,000,000 pixels"),
    ],
    ids=[
        "html-in-mdat",
        "html-in-ftyp-brands",
        "unknown-brand",
        "unknown-major-brand",
        "boxes-of-zeros",
        "track-without-header",
        "png-9400x9400",
        "png-just-over",
    ],
)
def test_mp4_pages_empty_movies_and_giant_photos_are_refused(content: bytes, words: str) -> None:
    with pytest.raises(InvalidRequest, match=words):
        identify(content)


def test_the_breakers_files_are_refused() -> None:
    """The files of the attack, rebuilt: an MP4 with a page in mdat and in ftyp's brands."""
    mvhd = box(b"mvhd", bytes(100))
    in_mdat = (
        box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
        + box(b"moov", mvhd + box(b"trak", bytes(8)))
        + box(b"mdat", PAGE)
    )
    in_ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + PAGE + b"\x00" * 2) + box(
        b"moov", mvhd + box(b"trak", bytes(8))
    )
    for content in (in_mdat, in_ftyp):
        with pytest.raises(InvalidRequest):
            identify(content)


@pytest.mark.parametrize("side", [1000, 6324])
def test_a_photo_up_to_the_pixel_cap_is_checked_as_before(side: int) -> None:
    """At or under MAX_PIXELS the header check lets the file on to the decoder (which refuses
    this one because its data is a 1x1 image's, not because of its size)."""
    with pytest.raises(InvalidRequest) as refused:
        identify(_png_claiming(side, side))
    assert "pixels" not in str(refused.value)
