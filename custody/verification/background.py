"""Work that runs in a process of its own while the ledger's steps run: the replay of the
state and the report's figures read the same entries the ledger's steps verify, and on two
cores the two together finish sooner side by side than one after the other.

The work's result is used only when the ledger's steps hold (what it read is then the
verified log); otherwise the process is ended and its result never read.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


def _run(sender: Connection, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[bool, Any] = (True, work(*args))
    except BaseException as exc:  # sent back and raised again where the result is read
        outcome = (False, exc)
    try:
        sender.send(outcome)
    except Exception as exc:  # an exception that cannot be pickled: say what it was
        sender.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        sender.close()


class Background:
    """`work(*args)` in a spawned process (work and args picklable: module-level functions,
    plain values). `result()` waits for it and returns its value, or raises the exception
    it raised; `close()` ends it whether done or not."""

    def __init__(self, work: Callable[..., Any], *args: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(sender, work, args), daemon=True)
        self._process.start()
        sender.close()  # the child's end: EOF here when the child dies without an answer

    def result(self) -> Any:
        try:
            ok, value = self._receiver.recv()
        except EOFError:
            code = self._process.exitcode
            raise RuntimeError(f"the background work ended without a result ({code})") from None
        finally:
            self.close()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiver.close()
