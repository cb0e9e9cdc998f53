"""The database session every write goes through: one user action, one transaction.

Appends are serialised by the database itself, never by a Python lock, so that any number
of processes on any number of machines can write to one ledger without forking its chain:

- SQLite runs in WAL mode with synchronous=FULL (an acknowledged commit survives a power
  cut) and write transactions start with BEGIN IMMEDIATE, taking the write lock before the
  first read, so two writers can never both read the same head;
- PostgreSQL runs with synchronous_commit=on, and a write transaction first locks the one
  row of `ledger_head` (SELECT ... FOR UPDATE), which every other writer then waits for.

Because the lock is taken when the transaction starts, a rule checked inside it (is this item
still at the warehouse?) cannot be invalidated by a concurrent writer before it commits.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from custody.errors import LedgerStateError
from custody.write_lock import WriteLock

if TYPE_CHECKING:
    from sqlmodel import Session

_WRITE = "custody_write"
_LOCK_HEAD = "SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE"
SQLITE_BUSY_TIMEOUT_MS = 60_000


def _sqlite_engine(url: str, pooled: bool = True) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        _create_private(Path(database))
    options: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module, so that we can say IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        for pragma in (
            "journal_mode = WAL",
            "synchronous = FULL",
            "foreign_keys = ON",
            f"busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
            "cache_size = -65536",
        ):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Straight to the driver: through SQLAlchemy's execution path this one statement
        # costs as much as the rest of an append (see bench/appends.py).
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.connection.driver_connection.execute(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if immediate else "BEGIN"
        )

    return engine


@contextmanager
def savepoint(conn: Connection) -> Iterator[None]:
    """What is done inside is undone if it raises, and the transaction goes on.

    Straight through the driver, as BEGIN above: SQLAlchemy's begin_nested took 0.25 ms a
    savepoint on its execution path, a quarter of a one-item write in a batch."""
    raw: Any = conn.connection.driver_connection
    raw.execute("SAVEPOINT action")
    try:
        yield
    except BaseException:
        raw.execute("ROLLBACK TO SAVEPOINT action")
        raw.execute("RELEASE SAVEPOINT action")
        raise
    raw.execute("RELEASE SAVEPOINT action")


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only, in a directory only the owner
    may enter; SQLite gives its -wal and -shm files the same mode as the database."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _postgresql_engine(url: str) -> Engine:
    # connect_args replace the URL's own `options` (with_lock_timeout): both are kept
    given = make_url(url).query.get("options")
    options = " ".join(["-c synchronous_commit=on", *([given] if isinstance(given, str) else [])])
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options})


VERIFY_LOCK_TIMEOUT_MS = 60_000  # how long `custody verify` waits for a table someone locked


def with_lock_timeout(url: str, milliseconds: int = VERIFY_LOCK_TIMEOUT_MS) -> str:
    """A PostgreSQL URL whose every connection (worker processes' too, as they are given the
    URL) gives up waiting for a lock after `milliseconds` ("canceling statement due to lock
    timeout", SQLSTATE 55P03) instead of waiting for ever; any other URL unchanged (SQLite
    waits SQLITE_BUSY_TIMEOUT_MS at most already)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    option = f"-c lock_timeout={milliseconds}"
    return parsed.update_query_dict({"options": option}).render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        return _postgresql_engine(url)
    raise LedgerStateError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")


class Database:
    """One database: its engine, and transactions for reading and for writing."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._write_engine = self.engine.execution_options(**{_WRITE: True})
        # SQLite: one write connection per thread, kept open, from an engine of its own
        # without a pool: taking a connection from a pool and giving it back costs more than
        # an append's own work but its fsync, and kept connections must not starve the pool
        # the readers use. Connections of threads that have ended are closed as new ones come.
        self._sqlite_writer: Engine | None = None
        self._sqlite_reader: Engine | None = None
        self.write_lock: WriteLock | None = None
        if self.dialect == "sqlite":
            database = make_url(url).database
            if database and database != ":memory:":
                self.write_lock = WriteLock(Path(f"{database}.lock"))
            self._sqlite_writer = _sqlite_engine(url, pooled=False).execution_options(
                **{_WRITE: True}
            )
            # Readers keep theirs too: a server's event loop reads on one thread all day.
            self._sqlite_reader = _sqlite_engine(url, pooled=False)
        self._local = threading.local()
        self._held: dict[tuple[threading.Thread, str], Connection] = {}
        self._held_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self, lock: bool = True) -> Iterator[Connection]:
        """A write transaction holding the ledger's append lock from its first statement.

        `lock=False` is for a transaction whose first statement is an append, which locks
        the head itself (PostgreSQL); on SQLite the lock always comes with BEGIN IMMEDIATE.
        """
        if self._sqlite_writer is None:
            with self._write_engine.begin() as conn:
                if lock:
                    conn.exec_driver_sql(_LOCK_HEAD)
                yield conn
            return
        conn = self._kept_connection(self._sqlite_writer, "write")
        if conn.in_transaction():
            raise LedgerStateError("a write transaction is already open in this thread")
        with self.write_lock or nullcontext(), conn.begin():
            yield conn

    def _kept_connection(self, engine: Engine, use: str) -> Connection:
        """This thread's own connection for `use` (SQLite), opened on first use."""
        conn: Connection | None = getattr(self._local, use, None)
        if conn is None or conn.closed or conn.invalidated:
            conn = engine.connect()
            setattr(self._local, use, conn)
            with self._held_lock:
                for key in [k for k in self._held if not k[0].is_alive()]:
                    self._held.pop(key).close()
                self._held[(threading.current_thread(), use)] = conn
        return conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for everything read inside it."""
        if self._sqlite_reader is None:
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        conn = self._kept_connection(self._sqlite_reader, "read")
        if conn.in_transaction():  # a read inside a read on this thread: the same snapshot
            yield conn
            return
        with conn.begin():
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """`read` for a reader that runs its statements on the driver itself (Repository's
        raw SQL): one consistent snapshot for all of them, its BEGIN and COMMIT (SQLite)
        sent straight to the driver on this thread's kept read connection, without
        SQLAlchemy's transaction bookkeeping (8.9 us a read against 1.2 us here: a scan's
        whole check is about 80 us, api.web.scan, bench/README.md "scan15").

        SQLAlchemy is not told of this transaction: a Core statement or a `read` inside
        would BEGIN again, and fails loudly ("cannot start a transaction within a
        transaction") rather than read outside the snapshot. Inside a `read` or `snapshot`
        already open on this thread, that one's snapshot. On PostgreSQL, `read`."""
        if self._sqlite_reader is None:
            with self.read() as conn:
                yield conn
            return
        conn = self._kept_connection(self._sqlite_reader, "read")
        raw: Any = conn.connection.driver_connection
        if conn.in_transaction() or raw.in_transaction:  # nested: the same snapshot
            yield conn
            return
        raw.execute("BEGIN")
        try:
            yield conn
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")

    def read_rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Every row of one SELECT (`sql` in the driver's own placeholders: `?` for sqlite3,
        `%s` for psycopg), as the driver gives them, read in one snapshot.

        On SQLite straight through the driver on this thread's kept read connection, with no
        BEGIN or COMMIT: outside a transaction one statement is its own snapshot, and
        SQLAlchemy's transaction bookkeeping around it cost more than the statement (an item
        read of the API: bench/api.py). Every row is fetched, which ends that statement's
        snapshot; inside this thread's `read` it reads in that one's. On PostgreSQL a `read`
        of its own."""
        rows: list[Any]
        if self._sqlite_reader is None:
            with self.read() as conn:
                cursor: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                with cursor:
                    cursor.execute(sql, params)
                    rows = cursor.fetchall()
                    return rows
        raw: Any = self._kept_connection(self._sqlite_reader, "read").connection.driver_connection
        rows = raw.execute(sql, params).fetchall()
        return rows

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session inside a write transaction (for the state tables of workflows)."""
        from sqlmodel import Session  # the ORM costs 0.15 s to import; most commands need none

        with self.write() as conn, Session(bind=conn) as session:
            yield session
            session.flush()

    def is_migrated(self) -> bool:
        return inspect(self.engine).has_table("ledger_head")

    def dispose(self) -> None:
        with self._held_lock:
            held, self._held = list(self._held.values()), {}
        for conn in held:
            conn.close()
        self._local = threading.local()
        if self._sqlite_writer is not None:
            self._sqlite_writer.engine.dispose()
        if self._sqlite_reader is not None:
            self._sqlite_reader.dispose()
        if self.write_lock is not None:
            self.write_lock.close()
        self.engine.dispose()
