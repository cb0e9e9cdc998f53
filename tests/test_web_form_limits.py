"""A browser's form under /web/ answered at its limits as a page in the reader's language, not
the API's English (issue 12, b12 #4): the apply form takes the 1,000 items the API takes
(Starlette's 1,000 fields refused 998 in English), and says its limit past it. A real served
demo site, real forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from api.demo.data import PASSWORD
from tests.support.processes import environment, run, server
from workflows.commands.fields import ITEMS_MAX

CLERK = "sklad.omarov"


def _client(base: str, username: str, language: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=120)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/login").text)
    assert token
    login = {"username": username, "password": PASSWORD, "language": language, "csrf": token[1]}
    assert client.post("/web/login", data=login).status_code == 303
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/scan").text)
    assert token
    return client, token[1]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("form-limits")
    env = environment(root / "data")
    assert run(env, "demo").returncode == 0
    with server(env) as found:
        yield found


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
def test_the_apply_form_takes_as_many_items_as_the_api_and_says_its_limit_past_it(
    base: str, multipart: bool
) -> None:
    client, csrf = _client(base, CLERK, "kk")
    with closing(client):
        for count in (ITEMS_MAX, ITEMS_MAX + 1, ITEMS_MAX + 100):
            fields = [("csrf", csrf), ("step", "parts_removed"), ("parts", "stock")]
            fields += [("items", f"NO-SUCH-{n}") for n in range(count)]
            if multipart:
                answer = client.post(
                    "/web/steps/apply",
                    files=[(k, (None, v.encode())) for k, v in fields],
                )
            else:
                answer = client.post(
                    "/web/steps/apply",
                    content=urlencode(fields),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
            assert answer.status_code == 200, answer.text[:300]
            assert answer.headers["content-type"].startswith("text/html")
            assert "Too many fields" not in answer.text
            limit = "1,000 заттан артық емес"  # the kk sentence naming the limit
            assert (limit in answer.text) == (count > ITEMS_MAX), answer.text[:600]
