"""`custody ARGS` in a process of its own, forked from one that has imported it already.

Each `custody` process spends 1-2 s of CPU importing the command line, the process and the
database layers before it does anything; the suite runs hundreds of commands, and that import
was a third of its time. A forkserver (multiprocessing's, the standard library's) imports them
once per test worker; each command is then a new process forked from it: its own memory,
environment, working directory, standard streams (at the descriptor level: files the test
reads back) and exit code, as `subprocess.run([custody, ...])` gives, through the same entry
point (`api.cli.main.main`, the console script's). What is not the same: the interpreter's start
(site, `python -X` options) is the forkserver's, not the command's.
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import subprocess
import sys
import tempfile
from multiprocessing.context import ForkServerContext
from pathlib import Path

# What the commands import inside their functions (api/cli), imported once, before forking.
PRELOAD = [
    "api.cli.main",
    "api.system",
    "api.demo.site",
    "api.statements",
    "api.reports",
    "api.notices.worker",
    "custody.bootstrap",
    "custody.verification.audit",
    "workflows.reports.recompute",
    "workflows.replay",
    "certificates.verify_statement",
]

_context: ForkServerContext | None = None


def _forkserver() -> ForkServerContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _context = context
    return _context


def run(
    program: str, args: list[str], env: dict[str, str], stdin: str | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run `custody ARGS` with `env` as its whole environment and `stdin` as its input (None:
    /dev/null), in the caller's working directory. Returns what subprocess.run(text=True)
    returns (stdout and stderr decoded as UTF-8). Raises subprocess.TimeoutExpired after
    `timeout` seconds (the process is killed)."""
    with tempfile.TemporaryDirectory(prefix="custody-run-") as folder:
        streams = Path(folder)
        given = streams / "stdin"
        given.write_text(stdin or "", encoding="utf-8")
        child = _forkserver().Process(
            target=_command,
            args=(
                program,
                args,
                env,
                os.getcwd(),
                str(given) if stdin is not None else None,
                str(streams / "stdout"),
                str(streams / "stderr"),
            ),
        )
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired([program, *args], timeout)
        out = (streams / "stdout").read_text(encoding="utf-8", errors="replace")
        err = (streams / "stderr").read_text(encoding="utf-8", errors="replace")
        return subprocess.CompletedProcess([program, *args], child.exitcode, out, err)


def start(
    program: str, args: list[str], env: dict[str, str], log: Path
) -> multiprocessing.process.BaseProcess:
    """Start `custody ARGS` (a server: `serve ...`) with `env` as its environment, its
    stdout and stderr both to `log`; the running process (`exitcode` None while it runs;
    `terminate()` sends it SIGTERM, as a service manager stops it)."""
    child = _forkserver().Process(
        target=_command, args=(program, args, env, os.getcwd(), None, str(log), str(log))
    )
    child.start()
    return child


def _command(
    program: str,
    args: list[str],
    env: dict[str, str],
    cwd: str,
    stdin: str | None,
    stdout: str,
    stderr: str,
) -> None:
    """In the forked process: the command's world, then the console script's entry point."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    _redirect(0, os.open(stdin or os.devnull, os.O_RDONLY))
    _redirect(1, os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    if stderr == stdout:
        os.dup2(1, 2)
    else:
        _redirect(2, os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    # As a new interpreter with a UTF-8 locale sets them up (PEP 538/540 defaults).
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    sys.argv = [program, *args]
    from api.cli.main import main

    code: int = 0
    try:
        main()
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except BaseException as exc:  # an uncaught exception ends a Python process with 1
        import traceback

        traceback.print_exception(exc)
        code = 1
    atexit._run_exitfuncs()  # what the interpreter runs at its exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _exit_code(code: object) -> int:
    """sys.exit's argument as the process's exit status (None 0, an int itself, text 1 after
    printing it, as the interpreter does)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _redirect(target: int, opened: int) -> None:
    os.dup2(opened, target)
    os.close(opened)
