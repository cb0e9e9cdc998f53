"""The FastAPI application that `custody serve` runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from api.access.login import Accounts
from api.config import ApiConfig
from api.http import (
    alerts,
    changes,
    disclosure,
    diversion,
    files,
    key_requests,
    ledger,
    login,
    notices,
    problems,
    reads,
    reports,
    statements,
    steps,
    users,
)
from api.http.edge import App
from api.http.writes import Writer
from api.notices.config import NoticeConfig
from api.notices.worker import Loop
from api.system import System, initialise
from api.web import docs, pages
from certificates.statement_cache import StatementCache
from certificates.worker import Renderer
from custody.settings import Settings
from workflows.cache import DocumentCache
from workflows.heap import freeze_for_life


def create_app(
    settings: Settings | None = None,
    system: System | None = None,
    config: ApiConfig | None = None,
) -> FastAPI:
    """Build the app; on start it initialises the database and the ledger key if needed."""
    config = config or ApiConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        given = settings or Settings()
        ready = system if system is not None else initialise(given, cache=_documents())[1]
        app.state.timezone = given.timezone
        app.state.public_url = given.public_url or None  # statements' QR codes name it
        app.state.renderer = Renderer(cache=StatementCache(Path(given.data_dir) / "statements"))
        app.state.system = ready
        app.state.ledger = ready.ledger
        app.state.accounts = Accounts(ready.ledger.database, config, ready.clock)
        app.state.writer = Writer(ready.process, ready.ledger.database.dialect == "sqlite")
        notice_loop = Loop(ready, NoticeConfig())
        notice_loop.start()
        settle_heap(app)
        yield
        notice_loop.stop()
        await app.state.writer.close()
        app.state.renderer.close()
        ready.ledger.database.dispose()

    app = App(
        title="custody",
        summary="Chain of custody of seized weapons, up to their proven destruction",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    docs.install(app)
    problems.install(app)
    # Body limits and security headers, outside even the 500 handler (api.http.edge).
    app.edge_limits = (config.request_max_bytes, config.upload_max_bytes, config.json_max_depth)
    # Matched in this order, one route after another (and twice: FastAPI matches again to
    # handle): the reads scanners and pages make most come first, the steps, each its own
    # route, next, and the routes called now and then after them (bench/api.py).
    app.include_router(reads.router)
    app.include_router(steps.router)
    app.include_router(ledger.router)
    app.include_router(disclosure.router)
    app.include_router(login.router)
    app.include_router(alerts.router)
    app.include_router(files.router)
    app.include_router(users.router)
    app.include_router(changes.router)
    app.include_router(diversion.router)
    app.include_router(statements.router)
    app.include_router(notices.router)
    app.include_router(reports.router)
    app.include_router(key_requests.router)
    # The pages last: every API request would otherwise try their routes first.
    pages.install(app)
    return app


SERVER_DOCUMENTS = 2_000  # documents a server keeps between actions (workflows.cache)


def _documents() -> DocumentCache:
    """A server's document cache: a tenth of a batch run's.

    Every kept document is a handful of objects the cyclic collector walks in each full
    collection, on the event loop: with 20,000 kept, one took 40-80 ms and every request
    waited (the one-step write p99 of bench/api.py rose from 22 to 76 ms as the cache
    filled). A server's actions are one person's few items, or a bulk step over items
    another process wrote; a chain of bulk steps over the same 10,000 items, where a large
    cache pays, is a batch run's (bench/lifecycles.py)."""
    return DocumentCache(SERVER_DOCUMENTS)


def settle_heap(app: FastAPI) -> None:
    """Build what the app keeps for its whole life, then take it out of the garbage
    collector's sight.

    pydantic's validators are slow to traverse: a full collection over the app's own
    objects took 110-180 ms and stalled every request queued behind it (the write p99 in
    bench/api.py). Frozen, the objects are never scanned again and a full collection takes
    a few milliseconds. They live as long as the process anyway."""
    app.openapi()
    freeze_for_life()
