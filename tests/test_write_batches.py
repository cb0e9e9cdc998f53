"""SQLite's writes in the server (api.http.write_batches) and the lock its processes share
(custody.write_lock), with a real process holding the lock where another process matters:
writes queued together share a transaction, each gets its own answer or error, a heavy one
leaves the event loop free, and while another process writes the loop goes on serving."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from api.http.write_batches import WriteBatches
from custody.write_lock import WriteLock
from tests.support.site import UNIT, Site
from workflows import intake
from workflows.errors import InvalidRequest
from workflows.intake import Intake
from workflows.unit_of_work import Work

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


@contextmanager
def held_elsewhere(path: Path) -> Iterator[Callable[[], None]]:
    """Another process holding the lock file until it is let go (the function yielded) or
    the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        yield lambda: holder.stdin.close()  # type: ignore[union-attr]
    finally:
        if holder.stdin is not None and not holder.stdin.closed:
            holder.stdin.close()
        holder.wait(timeout=10)


def _knife(item: str, seen: list[str] | None = None) -> Any:
    def register(work: Work) -> list[str]:
        if seen is not None:
            seen.append(threading.current_thread().name)
        found = Intake(
            item=item, category="edged", source="found", location=UNIT, weight_g=400, unmarked=True
        )
        return intake.register(work, [found])

    return register


# The batches and the lock are SQLite's: PostgreSQL's writes queue on the ledger head's lock.
on_sqlite = pytest.mark.parametrize("site_template", ["sqlite"], indirect=True)


def _batched(site: Site) -> tuple[WriteBatches, list[int]]:
    batches = WriteBatches(site.process)
    sizes: list[int] = []
    together = site.process.work_together

    def counted(actions: list[Any]) -> list[Any]:
        sizes.append(len(actions))
        return together(actions)

    site.process.work_together = counted  # type: ignore[method-assign]
    return batches, sizes


# -- the lock ------------------------------------------------------------------------------


def test_the_lock_excludes_another_process_and_is_handed_on_when_let_go(tmp_path: Path) -> None:
    lock = WriteLock(tmp_path / "db.lock")
    with held_elsewhere(lock.path) as let_go:
        assert not lock.acquire(blocking=False)
        waited = threading.Thread(target=lambda: (lock.acquire(), lock.release()))
        waited.start()
        waited.join(0.3)
        assert waited.is_alive()  # still waiting for the other process
        let_go()
        waited.join(10)
        assert not waited.is_alive()
    assert lock.acquire(blocking=False)
    lock.release()
    lock.close()


def test_the_lock_is_reentrant_in_its_thread_and_excludes_other_threads(tmp_path: Path) -> None:
    lock = WriteLock(tmp_path / "db.lock")
    with lock, lock:
        got: list[bool] = []
        other = threading.Thread(target=lambda: got.append(lock.acquire(blocking=False)))
        other.start()
        other.join()
        assert got == [False]
    # Let go as many times as taken: free for the other thread and for another process.
    other = threading.Thread(target=lambda: got.append(lock.acquire(blocking=False)))
    other.start()
    other.join()
    assert got == [False, True]
    lock.close()
    assert (tmp_path / "db.lock").stat().st_mode & 0o777 == 0o600


def test_a_thread_takes_the_lock_for_another_which_alone_lets_it_go(tmp_path: Path) -> None:
    lock = WriteLock(tmp_path / "db.lock")
    me = threading.get_ident()
    with held_elsewhere(lock.path) as let_go:
        taker = threading.Thread(target=lock.acquire, args=(True, me))
        taker.start()
        taker.join(0.3)
        assert taker.is_alive()  # waits for the other process
        let_go()
        taker.join(10)
    assert lock.acquire(blocking=False)  # held for this thread: re-entered
    lock.release()
    refused: list[BaseException] = []

    def other() -> None:
        try:
            assert not lock.acquire(blocking=False)
            lock.release()
        except BaseException as failed:
            refused.append(failed)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert [type(r) for r in refused] == [RuntimeError]
    lock.release()  # the owner lets it go: free for another process
    with held_elsewhere(lock.path):
        pass
    lock.close()


# -- the batches ---------------------------------------------------------------------------


@on_sqlite
def test_writes_queued_together_share_a_transaction_and_get_their_own_answers(
    site: Site,
) -> None:
    batches, sizes = _batched(site)
    ids = [site.next_id("N") for _ in range(40)]
    ids[7] = ids[3]  # registered twice: refused, alone

    async def ask() -> list[Any]:
        asked = [batches.run("unit.serikbaev", _knife(i), heavy=False) for i in ids]
        return await asyncio.gather(*asked, return_exceptions=True)

    answers = asyncio.run(ask())
    assert isinstance(answers[7], InvalidRequest)
    assert [a for n, a in enumerate(answers) if n != 7] == [
        [i] for n, i in enumerate(ids) if n != 7
    ]
    assert sum(sizes) == 40
    assert max(sizes) > 1  # some shared a commit
    for item in set(ids):
        assert site.process.item(item).state == "registered"


@on_sqlite
def test_a_heavy_write_runs_off_the_loop_and_a_light_one_on_it(site: Site) -> None:
    batches, _ = _batched(site)
    seen: list[str] = []

    async def ask() -> str:
        await batches.run("unit.serikbaev", _knife(site.next_id("N"), seen), heavy=True)
        await batches.run("unit.serikbaev", _knife(site.next_id("N"), seen), heavy=False)
        return threading.current_thread().name

    loop_thread = asyncio.run(ask())
    assert seen[0] != loop_thread
    assert seen[1] == loop_thread


@on_sqlite
def test_while_another_process_writes_the_loop_goes_on_and_the_write_follows(
    site: Site,
) -> None:
    batches, _ = _batched(site)
    lock = site.ledger.database.write_lock
    assert lock is not None
    item = site.next_id("N")

    async def ask(let_go: Callable[[], None]) -> tuple[int, list[str]]:
        write = asyncio.ensure_future(batches.run("unit.serikbaev", _knife(item), heavy=False))
        ticks = 0
        for _ in range(20):  # the loop is free while the write waits for the lock
            await asyncio.sleep(0.01)
            ticks += 1
        assert not write.done()
        let_go()
        return ticks, await asyncio.wait_for(write, 10)

    with held_elsewhere(lock.path) as let_go:
        ticks, answer = asyncio.run(ask(let_go))
    assert (ticks, answer) == (20, [item])
    assert site.process.item(item).state == "registered"


@on_sqlite
def test_a_request_that_gives_up_still_has_its_write_done(site: Site) -> None:
    batches, _ = _batched(site)
    item = site.next_id("N")

    async def ask() -> None:
        write = asyncio.ensure_future(batches.run("unit.serikbaev", _knife(item), heavy=True))
        await asyncio.sleep(0)
        write.cancel()
        await batches.close()

    asyncio.run(ask())
    assert site.process.item(item).state == "registered"
