"""Fixtures: real databases (SQLite files, PostgreSQL databases), settings and ledgers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from custody.bootstrap import init
from custody.ledger import Ledger
from custody.settings import Settings
from tests.support.databases import postgres_copy, postgres_database, sqlite_url
from tests.support.demos import Demos
from tests.support.ran_all import (  # noqa: F401 (hooks: a run fails when fewer tests ran than were collected)
    pytest_collection_finish,
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_xdist_node_collection_finished,
)
from tests.support.scenario import copy_sqlite
from tests.support.site import Site, build_site, reopen_site
from tests.support.statements import signed_statement, statement_pdf  # noqa: F401 (fixtures)

settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")

TEST_ORIGIN = "custody.test/ledger"

# pytest-xdist hands out whole files (--dist loadfile), each to the first worker that is free,
# in the order they were collected (pyproject.toml: --no-loadscope-reorder; its default hands
# out the files with the most tests first, so that these, few long tests each, came last and
# one worker ran the last of them alone): the files that take longest go first, longest first,
# and the short ones fill in at the end. The first twelve measured on the CI machine kind,
# November 2026; the next ten from a run of the whole suite with --durations=0 (30 November
# 2026 on a loaded two-core machine, stopped at two thirds: their order, not their seconds,
# counts); test_statements and the web modules after it in the alphabet, which that run never
# reached, from runs of their own (each web one serves its own copy of the demo);
# test_api_places and test_api_reading moved down once their setup's accounts were made
# in-process (tests.support.processes.command: a third of the CPU they took). A file that
# takes over a minute and is not named here starts when its turn in the alphabet comes, and
# may leave one worker running it alone at the end: name it here. Reordered on 1 December 2026
# from a whole run's per-file times (--junitxml, every file over 60 s, longest first).
LONGEST_FIRST = (
    "test_web_commission.py",
    "test_login_throttle.py",
    "test_public_check.py",
    "test_api_boundary_acts.py",
    "test_web_labels.py",
    "test_api_boundary.py",
    "test_api_places.py",
    "test_api_reading.py",
    "test_api_dual_control.py",
    "test_web_desk.py",
    "test_api_two_servers.py",
    "test_web_audit_admin.py",
    "test_web_late_entries.py",
    "test_process_stateful.py",
    "test_api_process.py",
    "test_reports_verify.py",
    "test_web_dashboard.py",
    "test_demo.py",
    "test_refused_files.py",
    "test_web_desk_findings.py",
    "test_reports_shown.py",
    "test_web_forms.py",
    "test_notices.py",
    "test_api_bodies_strict.py",
    "test_web_scan_live.py",
    "test_diversion.py",
    "test_api_reports.py",
    "test_api_key_requests.py",
    "test_statement_forgeries.py",
    "test_deadlines_by_law.py",
    "test_api_login.py",
    "test_web_places.py",
    "test_web_docs.py",
    "test_verify.py",
    "test_api_ledger.py",
    "test_web_pages.py",
    "test_process_rules.py",
    "test_api_schema.py",
    "test_statements.py",
    "test_ledger_key_live_rotation.py",
    "test_intake_photos.py",
    "test_web_form_limits.py",
    "test_concurrency.py",
    "test_web_batch_paper.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (LONGEST_FIRST), the others after them as collected; the
    tests of a file keep their order and stay together (a stable sort by file)."""
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demos]:
    """`custody demo`'s data, made once per worker and kind of database, for modules to copy
    (tests.support.demos)."""
    with ExitStack() as stack:
        yield Demos(tmp_path_factory, stack)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of each kind."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        with postgres_database() as url:
            yield url


def make_settings(directory: Path, url: str) -> Settings:
    return Settings(
        data_dir=directory,
        database_url=url,
        ledger_key_file=directory / "ledger.key",
        origin=TEST_ORIGIN,
    )


@pytest.fixture
def app_settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def ledger(app_settings: Settings) -> Iterator[Ledger]:
    """An initialised ledger (genesis written) on each kind of database."""
    result = init(app_settings)
    yield result.ledger
    result.ledger.database.dispose()


@pytest.fixture(scope="session")
def site_templates(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, tuple[Settings, Site]]]:
    """Sites built when first asked for, once per kind of database and worker: places, a
    commission, people with keys. Kept for the whole run, so that a worker going from a
    file's SQLite tests to its PostgreSQL ones and on to the next file's builds none again (a
    parametrized session fixture keeps one parameter at a time, and rebuilt the site at every
    change of kind: twice a file)."""
    with ExitStack() as stack:

        class Built(dict[str, tuple[Settings, Site]]):
            def __missing__(self, kind: str) -> tuple[Settings, Site]:
                directory = tmp_path_factory.mktemp(f"site-{kind}")
                url = (
                    sqlite_url(directory)
                    if kind == "sqlite"
                    else stack.enter_context(postgres_database())
                )
                settings = make_settings(directory, url)
                template = build_site(settings)
                template.ledger.database.dispose()
                self[kind] = (settings, template)
                return self[kind]

        yield Built()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site_template(
    request: pytest.FixtureRequest, site_templates: dict[str, tuple[Settings, Site]]
) -> tuple[Settings, Site]:
    """The site of each kind of database, built once (site_templates): only to copy."""
    return site_templates[request.param]


@pytest.fixture
def site(site_template: tuple[Settings, Site], tmp_path: Path) -> Iterator[Site]:
    """A copy of the template site, for one test to change as it likes."""
    settings, template = site_template
    with ExitStack() as stack:
        if settings.database_url.startswith("sqlite"):
            copy_sqlite(
                Path(settings.database_url.removeprefix("sqlite:///")), tmp_path / "custody.db"
            )
            url = sqlite_url(tmp_path)
        else:
            url = stack.enter_context(postgres_copy(settings.database_url))
        shutil.copy2(settings.ledger_key_file, tmp_path / "ledger.key")
        shutil.copytree(settings.data_dir / "files", tmp_path / "files")
        copy = reopen_site(make_settings(tmp_path, url), template)
        yield copy
        copy.ledger.database.dispose()
