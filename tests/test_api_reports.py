"""GET /reports/*: the same report the command line makes, for a reading role, in each
format; bad input is problem+json and changes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import report_year
from tests.support.processes import environment, run, server
from tests.support.report_year import EXPECTED_WEAPONS, Year
from tests.support.service import PASSWORD, PROBLEM, Service
from tests.support.site import PLANT, Site


@pytest.fixture
def served(site: Site, tmp_path: Path) -> Iterator[tuple[Service, Year]]:
    year = report_year.build(site)
    env = environment(tmp_path, site.ledger.database.url)
    with server(env) as base:
        service = Service(base, env, tmp_path)
        # The site's accounts are in its ledger already; the auditor needs only a password.
        secret = tmp_path / "password"
        secret.write_text(PASSWORD + "\n")
        done = run(env, "user", "password", "auditor.li", "--password-file", str(secret))
        assert done.returncode == 0, done.stderr
        yield service, year


def test_an_auditor_gets_the_annual_report_and_its_spreadsheet(
    served: tuple[Service, Year],
) -> None:
    from openpyxl import load_workbook

    service, year = served
    with service.client("auditor.li") as client:
        got = client.get("/reports/annual", params={"year": year.year})
        assert got.status_code == 200, got.text
        report = got.json()
        assert report["weapons"] == EXPECTED_WEAPONS
        assert report["checkpoint"]["note"].startswith("custody.test/ledger\n")
        one = client.get("/reports/annual", params={"year": year.year, "place": PLANT}).json()
        assert one["weapons"]["destroyed"] == EXPECTED_WEAPONS["destroyed"]
        sheet = client.get("/reports/annual", params={"year": year.year, "format": "xlsx"})
        assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(sheet.content))
        assert "UNODC" in book.sheetnames
        month = client.get(
            "/reports/compliance",
            params={"from": f"{year.year}-01-01", "to": f"{year.year}-12-31", "format": "csv"},
        )
        assert month.status_code == 200
        assert month.text.startswith("figure,value\n")


BAD = [{"format": "doc"}, {"lang": "fr"}, {"tz": "Mars/Olympus"}, {"year": "next"}]


def test_bad_input_is_problem_json_and_reports_need_a_login(
    served: tuple[Service, Year],
) -> None:
    service, year = served
    with service.client("auditor.li") as client:
        for params in BAD:
            refused = client.get("/reports/annual", params={"year": str(year.year), **params})
            assert refused.status_code == 422, params
            assert refused.headers["content-type"] == PROBLEM
        period = {"from": f"{year.year}-01-01", "to": f"{year.year}-12-31"}
        no_pdf = client.get("/reports/compliance", params={**period, "format": "pdf"})
        assert no_pdf.status_code == 422
        assert no_pdf.json()["type"] == "/problems/invalid-request"
        backwards = {"from": f"{year.year}-12-31", "to": f"{year.year}-01-01"}
        assert client.get("/reports/reconciliation", params=backwards).status_code == 422
    with service.client() as anonymous:
        assert anonymous.get("/reports/annual", params={"year": year.year}).status_code == 401
