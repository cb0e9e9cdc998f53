"""The public check page's `verify-statement` of a dropped PDF, run by the server in a process
of its own (`python -m certificates.verify_statement`), so that its CPU, its memory (a render
of the page again) and its time limit are its own: the server stops it when the time is up or
the visitor goes away. The PDF goes through a pipe and is kept nowhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
SECONDS = 120  # a 1,000-item statement takes some 10 s on two cores


class CheckUnavailable(RuntimeError):
    """The check could not run to its end here (time limit, or the process failed)."""


async def check_statement(pdf: bytes, key: str | None, seconds: float = SECONDS) -> dict[str, Any]:
    """The report of `custody verify-statement --json` for `pdf` (StatementReport.to_json),
    pinned to the ledger key `key` (the service's own) when given. Raises CheckUnavailable."""
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(_ROOT), path) if p)}
    args = [sys.executable, "-m", "certificates.verify_statement", *([key] if key else [])]
    child = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
    )
    try:
        out, _ = await asyncio.wait_for(child.communicate(pdf), seconds)
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
        raise CheckUnavailable(f"the check ended without a report (exit {ended})") from exc
    return report
