"""workflows.heap: the cyclic collector is held off inside a bulk pass, nested and
concurrent passes share one pause, and it runs again once the last of them has ended (also
when one fails); a collector someone else turned off stays off."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from workflows.heap import collector_paused, freeze_for_life, thaw


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


@pytest.mark.usefixtures("collecting")
def test_a_pass_leaves_a_frozen_start_up_heap_frozen() -> None:
    freeze_for_life()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with collector_paused():
            kept = [[n] for n in range(1000)]
        assert gc.get_freeze_count() == frozen  # not thawed into the oldest generation
        assert kept[-1] == [999]
    finally:
        thaw()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collecting")
def test_what_a_pass_kept_is_aged_into_the_oldest_generation() -> None:
    gc.collect()
    with collector_paused():
        kept = [[n] for n in range(1000)]
    assert gc.get_count()[0] < 1000  # not waiting in the young generation
    assert kept[0] == [0]
