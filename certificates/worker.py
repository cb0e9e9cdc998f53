"""Statements rendered in a process of their own.

WeasyPrint keeps the memory a render used (a 1,000-item statement takes about 160 MiB), and
a render sets SOURCE_DATE_EPOCH for its fonts: neither may touch the server. The child is
started fresh (spawn, not fork: the server has threads) and replaced after a few renders, so
what it holds goes back to the system.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from certificates import labels, render, report_pdf

RENDERS_PER_PROCESS = 8


class Renderer:
    def __init__(self, renders_per_process: int = RENDERS_PER_PROCESS) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=renders_per_process,
        )

    def render(self, evidence: dict[str, Any], lang: str, zone: str) -> bytes:
        return self._pool.submit(render.render, evidence, lang, zone).result()

    async def render_async(self, evidence: dict[str, Any], lang: str, zone: str) -> bytes:
        return await asyncio.wrap_future(self._pool.submit(render.render, evidence, lang, zone))

    async def labels_async(self, items: list[labels.LabelItem], lang: str, single: bool) -> bytes:
        return await asyncio.wrap_future(self._pool.submit(labels.render, items, lang, single))

    def report(self, report: dict[str, Any], lang: str) -> bytes:
        return self._pool.submit(report_pdf.render, report, lang).result()

    async def report_async(self, report: dict[str, Any], lang: str) -> bytes:
        return await asyncio.wrap_future(self._pool.submit(report_pdf.render, report, lang))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
