"""The browser of the web pages' tests: Debian's Chromium through Playwright, one per test
module, each page under the strict CSP check (strict_csp) and every request it makes and
every CSP refusal recorded (a module's last test checks that none left this machine).

Every browser module uses the fixture `browser` here (imported into the module, or through
tests/test_web_pages, which re-exports it), so there is one way to launch Chromium. It is
module-scoped, not session-scoped, on purpose: Playwright's sync API keeps its asyncio loop
running on the test thread for as long as it is open, so that a session-long browser would
make `asyncio.run` fail in every later test of the worker that used one (tests/
test_write_batches.py, tests/test_security_headers.py). Starting Playwright and Chromium costs
about 2-4 s on a loaded machine, a few dozen seconds over the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from api.http.security_headers import PAGE_POLICY

CHROMIUM = Path("/usr/bin/chromium")

# The policy the pages live under, as the server sends it (api.http.security_headers): nothing
# inline, nothing from elsewhere, no eval. WebAssembly is allowed ('wasm-unsafe-eval', which
# lets no JavaScript be eval'ed): libsodium's Argon2id opens a key file in about a second with
# it, and far too slowly in its asm.js fallback.
CSP = PAGE_POLICY


@dataclass
class Browser:
    """A launched Chromium; `page()` opens a page in a new context of `width` x `height` CSS
    pixels, its requests' URLs appended to `requests` and CSP refusals to `refused`."""

    browser: Any
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # what the CSP stopped

    def page(self, width: int = 1280, height: int = 900) -> Any:
        context = self.browser.new_context(viewport={"width": width, "height": height})
        context.on("request", lambda request: self.requests.append(request.url))
        context.route("**/web/**", strict_csp)
        page = context.new_page()
        page.on(
            "console",
            lambda m: self.refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.set_default_timeout(20_000)
        return page


def strict_csp(route: Any) -> None:
    """Every page must come with the server's own policy: a page without it is not shown, so
    a journey through it breaks; a violation of it breaks the journeys too."""
    if route.request.resource_type != "document" or route.request.method != "GET":
        # Posts answer with a redirect to a page, which comes back here.
        route.continue_()
        return
    answer = route.fetch(max_redirects=0)
    html = answer.headers.get("content-type", "").startswith("text/html")
    # the pages' policy, or a page's own stricter one (the public check's)
    policy = answer.headers.get("content-security-policy", "")
    if html and not (policy == CSP or policy.startswith("default-src 'none'; script-src 'self';")):
        route.fulfill(status=500, body=f"served without the pages' CSP: {route.request.url}")
        return
    route.fulfill(response=answer)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module (see the module's docstring for why not for the session)."""
    playwright_sync = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium")
    with playwright_sync.sync_playwright() as playwright:
        # Pages fulfilled by the route above (to check their CSP) have no address, so Chromium
        # counts them as public and its Local Network Access checks would block their
        # WebSocket to 127.0.0.1 (the scan page's); a page the server sends itself is not.
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"],
            headless=True,
        )
        yield Browser(launched)
        launched.close()
