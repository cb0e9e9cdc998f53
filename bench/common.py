"""What the benchmark sections share: a work directory, timing, reporting, sample entries."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from custody.entries import NewEntry

WORK = Path(__file__).resolve().parent / ".work"
# A typical intake entry: its canonical body is about 400 bytes, like the baseline's rows.
SAMPLE_DATA = {
    "category": "firearm",
    "rifled": True,
    "source": "confiscated",
    "marking": "АК-74 №1234567",
    "model": "AK-74",
    "calibre": "5.45x39",
    "weight_g": 3300,
    "decision": {"ref": "2-1234/2026", "court": "Алматинский городской суд"},
}


def sample(n: int) -> NewEntry:
    return NewEntry(
        kind="item_registered", actor="unit.serikbaev", item=f"KZ-{n:07d}", data=SAMPLE_DATA
    )


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = ""

    def line(self) -> str:
        text = f"  {self.name:<58} {self.value:>12,.2f} {self.unit}"
        if self.baseline:
            text += f"   ({self.value / self.baseline:.2f} x baseline)"
        if self.target:
            text += f"   target {self.target}"
        return text


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@contextmanager
def fresh(name: str) -> Iterator[Path]:
    """An empty directory under bench/.work for one section."""
    import shutil

    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def report(title: str, figures: list[Figure]) -> None:
    print(f"\n{title}")
    for figure in figures:
        print(figure.line())
