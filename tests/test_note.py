"""C2SP signed notes against Go's sumdb/note test vectors and the C2SP examples."""

from __future__ import annotations

import base64

import pytest

from custody import note
from custody.errors import MalformedNoteError, NoteError, UnverifiedNoteError
from tests.support.vectors import load

VECTORS = load("signed_note.json")
PETER = note.Verifier.parse(VECTORS["vkeys"]["signer"]["vkey"])


@pytest.mark.parametrize("case", VECTORS["vkeys"]["good"], ids=lambda c: c["name"])
def test_good_verifier_keys_parse(case: dict[str, str]) -> None:
    verifier = note.Verifier.parse(case["vkey"])
    assert verifier.name == case["name"]
    assert verifier.key_id == case["key_id"]
    assert verifier.vkey == case["vkey"]


@pytest.mark.parametrize("case", VECTORS["vkeys"]["bad"], ids=lambda c: c["desc"])
def test_bad_verifier_keys_are_refused(case: dict[str, str]) -> None:
    with pytest.raises(MalformedNoteError):
        note.Verifier.parse(case["vkey"])


def test_every_substring_and_increment_of_a_vkey_is_refused() -> None:
    vkey = VECTORS["vkeys"]["mangle"]["vkey"]
    for start in range(len(vkey)):
        for end in range(start, len(vkey) + 1):
            if (start, end) != (0, len(vkey)):
                with pytest.raises(MalformedNoteError):
                    note.Verifier.parse(vkey[start:end])
    for position in range(len(vkey)):
        mangled = vkey[:position] + chr(ord(vkey[position]) + 1) + vkey[position + 1 :]
        with pytest.raises(MalformedNoteError):
            note.Verifier.parse(mangled)


def test_private_key_gives_the_published_verifier_and_roundtrips() -> None:
    signer = note.Signer.parse(VECTORS["vkeys"]["signer"]["skey"])
    assert signer.verifier.vkey == VECTORS["vkeys"]["signer"]["vkey"]
    assert signer.skey == VECTORS["vkeys"]["signer"]["skey"]
    assert "PRIVATE" not in repr(signer)
    assert signer.seed.hex() not in repr(signer)


def test_signing_reproduces_go_golden_signature() -> None:
    signer = note.Signer.parse(VECTORS["vkeys"]["signer"]["skey"])
    golden = VECTORS["notes"][0]["note"]
    text = golden.split("\n\n")[0] + "\n"
    assert note.sign(text, [signer]) == golden


def _note_bytes(case: dict[str, str]) -> bytes:
    if "note_b64" in case:
        return base64.b64decode(case["note_b64"])
    return case["note"].encode()


@pytest.mark.parametrize(
    "case", [c for c in VECTORS["notes"] if "want" in c], ids=lambda c: c["desc"]
)
def test_open_note_vectors(case: dict[str, object]) -> None:
    verifier = note.Verifier.parse(str(case["vkey"]))
    data = _note_bytes(case)  # type: ignore[arg-type]
    if case["want"]:
        parsed, signed_by = note.open_note(data, [verifier])
        assert signed_by == [verifier]
        assert parsed.render().encode() == data
    else:
        expected = MalformedNoteError if case.get("malformed") else NoteError
        with pytest.raises(expected):
            note.open_note(data, [verifier])


def test_c2sp_opening_example_parses() -> None:
    case = next(c for c in VECTORS["notes"] if "want_text" in c)
    parsed = note.parse(case["note"])
    assert parsed.text == case["want_text"]
    assert [s.name for s in parsed.signatures] == case["want_sig_names"]


def test_a_cosignature_is_added_and_both_verify() -> None:
    ledger, witness = note.Signer.generate("custody.test/log"), note.Signer.generate("witness")
    signed = note.sign("custody.test/log\n1\n" + "A" * 43 + "=\n", [ledger])
    cosigned = note.add_signatures(signed, [witness])
    _, signed_by = note.open_note(cosigned, [ledger.verifier, witness.verifier])
    assert {v.name for v in signed_by} == {"custody.test/log", "witness"}


def test_unknown_signer_alone_does_not_verify() -> None:
    stranger = note.Signer.generate("stranger")
    with pytest.raises(UnverifiedNoteError):
        note.open_note(note.sign("hello\n", [stranger]), [PETER])


@pytest.mark.parametrize("text", ["no newline", "", "bell\x07\n"])
def test_malformed_text_is_not_signed(text: str) -> None:
    with pytest.raises(MalformedNoteError):
        note.sign(text, [note.Signer.generate("x")])
