"""The `custody` command line, run as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from custody import keyfile
from custody.errors import KeyFileError
from custody.note import Verifier, open_note
from tests.support.processes import environment, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = environment(tmp_path)
    result = run(env, "init")
    assert result.returncode == 0, result.stderr
    return env


def _passphrase(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase"
    path.write_text("корректная лошадь батарея скрепка\n")
    return path


def _size(env: dict[str, str]) -> int:
    report = json.loads(run(env, "verify", "--json").stdout)
    return int(report["size"])


def test_init_prints_the_verifier_key_and_is_idempotent(tmp_path: Path) -> None:
    env = environment(tmp_path)
    first = run(env, "init")
    assert first.returncode == 0
    assert "created ledger custody.test/ledger" in first.stdout
    vkey = first.stdout.strip().splitlines()[-1].removeprefix("verifier key: ")
    assert Verifier.parse(vkey).name == "custody.test/ledger"
    again = run(env, "init")
    assert again.returncode == 0
    assert "already there: 3 entries" in again.stdout  # genesis and two administrators
    assert stat.S_IMODE((tmp_path / "ledger.key").stat().st_mode) == 0o600


def test_keygen_writes_an_encrypted_key_and_prints_the_public_key(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "alice.key"
    result = run(env, "keygen", "--out", str(out), "--passphrase-file", str(_passphrase(tmp_path)))
    assert result.returncode == 0, result.stderr
    public_key = result.stdout.strip()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text())
    assert document["kdf"]["alg"] == "argon2id13"
    assert "seed" not in out.read_text()
    opened = keyfile.read(out, "корректная лошадь батарея скрепка")
    assert opened.public_key_b64 == public_key
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        keyfile.read(out, "wrong")
    again = run(env, "keygen", "--out", str(out), "--passphrase-file", str(_passphrase(tmp_path)))
    assert again.returncode == 1
    assert "refusing to overwrite" in again.stderr


def test_keygen_without_a_passphrase_source_refuses(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, "keygen", "--out", str(tmp_path / "k"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no passphrase" in result.stderr
    assert not (tmp_path / "k").exists()


def test_keys_add_rotate_revoke_and_list(env: dict[str, str], tmp_path: Path) -> None:
    keys = [keyfile.PersonKey.generate().public_key_b64 for _ in range(2)]
    # alice has no account: she may witness checkpoints, but no act key is hers
    refused = run(env, "keys", "add", "alice", keys[0], "--purpose", "act")
    assert refused.returncode == 1
    assert "alice is not an account in service" in refused.stderr
    added = run(env, "keys", "add", "alice", keys[0], "--purpose", "witness")
    assert added.returncode == 0, added.stderr
    # and one key is one person's: bob cannot have alice's
    taken = run(env, "keys", "add", "bob", keys[0], "--purpose", "witness")
    assert taken.returncode == 1
    assert "one key, one person" in taken.stderr
    key_id = added.stdout.split()[1]
    assert "holds from seq 4" in added.stdout
    rotated = run(env, "keys", "rotate", key_id, keys[1])
    assert rotated.returncode == 0, rotated.stderr
    new_id = rotated.stdout.split()[4]
    revoked = run(env, "keys", "revoke", new_id, "--reason", "уволен")
    assert revoked.returncode == 0
    listing = json.loads(run(env, "keys", "list", "--json").stdout)
    by_id = {k["key_id"]: k for k in listing}
    assert by_id[key_id]["rotated_at_seq"] == 4
    assert by_id[new_id]["revoked_at_seq"] == 5
    assert run(env, "verify").returncode == 0


def test_a_refused_command_says_why_in_one_line_and_writes_nothing(env: dict[str, str]) -> None:
    public_key = keyfile.PersonKey.generate().public_key_b64
    for args in (
        ("keys", "add", "alice", public_key, "--purpose", "ledger"),
        ("keys", "add", "al ice", public_key, "--purpose", "witness"),
        ("keys", "add", "alice", "bm90IGEga2V5", "--purpose", "witness"),
        ("keys", "revoke", "deadbeef"),
    ):
        result = run(env, *args)
        assert result.returncode == 1, args
        assert result.stderr.startswith("custody: ")
        assert result.stderr.count("\n") == 1, result.stderr
    assert _size(env) == 3  # the genesis entry and the two administrators' accounts


def test_a_bad_setting_is_named_in_one_line(env: dict[str, str]) -> None:
    for setting, value, words in (
        ("CUSTODY_WORKERS", "0", "greater than or equal to 1"),
        ("CUSTODY_TOKEN_SECONDS", "soon", "valid integer"),
    ):
        result = run({**env, setting: value}, "serve", "--port", "1")
        assert result.returncode == 1, result.stdout
        assert result.stderr.startswith(f"custody: setting {setting}: "), result.stderr
        assert words in result.stderr
        assert result.stderr.count("\n") == 1, result.stderr


def test_ledger_key_rotation_from_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    before = run(env, "init").stdout.strip().splitlines()[-1].removeprefix("verifier key: ")
    result = run(env, "keys", "rotate", "--ledger")
    assert result.returncode == 0, result.stderr
    after = result.stdout.strip().splitlines()[-1]
    assert Verifier.parse(after).key_id != Verifier.parse(before).key_id
    note = run(env, "checkpoint").stdout
    _, signers = open_note(note, [Verifier.parse(after)])
    assert signers
    assert run(env, "verify", "--key", before).returncode == 0


def test_verify_names_the_failing_step_and_exits_1(env: dict[str, str], tmp_path: Path) -> None:
    run(
        env, "keys", "add", "alice", keyfile.PersonKey.generate().public_key_b64, "--purpose", "act"
    )
    saved = tmp_path / "saved.note"
    saved.write_text(run(env, "checkpoint").stdout)
    assert run(env, "verify", "--checkpoint", str(saved)).returncode == 0
    with sqlite3.connect(tmp_path / "custody.db") as conn:
        conn.execute("UPDATE ledger_entries SET leaf_hash = zeroblob(32) WHERE seq = 1")
    result = run(env, "verify")
    assert result.returncode == 1
    assert "step 3 (leaf hashes, seq 1)" in result.stderr
    assert " 3. leaf hashes        FAILED at seq 1" in result.stdout
    report = json.loads(run(env, "verify", "--json").stdout)
    assert report["ok"] is False
    assert report["first_failure"] == {
        "step": 3,
        "name": "leaf hashes",
        "ok": False,
        "status": "failed",
        "seq": 1,
        "reason": "the stored leaf hash is not SHA-256(0x00 || body)",
    }


@pytest.mark.parametrize(
    "command",
    [
        ("verify",),
        ("statement", "render", "ПЕЧЬ-1", "--out", "{out}"),
        ("item-proof", "KZ-1", "--out", "{out}"),
        ("deadlines",),
        ("deadlines", "--rederive"),
        ("deadlines", "--rebuild"),
        ("notify",),
    ],
    ids=lambda c: c[0] if len(c) == 1 else f"{c[0]}-{c[1]}",
)
def test_a_command_where_there_is_no_ledger_makes_no_database_and_names_the_place(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Issue 16: `custody statement render` run outside the repo left an empty database in
    ./custody-data and said only to run `custody init`: now one line, exit 2, naming the
    data dir looked at, and nothing made there (`notify` and `deadlines --rederive` had
    made a whole ledger: a re-attack's finding)."""
    place = tmp_path / "elsewhere"
    place.mkdir()
    args = [a.format(out=tmp_path / "out.pdf") for a in command]
    result = run(environment(place), *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(place) in result.stderr
    assert "custody init" in result.stderr
    assert list(place.iterdir()) == []
    assert not (tmp_path / "out.pdf").exists()


def test_a_malformed_pinned_key_is_a_usage_error(env: dict[str, str]) -> None:
    result = run(env, "verify", "--key", "not+a+key")
    assert result.returncode == 2
    assert "not a verifier key" in result.stderr


def test_the_ledger_key_never_appears_in_output(env: dict[str, str], tmp_path: Path) -> None:
    # PRIVATE+KEY+<name>+<hex id>+<base64 seed>: the seed's base64 may itself hold a "+",
    # so it is what follows the fourth (splitting at the last "+" once gave a single "F").
    secret = (tmp_path / "ledger.key").read_text().strip().splitlines()[-1].split("+", 4)[4]
    assert len(secret) == 44, "the seed's base64 (0x01 and 32 bytes)"
    outputs = [run(env, *args) for args in (("init",), ("checkpoint",), ("verify", "--json"))]
    for result in outputs:
        assert secret not in result.stdout + result.stderr


def test_the_database_and_its_directory_are_private(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    assert run(environment(data), "init").returncode == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("custody.db", "custody.db-wal", "ledger.key"):
        path = data / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_deadlines_are_listed_in_the_users_zone_with_utc(tmp_path: Path) -> None:
    env = environment(tmp_path)
    from tests.conftest import make_settings
    from tests.support.databases import sqlite_url
    from tests.support.site import DECISION, build_site, today

    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    rifle = site.register_rifle()
    site.process.record_decision("unit.serikbaev", [rifle], {**DECISION, "date": today()})
    late = site.register_rifle()
    weeks_ago = {**DECISION, "date": "2026-10-28"}  # decided weeks before it was entered
    site.process.record_decision("unit.serikbaev", [late], weeks_ago)
    site.ledger.database.dispose()
    listed = run(env, "deadlines", "--tz", "Asia/Almaty", "--why")
    assert listed.returncode == 0, listed.stderr
    assert f"RUNNING   R1 {rifle}" in listed.stdout
    assert f"OVERDUE   R1 {late}" in listed.stdout
    assert "ENTERED LATE" in listed.stdout.split(late)[1]
    assert "decision of 2026-10-28" in listed.stdout
    assert "+05 (" in listed.stdout
    assert "UTC)" in listed.stdout
    as_json = json.loads(run(env, "deadlines", "--json").stdout)
    assert [(d["item"], d["rule"], d["status"]) for d in as_json] == [
        (late, "R1", "overdue"),
        (rifle, "R1", "running"),
    ]
    assert as_json[0]["late_entries"][0]["fact"] == "decision"
    assert as_json[1]["late_entries"] == []
    assert run(env, "deadlines", "--tz", "Mars/Olympus").returncode == 2


def test_verify_replays_the_process_and_checks_its_files(tmp_path: Path) -> None:
    env = environment(tmp_path)
    from tests.conftest import make_settings
    from tests.support.databases import sqlite_url
    from tests.support.site import build_site

    site = build_site(make_settings(tmp_path, sqlite_url(tmp_path)))
    rifle = site.register_rifle()
    photo = site.process.item(rifle).files[0]["sha256"]
    site.ledger.database.dispose()
    result = run(env, "verify")
    assert result.returncode == 0, result.stdout
    assert "10. state replay" in result.stdout
    assert "11. access" in result.stdout
    assert "13. files" in result.stdout
    site.files.path(photo).unlink()
    result = run(env, "verify")
    assert result.returncode == 1
    assert "step 13 (files" in result.stderr
