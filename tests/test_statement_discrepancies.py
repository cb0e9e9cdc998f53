"""A batch's discrepancy on its statement (issue 16, the last attack's MED finding): a charge
that did not reconcile with its items' weights, and how it was settled, is stated in the
content the members sign, printed on the PDF as on the batch page, and checked offline by
verify-statement; a weight discrepancy settled "corrected" states the right charge weight;
a statement signed before statements carried discrepancies still verifies as signed."""

from __future__ import annotations

import copy
import functools
import hashlib
import html
import os
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from api.public_statements import public_statement
from api.system import System
from api.web.public_check import paper_shown, times_in
from api.web.render import page
from certificates import evidence as proof
from certificates import page as pages
from certificates import render
from certificates.pdf_reading import read_pdf
from certificates.qr_payload import Payload
from certificates.verify_statement import StatementReport, verify_statement
from certificates.words import LANGUAGES, words
from certificates.worker import Renderer
from custody import canonical
from custody.verify import verify as verify_ledger
from tests.support.site import Site
from tests.support.statements import MEMBERS, ZONE, evidence_of
from workflows import statements
from workflows.errors import InvalidRequest, RuleViolation
from workflows.replay import verify_steps
from workflows.reports.recompute import ReportRequest, at_checkpoint, choose_checkpoint

SHORT = 500  # grams missing from the charge: beyond the 200 g tolerance of one 3 kg rifle
NOTE = "перевешено: весы неисправны, акт поверки №3"


@pytest.fixture(autouse=True)
def _keep_environment() -> Iterator[None]:
    """render() sets SOURCE_DATE_EPOCH for its process; these tests render in theirs."""
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


def _short_batch(site: Site) -> tuple[str, str]:
    """One rifle melted in a charge SHORT grams light: the batch and its weight discrepancy."""
    rifle = site.register_rifle(marking="ҚҰ 777001")
    batch = site.destroy(rifle, charge_weight_g=3000 - SHORT)
    discrepancy = site.process.batch(batch).discrepancy
    assert discrepancy is not None
    return batch, discrepancy


def _size(site: Site) -> int:
    with site.ledger.database.read() as conn:
        return site.ledger.head(conn).size


def _failed_at(report: StatementReport) -> tuple[str, str]:
    failure = report.first_failure
    assert failure is not None, "verify-statement passed a forged statement"
    return failure.name, failure.reason or ""


# -- settling: a corrected weight states the right figure, at the command layer ---------------


def test_a_weight_discrepancy_settled_corrected_must_state_a_charge_weight_that_reconciles(
    site: Site,
) -> None:
    batch, discrepancy = _short_batch(site)
    before = _size(site)
    resolve = functools.partial(site.process.resolve_discrepancy, "official.zhakupov", discrepancy)
    with pytest.raises(InvalidRequest, match="corrected_charge_g"):
        resolve("corrected", NOTE)
    with pytest.raises(RuleViolation, match="INVENTORY: the corrected charge weight 2600 g"):
        resolve("corrected", NOTE, 2600)  # still 400 g short of the items' 3000 g
    with pytest.raises(InvalidRequest, match="only when a batch's weight discrepancy"):
        resolve("found", "шлак взвешен отдельно", 3000)
    with pytest.raises(ValidationError, match="corrected_charge_g"):  # at the command's door
        resolve("corrected", NOTE, -3000)
    assert _size(site) == before
    resolve("corrected", NOTE, 2950)
    [stated] = site.process.statement(batch)[0]["discrepancies"]
    assert (stated["resolution"], stated["corrected_charge_g"]) == ("corrected", 2950)


def test_an_item_discrepancy_takes_no_corrected_charge_weight(site: Site) -> None:
    rifle = site.register_rifle()
    opened = site.process.record_discrepancy("unit.serikbaev", rifle, "не найден на полке")
    with pytest.raises(InvalidRequest, match="corrected_charge_g"):
        site.process.resolve_discrepancy("official.zhakupov", opened, "corrected", "опечатка", 10)


# -- the statement states it ------------------------------------------------------------------


def test_the_statement_states_the_discrepancy_and_how_it_was_settled_and_verifies(
    site: Site, renderer: Renderer
) -> None:
    batch, discrepancy = _short_batch(site)
    site.process.resolve_discrepancy("official.zhakupov", discrepancy, "corrected", NOTE, 2950)
    site.sign(batch, *MEMBERS)
    content, digest = site.process.statement(batch)
    [stated] = content["discrepancies"]
    assert stated["discrepancy"] == discrepancy
    assert stated["reason"] == "weight"
    assert stated["details"] == {
        "expected_g": 3000,
        "charge_g": 2500,
        "difference_g": -500,
        "tolerance_g": 200,
    }
    assert (stated["resolution"], stated["note"], stated["corrected_charge_g"]) == (
        "corrected",
        NOTE,
        2950,
    )
    assert site.process.batch(batch).statement == digest  # what the members signed
    # The state rows are the replay's, the corrected figure too.
    audit = verify_ledger(site.ledger.database, extra_steps=verify_steps(site.files))
    assert audit.ok, audit
    evidence = evidence_of(site, batch)
    assert evidence["format"] == proof.FORMAT_DISCREPANCIES
    for lang in LANGUAGES:
        pdf = render.render(evidence, lang, ZONE)
        text = " ".join(read_pdf(pdf, proof.NAME).text.split())
        said = words(lang)
        for label in ("discrepancies", "reason.weight", "resolution.corrected"):
            assert said[label] in text, (lang, label)
        assert NOTE in text
        corrected = pages.kilograms(2950, lang)
        assert f"{said['disc.corrected_charge_g']} {corrected}" in text
        report = verify_statement(pdf, site.ledger.signer.verifier, renderer=renderer)
        assert report.ok, report.to_json()


def test_the_public_check_and_the_reconciliation_report_list_the_batchs_discrepancy(
    site: Site,
) -> None:
    """Issue 16 leftovers: the discrepancy the signed statement states, and how it was
    settled, is on the statement's public check page and in the reconciliation report's
    list of batches, in each language."""
    batch, discrepancy = _short_batch(site)
    site.process.resolve_discrepancy("official.zhakupov", discrepancy, "corrected", NOTE, 2950)
    site.sign(batch, *MEMBERS)
    _, digest = site.process.statement(batch)
    with site.ledger.database.write() as conn:
        checkpoint = site.ledger.issue_checkpoint(conn)
    paper = Payload(batch, digest, checkpoint.size, checkpoint.root.hex(), None)
    found = public_statement(System(site.ledger, site.process), paper)
    assert not found.withheld
    today = site.clock().astimezone(ZoneInfo(ZONE)).date()
    at = choose_checkpoint(site.ledger, None)
    asked = ReportRequest.between("reconciliation", today, today, ZONE)
    report, _ = at_checkpoint(site.ledger.database, asked, at)
    for lang in LANGUAGES:
        said = words(lang)
        context = paper_shown(found, lang, ZONE)
        shown = page("check_statement.html.j2", lang, None, s=found, at=times_in(ZONE), **context)
        public = " ".join(html.unescape(bytes(shown.body).decode()).split())
        for text in (said["discrepancies"], discrepancy, NOTE):
            assert text in public, (lang, text)
        assert said["resolution.corrected"] in public
        assert pages.kilograms(2950, lang) in public
        listed = page(
            "report_reconciliation.html.j2",
            lang,
            None,
            report=report,
            words={},
            names={},
            query="",
            formats=[],
            paper_words=said,
        )
        row = re.search(rf'<tr data-batch="{batch}">.*?</tr>', bytes(listed.body).decode(), re.S)
        assert row is not None
        assert f"{discrepancy}: {said['resolution.corrected']}" in html.unescape(row[0])


def test_a_statement_that_leaves_out_or_rewords_its_batchs_discrepancy_fails_at_statement(
    site: Site, renderer: Renderer
) -> None:
    """Forgeries of the attachment, each with its SHA-256 made again (the members' acts then
    sign another digest, but the statement step comes first and names what was done)."""
    batch, discrepancy = _short_batch(site)
    site.process.resolve_discrepancy("official.zhakupov", discrepancy, "corrected", NOTE, 2950)
    site.sign(batch, *MEMBERS)
    genuine = evidence_of(site, batch)

    def forged(change: Any, format_: str | None = None) -> tuple[str, str]:
        evidence = copy.deepcopy(genuine)
        change(evidence["statement"])
        evidence["format"] = format_ or evidence["format"]
        evidence["sha256"] = hashlib.sha256(canonical.dumps(evidence["statement"])).hexdigest()
        pdf = render.render(evidence, "ru", ZONE)
        return _failed_at(verify_statement(pdf, renderer=renderer))

    def reworded(statement: dict[str, Any]) -> None:
        statement["discrepancies"][0]["note"] = "расхождений не было"

    def reweighed(statement: dict[str, Any]) -> None:
        statement["discrepancies"][0]["corrected_charge_g"] = 3000

    def left_out(statement: dict[str, Any]) -> None:
        del statement["discrepancies"]

    assert forged(reworded) == (
        "statement",
        f"discrepancy 1 ({discrepancy}) on the statement is not as the batch's entries record it",
    )
    assert forged(reweighed)[0] == "statement"
    name, reason = forged(left_out)
    assert (name, "states the discrepancies of its batch" in reason) == ("statement", True)
    # Left out and passed off as a statement of the format before: its acts sign another
    # digest, so the signatures step names it.
    assert forged(left_out, proof.FORMAT) == ("signatures", "the act signs another statement")


def test_a_statement_signed_before_statements_carried_discrepancies_still_verifies(
    site: Site, renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The members of an older service signed the content without its discrepancy: the
    service keeps handing out that content (its digest is the one signed), its evidence
    stays of format v1, and verify-statement passes it as before."""
    batch, discrepancy = _short_batch(site)
    site.process.resolve_discrepancy("official.zhakupov", discrepancy, "found", "шлак, акт №4")
    monkeypatch.setattr(statements, "content", statements._content)  # the older service
    site.sign(batch, *MEMBERS)
    monkeypatch.undo()
    content, digest = site.process.statement(batch)
    assert "discrepancies" not in content
    assert digest == site.process.batch(batch).statement
    evidence = evidence_of(site, batch)
    assert evidence["format"] == proof.FORMAT
    pdf = render.render(evidence, "kk", ZONE)
    assert verify_statement(pdf, site.ledger.signer.verifier, renderer=renderer).ok


def test_a_statement_without_discrepancies_keeps_its_content_and_format(site: Site) -> None:
    """A batch that reconciled: the content, digest and evidence are as before issue 16."""
    rifle = site.register_rifle()
    batch = site.destroy(rifle)
    content, _ = site.process.statement(batch)
    assert "discrepancies" not in content
    assert evidence_of(site, batch)["format"] == proof.FORMAT
