"""Creating a ledger and opening it again: `custody init`, and the first start of the service.

`init` is idempotent and safe to run from several processes at once: the schema migration
takes a lock, the key file is created exclusively, and the genesis entry is written only
while holding the append lock and only into an empty ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from custody import keys, migrate
from custody.clock import Clock, utc_now
from custody.db import Database
from custody.entries import NewEntry
from custody.errors import LedgerKeyError, LedgerStateError, NoLedger
from custody.ledger import Ledger
from custody.ledger_key import LedgerKeyFile
from custody.note import Signer
from custody.settings import Settings
from custody.store import Head, Store

# Written into the genesis entry so that an auditor years from now knows what to check.
LEDGER_FORMAT = {
    "format": "custody-ledger/v2",
    "canonicalization": "RFC 8785",
    "leaf_salt": "every body carries nonce: 128 random bits, 32 lowercase hex digits",
    "leaf_hash": "SHA-256(0x00 || body), RFC 9162 section 2.1.1",
    "entry_signature": "Ed25519 over 'custody/ledger-entry/v1' 0x00 || leaf hash",
    "act_signature": "Ed25519 over 'custody/act/v1' 0x00 || RFC 8785 act",
    "checkpoint": "C2SP tlog-checkpoint in a C2SP signed note",
}


@dataclass(frozen=True)
class InitResult:
    ledger: Ledger
    created_database: bool
    created_key: bool
    wrote_genesis: bool


def genesis_entry(signer: Signer, actor: str) -> NewEntry:
    public_key = signer.verifier.public_key
    data = {
        "origin": signer.name,
        "key": keys.key_object(keys.LEDGER_OWNER, keys.LEDGER, signer.name, public_key),
        **LEDGER_FORMAT,
    }
    return NewEntry(kind="ledger_created", actor=actor, data=data)


def init(
    settings: Settings,
    actor: str = "system",
    migrations: Sequence[Path] = (),
    clock: Clock = utc_now,
) -> InitResult:
    """Create (or open) the ledger; `migrations` adds the revisions of the layers above.
    `clock` dates its entries, the genesis entry first (demo data is dated in the past)."""
    database = Database(settings.database_url)
    created_database = not database.is_migrated()
    migrate.upgrade(database, migrations)
    key_file = LedgerKeyFile(settings.ledger_key_file)
    with database.read() as conn:
        head = Store(conn).head()
    if head.size > 0:
        assert head.ledger_key_id is not None
        opened = _open(database, key_file, head.ledger_key_id)
        opened.clock = clock
        return InitResult(opened, created_database, False, False)
    created_key = False
    if not key_file.exists():
        try:
            key_file.create(Signer.generate(settings.origin))
            created_key = True
        except LedgerKeyError:
            pass  # another process created it a moment ago; use theirs
    signer = key_file.load()
    ledger = Ledger(database, signer, clock, key_file)
    with database.write() as conn:
        if Store(conn).head().size > 0:
            return InitResult(ledger, created_database, created_key, False)
        ledger.append(conn, genesis_entry(signer, actor))
    return InitResult(ledger, created_database, created_key, True)


def _open(database: Database, key_file: LedgerKeyFile, ledger_key_id: str) -> Ledger:
    if not key_file.exists() and not key_file.pending_path.exists():
        raise LedgerKeyError(
            f"the ledger exists but its key file {key_file.path} is missing; "
            f"restore the key with id {ledger_key_id} (a new key would not be trusted)"
        )
    return Ledger(database, key_file.load_current(ledger_key_id), key_file=key_file)


def open_ledger(settings: Settings) -> Ledger:
    """Open an initialised ledger with its signing key; NoLedger where there is no database."""
    database = _existing(settings)
    head = _head(database)
    assert head.ledger_key_id is not None
    return _open(database, LedgerKeyFile(settings.ledger_key_file), head.ledger_key_id)


def open_readonly(settings: Settings) -> Ledger:
    """Open a ledger to read and verify it; no key is needed or loaded. NoLedger where there
    is no database."""
    database = _existing(settings)
    _head(database)
    return Ledger(database)


def require_database(settings: Settings) -> None:
    """NoLedger (one line naming the place looked at) where the settings' SQLite database file
    is not there: for a command that maintains an existing ledger through `init` (its
    migrations brought up to date) but must not make one where there is none (`custody
    notify`, `custody deadlines --rederive`). Looks at the path only: nothing is opened, so
    nothing is made; a server's URL (PostgreSQL) is left to `init` to reach."""
    url = make_url(settings.database_url)
    path = Path(url.database) if url.database and url.database != ":memory:" else None
    if url.get_backend_name() == "sqlite" and path is not None and not path.exists():
        where = (
            f"the data dir {settings.data_dir.resolve()} (CUSTODY_DATA_DIR)"
            if path.parent == settings.data_dir
            else "CUSTODY_DATABASE_URL"
        )
        raise NoLedger(
            f"no ledger database at {path.resolve()}, in {where}: run the command where the "
            "data is, set CUSTODY_DATA_DIR, or make one with `custody init`"
        )


def _existing(settings: Settings) -> Database:
    """The settings' database, opened only if it is there (`require_database`): SQLite makes a
    missing file as it connects, so a command run outside its data dir would leave an empty
    database behind (only `custody init` and `custody demo` make one)."""
    require_database(settings)
    return Database(settings.database_url)


def _head(database: Database) -> Head:
    if not database.is_migrated():
        url = database.engine.url.render_as_string(hide_password=True)
        raise LedgerStateError(f"no ledger at {url}: run `custody init`")
    with database.read() as conn:
        head = Store(conn).head()
    if head.size == 0:
        raise LedgerStateError("the ledger has no genesis entry: run `custody init`")
    return head
