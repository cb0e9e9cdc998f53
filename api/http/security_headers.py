"""The headers every response carries, set on its start message with no body buffering:

    X-Content-Type-Options: nosniff      a browser takes the Content-Type as given
    Referrer-Policy: no-referrer         no address of ours (an item id) leaks to another site
    X-Frame-Options: DENY                no page of ours inside another's frame
    Cache-Control: no-store              on answers to a request that carried a login: a
                                         shared or browser cache keeps no entry body
    Content-Security-Policy              on JSON and problem+json: nothing in them may run;
                                         on the web pages' HTML (/web/): scripts, styles and
                                         everything else from this service only, nothing
                                         inline, no frame, forms posted only here
    Strict-Transport-Security            when served over TLS

A header the route set itself (a file's sandboxing policy, a statement's caching) is kept.
The app sets them in its outermost middleware (api.http.edge), outside the one that answers
an unhandled error with a 500, so that answer carries them too.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The pages' own: WebAssembly for libsodium's Argon2id (key files), blob: for the camera's
# frames and photos, data: for the inline QR and chart images.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; "
    "media-src 'self' blob:; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"

_ALWAYS = tuple((name.encode(), value.encode()) for name, value in ALWAYS)
_JSON_TYPES = (b"application/json", b"application/problem+json")
_NO_STORE = (b"cache-control", b"no-store")
_POLICY = (b"content-security-policy", JSON_POLICY.encode())
_PAGE_POLICY = (b"content-security-policy", PAGE_POLICY.encode())
_HSTS = (b"strict-transport-security", HSTS.encode())


def add(message: Message, authenticated: bool, secure: bool, page: bool = False) -> None:
    """Add the headers to an `http.response.start` message, keeping any the route set.

    Works on the raw header list (byte pairs) rather than through starlette's MutableHeaders:
    this runs for every response, and the list is short."""
    headers = message.get("headers")
    headers = list(headers) if headers is not None else []
    present = set()
    content_type = b""
    for name, value in headers:
        lowered = name.lower()
        present.add(lowered)
        if lowered == b"content-type":
            content_type = value
    for pair in _ALWAYS:
        if pair[0] not in present:
            headers.append(pair)
    if authenticated and b"cache-control" not in present:
        headers.append(_NO_STORE)
    if b"content-security-policy" not in present:
        if content_type.startswith(_JSON_TYPES):
            headers.append(_POLICY)
        elif page and content_type.startswith(b"text/html"):
            headers.append(_PAGE_POLICY)
    if secure and b"strict-transport-security" not in present:
        headers.append(_HSTS)
    message["headers"] = headers


def authenticated(scope: Scope) -> bool:
    """Whether the request carried a login (an Authorization header, or a page's cookie)."""
    return any(name in (b"authorization", b"cookie") for name, _ in scope["headers"])


class SecurityHeaders:
    """The headers alone, as a pure-ASGI middleware (for an app without the edge's limits)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        login, secure = authenticated(scope), scope.get("scheme") == "https"
        page = scope["path"].startswith("/web/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add(message, login, secure, page)
            await send(message)

        await self.app(scope, receive, send_with_headers)
