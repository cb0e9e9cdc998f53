"""Everything the command line prints goes through `echo`: text a person or an attacker gave
(a username tried at login, a notice's text, a label, a file name) is printed with its control
characters made visible, so that it cannot move the cursor, retitle the window, ring the bell
or rewrite the lines above it (ESC/CSI/OSC sequences, BEL, backspace, carriage return, C1
controls, Unicode bidirectional overrides).

Each such character becomes `\\uXXXX`: read by a person it is visible, and inside a JSON string
it is the JSON escape of the same character, so `--json` output still parses to the stored
text. Line feeds and tabs stay as they are (the output's own lines and columns).
"""

from __future__ import annotations

import re

import typer

# C0 controls but tab and line feed, DEL, C1 controls; the bidirectional embeddings,
# overrides and isolates, and the line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escaped(text: str) -> str:
    """`text` with every control character shown as `\\uXXXX` (tab and line feed kept)."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """typer.echo of `text` escaped (`escaped`): to stdout, or stderr with `err`."""
    typer.echo(escaped(str(text)), err=err, nl=nl)
