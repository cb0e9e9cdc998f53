"""A device token issued on the administrator's page waits, sealed, for the page that shows
it once (api.web.issued_tokens), on SQLite and PostgreSQL: read once by its own browser
session, from any server process; never by another session; never after its lifetime; and
the database alone does not hold it."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from api.system import initialise
from api.tables import IssuedTokenRow
from api.web import issued_tokens
from custody.db import Database
from custody.settings import Settings
from workflows.model import Device

NOW = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)
DEVICE = Device("dev-1", "sklad.omarov", "warehouse_clerk", "WH-ALM", "gate", "t0", "t1")


@pytest.fixture
def database(app_settings: Settings) -> Iterator[Database]:
    made = initialise(app_settings)[1]
    yield made.ledger.database
    made.ledger.database.dispose()


def _keep(database: Database, session: str, token: str, now: dt.datetime = NOW) -> None:
    with database.write(lock=False) as conn:
        issued_tokens.keep(conn, session, token, DEVICE, now)


def _take(database: Database, session: str, now: dt.datetime = NOW) -> tuple[str, Device] | None:
    with database.write(lock=False) as conn:
        return issued_tokens.take(conn, session, now)


def test_the_token_is_read_once_by_its_session_from_any_process(database: Database) -> None:
    session, token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    _keep(database, session, token)
    other = Database(database.url)  # another server process's connections
    try:
        assert _take(other, secrets.token_urlsafe(32)) is None  # another session's: nothing
        assert _take(other, session) == (token, DEVICE)
        assert _take(database, session) is None  # shown once
        assert _take(other, session) is None
    finally:
        other.dispose()


def test_the_database_alone_does_not_hold_the_token_nor_the_session(database: Database) -> None:
    session, token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    _keep(database, session, token)
    with database.read() as conn:
        rows = [tuple(r) for r in conn.execute(select(IssuedTokenRow.__table__))]  # type: ignore[attr-defined]
    assert len(rows) == 1
    stored = " ".join(str(v) for v in rows[0])
    assert token not in stored
    assert session not in stored
    assert token.encode().hex() not in stored


def test_a_second_token_replaces_the_first_and_an_old_one_is_gone(database: Database) -> None:
    session = secrets.token_urlsafe(32)
    _keep(database, session, "first")
    _keep(database, session, "second")
    assert _take(database, session) == ("second", DEVICE)
    _keep(database, session, "late")
    later = NOW + issued_tokens.LIFETIME + dt.timedelta(seconds=1)
    assert _take(database, session, later) is None
    # A row nobody came for goes when the next token is kept.
    _keep(database, "abandoned", "never shown")
    _keep(database, session, "next", later + issued_tokens.LIFETIME)
    with database.read() as conn:
        left = conn.execute(select(IssuedTokenRow.__table__)).all()  # type: ignore[attr-defined]
    assert len(left) == 1
