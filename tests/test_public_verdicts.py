"""The public check's verdicts when the log is rolled back or replaced (issue 16, a breaker's
findings): on real SQLite copies of one site's database, taken mid-way and driven apart.

- a genuine paper of a melted batch nobody has signed yet is "not final", not "NOT this
  batch's statement" (the batch's signed digest is empty until the first signature);
- a final paper shown against a log rolled back to before its signatures gets the log's
  verdict (inconsistent: rolled back, or a made-up size), and the paper is not blamed;
- two histories of one size are two log states (the public page's cache key) and two
  statement bases (the PDF cache's key): their roots differ, and evidence of one is never
  gathered from the other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.public_statements import log_state, public_statement
from api.statements import gather_evidence, statement_basis
from api.system import System
from api.web.public_check import times_in
from api.web.render import page
from certificates.qr_payload import Payload
from custody.errors import LedgerStateError
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.scenario import copy_sqlite
from tests.support.site import Site, reopen_site

RENDERER = {"weasyprint": "test"}  # the renderer's identity, as the cache key names it


def _copy(site: Site, source: Path, target: Path) -> Site:
    """The site as it stands now, on a copy of its SQLite database, key and files."""
    if not site.ledger.database.url.startswith("sqlite"):
        pytest.skip("copies a SQLite file")
    target.mkdir()
    copy_sqlite(source / "custody.db", target / "custody.db")
    shutil.copy2(source / "ledger.key", target / "ledger.key")
    shutil.copytree(source / "files", target / "files")
    return reopen_site(make_settings(target, sqlite_url(target)), site)


def _melted(site: Site) -> str:
    return site.destroy(site.register_rifle())


def _paper(site: Site, batch: str) -> Payload:
    """The QR code of the batch's statement printed now: bound to a checkpoint of the log."""
    _, digest = site.process.statement(batch)
    with site.ledger.database.write() as conn:
        checkpoint = site.ledger.issue_checkpoint(conn)
    return Payload(batch, digest, checkpoint.size, checkpoint.root.hex(), None)


def _page(site: Site, paper: Payload) -> str:
    """The public page as /web/check/{batch} draws it, in English."""
    found = public_statement(System(site.ledger, site.process), paper)
    shown = page("check_statement.html.j2", "en", None, s=found, at=times_in("UTC"))
    return bytes(shown.body).decode()


def test_a_genuine_paper_of_a_melted_batch_nobody_signed_is_not_final(site: Site) -> None:
    batch = _melted(site)
    text = _page(site, _paper(site, batch))
    assert "Not final" in text
    assert "NOT this batch's statement" not in text
    assert 'id="signatures"' not in text  # withheld all the same


def test_a_final_paper_against_a_log_rolled_back_is_the_logs_verdict(
    site: Site, tmp_path: Path
) -> None:
    batch = _melted(site)
    _paper(site, batch)  # the log signs a checkpoint before the statement is signed
    older = _copy(site, tmp_path, tmp_path / "older")  # before anyone signed
    site.sign(batch, "chair.nurlanov", "member.abenova")
    paper = _paper(site, batch)
    assert "Final" in _page(site, paper)
    text = _page(older, paper)  # the log restored to the older copy
    assert "NOT this batch's statement" not in text
    verdict = text.split('id="log-verdict"', 1)[1].split("</p>", 1)[0]
    assert "INCONSISTENT" in verdict
    assert "rolled back or replaced" in verdict
    assert "made up" in verdict  # without the checkpoint's signature, either may be the cause


def test_two_histories_of_one_size_are_two_log_states_and_two_statements(
    site: Site, tmp_path: Path
) -> None:
    batch = _melted(site)
    other = _copy(site, tmp_path, tmp_path / "other")
    other.clock.advance(minutes=7)  # the same acts, signed at another time: another tree
    for history in (site, other):
        history.sign(batch, "chair.nurlanov", "member.abenova")
    one, two = System(site.ledger, site.process), System(other.ledger, other.process)
    first, second = statement_basis(one, batch), statement_basis(two, batch)
    assert first.checkpoint_size == second.checkpoint_size
    assert first.digest == second.digest
    assert log_state(one)[0] == log_state(two)[0]
    assert log_state(one) != log_state(two)  # the public page is drawn again
    assert first.key("en", "UTC", RENDERER) != second.key("en", "UTC", RENDERER)
    with pytest.raises(LedgerStateError):
        gather_evidence(two, first)  # never a history the log no longer has
    paper = Payload(batch, first.digest, first.checkpoint_size, first.checkpoint_root, None)
    assert public_statement(one, paper).consistency.ok
    assert public_statement(two, paper).consistency.verdict == "not_signed"


def test_a_weapon_come_back_is_on_the_public_page_as_the_docs_say_and_why(site: Site) -> None:
    """The one section the paper cannot print (R11: it happens after the paper): kept on the
    public page on purpose, and docs/statement-qr.md says so and why; the new item's id is not
    on the page."""
    rifle = site.register_rifle(marking="СКС 556677")
    batch = site.destroy(rifle)
    site.sign(batch, "chair.nurlanov", "member.abenova")
    paper = _paper(site, batch)
    assert 'id="come-back"' not in _page(site, paper)
    again = site.register_rifle(marking="СКС 556677")  # the same weapon, presented again
    text = _page(site, paper)
    assert 'id="come-back"' in text
    assert rifle in text.split('id="come-back-list"', 1)[1]
    assert again not in text
    docs = (Path(__file__).parent.parent / "docs" / "statement-qr.md").read_text()
    assert "One section is the exception, on purpose" in docs
    assert "R11" in docs
