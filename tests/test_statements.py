"""Destruction statements as PDFs (certificates/): rendered in each language, read back (text and
attachment), PDF/A-3, byte-identical when rendered again, and checked offline by
verify-statement, which names the step each attack fails at."""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest

from certificates import evidence as proof
from certificates import page as pages
from certificates import render, renderer_identity
from certificates.pdf_reading import read_pdf
from certificates.verify_statement import STEPS, StatementReport, verify_statement
from certificates.words import LANGUAGES, words
from certificates.worker import Renderer
from custody import canonical, keyring
from custody.checkpoint import parse_note
from custody.note import Signer
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.site import COMMISSION, NAMED, PLACE_NAMES, PLANT, Site, build_site
from tests.support.statements import MEMBERS, ZONE, evidence_of
from tests.support.statements import destroyed as _destroyed


@pytest.fixture(autouse=True)
def _keep_environment() -> Iterator[None]:
    """render() sets SOURCE_DATE_EPOCH for its process; these tests render in theirs."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    yield
    if before is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before


@pytest.fixture(scope="module", autouse=True)
def _renderer() -> Iterator[None]:
    """One renderer process for every verification here (each would start its own)."""
    global verify_statement
    shared = Renderer(renders_per_process=1_000)
    plain = verify_statement
    verify_statement = functools.partial(plain, renderer=shared)  # type: ignore[assignment]
    yield
    verify_statement = plain
    shared.close()


@pytest.fixture(scope="module")
def signed(signed_statement: tuple[Site, str]) -> tuple[Site, str]:
    """A site with three rifles melted in one batch whose statement a quorum signed (the
    worker's, tests.support.statements: only read here)."""
    return signed_statement


@pytest.fixture(scope="module")
def evidence(signed: tuple[Site, str]) -> dict[str, Any]:
    return evidence_of(*signed)


@pytest.fixture(scope="module")
def pdf(statement_pdf: bytes) -> bytes:
    """The statement rendered in Russian, once per worker (tests.support.statements)."""
    return statement_pdf


def failed_at(report: StatementReport) -> tuple[str, str]:
    failure = report.first_failure
    assert failure is not None, "verify-statement passed a forged statement"
    return failure.name, failure.reason or ""


# -- rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_renders_a_statement_that_reads_back_as_its_data(
    evidence: dict[str, Any], pdf: bytes, lang: str
) -> None:
    data = pdf if lang == "ru" else render.render(evidence, lang, ZONE)  # ru: the same call
    content = read_pdf(data, proof.NAME)
    page = pages.build(evidence, lang, ZONE)
    text = " ".join(content.text.split())
    assert page.title in text
    for item in evidence["statement"]["items"]:
        assert item["id"] in text
        assert item["marking"] in text  # Kazakh letters Қ and Ұ, read back from the glyphs
    # The chair by full name and position, from the signed commission and presence entries;
    # a member the register names by user id only, by that id.
    chair = "Нурланов Қайрат Серікұлы, заместитель начальника ДП"
    assert f"{chair} ({words(lang)['chair']})" in text  # present, and chair from the commission
    assert f"{chair} {words(lang)['chair']}" in text  # in the signatures
    assert "chair.nurlanov" not in text
    assert f"member.abenova ({words(lang)['commission_member']})" in text
    plant = {"ru": "Карагандинский металлургический комбинат"} | PLACE_NAMES[PLANT]
    region = {"ru": "Алматы", "kk": "Алматы", "en": "Almaty"}[lang]  # stored as "Алматы"
    assert f"{plant[lang]}, {region}" in text  # the place and its region in the language
    assert content.attachment is not None
    attached = json.loads(content.attachment)
    shown = {"lang": lang, "zone": ZONE, "renderer": renderer_identity.identity()}
    shown["regions"] = True
    assert attached == {**evidence, "page": shown}
    assert verify_statement(data).ok


def test_the_region_is_printed_in_the_statements_language_and_as_stored_on_older_papers(
    evidence: dict[str, Any],
) -> None:
    """Issue 16: the region was printed as the register stores it (Kazakh) in every
    language. A statement printed now names it in its language (certificates.regions) and
    says so in its page evidence; one printed before says nothing of it, and is drawn again
    with the region as stored, as it was printed: verify-statement finds its text."""
    stored = copy.deepcopy(evidence)
    stored["statement"]["location"]["region"] = "Қарағанды облысы"
    named = {"ru": "Карагандинская область", "kk": "Қарағанды облысы", "en": "Karaganda Region"}
    for lang in LANGUAGES:
        place = dict(pages.build(stored, lang, ZONE).header)[words(lang)["place"]]
        assert place.endswith(f", {named[lang]}"), place
        now = {**stored, "page": {"lang": lang, "zone": ZONE, "regions": True}}
        assert dict(pages.build(now, lang, ZONE).header)[words(lang)["place"]] == place
        before = {**stored, "page": {"lang": lang, "zone": ZONE}}
        older = dict(pages.build(before, lang, ZONE).header)[words(lang)["place"]]
        assert older.endswith(", Қарағанды облысы"), older


def test_the_pdf_is_pdf_a_3_with_the_evidence_as_its_source(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    described = xmp.rdf_root.toxml()
    assert 'pdfaid:part="3"' in described
    assert 'pdfaid:conformance="B"' in described
    assert list(reader.attachments) == [proof.NAME]
    catalog = reader.trailer["/Root"]
    assert "/AF" in catalog  # PDF/A-3 names its associated files
    for filespec in (f.get_object() for f in catalog["/AF"]):
        assert filespec["/F"] == proof.NAME
        assert filespec["/AFRelationship"] == "/Source"
    assert "/OutputIntents" in catalog


def test_a_statement_rendered_again_in_another_process_is_byte_identical(
    evidence: dict[str, Any], pdf: bytes
) -> None:
    renderer = Renderer()
    try:
        again = renderer.render(evidence, "ru", ZONE)
    finally:
        renderer.close()
    assert again == pdf


def test_the_statement_names_its_checkpoint_and_digest_in_its_qr_code(
    evidence: dict[str, Any],
) -> None:
    page = pages.build(evidence, "en", ZONE)
    checkpoint, _ = parse_note(evidence["checkpoint"])
    assert page.qr == (
        f"custody-statement:v1;batch={evidence['statement']['batch']};"
        f"sha256={evidence['sha256']};size={checkpoint.size};root={checkpoint.root.hex()}"
    )
    assert "data:image/svg+xml" in render.html(evidence, "en", ZONE)


# -- verifying ---------------------------------------------------------------------------------


def test_a_genuine_statement_verifies_every_step(pdf: bytes, signed: tuple[Site, str]) -> None:
    site, _ = signed
    assert site.ledger.signer is not None
    report = verify_statement(pdf, site.ledger.signer.verifier)
    assert report.ok
    assert [step.name for step in report.steps] == list(STEPS.values())


def test_not_a_pdf_fails_at_the_attachment() -> None:
    assert failed_at(verify_statement(b"%PDF-1.7 but not really"))[0] == "attachment"


def test_a_ledger_key_other_than_the_one_trusted_fails_at_keys(pdf: bytes) -> None:
    other = Signer.generate("custody.test/ledger").verifier  # same name, another key
    assert failed_at(verify_statement(pdf, other))[0] == "keys"


def test_edited_attachment_entry_body(evidence: dict[str, Any]) -> None:
    forged = copy.deepcopy(evidence)
    item = forged["statement"]["items"][0]["id"]
    first = forged["chains"][item][0]
    first["body"] = first["body"].replace("ҚҰ", "КУ", 1)
    assert failed_at(verify_statement(render.render(forged, "ru", ZONE)))[0] == "entries"


def test_edited_attachment_statement(evidence: dict[str, Any]) -> None:
    forged = copy.deepcopy(evidence)
    forged["statement"]["items"][0]["marking"] = "ЖОҚ 000000"
    assert failed_at(verify_statement(render.render(forged, "ru", ZONE)))[0] == "statement"


def test_edited_row_on_the_page(evidence: dict[str, Any]) -> None:
    page = pages.build(evidence, "kk", ZONE)
    rows = [list(row) for row in page.rows]
    rows[1][2] = "ҚҰ 999999"  # another marking printed; the attachment untouched
    forged = render.render(evidence, "kk", ZONE, dataclasses.replace(page, rows=rows))
    name, reason = failed_at(verify_statement(forged))
    assert name == "page"
    assert "row 2" in reason


def test_item_dropped_from_the_table(evidence: dict[str, Any]) -> None:
    page = pages.build(evidence, "ru", ZONE)
    forged = render.render(evidence, "ru", ZONE, dataclasses.replace(page, rows=page.rows[:-1]))
    assert failed_at(verify_statement(forged))[0] == "page"


def test_item_dropped_from_the_evidence(evidence: dict[str, Any]) -> None:
    forged = copy.deepcopy(evidence)
    dropped = forged["statement"]["items"].pop()
    del forged["chains"][dropped["id"]]
    forged["sha256"] = hashlib.sha256(canonical.dumps(forged["statement"])).hexdigest()
    name, reason = failed_at(verify_statement(render.render(forged, "ru", ZONE)))
    assert name == "statement"
    assert "missing" in reason


def test_forged_checkpoint(evidence: dict[str, Any]) -> None:
    forged = copy.deepcopy(evidence)
    lines = forged["checkpoint"].split("\n")
    lines[1] = str(int(lines[1]) + 1)  # a bigger tree, under the old signature
    forged["checkpoint"] = "\n".join(lines)
    assert failed_at(verify_statement(render.render(forged, "ru", ZONE)))[0] == "checkpoint"


def test_statement_before_the_quorum_signed(tmp_path: Path) -> None:
    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    batch = _destroyed(site, 1)
    site.sign(batch, "member.kim")
    data = render.render(evidence_of(site, batch), "en", ZONE)
    name, reason = failed_at(verify_statement(data))
    assert name == "quorum"
    assert "not final" in reason
    assert "Not final" in read_pdf(data, proof.NAME).text


def test_signature_by_a_key_revoked_before_signing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that skipped the ledger's act check: its log is signed, its proofs hold, and
    still the statement fails, because the key was revoked before the act was recorded."""
    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    batch = _destroyed(site, 1)
    keyring.revoke_key(site.ledger, "admin", site.people["member.abenova"].key_id, "lost")
    monkeypatch.setattr("custody.append.check_act", lambda *_: None)
    site.sign(batch, *MEMBERS)
    name, reason = failed_at(verify_statement(render.render(evidence_of(site, batch), "ru", ZONE)))
    assert name == "signatures"
    assert "revoked" in reason


def test_a_key_revoked_after_signing_still_holds(tmp_path: Path) -> None:
    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    batch = _destroyed(site, 1)
    site.sign(batch, *MEMBERS)
    keyring.revoke_key(site.ledger, "admin", site.people["member.abenova"].key_id, "retired")
    assert verify_statement(render.render(evidence_of(site, batch), "ru", ZONE)).ok


def test_signer_who_was_not_a_member_at_the_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that skipped R8: someone with a valid key, but no member of the commission."""
    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    batch = _destroyed(site, 1)
    monkeypatch.setattr("workflows.rules.r8_may_sign", lambda *_: None)
    site.sign(batch, "member.tokayeva", *MEMBERS)
    name, reason = failed_at(verify_statement(render.render(evidence_of(site, batch), "ru", ZONE)))
    assert name == "signatures"
    assert "member.tokayeva was not a member" in reason


def test_statement_naming_someone_other_than_the_presence_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that printed another name for a person present than their presence entry
    records (and had the members sign that): the statement fails at its content."""
    from workflows import statements

    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    batch = _destroyed(site, 1)
    honest = statements.content

    def renamed(world: Any, batch_: Any) -> dict[str, Any]:
        content = honest(world, batch_)
        content["present"][0]["full_name"] = "Другой Человек"
        return content

    monkeypatch.setattr(statements, "content", renamed)
    site.sign(batch, *MEMBERS)
    evidence = evidence_of(site, batch)
    monkeypatch.undo()
    name, reason = failed_at(verify_statement(render.render(evidence, "ru", ZONE)))
    assert name == "statement"
    assert "person 1 present (chair.nurlanov)" in reason


# -- the render again in a process of its own (certificates.again) ----------------------------


def test_a_genuine_statement_verifies_with_its_render_in_a_process_of_its_own(
    pdf: bytes, signed: tuple[Site, str]
) -> None:
    from certificates.verify_statement import StatementCheck

    site, _ = signed
    assert site.ledger.signer is not None
    check = StatementCheck(pdf, site.ledger.signer.verifier)
    assert check.run().ok
    assert check.again is not None
    assert check.again.returncode == 0


def test_a_check_that_fails_before_the_page_kills_its_render_at_once(pdf: bytes) -> None:
    """It used to wait for the render nobody needed (seconds for 1,000 items)."""
    from certificates.again import RenderAgain
    from certificates.verify_statement import StatementCheck

    other = Signer.generate("custody.test/ledger").verifier
    check = StatementCheck(pdf, other)
    assert failed_at(check.run())[0] == "keys"
    assert isinstance(check.again, RenderAgain)
    assert check.again.returncode == -9  # killed, not left to finish its render


# -- the QR code's payload (certificates.qr_payload, docs/statement-qr.md) ---------------------


PUBLIC = "https://custody.example.kz/base"


def test_a_statement_with_a_public_url_carries_the_check_address_and_verifies(
    evidence: dict[str, Any], signed: tuple[Site, str]
) -> None:
    from certificates import qr_reading
    from certificates.qr_payload import parse

    pdf = render.render(evidence, "kk", ZONE, public_url=PUBLIC)
    checkpoint, _ = parse_note(evidence["checkpoint"])
    batch = evidence["statement"]["batch"]
    codes = {code for page in qr_reading.page_codes(pdf) for code in page}
    assert codes == {
        f"{PUBLIC}/web/check/{batch}?sha256={evidence['sha256']}"
        f"&size={checkpoint.size}&root={checkpoint.root.hex()}"
    }
    read = parse(codes.pop())
    assert (read.batch, read.sha256, read.size, read.base) == (
        batch,
        evidence["sha256"],
        checkpoint.size,
        PUBLIC,
    )
    site, _ = signed
    assert site.ledger.signer is not None
    report = verify_statement(pdf, site.ledger.signer.verifier)
    assert report.ok, report.first_failure


def test_a_qr_code_that_names_another_statement_fails_naming_what_differs(
    evidence: dict[str, Any],
) -> None:
    from certificates.verify_statement import qr_problem

    page = pages.build(evidence, "ru", ZONE, PUBLIC)
    other = page.qr.replace(f"sha256={evidence['sha256']}", "sha256=" + "0" * 64)
    problem = qr_problem(page, [[page.qr], [other]])
    assert problem is not None
    assert "page 2" in problem
    assert "sha256" in problem
    old = pages.build(evidence, "ru", ZONE)  # the version 1 text, for the same statement
    problem = qr_problem(page, [[old.qr]])
    assert problem is not None
    assert "base None" in problem
    assert qr_problem(page, [["https://example.com/"]]) is not None
    assert qr_problem(page, [[]]) == "page 1 carries no QR code that can be read"
    assert qr_problem(page, [[page.qr], [page.qr]]) is None


def test_a_machine_without_a_renderer_reports_the_page_step_could_not_be_completed(
    pdf: bytes, tmp_path: Path
) -> None:
    """WeasyPrint (or Pango) missing where the statement is checked: step 10 is neither ok
    nor failed, it says why, and the command exits 2."""
    from tests.support.processes import environment, run

    fake = tmp_path / "nothing-renders-here"
    (fake / "weasyprint").mkdir(parents=True)
    (fake / "weasyprint" / "__init__.py").write_text("raise ImportError('no Pango here')\n")
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    env = environment(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(fake), env.get("PYTHONPATH", "")])
    done = run(env, "verify-statement", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "10. page              could not be completed" in done.stdout
    assert "no Pango here" in done.stdout


def test_signers_removed_and_added_again_still_signed_their_statement_as_they_were(
    tmp_path: Path,
) -> None:
    """Issue 16 (F3): an administrator changes a position the only way the admin page has,
    removing a member and adding them back. Every membership period counts (as the server's
    rule, workflows.membership): the statement they signed before, rendered again now, still
    verifies, and prints each signer as the register stood when they signed."""
    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    batch = _destroyed(site, 1)
    site.sign(batch, *MEMBERS)
    site.clock.advance(hours=2)
    for person, role in (("chair.nurlanov", "chair"), ("member.abenova", "member")):
        site.process.remove_commission_member("admin", COMMISSION, person)
        site.clock.advance(minutes=5)
        site.process.add_commission_member(
            "admin", COMMISSION, person, role, full_name=NEW_NAME, position=NEW_POSITION
        )
    data = render.render(evidence_of(site, batch), "ru", ZONE)
    report = verify_statement(data)
    assert report.ok, failed_at(report)
    text = " ".join(read_pdf(data, proof.NAME).text.split())
    full_name, position = NAMED["chair.nurlanov"]
    assert f"{full_name}, {position}" in text
    assert "member.abenova" in text  # named by user id, as when she signed
    assert NEW_NAME not in text
    assert NEW_POSITION not in text


NEW_NAME, NEW_POSITION = "Генеральный Прокурор РК", "прокурор"
