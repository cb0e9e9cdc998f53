"""A minimal WebSocket client (RFC 6455) on a plain socket, for the pages bench: the opening
handshake (RFC 6455 §4.1), masked text frames out (§5.3), unmasked frames in, no thread;
permessage-deflate (RFC 7692) offered as a browser offers it, and used if the server takes it.

The bench times one message per scan against one bulk request; the `websockets` library's
synchronous client reads in a thread of its own, and handing each answer from that thread to
the caller cost more than the server's work for the scan on this machine. A browser's
WebSocket is native code; this stands in for it. It asks what Chromium asks
(`Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits`, Chromium 156), so a
server that compresses every message is timed compressing them."""

from __future__ import annotations

import base64
import os
import re
import socket
import struct
import zlib
from typing import Any
from urllib.parse import urlsplit

# What Chromium 156 offers on every WebSocket opening (seen on the wire, 2026-11-30).
OFFER = "permessage-deflate; client_max_window_bits"
# RFC 7692 §7.2.1: a compressed message is sent without the flush's last four octets.
TAIL = b"\x00\x00\xff\xff"


class Closed(ConnectionError):
    """The server closed the connection; `code` is its close code (RFC 6455 §7.4), if sent."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"closed ({code})")
        self.code = code


class WebSocket:
    """One client connection: `send` a text message, `recv` the next one. `deflate`: whether
    the server took permessage-deflate (then every message both ways is compressed)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port or 80))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Upgrade: websocket"]
        lines += ["Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"Sec-WebSocket-Extensions: {OFFER}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            self.sock.close()
            raise ConnectionError(f"the opening was refused: {head[:200]!r}")
        self.deflate, self._compress, self._inflate = self._extension(head.decode("latin-1"))

    @staticmethod
    def _extension(head: str) -> tuple[bool, Any, Any]:
        """Whether the answer took permessage-deflate, and the compressor and inflater for
        the window sizes it set (RFC 7692 §7.1.2; 15 when it set none), with context
        takeover as Chromium keeps it."""
        taken = re.search(r"(?im)^sec-websocket-extensions:(.*)$", head)
        if taken is None or "permessage-deflate" not in taken.group(1):
            return False, None, None
        server = re.search(r"server_max_window_bits=(\d+)", taken.group(1))
        client = re.search(r"client_max_window_bits=(\d+)", taken.group(1))
        compress = zlib.compressobj(
            zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -int(client.group(1) if client else 15)
        )
        return True, compress, zlib.decompressobj(-int(server.group(1) if server else 15))

    def send(self, text: str) -> None:
        data, mask, first = text.encode(), os.urandom(4), 0x81  # FIN, text
        if self.deflate:  # RSV1 marks the message compressed (RFC 7692 §6)
            data = (self._compress.compress(data) + self._compress.flush(zlib.Z_SYNC_FLUSH))[:-4]
            first |= 0x40
        size = len(data)
        if size < 126:
            head = struct.pack("!BB", first, 0x80 | size)
        elif size < 1 << 16:
            head = struct.pack("!BBH", first, 0x80 | 126, size)
        else:
            head = struct.pack("!BBQ", first, 0x80 | 127, size)
        key = int.from_bytes((mask * (size // 4 + 1))[:size], "big")
        masked = (int.from_bytes(data, "big") ^ key).to_bytes(size, "big")
        self.sock.sendall(head + mask + masked)

    def recv(self) -> str:
        self._need(2)
        first, second = self.buffer[0], self.buffer[1] & 0x7F
        start = 2
        if second == 126:
            self._need(4)
            (second,) = struct.unpack("!H", self.buffer[2:4])
            start = 4
        elif second == 127:
            self._need(10)
            (second,) = struct.unpack("!Q", self.buffer[2:10])
            start = 10
        self._need(start + second)
        data = self.buffer[start : start + second]
        self.buffer = self.buffer[start + second :]
        if first & 0x0F == 0x8:
            raise Closed(struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None)
        if first & 0x40:
            data = self._inflate.decompress(data + TAIL)
        return data.decode()

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> WebSocket:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _need(self, size: int) -> None:
        while len(self.buffer) < size:
            self._read()

    def _read(self) -> None:
        more = self.sock.recv(65536)
        if not more:
            raise Closed(None)
        self.buffer += more
