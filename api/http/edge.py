"""What every request passes first and every response last: one pure-ASGI middleware, outside
all of the app's own, that limits request bodies (api.http.limits) and sets the security
headers (api.http.security_headers).

One layer rather than two, because each layer costs every request (bench/api.py: the item
read is measured against a bare endpoint); outside starlette's ServerErrorMiddleware, which
`add_middleware` cannot reach, because that is where an unhandled error becomes a 500, and
that answer must carry the headers too. The error itself still reaches the server, which
logs it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message

from api.http import security_headers
from api.http.limits import BodyLimits, Receive, Send, framing


class Edge(BodyLimits):
    """The body limits and the security headers, for one request in one pass over its
    headers. Sizes in bytes, as BodyLimits."""

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = framing(scope["headers"])
        secure = scope.get("scheme") == "https"
        page = scope["path"].startswith("/web/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                security_headers.add(message, found.login, secure, page)
            await send(message)

        await self.limited(scope, receive, send_with_headers, found)


class App(FastAPI):
    """FastAPI with the Edge outside everything starlette puts in its middleware stack."""

    edge_limits: tuple[int, int, int] = (0, 0, 0)  # (max_body, max_upload, max_depth)

    def build_middleware_stack(self) -> ASGIApp:
        max_body, max_upload, max_depth = self.edge_limits
        return Edge(super().build_middleware_stack(), max_body, max_upload, max_depth)
