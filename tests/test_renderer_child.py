"""The statement renderer's child process ends with its parent, however the parent ends: after
`kill -9` of a server, its 135 MB renderer stayed alive, blocked on a pipe, one per crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

PARENT = """
import os, sys, time
from certificates.worker import Renderer
renderer = Renderer()
child = renderer._pool.submit(os.getpid).result()
print(child, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def test_renderer_child_dies_when_its_parent_is_killed_with_sigkill() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert child != parent.pid
        assert _alive(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), f"renderer {child} outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
