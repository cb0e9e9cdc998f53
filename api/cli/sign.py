"""`custody sign`: a person signs an act with their own encrypted key, on their own machine.

The act is JSON (a registry result, a release, a statement signature: DESIGN §5); `person`,
`key_id` and `time` are filled in when missing. What it prints is the body the API takes
for the act: {"act": ..., "sig": base64}. The key never leaves the file it is encrypted in.
An act not of its kind's exact shape (workflows.grammar.ACT_SHAPES: unknown fields, a
control or bidi character in a text) is refused before anything is signed: exit 2, one line.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.keys import read_passphrase
from api.cli.output import echo
from api.cli.paths import ACT, KEY, PathRefused, read_text, readable
from api.http.strict_json import loads_strict
from custody import keyfile, note
from custody.acts import MAX_CLOCK_SKEW, sign_act
from custody.clock import format_time, parse_time, utc_now
from custody.errors import ActError
from workflows import grammar


def sign(
    act_file: Annotated[Path, typer.Argument(help="the act as JSON, or - for standard input")],
    key: Annotated[Path, typer.Option("--key", help="your encrypted key file (custody keygen)")],
    person: Annotated[
        str | None, typer.Option("--person", envvar="CUSTODY_ACTOR", help="your username")
    ] = None,
    passphrase_file: Annotated[
        Path | None, typer.Option("--passphrase-file", help="first line is the passphrase")
    ] = None,
) -> None:
    """Sign an act with your key; prints {"act", "sig"} as the API takes it.

    A statement signature act (R8) names the batch, every item in it, sorted,
    and the SHA-256 of the statement's content, as GET /batches/BATCH/statement
    gives them ({"statement": {..., "items": [{"id"}...]}, "sha256"}):

    {"kind": "statement_signed", "item": "BATCH",
     "items": ["KZ-...", ...], "statement": "<sha256>"}

    person, key_id and time are added here; any other field is refused. POST
    the printed {"act", "sig"} to /steps/statement_signed, beside the batch:

    {"batch": "BATCH", "act": {"act": {...}, "sig": "..."}}

    (README, "Keys": the whole example, against `make run`'s demo.)"""
    text = sys.stdin.read(ACT + 1) if str(act_file) == "-" else read_text(act_file, "", ACT)
    if len(text) > ACT:
        raise PathRefused(f"the act on standard input is larger than {ACT:,} characters")
    readable(key, "--key", KEY)
    act = _act(text, person)
    secret = keyfile.read(key, read_passphrase(passphrase_file, confirm=False))
    key_id = note.key_id(act["person"], secret.public_key)
    if act.setdefault("key_id", key_id) != key_id:
        raise ActError(f"the act names key {act['key_id']}, but this key is {key_id}")
    try:  # refused before it is signed, as the API would refuse it after (ACT_SHAPES)
        grammar.act(grammar.bounded_json(act))
    except ValueError as exc:
        raise ActError(f"not signed: {exc}") from None
    if parse_time(act["time"]) > utc_now() + MAX_CLOCK_SKEW:  # the server refuses it (R8)
        raise ActError(f"not signed: the act is dated {act['time']}, after now")
    signed = sign_act(act, secret.seed)
    out = {"act": signed.act, "sig": base64.b64encode(signed.sig).decode()}
    echo(json.dumps(out, ensure_ascii=False, indent=2))


def _act(text: str, person: str | None) -> dict[str, Any]:
    try:
        act = loads_strict(text)  # a key given twice is refused, as by the API (issue 12)
    except ValueError as exc:
        raise ActError(f"the act is not JSON: {exc}") from None
    if not isinstance(act, dict) or not isinstance(act.get("kind"), str):
        raise ActError('an act is a JSON object with its "kind"')
    who = act.get("person") or person
    if not who:
        raise ActError("whose act is it? give --person (or set CUSTODY_ACTOR)")
    if person and act.get("person") not in (None, person):
        raise ActError(f"the act is {act['person']}'s, not {person}'s: nobody signs for another")
    act["person"] = who
    act.setdefault("time", format_time(utc_now()))
    return act
