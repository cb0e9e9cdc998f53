"""Putting the rooms together: the ledger, the process on top of it, and where files live.

The one place that knows every layer, so that `custody` (the ledger) never has to know about
`workflows` (the process): the process's tables are migrations after the ledger's, and its
replay is two more steps of `custody verify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.migrations import VERSIONS as API_VERSIONS
from api.service_secret import process_config
from custody.bootstrap import InitResult, init, open_ledger, open_readonly
from custody.clock import Clock, utc_now
from custody.db import Database
from custody.ledger import Ledger
from custody.settings import Settings
from custody.verify import ExtraStep
from workflows.cache import DocumentCache
from workflows.config import ProcessConfig
from workflows.files import FileStore
from workflows.migrations import VERSIONS
from workflows.process import SECOND_ADMIN, Process
from workflows.replay import verify_steps
from workflows.world import World

MIGRATIONS = [VERSIONS, API_VERSIONS]


def file_store(settings: Settings) -> FileStore:
    return FileStore(Path(settings.data_dir) / "files")


@dataclass(frozen=True)
class System:
    ledger: Ledger
    process: Process

    @property
    def clock(self) -> Clock:
        return self.process.clock


def initialise(
    settings: Settings,
    actor: str = "admin",
    clock: Clock = utc_now,
    cache: DocumentCache | None = None,
    second: str = SECOND_ADMIN,
) -> tuple[InitResult, System]:
    """Create or open everything: database and schema, ledger key, genesis entry, and the two
    founding administrators' accounts (the genesis entry's actor and `second`: dual control,
    workflows.dual; `custody user password` gives each a password). `cache`: the documents
    kept between actions (workflows.cache; by default 20,000)."""
    result = init(settings, actor, migrations=MIGRATIONS, clock=clock)
    config = process_config(settings.data_dir)
    process = Process(result.ledger, file_store(settings), config, clock, cache)
    process.found(second)
    return result, System(result.ledger, process)


def open_system(settings: Settings) -> System:
    ledger = open_ledger(settings)
    return System(ledger, Process(ledger, file_store(settings), process_config(settings.data_dir)))


def open_for_reading(settings: Settings) -> System:
    # reading writes nothing, not even the recipient secret's file (no payment is made)
    ledger = open_readonly(settings)
    return System(ledger, Process(ledger, file_store(settings), ProcessConfig()))


def audit_steps(settings: Settings) -> list[ExtraStep]:
    """What `custody verify` checks after the ledger's own nine steps: the process's, and
    that the service's credentials and device tokens are those of the ledger's accounts."""
    return verify_steps(file_store(settings), [("credentials", check_credentials)])


def check_credentials(world: World, database: Database) -> tuple[int | None, str] | None:
    """The service's tables against the ledger's accounts: a password only for an account the
    ledger has; each device token exactly as its `device_token_issued` entry bound it
    (account, role, place, expiry), revoked if and only if the ledger revoked it."""
    from sqlalchemy import inspect, select

    from api.access import tokens
    from api.tables import UserRow

    with database.read() as conn:
        if not inspect(conn).has_table("api_users"):
            return None  # a ledger the service never ran on: no credentials to check
        users = conn.execute(select(UserRow.username)).scalars().all()  # type: ignore[call-overload]
        devices = tokens.devices(conn)
    for username in users:
        if username not in world.accounts:
            return None, f"api_users has a password for {username}, an account the ledger lacks"
    for device_id, row in devices.items():
        device = world.devices.get(device_id)
        if device is None:
            return None, f"api_tokens has device token {device_id}, which the ledger never issued"
        recorded = {
            "account": device.account,
            "role": device.role,
            "place": device.place,
            "expires_at": device.expires_at,
        }
        if {k: row[k] for k in recorded} != recorded:
            return None, f"device token {device_id} differs from its device_token_issued entry"
        if (row["revoked_at"] is None) != (device.revoked_at is None):
            return None, f"device token {device_id} is revoked in one of ledger and api_tokens only"
    return None
