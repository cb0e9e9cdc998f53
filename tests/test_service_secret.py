"""The recipient secret kept in the data directory when the environment gives none, and the
keyed fingerprints of Idempotency-Keys (a body may hold a national identity number: a breaker
recovered one from an unkeyed SHA-256 in 0.37 s by trying the digits after a birth date)."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from api.http.idempotency import fingerprint
from api.service_secret import FILE, fingerprint_key, kept_secret, process_config


def test_the_secret_is_made_once_private_and_kept(tmp_path: Path) -> None:
    first = kept_secret(tmp_path / "data")
    assert len(bytes.fromhex(first)) == 32
    assert kept_secret(tmp_path / "data") == first
    mode = stat.S_IMODE((tmp_path / "data" / FILE).stat().st_mode)
    assert mode == 0o600


def test_the_environment_wins_over_the_kept_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CUSTODY_RECIPIENT_SECRET", raising=False)
    kept = process_config(tmp_path).recipient_secret
    assert kept is not None
    assert kept.get_secret_value() == kept_secret(tmp_path)
    monkeypatch.setenv("CUSTODY_RECIPIENT_SECRET", "e" * 40)
    given = process_config(tmp_path).recipient_secret
    assert given is not None
    assert given.get_secret_value() == "e" * 40


def test_a_fingerprint_cannot_be_recomputed_without_the_services_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CUSTODY_RECIPIENT_SECRET", raising=False)
    body = b'{"item":"KZ-1","amount_tenge":30000,"reference":"P-1","national_id":"771122334455"}'
    key = fingerprint_key(process_config(tmp_path))
    kept = fingerprint("POST", "/steps/compensation_paid", body, key)
    assert kept == fingerprint("POST", "/steps/compensation_paid", body, key)  # a retry
    guess = hashlib.sha256()
    for part in (b"POST", b"/steps/compensation_paid", body):
        guess.update(len(part).to_bytes(8, "big"))
        guess.update(part)
    assert kept != guess.hexdigest()
    other = fingerprint_key(process_config(tmp_path / "elsewhere"))
    assert fingerprint("POST", "/steps/compensation_paid", body, other) != kept
