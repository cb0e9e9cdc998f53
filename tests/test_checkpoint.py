"""C2SP tlog-checkpoint bodies and signed checkpoints against the vectors."""

from __future__ import annotations

import base64

import pytest

from custody import checkpoint, note
from custody.errors import MalformedNoteError, NoteError
from tests.support.vectors import load

VECTORS = load("checkpoint.json")


def _expected(want: dict[str, object]) -> checkpoint.Checkpoint:
    return checkpoint.Checkpoint(
        str(want["origin"]),
        int(want["size"]),  # type: ignore[call-overload]
        base64.b64decode(str(want["root"])),
        tuple(want["extensions"]),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("case", VECTORS["checkpoints"], ids=lambda c: c["desc"])
def test_signed_checkpoint_vectors(case: dict[str, object]) -> None:
    want_parse = case["want_parse"]
    if want_parse is None:
        with pytest.raises(ValueError, match=r"."):
            checkpoint.parse_note(str(case["note"]))
        return
    parsed, signed = checkpoint.parse_note(str(case["note"]))
    assert parsed == _expected(want_parse)  # type: ignore[arg-type]
    if "sigs" in want_parse:  # type: ignore[operator]
        got = [[s.name, f"{s.hash:08x}"] for s in signed.signatures]
        assert got == want_parse["sigs"]  # type: ignore[index]
    if case.get("vkey") is None:
        return
    verifier = note.Verifier.parse(str(case["vkey"]))
    if case["want_verify"]:
        opened, signed_by = checkpoint.open_checkpoint(str(case["note"]), [verifier])
        assert opened == parsed
        assert signed_by == [verifier]
    else:
        with pytest.raises(NoteError):
            checkpoint.open_checkpoint(str(case["note"]), [verifier])


@pytest.mark.parametrize("case", VECTORS["bodies"], ids=lambda c: c["desc"])
def test_checkpoint_bodies(case: dict[str, object]) -> None:
    if case["want"] is None:
        with pytest.raises(MalformedNoteError):
            checkpoint.parse_body(str(case["body"]))
    else:
        parsed = checkpoint.parse_body(str(case["body"]))
        assert parsed == _expected(case["want"])  # type: ignore[arg-type]
        assert parsed.body() == case["body"]


def test_signing_reproduces_the_vector_note() -> None:
    signer = note.Signer.parse(load("signed_note.json")["vkeys"]["signer"]["skey"])
    case = VECTORS["checkpoints"][0]
    assert _expected(case["want_parse"]).sign([signer]) == case["note"]
