"""bench/ws_client.py, the pages bench's stand-in for a browser's WebSocket, against a real
`websockets` server: it offers permessage-deflate as Chromium does, and speaks it when the
server takes it (compressed both ways, context kept across messages) or plainly when the
server declines, the text coming back whole either way."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from websockets.sync.server import ServerConnection, serve

from bench.ws_client import OFFER, WebSocket

# Three scans' answers: Cyrillic and Kazakh letters, and the same HTML again, so the
# compressor's context carries over from one message to the next.
SAID = [
    '<p class="scan-ok" data-outcome="ok">ЗХ 961999 добавлен</p>' * 3,
    '<p class="scan-ok" data-outcome="ok">Қару тізімге қосылды</p>' * 3,
    '<p class="scan-ok" data-outcome="ok">ЗХ 961999 добавлен</p>' * 3,
]


@contextmanager
def echoing(compression: str | None) -> Iterator[tuple[str, list[str]]]:
    """A server that answers each text message with itself twice; yields its URL and the
    Sec-WebSocket-Extensions each opening asked for."""
    asked: list[str] = []

    def answer(socket: ServerConnection) -> None:
        assert socket.request is not None
        asked.append(socket.request.headers.get("Sec-WebSocket-Extensions", ""))
        for message in socket:
            socket.send(str(message) * 2)

    with serve(answer, "127.0.0.1", 0, compression=compression) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        try:
            yield f"ws://127.0.0.1:{port}/web/scan/live", asked
        finally:
            server.shutdown()
            thread.join(timeout=10)


@pytest.mark.parametrize(("compression", "taken"), [("deflate", True), (None, False)])
def test_it_offers_what_chromium_offers_and_speaks_what_the_server_took(
    compression: str | None, taken: bool
) -> None:
    with echoing(compression) as (url, asked), WebSocket(url, {}) as socket:
        answers = []
        for said in SAID:
            socket.send(said)
            answers.append(socket.recv())
        deflate = socket.deflate
    assert asked == [OFFER]
    assert deflate is taken
    assert answers == [said * 2 for said in SAID]
