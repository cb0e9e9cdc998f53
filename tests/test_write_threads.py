"""The server's write threads (api.http.write_threads) and its settled heap: writes run in the
order they were asked for, their errors reach the request that asked, a request that gives up
still has its write done, and the app's long-lived objects are out of the collector's sight."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from api.http.app import settle_heap
from api.http.write_threads import WriteThreads
from workflows.heap import thaw


class Refused(Exception):
    pass


@pytest.fixture
def threads() -> Iterator[WriteThreads]:
    made = WriteThreads(1)
    yield made
    made.close()


def test_writes_run_one_after_another_in_the_order_asked(threads: WriteThreads) -> None:
    done: list[int] = []
    names: set[str] = set()

    def write(n: int) -> int:
        names.add(threading.current_thread().name)
        done.append(n)
        return n * n

    async def ask() -> list[int]:
        return await asyncio.gather(*(threads.run(write, n) for n in range(200)))

    assert asyncio.run(ask()) == [n * n for n in range(200)]
    assert done == list(range(200))
    assert names == {"custody-writer-0"}


def test_an_error_reaches_the_request_that_asked_and_the_thread_goes_on(
    threads: WriteThreads,
) -> None:
    def refuse() -> None:
        raise Refused("R3")

    async def ask() -> tuple[BaseException | int, ...]:
        return tuple(
            await asyncio.gather(threads.run(refuse), threads.run(int, "7"), return_exceptions=True)
        )

    refused, answered = asyncio.run(ask())
    assert isinstance(refused, Refused)
    assert str(refused) == "R3"
    assert answered == 7


def test_a_request_that_gives_up_waiting_still_has_its_write_done(threads: WriteThreads) -> None:
    gate = threading.Event()
    written = threading.Event()

    async def ask() -> None:
        first = asyncio.ensure_future(threads.run(gate.wait))
        second = asyncio.ensure_future(threads.run(written.set))
        await asyncio.sleep(0.05)
        second.cancel()  # the client went away while its write was queued
        gate.set()
        await first
        with pytest.raises(asyncio.CancelledError):
            await second

    asyncio.run(ask())
    assert written.wait(5)


def test_close_stops_every_thread() -> None:
    made = WriteThreads(3)
    made.close()
    assert not any(t.name.startswith("custody-writer") for t in threading.enumerate())


def test_the_apps_long_lived_objects_are_frozen_out_of_full_collections() -> None:
    app = FastAPI()
    settle_heap(app)
    try:
        assert gc.get_freeze_count() > 0
        assert app.openapi_schema is not None  # built before freezing, not on first request
    finally:
        thaw()
