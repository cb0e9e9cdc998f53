"""The public check page's `verify-statement` of a dropped PDF, run by the server in a process
of its own (`python -m certificates.verify_statement`), so that its CPU, its memory (a render
of the page again) and its time limit are its own: the server stops it when the time is up or
the visitor goes away. The PDF goes through a pipe and is kept nowhere.

Its address space is capped (RLIMIT_AS, inherited by the render and signature processes it
starts): a small crafted PDF can make a reader ask for gigabytes. A check that runs out of
it is a verdict on the file, "too large to check" (CheckTooLarge), not the service's failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import signal
import sys
from pathlib import Path
from typing import Any

from certificates.again import out_of_memory

_ROOT = Path(__file__).resolve().parent.parent
SECONDS = 120  # a 1,000-item statement takes some 10 s on two cores
MEMORY = 3 * 1024**3  # bytes of address space; a 1,000-item check needs some 300 MB resident
# A child that a failed allocation ended in native code (abort, or a fault on a null page).
_OUT_OF_MEMORY = {-signal.SIGTRAP, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS}
TOO_LARGE = "too large to check"  # as verify_statement.TOO_LARGE (not imported: it is heavy)


class CheckUnavailable(RuntimeError):
    """The check could not run to its end here (time limit, or the process failed)."""


class CheckTooLarge(CheckUnavailable):
    """The check needed more memory than MEMORY: the file fails, too large to check."""


async def check_statement(
    pdf: bytes,
    keys: list[str],
    public_url: str | None = None,
    seconds: float = SECONDS,
    memory: int = MEMORY,
) -> dict[str, Any]:
    """The report of `custody verify-statement --json` for `pdf` (StatementReport.to_json),
    pinned to the ledger keys `keys` (the service's rotation chain; any of them trusted) when
    given, and to the public base URL `public_url` its QR code must open when given; the
    child's address space capped at `memory` bytes. Raises CheckTooLarge (out of memory),
    CheckUnavailable (time limit, or the process failed)."""
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(_ROOT), path) if p)}
    pins = [*(["--public-url", public_url] if public_url else []), *keys]
    args = [sys.executable, "-m", "certificates.verify_statement", *pins]
    child = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        preexec_fn=_limit(memory),  # only setrlimit: safe between fork and exec
    )
    try:
        out, err = await asyncio.wait_for(child.communicate(pdf), seconds)
    except TimeoutError as exc:
        raise CheckUnavailable(f"the check took longer than {seconds:.0f} s") from exc
    finally:
        # Cancelled (the visitor left), timed out or done: nothing of it outlives the request.
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()
    try:
        report: dict[str, Any] = json.loads(out)
    except ValueError as exc:
        ended = child.returncode
        # Out of memory: said by the check (verify_statement._main), by Python before the
        # check began (an import's MemoryError), or a native allocation's abort.
        said = err.decode(errors="replace")
        if TOO_LARGE in said or out_of_memory(said) or ended in _OUT_OF_MEMORY:
            raise CheckTooLarge(TOO_LARGE) from exc
        raise CheckUnavailable(f"the check ended without a report (exit {ended})") from exc
    return report


def _limit(memory: int) -> Any:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return limit
