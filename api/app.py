"""The FastAPI application that `custody serve` runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import (
    auth_routes,
    file_routes,
    ledger_routes,
    problems,
    read_routes,
    step_routes,
    user_routes,
)
from api.config import ApiConfig
from api.login import Accounts
from api.system import System, initialise
from api.writes import Writer
from custody.settings import Settings


def create_app(
    settings: Settings | None = None,
    system: System | None = None,
    config: ApiConfig | None = None,
) -> FastAPI:
    """Build the app; on start it initialises the database and the ledger key if needed."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ready = system if system is not None else initialise(settings or Settings())[1]
        app.state.system = ready
        app.state.ledger = ready.ledger
        app.state.accounts = Accounts(ready.ledger.database, config or ApiConfig(), ready.clock)
        app.state.writer = Writer(ready.process, ready.ledger.database.dialect == "sqlite")
        yield
        ready.ledger.database.dispose()

    app = FastAPI(
        title="custody",
        summary="Chain of custody of seized weapons, up to their proven destruction",
        version="0.1.0",
        lifespan=lifespan,
    )
    problems.install(app)
    # Matched in this order, one route after another: the reads scanners and pages make most
    # come first (bench/api.py), the steps, each its own route, after them.
    app.include_router(read_routes.router)
    app.include_router(ledger_routes.router)
    app.include_router(auth_routes.router)
    app.include_router(file_routes.router)
    app.include_router(user_routes.router)
    app.include_router(step_routes.router)
    return app
