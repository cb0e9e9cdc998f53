"""Real databases for tests: a new SQLite file, or a new PostgreSQL database that is dropped
afterwards. When PostgreSQL cannot be reached the tests that need it skip with a clear
message, except under CI=true, where they fail: CI always has a server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from custody.db import Database

PG_HOST = os.environ.get("CUSTODY_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("CUSTODY_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("CUSTODY_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("CUSTODY_TEST_PG_DB", "test")
START_HINT = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        dbname=PG_ADMIN_DB,
        autocommit=True,
        connect_timeout=5,
    )


def require_postgres() -> None:
    try:
        _admin().close()
    except psycopg.OperationalError as exc:
        message = (
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} as {PG_USER} ({exc}); "
            f"start it with: {START_HINT}"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def pg_url(name: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


@contextmanager
def postgres_database() -> Iterator[str]:
    require_postgres()
    name = f"custody_test_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_copy(template_url: str) -> Iterator[str]:
    """A new database holding a copy of another (CREATE DATABASE ... TEMPLATE)."""
    template = template_url.rsplit("/", 1)[1]
    name = f"custody_test_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (template,),
        )
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield pg_url(name)
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'custody.db'}"


@contextmanager
def scratch_pair(url: str) -> Iterator[tuple[Database, Database]]:
    """A reader and a writer, two Database objects (two connections) at `url`, on one new
    table scratch (k TEXT, v INTEGER) holding ('a', 1) and ('b', 2); disposed after."""
    reader, writer = Database(url), Database(url)
    with writer.write(lock=False) as conn:
        conn.exec_driver_sql("CREATE TABLE scratch (k TEXT PRIMARY KEY, v INTEGER)")
        conn.exec_driver_sql("INSERT INTO scratch VALUES ('a', 1), ('b', 2)")
    try:
        yield reader, writer
    finally:
        reader.dispose()
        writer.dispose()


def set_scratch(writer: Database, value: int) -> None:
    """Commit v = `value` for row 'a' of `scratch_pair`'s table."""
    with writer.write(lock=False) as conn:
        conn.exec_driver_sql(f"UPDATE scratch SET v = {value} WHERE k = 'a'")
