"""Ledger signatures made in worker processes while the appending thread builds bodies.

An Ed25519 signature costs about as much CPU as building and hashing a body. Threads cannot
overlap the two: after each signature a signing thread must win the GIL back from the busy
building thread, and seldom does (bench/appends.py measured it). Processes can. So a large
append sends each chunk of leaf hashes to a worker as soon as it is built, and collects the
signatures before writing.

A worker is `python -m custody.signing_workers`, a child of this process that imports nothing
of its parent. It reads the key's seed once from its stdin (never from its command line or
environment), then answers frames of leaf hashes with frames of signatures; a frame is a
4-byte big-endian length and the bytes. A worker that fails is replaced by signing here.
Every batch is closed, even when the append fails half way, so that no answer is left in a
pipe for the next batch to take for its own.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import IO

LEAF = 32
SIGNATURE = 64
# Chunks a worker may hold before the sender waits for an answer: bounded, so that neither
# pipe can fill up while both of its ends are writing.
MAX_IN_FLIGHT = 4


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(len(payload).to_bytes(4, "big") + payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> bytes:
    header = _read_exactly(stream, 4)
    return _read_exactly(stream, int.from_bytes(header, "big"))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = stream.read(size - len(data))
        if not part:
            raise EOFError("the other end closed the pipe")
        data += part
    return data


def serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """The worker: a seed, a prefix, then leaf hashes in and signatures out until EOF."""
    from nacl.bindings import crypto_sign, crypto_sign_seed_keypair

    _, secret = crypto_sign_seed_keypair(read_frame(source))
    prefix = read_frame(source)
    while True:
        try:
            leaves = read_frame(source)
        except EOFError:
            return
        sigs = (
            crypto_sign(prefix + leaves[i : i + LEAF], secret)[:SIGNATURE]
            for i in range(0, len(leaves), LEAF)
        )
        write_frame(sink, b"".join(sigs))


class _Worker:
    def __init__(self, seed: bytes, prefix: bytes) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "custody.signing_workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.stdout: IO[bytes] = self.process.stdout
        write_frame(self.stdin, seed)
        write_frame(self.stdin, prefix)
        self.waiting: deque[tuple[int, list[bytes]]] = deque()  # (chunk number, its leaves)

    def close(self) -> None:
        self.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.stdout.close()


class SigningWorkers:
    """Worker processes holding one signing key; one batch at a time."""

    def __init__(self, seed: bytes, prefix: bytes, sign_here: Callable[[bytes], bytes]) -> None:
        self.sign_here = sign_here
        self.workers = [_Worker(seed, prefix) for _ in range(os.cpu_count() or 2)]
        self.turn = 0
        self.lock = threading.Lock()

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


class Batch:
    """One append call: `send` chunks of leaves as they are built, then `collect` the
    signatures in order. `close` (always) drains what is unanswered and frees the workers."""

    def __init__(self, pool: SigningWorkers) -> None:
        self.pool = pool
        self.results: list[list[bytes] | None] = []
        pool.lock.acquire()
        self.open = True

    def send(self, leaves: list[bytes]) -> None:
        worker = self.pool.workers[self.pool.turn % len(self.pool.workers)]
        self.pool.turn += 1
        if len(worker.waiting) >= MAX_IN_FLIGHT:
            self._receive(worker)
        number = len(self.results)
        self.results.append(None)
        try:
            write_frame(worker.stdin, b"".join(leaves))
        except OSError:
            self.results[number] = [self.pool.sign_here(leaf) for leaf in leaves]
            return
        worker.waiting.append((number, leaves))

    def _receive(self, worker: _Worker) -> None:
        number, leaves = worker.waiting.popleft()
        try:
            raw = read_frame(worker.stdout)
        except (EOFError, OSError):
            raw = b""
        if len(raw) != SIGNATURE * len(leaves):
            self.results[number] = [self.pool.sign_here(leaf) for leaf in leaves]
            return
        self.results[number] = [raw[i : i + SIGNATURE] for i in range(0, len(raw), SIGNATURE)]

    def _drain(self) -> None:
        for worker in self.pool.workers:
            while worker.waiting:
                self._receive(worker)

    def collect(self) -> list[bytes]:
        self._drain()
        return [sig for chunk in self.results if chunk is not None for sig in chunk]

    def close(self) -> None:
        if not self.open:
            return
        self.open = False
        try:
            self._drain()
        finally:
            self.pool.lock.release()


_pools: dict[str, SigningWorkers] = {}
_pools_lock = threading.Lock()


def workers_for(
    key_id: str, seed: bytes, prefix: bytes, sign_here: Callable[[bytes], bytes]
) -> SigningWorkers:
    """The worker processes for this key, started on first use and kept until exit."""
    with _pools_lock:
        pool = _pools.get(key_id)
        if pool is None:
            pool = _pools[key_id] = SigningWorkers(seed, prefix, sign_here)
        return pool


@atexit.register
def close_all() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
