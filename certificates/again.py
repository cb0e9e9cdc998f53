"""verify-statement's render of a statement again, in a process started the moment the check
starts, and killed the moment the check no longer needs it.

The child is `python -m certificates.again`, not a multiprocessing spawn: spawn imports the
caller's main module again in the child (the CLI, the benchmark), which costs seconds of
imports for nothing. The child imports WeasyPrint and works out this machine's renderer
identity while the caller reads the PDF and checks the ledger's proofs (steps 1-9); it then
reads the evidence (the attachment's bytes, as the PDF carries it) from its stdin, renders it
again (render.render_again) and writes back what it found. The render is the longest part of
a check; the rest of the check runs beside it on another core.

A check that fails before step 10 kills the child (`stop`), so it ends at once instead of
waiting for a render nobody needs. The child also ends with its parent however the parent
ends (worker.die_with_parent).

The pipe, both ways: frames of an 8-byte big-endian length and the bytes. To the child: one
frame, the attachment. From the child: a status frame (b"ok", b"other" for another renderer,
or b"error"), a frame of this machine's renderer identity (JSON), and a frame of the PDF
(ok), nothing (other) or the error's text (error).

Under a memory cap (the public check's RLIMIT_AS, api.statement_check, which the child
inherits) a render may run out: a MemoryError, a library that cannot be mapped, or a native
allocation that aborts the child by a signal. That is RenderOutOfMemory, so that the check
says "too large to check" rather than "another renderer" or a bare exit status.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

_LENGTH = 8
_ROOT = Path(__file__).resolve().parent.parent  # where `certificates` is imported from
# How a child out of its address space ends: a native allocation's abort (GLib's g_error is
# a SIGTRAP), a fault on what it could not map.
_OUT_OF_MEMORY = {-signal.SIGTRAP, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS}
_NO_MEMORY = ("MemoryError", "failed to map segment", "Cannot allocate memory")
_RENDERS = ("statement", "report")


class RenderFailed(ValueError):
    """The child could not render the evidence (it is malformed) or ended without a word."""


class RenderOutOfMemory(RenderFailed):
    """The child ran out of memory (under a cap) or was ended by a signal as that does."""


def out_of_memory(text: str) -> bool:
    """Whether an error's text says memory ran out (MemoryError, a library not mapped)."""
    return any(sign in text for sign in _NO_MEMORY)


class RenderAgain:
    """One render again of one statement's evidence (or, `what="report"`, of an annual
    report's PDF from the JSON it carries: report_pdf.render_again), by a child process
    started now."""

    def __init__(self, what: str = "statement") -> None:
        if what not in _RENDERS:
            raise ValueError(f"no render again of a {what!r}")
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(_ROOT), path) if p)}
        self._child = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "certificates.again", str(os.getpid()), what],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._writer: threading.Thread | None = None

    def give(self, evidence: dict[str, Any], attached: bytes) -> None:
        """Hand the child the evidence (`attached`, the attachment's bytes, which `evidence`
        parses; the child parses it itself); written from a thread, so that the caller goes on
        while the child still imports (the pipe holds 64 KiB, the evidence megabytes)."""
        assert self._child.stdin is not None
        stdin = self._child.stdin

        def write() -> None:
            try:
                _write(stdin, attached)
                stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the child was stopped: nobody wants the render any more

        self._writer = threading.Thread(target=write, name="render-again-input", daemon=True)
        self._writer.start()

    def result(self) -> tuple[dict[str, Any], bytes | None]:
        """(this machine's renderer identity, the PDF rendered again or None when this
        machine's renderer is not the one the evidence records). Raises RenderFailed."""
        assert self._child.stdout is not None
        try:
            status = _read(self._child.stdout)
            here = json.loads(_read(self._child.stdout))
            last = _read(self._child.stdout)
            self._child.wait(timeout=5)  # it ends once it has written
        except subprocess.TimeoutExpired:
            pass  # it has said all it had to say; stop() ends it
        except EOFError as exc:
            ended = self._child.wait()
            if ended in _OUT_OF_MEMORY:
                raise RenderOutOfMemory(f"the render ran out of memory (exit {ended})") from exc
            raise RenderFailed(f"the render ended without a result (exit {ended})") from exc
        finally:
            self.stop()
        if status == b"error" and out_of_memory(last.decode()):
            raise RenderOutOfMemory(f"the render ran out of memory: {last.decode()}")
        if status == b"error":
            raise RenderFailed(f"the evidence cannot be rendered again: {last.decode()}")
        return here, (last if status == b"ok" else None)

    def stop(self) -> None:
        """End the child now, whatever it is doing."""
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
        for stream in (self._child.stdout, self._child.stdin):
            if stream is not None:
                # The writer thread may hold it mid-write; it ends with the pipe.
                with contextlib.suppress(OSError):
                    stream.close()

    @property
    def returncode(self) -> int | None:
        """The child's exit status once stopped (-9: killed before it was done)."""
        return self._child.returncode


def _write(stream: IO[bytes], data: bytes) -> None:
    stream.write(len(data).to_bytes(_LENGTH, "big"))
    stream.write(data)
    stream.flush()


def _read(stream: IO[bytes]) -> bytes:
    head = stream.read(_LENGTH)
    if len(head) < _LENGTH:
        raise EOFError
    size = int.from_bytes(head, "big")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _main() -> None:
    from certificates.worker import die_with_parent

    die_with_parent(int(sys.argv[1]))
    what = sys.argv[2] if len(sys.argv) > 2 else "statement"
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    # The slow imports first, while the caller is still reading the PDF.
    try:
        import weasyprint  # noqa: F401

        from certificates import render, renderer_identity, report_pdf

        here = renderer_identity.identity()
    except (ImportError, OSError, RuntimeError, MemoryError) as exc:
        if isinstance(exc, MemoryError) or out_of_memory(str(exc)):
            _read(source)  # out of memory under a cap: not another renderer
            for frame in (b"error", b"{}", repr(exc).encode()):
                _write(sink, frame)
            return
        # No renderer here at all (WeasyPrint, Pango or a font missing): like another
        # renderer, the page cannot be rendered again on this machine.
        _read(source)
        for frame in (b"other", json.dumps({"unavailable": repr(exc)}).encode(), b""):
            _write(sink, frame)
        return
    # A process for one render: what the imports made lives until it ends, so the collector
    # need never scan it (freeze), and a render's millions of short-lived objects are
    # collected in larger rounds. The render takes a quarter less CPU (bench/README.md), its
    # peak memory the same, its bytes the same.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    attached = _read(source)
    try:
        evidence = json.loads(attached)
        again = report_pdf.render_again if what == "report" else render.render_again
        found, pdf = again(evidence)
    except (KeyError, TypeError, ValueError, AttributeError, MemoryError) as exc:
        for frame in (b"error", json.dumps(here).encode(), repr(exc).encode()):
            _write(sink, frame)
        return
    frames = [b"ok" if pdf is not None else b"other", json.dumps(found).encode(), pdf or b""]
    for frame in frames:
        _write(sink, frame)


if __name__ == "__main__":
    _main()
