"""The headers every response carries, as a small pure-ASGI middleware (no body buffering):

    X-Content-Type-Options: nosniff      a browser takes the Content-Type as given
    Referrer-Policy: no-referrer         no address of ours (an item id) leaks to another site
    X-Frame-Options: DENY                no page of ours inside another's frame
    Cache-Control: no-store              on answers to a request that carried a login: a
                                         shared or browser cache keeps no entry body
    Content-Security-Policy              on JSON and problem+json: nothing in them may run
    Strict-Transport-Security            when served over TLS

A header the route set itself (a file's sandboxing policy, a statement's caching) is kept.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=63072000; includeSubDomains"
_JSON_TYPES = ("application/json", "application/problem+json")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authenticated = any(name == b"authorization" for name, _ in scope["headers"])
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS:
                    headers.setdefault(name, value)
                if authenticated:
                    headers.setdefault("cache-control", "no-store")
                if headers.get("content-type", "").startswith(_JSON_TYPES):
                    headers.setdefault("content-security-policy", JSON_POLICY)
                if secure:
                    headers.setdefault("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
