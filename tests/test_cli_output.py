"""Every line the command line prints goes through api.cli.output.echo, which shows control
characters as `\\uXXXX` (issue 12: `custody user alerts` printed the ESC, BEL and OSC of a
username tried at login raw, to the administrator's terminal)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from api.cli.output import escaped

CLI = Path(__file__).resolve().parent.parent / "api" / "cli"
BIDI = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029]}


@given(st.text())
def test_no_control_character_is_printed_but_line_feed_and_tab(text: str) -> None:
    shown = escaped(text)
    for char in shown:
        assert char in "\n\t" or (unicodedata.category(char) != "Cc" and char not in BIDI)


@given(st.text())
def test_json_printed_escaped_still_reads_back_as_the_stored_text(text: str) -> None:
    assert json.loads(escaped(json.dumps(text, ensure_ascii=False))) == text


def test_the_escapes_are_visible() -> None:
    assert escaped("\x1b]0;owned\x07\x9b2J\u202e") == "\\u001b]0;owned\\u0007\\u009b2J\\u202e"
    assert escaped("line\n\tnext") == "line\n\tnext"


def test_no_command_prints_but_through_the_one_helper() -> None:
    for path in sorted(CLI.glob("*.py")):
        if path.name == "output.py":
            continue
        source = path.read_text()
        assert not re.search(r"typer\.(echo|secho)\(|\bprint\(|click\.echo\(", source), path.name
