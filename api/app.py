"""The FastAPI application that `custody serve` runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import ledger_routes, problems
from api.system import initialise
from custody.ledger import Ledger
from custody.settings import Settings


def create_app(settings: Settings | None = None, ledger: Ledger | None = None) -> FastAPI:
    """Build the app; on start it initialises the database and the ledger key if needed."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ledger = (
            ledger if ledger is not None else initialise(settings or Settings())[1].ledger
        )
        yield
        app.state.ledger.database.dispose()

    app = FastAPI(
        title="custody",
        summary="Chain of custody of seized weapons, up to their proven destruction",
        version="0.1.0",
        lifespan=lifespan,
    )
    problems.install(app)
    app.include_router(ledger_routes.router)
    return app
