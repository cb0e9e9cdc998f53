"""Statements rendered in a process of their own.

WeasyPrint keeps the memory a render used (a 1,000-item statement takes about 160 MiB), and
a render sets SOURCE_DATE_EPOCH for its fonts: neither may touch the server. The child is
started fresh (spawn, not fork: the server has threads) and replaced after a few renders, so
what it holds goes back to the system.

The child dies with its parent, however the parent ends (kill -9 too): a watcher thread in
the child sees its parent pid change (it is re-parented when the parent dies) and ends it
within half a second. Without this, each crashed server left a 135 MB renderer behind,
blocked on a pipe whose other end it holds itself. (prctl PR_SET_PDEATHSIG would signal
the child when the parent *thread* that spawned it ends: the pool spawns from whichever
thread submits, and a worker thread that is reaped would kill a healthy renderer.)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from certificates import labels, render, renderer_identity, report_pdf
from certificates.statement_cache import StatementBasis, StatementCache
from custody.errors import CustodyError

RENDERS_PER_PROCESS = 8
WATCH_SECONDS = 0.5
# Statements rendered or waiting at once (statement_async): one renders, the rest wait;
# past this a request is told to come back (RendererBusy), not queued for minutes.
MOST_WAITING = 4
BUSY_RETRY_SECONDS = 30


class RendererBusy(CustodyError):
    """As many statements as the renderer takes are rendering or waiting; `retry_after`:
    seconds to wait before asking again (the API answers 503 with Retry-After)."""

    def __init__(self, retry_after: int = BUSY_RETRY_SECONDS) -> None:
        super().__init__(
            f"the statement renderer is busy ({MOST_WAITING} statements rendering or waiting); "
            f"try again in {retry_after} s"
        )
        self.retry_after = retry_after


def die_with_parent(parent: int) -> None:
    """In the child: end when the process `parent` ends (the pool's initializer)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class Renderer:
    def __init__(
        self,
        renders_per_process: int = RENDERS_PER_PROCESS,
        cache: StatementCache | None = None,
        most_waiting: int = MOST_WAITING,
    ) -> None:
        """`cache`, if given, keeps the statements rendered (statement_async) by content, up
        to its bounds. `most_waiting`: statements rendering or waiting at once before
        statement_async refuses (RendererBusy)."""
        self.cache = cache
        self.most_waiting, self.waiting = most_waiting, 0
        self._identity: dict[str, Any] | None = None
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=renders_per_process,
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )

    def render(
        self, evidence: dict[str, Any], lang: str, zone: str, public_url: str | None = None
    ) -> bytes:
        submitted = self._pool.submit(render.render, evidence, lang, zone, None, public_url)
        return submitted.result()

    async def identity_async(self) -> dict[str, Any]:
        """What renders here (renderer_identity), asked of the child once."""
        if self._identity is None:
            future = self._pool.submit(renderer_identity.identity)
            self._identity = await asyncio.wrap_future(future)
        return self._identity

    async def statement_async(
        self,
        basis: StatementBasis,
        lang: str,
        zone: str,
        evidence_of: Callable[[StatementBasis], dict[str, Any]],
        public_url: str | None = None,
    ) -> bytes:
        """The statement's PDF: from the cache when this content, checkpoint, language, zone,
        renderer and public URL were rendered before (no evidence is gathered then), else
        rendered from `evidence_of(basis)` (run in a thread: it reads the database) and kept.
        RendererBusy when `most_waiting` statements are rendering or waiting already."""
        key = basis.key(lang, zone, await self.identity_async(), public_url)
        if self.cache is not None:
            kept = await asyncio.to_thread(self.cache.get, key)
            if kept is not None:
                return kept
        # Counted on the event loop (one thread): no lock needed.
        if self.waiting >= self.most_waiting:
            raise RendererBusy()
        self.waiting += 1
        try:
            evidence = await asyncio.to_thread(evidence_of, basis)
            pdf = await self.render_async(evidence, lang, zone, public_url)
        finally:
            self.waiting -= 1
        if self.cache is not None:
            await asyncio.to_thread(self.cache.put, key, pdf)
        return pdf

    async def render_async(
        self, evidence: dict[str, Any], lang: str, zone: str, public_url: str | None = None
    ) -> bytes:
        submitted = self._pool.submit(render.render, evidence, lang, zone, None, public_url)
        return await asyncio.wrap_future(submitted)

    def render_again(self, attached: dict[str, Any]) -> Future[tuple[dict[str, Any], bytes | None]]:
        """verify-statement's render of the evidence a PDF carries (render.render_again),
        started now and awaited when the page is compared."""
        return self._pool.submit(render.render_again, attached)

    async def labels_async(self, items: list[labels.LabelItem], lang: str, single: bool) -> bytes:
        return await asyncio.wrap_future(self._pool.submit(labels.render, items, lang, single))

    def report(self, report: dict[str, Any], lang: str) -> bytes:
        return self._pool.submit(report_pdf.render, report, lang).result()

    async def report_async(self, report: dict[str, Any], lang: str) -> bytes:
        return await asyncio.wrap_future(self._pool.submit(report_pdf.render, report, lang))

    def close(self, wait: bool = True) -> None:
        """Stop the renderer; without `wait`, a render under way is left to end with it."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
