"""Running the real `custody` command and the real server, as a user would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from custody.settings import Settings

CUSTODY = str(Path(sys.executable).parent / "custody")


def environment(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTODY_")}
    env["CUSTODY_DATA_DIR"] = str(data_dir)
    env["CUSTODY_ORIGIN"] = "custody.test/ledger"
    if database_url is not None:
        env["CUSTODY_DATABASE_URL"] = database_url
    # One server process each, where a user's machine runs one per core: a process takes
    # 2-3 s to start. Tests of several processes ask for them (test_api_two_servers).
    env["CUSTODY_WORKERS"] = "1"
    env.update(extra)
    return env


def run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`custody ARGS` as a user runs it, in a process of its own with `env` as its
    environment (tests.support.forked: forked from one that has imported the command line)."""
    from tests.support import forked

    return forked.run(CUSTODY, list(args), env, stdin, timeout=120)


def command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`custody ARGS` run in this process: the same command (api.cli.main's typer app, its
    arguments parsed, its settings read from `env`'s CUSTODY_* variables), without the 1-3 s
    a new Python process takes to start and import it, which made the accounts of a test's
    setup most of its time (test_api_places: 33 commands, 100 of its 137 s). For setting up,
    not for testing the command line: its exit codes and one-line errors are main()'s, which
    `run` goes through; here an exception is exit 1 with its text on stderr. Every system a
    command opened is closed after it (a PostgreSQL connection each, otherwise left open)."""
    from typer.testing import CliRunner

    import api.system
    from api.cli.main import app

    opened: list[api.system.System] = []
    open_system, initialise = api.system.open_system, api.system.initialise

    def opening(settings: Settings) -> api.system.System:
        opened.append(open_system(settings))
        return opened[-1]

    def initialising(settings: Settings, *rest: Any, **options: Any) -> tuple[Any, Any]:
        result, system = initialise(settings, *rest, **options)
        opened.append(system)
        return result, system

    given = {k: v for k, v in env.items() if k.startswith("CUSTODY_")}
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("CUSTODY_")}
    api.system.open_system, api.system.initialise = opening, initialising  # type: ignore[assignment]
    try:
        result = CliRunner().invoke(app, list(args), env={**unset, **given})
    finally:
        api.system.open_system, api.system.initialise = open_system, initialise  # type: ignore[assignment]
        for system in opened:
            system.ledger.database.dispose()
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += f"{type(result.exception).__name__}: {result.exception}"
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    env: dict[str, str], *args: str, scheme: str = "http", port: int | None = None
) -> Iterator[str]:
    """`custody serve` on a free port; yields its base URL once it answers. Its output goes
    to a file beside its data (a pipe nobody reads would fill and stop the server). `args`
    go to `custody serve` (e.g. --tls-cert, --tls-key with scheme="https"); `port`, when
    given, is the one to serve on (a served address named in advance, CUSTODY_PUBLIC_URL)."""
    port = port or free_port()
    log_path = Path(env["CUSTODY_DATA_DIR"]) / f"serve-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    from tests.support import forked

    process = forked.start(CUSTODY, ["serve", "--port", str(port), *args], env, log_path)
    base = f"{scheme}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine imports slowly
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1, verify=False).raise_for_status()  # noqa: S501
                break
            except httpx.HTTPError:
                if process.exitcode is not None or time.monotonic() > deadline:
                    output = log_path.read_text()
                    raise RuntimeError(f"custody serve did not start:\n{output}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.join(timeout=10)
        if process.exitcode is None:
            process.kill()
            process.join()
