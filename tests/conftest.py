"""Fixtures: real databases (SQLite files, PostgreSQL databases), settings and ledgers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from custody.bootstrap import init
from custody.ledger import Ledger
from custody.settings import Settings
from tests.support.databases import postgres_database, sqlite_url

settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")

TEST_ORIGIN = "custody.test/ledger"


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
