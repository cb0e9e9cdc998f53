"""A destruction statement to read, made once per test worker: a site with three rifles
melted in one batch whose statement a quorum signed, and that statement rendered in Russian.

tests/test_statements.py and tests/test_statement_forgeries.py read the same statement (they
built and rendered one each); a test that changes a site or a statement builds its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from certificates import evidence as proof
from tests.support.databases import sqlite_url
from tests.support.site import Site, build_site

ZONE = "Asia/Almaty"
MEMBERS = ("chair.nurlanov", "member.abenova")  # two of three: the quorum


def destroyed(site: Site, count: int) -> str:
    """`count` rifles registered, through forensics, prepared and melted; the batch's id."""
    return site.destroy(*[site.register_rifle(marking=f"ҚҰ {n:06d}") for n in range(count)])


def evidence_of(site: Site, batch: str) -> dict[str, Any]:
    """The statement's evidence (certificates.evidence.gather), with a checkpoint covering it
    (issued, the first time, if none does)."""
    content, digest = site.process.statement(batch)
    with site.ledger.database.write() as conn:
        newest = proof.newest_seq(conn, content)
        checkpoint = proof.covering_checkpoint(conn, newest + 1)
        if checkpoint is None:
            checkpoint = site.ledger.issue_checkpoint(conn)
        return proof.gather(site.ledger, conn, content, digest, checkpoint)


@pytest.fixture(scope="session")
def signed_statement(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    """The site and the batch of the signed statement; only to read."""
    from tests.conftest import make_settings

    directory = tmp_path_factory.mktemp("statements")
    site = build_site(make_settings(directory, sqlite_url(directory)))
    batch = destroyed(site, 3)
    site.sign(batch, *MEMBERS)
    evidence_of(site, batch)  # its checkpoint, issued now: later reads change nothing
    yield site, batch
    site.ledger.database.dispose()


@pytest.fixture(scope="session")
def statement_pdf(signed_statement: tuple[Site, str]) -> bytes:
    """The signed statement rendered in Russian (bytes: no test can change it). render() sets
    SOURCE_DATE_EPOCH for its process; it is put back as it was."""
    from certificates import render  # WeasyPrint: imported by the runs that render

    before = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        return render.render(evidence_of(*signed_statement), "ru", ZONE)
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
