"""SQLite's writes: done on the event loop, those waiting taken together, one transaction
(one commit, one fsync) for each batch.

SQLite writes one transaction at a time, and its calls are quick CPU work that lets go of
the GIL at every statement. On a thread beside the event loop, every one of those statements
then waited for the busy loop to give the GIL back: a write of 1.3 ms of CPU took 2.6 ms of
the writer's time, and only one writer can run (bench/api.py). On the loop itself a write
waits for no one, and the writes that queued meanwhile share the next commit.

A large request (a bulk step, a statement's signature over 200 items) is written alone on a
thread, so that the loop is not held up for it; batches never overlap. The database's write
lock (custody.write_lock) is waited for on a thread too, while another server process writes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from custody.write_lock import WriteLock
from workflows.process import Process
from workflows.unit_of_work import Work

# A request body larger than this is written alone on a thread (bytes): a one-item step
# sends a few hundred.
HEAVY_BODY = 4096
MOST = 16  # writes in one transaction: the loop serves no one else meanwhile


@dataclass
class _Job:
    actor: str
    action: Callable[[Work], Any]
    heavy: bool
    future: asyncio.Future[Any] = field(repr=False)


class WriteBatches:
    def __init__(self, process: Process) -> None:
        self.process = process
        self._waiting: list[_Job] = []
        self._draining: asyncio.Task[None] | None = None

    async def run(self, actor: str, action: Callable[[Work], Any], heavy: bool) -> Any:
        """`action` in a transaction with those queued beside it; its own result or error.
        A request cancelled while it waits still has its write done: the client may retry
        with its Idempotency-Key and get this answer."""
        loop = asyncio.get_running_loop()
        job = _Job(actor, action, heavy, loop.create_future())
        self._waiting.append(job)
        if self._draining is None:
            self._draining = loop.create_task(self._drain())
        return await asyncio.shield(job.future)

    async def close(self) -> None:
        if self._draining is not None:
            await self._draining

    async def _drain(self) -> None:
        try:
            while self._waiting:
                if self._waiting[0].heavy:
                    batch, self._waiting = self._waiting[:1], self._waiting[1:]
                    outcomes = await self._off_loop(batch)
                else:
                    batch = self._light(MOST)
                    outcomes = await self._on_loop(batch)
                for job, outcome in zip(batch, outcomes, strict=True):
                    _settle(job.future, outcome)
                # Let the loop read the requests that came meanwhile, to batch them too.
                await asyncio.sleep(0)
        finally:
            self._draining = None

    def _light(self, most: int) -> list[_Job]:
        """The waiting writes up to the first heavy one, `most` at most, taken off the queue."""
        count = 0
        while count < min(most, len(self._waiting)) and not self._waiting[count].heavy:
            count += 1
        batch, self._waiting = self._waiting[:count], self._waiting[count:]
        return batch

    async def _on_loop(self, batch: list[_Job]) -> list[Any]:
        lock = self.process.ledger.database.write_lock
        if lock is not None and not lock.acquire(blocking=False):
            # Another process or thread is writing: a thread waits for it and takes the lock
            # for the loop's thread, while the loop goes on reading requests, whose writes
            # join this batch.
            await _taken_for_this_thread(lock)
        try:
            batch.extend(self._light(MOST - len(batch)))
            return self._together(batch)
        finally:
            if lock is not None:
                lock.release()

    async def _off_loop(self, batch: list[_Job]) -> list[Any]:
        return await asyncio.to_thread(self._together, batch)

    def _together(self, batch: list[_Job]) -> list[Any]:
        try:
            return self.process.work_together([(job.actor, job.action) for job in batch])
        except Exception as failed:  # the commit: none of them is written
            return [failed] * len(batch)


async def _taken_for_this_thread(lock: WriteLock) -> None:
    """`lock` held for the calling (event loop's) thread, waited for on another thread.

    Taken and kept in one step: a thread that waited, let go and left the loop to take it
    lost it, more often than not, to the other process's next batch, queued behind its
    commits (the one-step write p99 of bench/api.py). If the wait is cancelled, the lock is
    let go as soon as the thread has it."""
    me = threading.get_ident()
    taking = asyncio.ensure_future(asyncio.to_thread(lock.acquire, True, me))
    try:
        await asyncio.shield(taking)
    except asyncio.CancelledError:
        taking.add_done_callback(lambda done: _let_go_if_taken(lock, done))
        raise


def _let_go_if_taken(lock: WriteLock, taking: asyncio.Future[bool]) -> None:
    if not taking.cancelled() and taking.exception() is None:
        lock.release()


def _settle(future: asyncio.Future[Any], outcome: Any) -> None:
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
