"""The edge (api.http.edge) reads each request's headers once: the body's framing (its
Content-Length and Content-Type, either given twice), its caller's login and the security
headers all come from that one pass. Driven as the server drives it, through ASGI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

import pytest

from api.http.edge import Edge
from api.http.limits import Message


class _Headers(list[tuple[bytes, bytes]]):
    """A request's headers that count how often they are walked."""

    walks = 0

    def __iter__(self) -> Any:
        self.walks += 1
        return super().__iter__()


async def _answer_ok(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def _call(headers: _Headers, body: bytes = b"{}") -> tuple[int, dict[str, Any]]:
    """(status, the problem or {}) of a POST with `headers` through the edge."""
    scope = {"type": "http", "method": "POST", "path": "/steps/x", "headers": headers}
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(Edge(_answer_ok, 1 << 20, 1 << 20, 64)(scope, receive, send))
    status = sent[0]["status"]
    return status, json.loads(sent[1]["body"]) if status != 200 else {}


@pytest.mark.parametrize(
    ("repeated", "given"),
    [
        (None, [(b"content-type", b"application/json"), (b"content-length", b"2")]),
        ("Content-Type", [(b"content-type", b"application/json"), (b"content-type", b"text/x")]),
        ("Content-Length", [(b"content-length", b"2"), (b"content-length", b"900000000")]),
    ],
)
def test_the_edge_walks_a_requests_headers_once_and_refuses_framing_given_twice(
    repeated: str | None, given: list[tuple[bytes, bytes]]
) -> None:
    """Issue 12: the body guard walked the headers twice per request (its own pass, then a
    second to count a repeated Content-Type or Content-Length); one pass finds both."""
    headers = _Headers([(b"host", b"x"), *given, (b"authorization", b"Bearer t")])
    status, problem = _call(headers)
    assert headers.walks == 1
    if repeated is None:
        assert status == 200
    else:
        assert (status, problem["type"]) == (400, "/problems/repeated-header"), problem
        assert repeated in problem["detail"]
