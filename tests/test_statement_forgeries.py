"""A forger's edits of a real statement, each made as a forger would make them (pypdf's
incremental writer keeps the original bytes intact and appends an update; or the file is
rewritten whole): every one fails verify-statement at the page step (10) with a message that
says what differs. The genuine statement passes, also after the ledger key is rotated,
pinned to the genesis key or the current one; a statement rendered by other software than
the verifier's is reported "could not be completed", never ok."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    StreamObject,
)

from certificates import render, renderer_identity
from certificates.verify_statement import StatementReport, verify_statement
from certificates.worker import Renderer
from custody import keyring
from custody.ledger_key import LedgerKeyFile
from custody.note import Verifier
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.processes import environment, run
from tests.support.site import UNIT, Site, build_site
from tests.support.statements import MEMBERS, ZONE, evidence_of
from tests.support.statements import destroyed as _destroyed
from workflows import intake
from workflows.intake import Intake

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@pytest.fixture(autouse=True)
def _keep_environment() -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    yield
    if before is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    shared = Renderer(renders_per_process=1_000)
    yield shared
    shared.close()


@pytest.fixture(scope="module")
def site(signed_statement: tuple[Site, str]) -> tuple[Site, str]:
    """The worker's signed statement's site and batch (tests.support.statements): only read."""
    return signed_statement


@pytest.fixture(scope="module")
def genuine(statement_pdf: bytes) -> bytes:
    """That statement in Russian, rendered once per worker."""
    return statement_pdf


def check(pdf: bytes, renderer: Renderer, key: Verifier | None = None) -> StatementReport:
    return verify_statement(pdf, key, renderer=renderer)


def fails_at_page(report: StatementReport) -> str:
    failure = report.first_failure
    assert failure is not None, "verify-statement passed a forged statement"
    assert (failure.name, failure.status) == ("page", "failed"), failure
    assert all(step.ok for step in report.steps[:9])
    return failure.reason or ""


# -- how a forger edits a PDF ------------------------------------------------------------------


def where(pdf: bytes, text: str) -> Box:
    """The box around `text` on page 1, as PDFium finds it."""
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[0].get_textpage()
        found = textpage.search(text).get_next()
        assert found is not None, f"{text!r} is not on the page"
        index, count = found
        first, last = textpage.get_charbox(index), textpage.get_charbox(index + count - 1)
        return first[0], min(first[1], last[1]), last[2], max(first[3], last[3])
    finally:
        document.close()


def incremental(pdf: bytes, edit: Callable[[pypdf.PdfWriter], None]) -> bytes:
    """`edit` applied as an incremental update: the original bytes stay, an update follows."""
    writer = pypdf.PdfWriter(io.BytesIO(pdf), incremental=True)
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    forged = out.getvalue()
    assert forged.startswith(pdf)
    assert len(forged) > len(pdf)
    return forged


def draw_over(writer: pypdf.PdfWriter, content: bytes, resources: dict[str, Any]) -> None:
    """Append a content stream to page 1, drawn after (over) what it shows."""
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(content)
    added = writer._add_object(stream)
    existing = page.raw_get("/Contents")
    if isinstance(existing.get_object(), ArrayObject):
        contents = ArrayObject([*existing.get_object(), added])
    else:
        contents = ArrayObject([existing, added])
    page[NameObject("/Contents")] = contents
    own = page["/Resources"]
    for kind, members in resources.items():
        merged = DictionaryObject(own.get(kind, DictionaryObject()))
        for name, value in members.items():
            merged[NameObject(name)] = writer._add_object(value)
        own[NameObject(kind)] = merged


def white_box(box: Box, margin: float = 1.5) -> bytes:
    left, bottom, right, top = box
    return (
        f"q 1 1 1 rg {left - margin:.2f} {bottom - margin:.2f} "
        f"{right - left + 2 * margin:.2f} {top - bottom + 2 * margin:.2f} re f Q\n"
    ).encode()


def helvetica() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )


def text_image(text: str, size: tuple[int, int]) -> StreamObject:
    """`text` in black on white, as an image XObject (what a scanner-and-paste forger makes)."""
    image = Image.new("L", size, 255)
    font = ImageFont.load_default(size=int(size[1] * 0.8))
    ImageDraw.Draw(image).text((1, 0), text, fill=0, font=font)
    stream = StreamObject()
    stream._data = zlib.compress(image.tobytes())
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): pypdf.generic.NumberObject(size[0]),
            NameObject("/Height"): pypdf.generic.NumberObject(size[1]),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): pypdf.generic.NumberObject(8),
            NameObject("/Filter"): NameObject("/FlateDecode"),
        }
    )
    return stream


# -- the genuine statement -------------------------------------------------------------------


def test_the_genuine_statement_passes_every_step_and_its_qr_code_reads_back(
    genuine: bytes, site: tuple[Site, str], renderer: Renderer
) -> None:
    ledger = site[0].ledger
    assert ledger.signer is not None
    report = check(genuine, renderer, ledger.signer.verifier)
    assert report.ok, report.first_failure
    assert [s.status for s in report.steps] == ["ok"] * 10


# -- drawn over the page -----------------------------------------------------------------------


def test_white_box_over_the_last_row(genuine: bytes, renderer: Renderer) -> None:
    left, bottom, _, top = where(genuine, "KZ-000003")
    _, _, right, _ = where(genuine, "совпадений нет 3,000")
    forged = incremental(
        genuine, lambda w: draw_over(w, white_box((left - 20, bottom, right, top)), {})
    )
    reason = fails_at_page(check(forged, renderer))
    assert "incremental update" in reason
    assert "page 1" in reason
    assert "rectangle" in reason
    assert "filled area" in reason


def test_image_of_other_text_over_the_decision_number(genuine: bytes, renderer: Renderer) -> None:
    box = where(genuine, "2-1234/2026")
    left, bottom, right, top = box
    image = text_image("2-1234/2029", (int((right - left) * 4), int((top - bottom) * 4)))
    content = (
        f"q {right - left:.2f} 0 0 {top - bottom:.2f} {left:.2f} {bottom:.2f} cm /Forged Do Q\n"
    ).encode()
    forged = incremental(
        genuine,
        lambda w: draw_over(w, white_box(box) + content, {"/XObject": {"/Forged": image}}),
    )
    reason = fails_at_page(check(forged, renderer))
    assert "image or form" in reason
    assert "/Image /Forged" in reason


def test_helvetica_text_over_a_whited_out_number(genuine: bytes, renderer: Renderer) -> None:
    box = where(genuine, "8,900")
    left, bottom, _, _ = box
    content = (
        white_box(box)
        + (f"BT /Helv 7.5 Tf {left:.2f} {bottom + 0.5:.2f} Td (9,000) Tj ET\n").encode()
    )
    forged = incremental(
        genuine, lambda w: draw_over(w, content, {"/Font": {"/Helv": helvetica()}})
    )
    reason = fails_at_page(check(forged, renderer))
    assert "Helvetica" in reason
    assert "text" in reason


def test_annotation_added_over_the_page(genuine: bytes, renderer: Renderer) -> None:
    from pypdf.annotations import FreeText

    left, bottom, right, top = where(genuine, "8,900")

    def annotate(writer: pypdf.PdfWriter) -> None:
        writer.add_annotation(
            0,
            FreeText(
                text="9,000",
                rect=(left, bottom, right + 10, top),
                font="Helvetica",
                background_color="ffffff",
                border_color="ffffff",
            ),
        )

    reason = fails_at_page(check(incremental(genuine, annotate), renderer))
    assert "1 annotation (/FreeText)" in reason


# -- rewritten ---------------------------------------------------------------------------------


def test_file_rewritten_whole_with_changed_content_stream(
    genuine: bytes, renderer: Renderer
) -> None:
    """No update appended: the forger writes a new file whose page draws other glyphs in the
    same font, at the same places (the text layer changes with them)."""
    reader = pypdf.PdfReader(io.BytesIO(genuine))
    writer = pypdf.PdfWriter(clone_from=reader)
    page = writer.pages[0]
    data = page.get_contents().get_data()  # type: ignore[union-attr]
    glyphs = re.findall(rb"\[<([0-9a-f]+)>", data)
    assert glyphs, "no text shown in hex on the page"
    target = glyphs[-1]
    swapped = target[:-4] + (b"0014" if target[-4:] != b"0014" else b"0015")
    stream = DecodedStreamObject()
    stream.set_data(data.replace(b"[<" + target + b">", b"[<" + swapped + b">", 1))
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    forged = out.getvalue()
    assert not forged.startswith(genuine[:-64])
    reason = fails_at_page(check(forged, renderer))
    assert "incremental update" not in reason
    assert "other operands" in reason


def test_font_whose_text_mapping_lies(genuine: bytes, renderer: Renderer) -> None:
    """The glyphs stay; the ToUnicode map says other digits, so that the text read back (and
    searched, and copied) is not what the page shows."""

    def lie(writer: pypdf.PdfWriter) -> None:
        fonts = writer.pages[0]["/Resources"]["/Font"]
        font = next(
            f.get_object() for f in fonts.values() if "Bold" not in str(f.get_object()["/BaseFont"])
        )
        cmap = font["/ToUnicode"].get_object()
        text = cmap.get_data()
        three, nine = b"<0033>", b"<0039>"  # the digits 3 and 9
        assert three in text
        assert nine in text
        lying = text.replace(three, b"<XXXX>").replace(nine, three).replace(b"<XXXX>", nine)
        replaced = DecodedStreamObject()
        replaced.set_data(lying)
        font[NameObject("/ToUnicode")] = writer._add_object(replaced)

    reason = fails_at_page(check(incremental(genuine, lie), renderer))
    assert "ToUnicode" in reason


# -- key rotation and other renderers ----------------------------------------------------------


def test_genuine_after_a_ledger_key_rotation_pinned_to_current_and_genesis_key(
    tmp_path: Path, renderer: Renderer
) -> None:
    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    try:
        assert site.ledger.signer is not None
        genesis = site.ledger.signer.verifier
        batch = _destroyed(site, 2)
        site.sign(batch, *MEMBERS)
        keyring.rotate_ledger_key(site.ledger, "admin", LedgerKeyFile(tmp_path / "ledger.key"))
        current = site.ledger.signer.verifier
        assert current.key_id != genesis.key_id
        pdf = render.render(evidence_of(site, batch), "kk", ZONE)
        for trusted in (genesis, current):
            report = check(pdf, renderer, trusted)
            assert report.ok, (trusted.vkey, report.first_failure)
        stranger = Verifier(genesis.name, Verifier.parse(current.vkey).public_key[::-1])
        failure = check(pdf, renderer, stranger).first_failure
        assert failure is not None
        assert failure.name == "keys"
    finally:
        site.ledger.database.dispose()


def test_rendered_by_another_renderer_version_could_not_be_completed(
    site: tuple[Site, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statement records a WeasyPrint this machine does not have: step 10 is neither ok
    nor failed, and the command exits 2 saying why."""
    recorded = renderer_identity.identity()
    other = {**recorded, "packages": {**recorded["packages"], "weasyprint": "71.0"}}
    monkeypatch.setattr(renderer_identity, "identity", lambda: other)
    pdf = render.render(evidence_of(*site), "en", ZONE)
    monkeypatch.undo()
    path = tmp_path / "other-renderer.pdf"
    path.write_bytes(pdf)
    done = run(environment(tmp_path), "verify-statement", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "10. page              could not be completed" in done.stdout
    assert f"weasyprint 71.0 there, {recorded['packages']['weasyprint']} here" in done.stdout
    assert "COULD NOT COMPLETE step 10" in done.stderr


def test_markings_with_soft_hyphen_decomposed_letter_or_zero_width_space_verify(
    tmp_path: Path, renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verifier agrees with the renderer on markings beyond what the grammar now lets in
    (a ledger written before it, or by another writer, may hold them): genuine statements
    whose markings hold a soft hyphen, a decomposed й (и + U+0306) or a zero-width space pass;
    rendered elsewhere, their text and QR codes agree with the evidence. The items are
    registered below the command models, whose grammar refuses these at the door."""
    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    try:
        markings = ("АК\u00ad74 №101", "И\u0306Ц 000102", "ҚҰ\u200b000103")
        rifles = []
        for marking in markings:
            with site.process.work("unit.serikbaev") as work:
                [registered] = intake.register(work, [_with_marking(site, marking)])
            rifles.append(registered)
        batch = site.destroy(*rifles)
        site.sign(batch, *MEMBERS)
        evidence = evidence_of(site, batch)
        for lang in ("ru", "kk"):
            report = check(render.render(evidence, lang, ZONE), renderer)
            assert report.ok, report.first_failure
        recorded = renderer_identity.identity()
        other = {**recorded, "pango": "0.0.1"}
        monkeypatch.setattr(renderer_identity, "identity", lambda: other)
        elsewhere = render.render(evidence, "ru", ZONE)
        monkeypatch.undo()
        failure = check(elsewhere, renderer).first_failure
        assert failure is not None
        assert (failure.name, failure.status) == ("page", "incomplete"), failure.reason
        assert "pango 0.0.1 there" in (failure.reason or "")
    finally:
        site.ledger.database.dispose()


def _with_marking(site: Site, marking: str) -> Intake:
    """A rifle's intake with `marking` as given."""
    return Intake(
        item=site.next_id(),
        category="firearm",
        source="confiscated",
        location=UNIT,
        weight_g=3600,
        rifled=True,
        marking=marking,
        marking_place="ствольная коробка",
        details={"type": "автомат", "model": "AK-74", "calibre": "5.45x39"},
        files=[site.photo(f"intake {marking}")],
    )


def test_a_checkpoint_signed_by_a_key_rotated_out_is_refused(
    tmp_path: Path, renderer: Renderer
) -> None:
    """A breaker's attack: whoever kept the old ledger key after a rotation signs a tree
    that holds the genuine rotation entry (so the chain names the key the reader trusts).
    Only the key that held at the checkpoint's size may sign it."""
    from certificates import evidence as proof
    from custody.checkpoint import Checkpoint
    from custody.store import Store

    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    try:
        old = site.ledger.signer
        assert old is not None
        batch = _destroyed(site, 2)
        site.sign(batch, *MEMBERS)
        keyring.rotate_ledger_key(site.ledger, "admin", LedgerKeyFile(tmp_path / "ledger.key"))
        current = site.ledger.signer.verifier
        content, digest = site.process.statement(batch)
        with site.ledger.database.write() as conn:
            issued = site.ledger.issue_checkpoint(conn)  # by the current key
            genuine = proof.gather(site.ledger, conn, content, digest, issued)
            # the same tree, the rotation entry in it, signed by the key rotated out
            origin = Store(conn).head().origin
            assert origin is not None
            note = Checkpoint(origin, issued.size, issued.root).sign([old])
            by_old = dataclasses.replace(issued, note=note, key_id=old.verifier.key_id)
            forged = proof.gather(site.ledger, conn, content, digest, by_old)
        failure = check(render.render(forged, "ru", ZONE), renderer, current).first_failure
        assert failure is not None
        assert failure.name == "checkpoint"
        assert "not signed by the ledger key that held" in (failure.reason or "")
        report = check(render.render(genuine, "ru", ZONE), renderer, current)
        assert report.ok, report.first_failure
    finally:
        site.ledger.database.dispose()
