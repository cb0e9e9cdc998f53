"""What a request may carry, enforced on its bytes before anything parses them.

Run by the app's outermost middleware (api.http.edge), so that nothing (FastAPI's JSON parser,
the multipart parser, pydantic) sees a request over the limits:

- a body declared (Content-Length) over its limit is answered 413 without a byte read;
- a body streamed without a length is counted as it comes and cut at the limit: 413;
- a JSON body nested deeper than CUSTODY_JSON_MAX_DEPTH is answered 422 after a scan of its
  bytes (JSON nested 300 deep used to reach the parser's recursion limit: 500, and a
  traceback logged per request);
- a JSON body that is not UTF-8 (UTF-16 or UTF-32, which would hide its brackets from the
  depth scan, or any byte sequence UTF-8 does not allow, or a NUL byte) is answered 415
  /problems/not-utf-8: RFC 8259 section 8.1 says JSON exchanged between systems is UTF-8.

The limit is CUSTODY_REQUEST_MAX_BYTES for every body but an upload's (multipart/form-data),
whose limit is CUSTODY_UPLOAD_MAX_BYTES and a little for the form's own framing; the upload
route checks the file's own size against CUSTODY_UPLOAD_MAX_BYTES exactly (api.http.files).
Each answer is RFC 9457 problem+json with its own type: /problems/too-large (413) and
/problems/too-deep (422).
"""

from __future__ import annotations

from array import array
from collections.abc import Awaitable, Callable, MutableMapping
from itertools import accumulate
from typing import Any, NamedTuple

import anyio.to_thread
import orjson

from api.http.problems import MEDIA_TYPE

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

FORM_FRAMING = 64 * 1024
"""What a multipart upload may carry beside the file itself: boundaries, headers, the role."""

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 opens, -1 (signed) closes

ON_THE_LOOP = 64 * 1024
"""A JSON body up to this size is checked on the event loop; a larger one in a worker thread,
so that reading 16 MiB (tens of milliseconds of CPU) never holds other requests up."""
_ANONYMOUS_BODY = f"log in first: a JSON body over {ON_THE_LOOP} bytes is read from a caller"


def too_deep(body: bytes, limit: int) -> bool:
    """Whether the JSON text `body` nests arrays and objects deeper than `limit`.

    A body with no more opening brackets than the limit cannot be deeper (the common case,
    answered by two `bytes.count`); otherwise strings are dropped and the brackets left are
    walked. Malformed JSON is the parser's to refuse; this only keeps it from recursing."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    steps = array("b", outside_strings(body).translate(_STEPS, _NOT_BRACKETS))
    return max(accumulate(steps), default=0) > limit  # the deepest prefix, summed in C


def outside_strings(body: bytes) -> bytes:
    """The bytes of the JSON text `body` that lie outside its strings (RFC 8259 section 7):
    the escape pairs are dropped first (`\\\\`, then `\\"`), so every quote left opens or
    closes a string, and every other piece between quotes is a string's contents. A string left
    open runs to the end of the body, as a parser would read it.

    Built from bytes.replace and bytes.split alone, so the time is linear in the body and never
    depends on how it is crafted: a regular expression over strings (`"(?:[^"\\]|\\.)*"`)
    tried again at every quote of an unclosed string of escaped quotes, and 20 KB cost seconds
    of the event loop (b12, CRITICAL)."""
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(plain.split(b'"')[::2])


def is_utf8(body: bytes) -> bool:
    """Whether `body` is UTF-8 with no NUL byte. JSON text has no raw NUL (a string escapes
    it), while UTF-16 and UTF-32 put one beside every ASCII character: such a body would hide
    its brackets from `too_deep` and reach a parser that guesses encodings."""
    if b"\x00" in body:
        return False
    if body.isascii():
        return True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Framing(NamedTuple):
    """What a request's headers say of its body and its caller (`framing`)."""

    length: bytes | None  # its Content-Length, None when it has none
    content_type: bytes  # its Content-Type, lowercased; b"" when none
    repeated: str | None  # "Content-Type" or "Content-Length" when given more than once
    login: bool  # whether it carries a token or a cookie (a page's session)


def framing(headers: list[tuple[bytes, bytes]]) -> Framing:
    """The request's `Framing`, in one pass over its headers (each request's: a second walk
    to count the repeated ones cost every request again, bench/api.py). The last of a
    repeated header is kept, and the request refused for the repetition (`repeated`)."""
    length, content_type, login = None, b"", False
    types = lengths = 0
    for name, value in headers:
        if name == b"content-length":
            length = value
            lengths += 1
        elif name == b"content-type":
            content_type = value.lower()
            types += 1
        elif name in (b"authorization", b"cookie"):
            login = True
    repeated = "Content-Type" if types > 1 else "Content-Length" if lengths > 1 else None
    return Framing(length, content_type, repeated, login)


class _Cut(Exception):
    """The body went over its limit while the app was reading it."""


class BodyLimits:
    """The limits alone, as a middleware: `app.add_middleware(BodyLimits, max_body=...,
    max_upload=..., max_depth=...)`; sizes in bytes. The app runs them in its edge
    (api.http.edge), together with the security headers."""

    def __init__(self, app: App, max_body: int, max_upload: int, max_depth: int) -> None:
        self.app = app
        self.max_body, self.max_upload, self.max_depth = max_body, max_upload, max_depth

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Alone, every caller is taken as logged in, as before: the 401 before a large JSON
        # body from no one is the edge's (api.http.edge).
        await self.limited(scope, receive, send, framing(scope["headers"])._replace(login=True))

    async def limited(
        self,
        scope: MutableMapping[str, Any],
        receive: Receive,
        send: Send,
        found: Framing,
    ) -> None:
        """The request, within the limits, by what its headers say (`found`, read in the
        edge's one pass over them: `framing`): a JSON body over ON_THE_LOOP bytes from no one
        (no token, no cookie) is answered 401 before it is read."""
        length, content_type, repeated, login = found
        if repeated is not None:
            # One of each (RFC 9110 sections 8.3 and 8.6): this guard had read the last
            # Content-Type and the routes the first, so `application/json` then
            # `multipart/form-data` passed a JSON body of 60 MiB as an upload (r12 CRITICAL).
            detail = f"a request carries one {repeated} header (RFC 9110), this one several"
            await _refuse(scope, send, 400, "repeated-header", detail)
            return
        if length is None and scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)  # the reads: no body to limit
            return
        upload = content_type.startswith(b"multipart/form-data")
        limit = self.max_upload + FORM_FRAMING if upload else self.max_body
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(scope, send, 413, "too-large", _size(limit))
            return
        anonymous_json = not login and not upload and _may_be_json(content_type)
        if anonymous_json and _over_the_loop(length):
            # Every route that takes JSON needs a login: 16 MiB of `[{},{},...]` from no one
            # was read and parsed whole (12 s, 0.5 GB) to be answered 401 (r3 MED).
            await _refuse(scope, send, 401, "unauthenticated", _ANONYMOUS_BODY)
            return
        if upload:
            await self._stream(scope, receive, send, limit)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await _refuse(scope, send, 413, "too-large", _size(limit))
                return
            if anonymous_json and len(body) > ON_THE_LOOP:
                # No length declared (chunked, or HTTP/1.0 to the end): 15 MiB from no one
                # were read and parsed to be answered 401 (r12f HIGH); read no further.
                await _refuse(scope, send, 401, "unauthenticated", _ANONYMOUS_BODY)
                return
        whole = bytes(body)
        if _may_be_json(content_type):
            if len(whole) <= ON_THE_LOOP:
                refusal = self.json_refusal(whole)
            else:
                refusal = await anyio.to_thread.run_sync(self.json_refusal, whole)
            if refusal is not None:
                await _refuse(scope, send, *refusal)
                return
        await self.app(scope, _replay(whole, receive), send)

    def json_refusal(self, whole: bytes) -> tuple[int, str, str] | None:
        """(status, problem type, detail) refusing the JSON body `whole`, or None: a body that
        is not UTF-8 is 415, one nested deeper than the limit 422. Linear in the body's size."""
        if not is_utf8(whole):
            detail = "a JSON body is UTF-8 (RFC 8259 section 8.1), not UTF-16 or UTF-32"
            return 415, "not-utf-8", detail
        if too_deep(whole, self.max_depth):
            return 422, "too-deep", f"JSON is nested at most {self.max_depth} deep"
        return None

    async def _stream(
        self, scope: MutableMapping[str, Any], receive: Receive, send: Send, limit: int
    ) -> None:
        """Pass an upload through as it comes, counting; over the limit, the app's reading
        stops and whatever it answers is replaced by the 413."""
        seen = 0
        cut = False
        started = False

        async def counted() -> Message:
            nonlocal seen, cut
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                cut = True
                raise _Cut
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if cut:
                return  # the app's answer to a body it never got whole
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not cut:
                raise
        if cut and not started:
            await _refuse(scope, send, 413, "too-large", _size(limit))


def _over_the_loop(length: bytes | None) -> bool:
    """Whether a body's Content-Length `length` declares it over ON_THE_LOOP bytes (None, no
    length declared: not said here; a streamed body is counted against the limit as it comes,
    and a route that needs a token refuses it before parsing: api.http.strict_json)."""
    return length is not None and (not length.isdigit() or int(length) > ON_THE_LOOP)


def _may_be_json(content_type: bytes) -> bool:
    # An untyped body is checked as JSON too: FastAPI once parsed it as JSON; the JSON routes
    # now answer it 415 (api.http.strict_json), and this stays a second guard before them.
    return not content_type or b"json" in content_type


def _size(limit: int) -> str:
    return f"a request's body is at most {limit} bytes"


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # a disconnect, when the client goes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _refuse(
    scope: MutableMapping[str, Any], send: Send, status: int, slug: str, detail: str
) -> None:
    titles = {
        "too-large": "Request too large",
        "too-deep": "JSON nested too deep",
        "not-utf-8": "JSON body not in UTF-8",
        "repeated-header": "Header given more than once",
        "unauthenticated": "Not logged in",
    }
    body = orjson.dumps(
        {
            "type": f"/problems/{slug}",
            "title": titles[slug],
            "status": status,
            "detail": detail,
            "instance": scope["path"],
        }
    )
    headers = [
        (b"content-type", MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
