"""The API documentation pages (/docs, /redoc) and the static files they need, all served
from the service: FastAPI's defaults load Swagger UI, ReDoc, a favicon and Google Fonts from
outside, which a closed ministry network does not reach (a blank page)."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.http.security_headers import PAGE_POLICY

STATIC = Path(__file__).resolve().parent / "static"
SWAGGER = "/static/vendor/swagger-ui-dist"
REDOC_FILE = STATIC / "vendor" / "redoc" / "bundles" / "redoc.standalone.js"
REDOC = "/redoc/redoc.standalone.js"  # the vendored bundle, its footer's logo made local
# ReDoc 2.5 draws "powered by Redocly" in its menu from this address, with no option to leave
# it out (`hideLogo` is the API's own x-logo): the bundle is served with it replaced by an
# empty picture, so the browser asks nothing of another host and logs no refusal.
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_SVG = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
REDOC_POLICY = (
    "default-src 'none'; script-src 'self' blob:; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
FAVICON = f"{SWAGGER}/favicon-32x32.png"
SWAGGER_INIT = "/static/web/swagger-init.js"


@cache
def redoc_bundle() -> bytes:
    """The vendored ReDoc bundle (as scripts/fetch_assets.py checked it) with its one
    outside address, the menu's logo, replaced by an empty SVG. Raises RuntimeError when
    the bundle does not name that address exactly once (another version: look again)."""
    bundle = REDOC_FILE.read_bytes()
    if bundle.count(REDOC_LOGO) != 1:
        raise RuntimeError(f"{REDOC_FILE} does not name {REDOC_LOGO.decode()} once")
    return bundle.replace(REDOC_LOGO, EMPTY_SVG)


def swagger_page(openapi_url: str, title: str) -> str:
    """Swagger UI's page as FastAPI's get_swagger_ui_html draws it, without its inline script
    (issue 16: /docs was the one page with one, and with no policy): the vendored bundle,
    then static/web/swagger-init.js, which reads the schema's address from the page."""
    spec, name = html.escape(openapi_url, quote=True), html.escape(title)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
<link rel="icon" href="{FAVICON}">
<title>{name}</title>
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec}"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="{SWAGGER_INIT}"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve /static and the two documentation pages; the app must be made with
    docs_url=None and redoc_url=None. Raises RuntimeError when the front-end packages were
    never fetched (scripts/fetch_assets.py, run by `make`)."""
    if not (STATIC / "vendor" / "LICENCES.md").exists():
        raise RuntimeError(
            f"the web assets are missing in {STATIC / 'vendor'}: run scripts/fetch_assets.py"
        )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    title = f"{app.title}: API"

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        page = HTMLResponse(swagger_page(app.openapi_url or "/openapi.json", title))
        page.headers["Content-Security-Policy"] = PAGE_POLICY  # the pages' own: nothing inline
        return page

    @app.get(REDOC, include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(redoc_bundle(), media_type="text/javascript")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            redoc_js_url=REDOC,
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
        # Nothing on the page is from elsewhere (redoc_bundle); the policy keeps it so.
        page.headers["Content-Security-Policy"] = REDOC_POLICY
        return page
