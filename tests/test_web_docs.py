"""The API documentation pages load nothing from outside the service: on a closed ministry
network FastAPI's defaults (Swagger UI, ReDoc, a favicon and Google Fonts from CDNs) give a
blank page. Every address a page names is on the service, and the service serves it."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from api.http.security_headers import PAGE_POLICY
from tests.support.browser import Browser
from tests.support.browser import browser as browser  # the module's Chromium
from tests.support.service import Service, service

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with service(tmp_path_factory.mktemp("docs")) as found:
        yield found


def addresses(html: str) -> list[str]:
    return [a or b for a, b in ADDRESS.findall(html)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_documentation_page_names_only_addresses_of_the_service(
    running: Service, page: str
) -> None:
    response = httpx.get(running.base + page)
    assert response.status_code == 200
    named = addresses(response.text)
    assert "/openapi.json" in named
    outside = [a for a in named if not a.startswith("/")]
    assert outside == []
    assert "fonts.googleapis" not in response.text
    for address in named:
        assert httpx.get(running.base + address).status_code == 200, address


def test_swagger_ui_is_told_not_to_ask_the_outside_validator(running: Service) -> None:
    started = httpx.get(running.base + "/static/web/swagger-init.js")
    assert started.status_code == 200
    assert "validatorUrl: null" in started.text


@pytest.mark.parametrize("page", ["/docs", "/web/login"])
def test_the_docs_page_has_no_inline_script_and_the_pages_policy(
    running: Service, page: str
) -> None:
    """Issue 16: the README says no page has an inline script, and /docs had one (FastAPI's
    Swagger UI start-up) and no policy: it carries the pages' policy now, as /web/ does."""
    answer = httpx.get(running.base + page)
    assert answer.headers["content-security-policy"] == PAGE_POLICY
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", answer.text, re.S)
    assert scripts
    assert [s for s in scripts if "src=" not in s[0] or s[1].strip()] == []


def test_vendored_files_match_the_pinned_packages() -> None:
    """What the service serves is what scripts/fetch_assets.py took from the pinned tarballs:
    the manifest it recorded is the one in the repository, with a licence beside each."""
    vendor = ROOT / "api" / "web" / "static" / "vendor"
    manifest = json.loads((ROOT / "api" / "web" / "assets.json").read_text())
    assert (vendor / ".assets.json").read_text() == (
        ROOT / "api" / "web" / "assets.json"
    ).read_text()
    licences = (vendor / "LICENCES.md").read_text()
    for package in manifest["packages"]:
        assert package["integrity"].startswith("sha512-")
        assert f"| {package['name']} | {package['version']} | {package['license']} |" in licences
        for name in package["files"]:
            assert (vendor / package["name"] / name).stat().st_size > 0
        assert any("LICENSE" in name for name in package["files"])


def _fetch_assets() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fetch_assets", ROOT / "scripts/fetch_assets.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_tarball_is_unpacked_only_with_the_pinned_integrity(tmp_path: Path) -> None:
    fetch_assets = _fetch_assets()
    data = _tarball({"lib.js": b"console.log(1)", "LICENSE": b"MIT"})
    package = {"name": "lib", "version": "1.0.0", "files": ["lib.js", "LICENSE"]}
    pinned = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    forged = _tarball({"lib.js": b"fetch('https://elsewhere')", "LICENSE": b"MIT"})
    with pytest.raises(fetch_assets.AssetError, match="integrity"):
        fetch_assets.unpack(forged, {**package, "integrity": pinned}, tmp_path / "forged")
    assert not (tmp_path / "forged").exists()
    fetch_assets.unpack(data, {**package, "integrity": pinned}, tmp_path / "good")
    assert (tmp_path / "good" / "lib" / "lib.js").read_bytes() == b"console.log(1)"
    missing = {**package, "files": ["other.js"], "integrity": pinned}
    with pytest.raises(fetch_assets.AssetError, match="no file"):
        fetch_assets.unpack(data, missing, tmp_path / "missing")


@pytest.mark.parametrize(
    ("address", "shown"), [("/redoc", "Download OpenAPI specification"), ("/docs", "/openapi.json")]
)
def test_documentation_renders_in_a_browser_with_no_console_error_and_nothing_from_elsewhere(
    running: Service, browser: Browser, address: str, shown: str
) -> None:
    """A breaker saw /redoc fetch its footer's logo from cdn.redoc.ly, and then its refusal
    by the page's policy logged as a console error: every request the page makes (those the
    policy blocks included) goes to the service, and the console says no error."""
    asked: list[str] = []
    errors: list[str] = []
    page = browser.page()
    page.set_default_timeout(30_000)
    # every request the page makes, blocked by the policy or not
    page.on("request", lambda request: asked.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(running.base + address)
    page.get_by_text(shown).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1_500)  # the menu's logo is asked for after the text
    page.context.close()
    assert asked
    assert [a for a in asked if not a.startswith((running.base, "data:", "blob:"))] == []
    assert errors == []


def test_the_redoc_bundle_served_names_no_other_host(running: Service) -> None:
    served = httpx.get(running.base + "/redoc/redoc.standalone.js")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/javascript")
    assert "cdn.redoc.ly" not in served.text
    assert 'src="/redoc/redoc.standalone.js"' in httpx.get(running.base + "/redoc").text
