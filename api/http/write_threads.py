"""Threads that do nothing but write, each taking the next action the moment it has
finished one: PostgreSQL's writes, which wait on the network and on the ledger head's lock
(SQLite's are done in batches on the event loop, api.http.write_batches).

Through the event loop's thread pool every write also waited for the loop to hand it over
once the write before it had finished: under 16 connections a single writer sat idle about
1.4 ms between writes of about 1.8 ms (bench/api.py), and every queued request paid for it.
Here a write waits only for the writes queued before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.AbstractEventLoop, asyncio.Future[Any]]


class WriteThreads:
    def __init__(self, count: int) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._serve, name=f"custody-writer-{n}", daemon=True)
            for n in range(count)
        ]
        for thread in self._threads:
            thread.start()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on a write thread, in the order asked. A request cancelled while
        it waits still has its write done, as with the loop's thread pool: the client may
        retry with its Idempotency-Key and get this answer."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((function, args, loop, future))
        return await asyncio.shield(future)

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            function, args, loop, future = job
            try:
                result = function(*args)
            except BaseException as exc:  # handed to the request, which answers for it
                _hand_back(loop, future, None, exc)
            else:
                _hand_back(loop, future, result, None)


def _hand_back(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any, error: Any
) -> None:
    # A closed loop raises: the server is stopping and nobody is waiting for the answer.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
