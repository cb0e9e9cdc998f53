"""workflows.heap: the cyclic collector is held off inside a bulk pass, nested and
concurrent passes share one pause, and it runs again once the last of them has ended (also
when one fails); a collector someone else turned off stays off."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from workflows.heap import collector_paused


@pytest.fixture
def collecting() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collecting")
def test_paused_inside_and_nested_and_running_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pass is still going
    assert gc.isenabled()


@pytest.mark.usefixtures("collecting")
def test_running_again_after_a_pass_that_fails() -> None:
    with pytest.raises(ValueError, match="bad row"), collector_paused():
        raise ValueError("bad row")
    assert gc.isenabled()


@pytest.mark.usefixtures("collecting")
def test_a_pass_in_another_thread_keeps_it_off_until_it_ends() -> None:
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert entered.wait(5)
    assert not gc.isenabled()  # the other thread's pass goes on
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
