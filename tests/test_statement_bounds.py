"""What a stranger asking for statements in every spelling of every zone can cost (issue 12):
one render per real zone (api.zones), a bounded queue before the one renderer (503 with
Retry-After past it: certificates.worker.RendererBusy), and a bounded cache on disk
(certificates.statement_cache)."""

from __future__ import annotations

import asyncio
import os
import time
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.zones import canonical
from certificates.statement_cache import StatementBasis, StatementCache
from certificates.worker import Renderer, RendererBusy
from workflows.errors import InvalidRequest

NAMES = sorted(zoneinfo.available_timezones())


@given(st.one_of(st.sampled_from(NAMES), st.text(max_size=80)))
def test_a_zone_name_is_a_real_zone_by_its_canonical_name_or_refused(name: str) -> None:
    try:
        found = canonical(name)
    except InvalidRequest:
        return
    assert not found.startswith(("posix/", "right/"))
    zoneinfo.ZoneInfo(found)
    assert canonical(found) == found  # one name a zone


def test_links_are_their_zones_and_the_copies_of_the_tree_are_refused() -> None:
    assert canonical("Asia/Calcutta") == "Asia/Kolkata"
    assert canonical("Europe/Kiev") == "Europe/Kyiv"
    assert canonical("Asia/Almaty") == "Asia/Almaty"
    assert canonical("UTC") == "UTC"
    for name in ("posix/Asia/Almaty", "right/UTC", "Asia/Nowhere", "", "../etc/passwd"):
        with pytest.raises(InvalidRequest, match="unknown time zone"):
            canonical(name)
    # every spelling zoneinfo knows comes to fewer real zones
    real = set()
    for name in NAMES:
        try:
            real.add(canonical(name))
        except InvalidRequest:
            continue
    assert len(real) < len(NAMES)


def test_the_cache_keeps_the_most_recently_used_statements_within_its_bounds(
    tmp_path: Path,
) -> None:
    cache = StatementCache(tmp_path, most_files=3, most_bytes=10_000)
    keys = [f"{n:02x}" * 32 for n in range(6)]
    for number, key in enumerate(keys):
        cache.put(key, b"%PDF" + bytes(100))
        past = time.time() - 100 + number  # each older than the next
        os.utime(tmp_path / key[:2] / f"{key}.pdf", (past, past))
        if number == 1:
            assert cache.get(keys[0]) is not None  # read: used again, kept
    kept = {p.stem for p in tmp_path.glob("*/*.pdf")}
    assert len(kept) == 3
    assert keys[-1] in kept
    # by bytes too
    small = StatementCache(tmp_path / "small", most_files=100, most_bytes=250)
    for key in keys:
        small.put(key, bytes(100))
    assert len(list((tmp_path / "small").glob("*/*.pdf"))) == 2


def test_past_the_waiting_statements_the_renderer_answers_busy(tmp_path: Path) -> None:
    """Two statements may render or wait; a third is told to come back; once one is done,
    another is taken. The render here waits on an event (no child process)."""
    renderer = Renderer(cache=None, most_waiting=2)
    basis = StatementBasis({}, "d" * 64, 1, "r" * 64)

    async def scenario() -> list[Any]:
        release = asyncio.Event()

        async def identity() -> dict[str, Any]:
            return {}

        async def render(*_: Any) -> bytes:
            await release.wait()
            return b"%PDF"

        renderer.identity_async = identity  # type: ignore[method-assign]
        renderer.render_async = render  # type: ignore[method-assign]
        first = [
            asyncio.create_task(renderer.statement_async(basis, "ru", zone, lambda _: {}))
            for zone in ("Asia/Almaty", "UTC")
        ]
        await asyncio.sleep(0.05)
        with pytest.raises(RendererBusy) as busy:
            await renderer.statement_async(basis, "ru", "Asia/Aqtobe", lambda _: {})
        release.set()
        done = await asyncio.gather(*first)
        after = await renderer.statement_async(basis, "ru", "Asia/Aqtobe", lambda _: {})
        return [busy.value.retry_after, done, after, renderer.waiting]

    try:
        retry, done, after, waiting = asyncio.run(scenario())
    finally:
        renderer._pool.shutdown()
    assert retry > 0
    assert done == [b"%PDF", b"%PDF"]
    assert after == b"%PDF"
    assert waiting == 0


def test_a_busy_renderer_is_a_503_problem_with_retry_after() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from api.http import problems

    app = FastAPI()
    problems.install(app)

    @app.get("/statement")
    async def statement() -> None:
        raise RendererBusy(30)

    answer = TestClient(app).get("/statement")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "/problems/busy"
