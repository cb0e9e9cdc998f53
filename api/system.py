"""Putting the rooms together: the ledger, the process on top of it, and where files live.

The one place that knows every layer, so that `custody` (the ledger) never has to know about
`workflows` (the process): the process's tables are migrations after the ledger's, and its
replay is two more steps of `custody verify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.migrations import VERSIONS as API_VERSIONS
from custody.bootstrap import InitResult, init, open_ledger, open_readonly
from custody.clock import Clock, utc_now
from custody.ledger import Ledger
from custody.settings import Settings
from custody.verify import ExtraStep
from workflows.config import ProcessConfig
from workflows.files import FileStore
from workflows.migrations import VERSIONS
from workflows.process import Process
from workflows.replay import verify_steps

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
    settings: Settings, actor: str = "system", clock: Clock = utc_now
) -> tuple[InitResult, System]:
    """Create or open everything: database and schema, ledger key, genesis entry."""
    result = init(settings, actor, migrations=MIGRATIONS, clock=clock)
    process = Process(result.ledger, file_store(settings), ProcessConfig(), clock)
    return result, System(result.ledger, process)


def open_system(settings: Settings) -> System:
    ledger = open_ledger(settings)
    return System(ledger, Process(ledger, file_store(settings), ProcessConfig()))


def open_for_reading(settings: Settings) -> System:
    ledger = open_readonly(settings)
    return System(ledger, Process(ledger, file_store(settings), ProcessConfig()))


def audit_steps(settings: Settings) -> list[ExtraStep]:
    """What `custody verify` checks after the ledger's own nine steps."""
    return verify_steps(file_store(settings))
