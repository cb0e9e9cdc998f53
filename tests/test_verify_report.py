"""What `custody verify` reports, through the real command: a checkpoint file that is not a
checkpoint is a failed step in the report (not an internal error), the empty tree's checkpoint
holds (RFC 9162 section 2.1.1), and steps that never ran are "not run", never "ok"."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from custody.checkpoint import Checkpoint
from custody.note import Signer
from custody.rfc6962 import EMPTY_ROOT
from tests.support.processes import environment, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = environment(tmp_path)
    assert run(env, "init").returncode == 0
    return env


def _report(env: dict[str, str], *args: str) -> tuple[int, dict[str, object]]:
    done = run(env, "verify", "--json", *args)
    return done.returncode, json.loads(done.stdout)


def _step(report: dict[str, object], number: int) -> dict[str, object]:
    steps = report["steps"]
    assert isinstance(steps, list)
    found: dict[str, object] = steps[number - 1]
    return found


def test_a_checkpoint_file_that_is_not_utf8_is_a_failed_step_in_the_report(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "latin1.note"
    bad.write_bytes("custody.test/ledger\n1\nподпись\n\n— x\n".encode("cp1251"))
    code, report = _report(env, "--checkpoint", str(bad))
    assert code == 1
    step = _step(report, 9)
    assert step["status"] == "failed"
    assert "latin1.note is malformed" in str(step["reason"])
    assert "UTF-8" in str(step["reason"])


@pytest.mark.parametrize(
    "content",
    [b"", b"\n\n", b"custody.test/ledger\n1\n", b"\x00\x01\x02", b"\xef\xbb\xbfnot a note\n\n"],
)
def test_any_malformed_checkpoint_file_fails_step_9_with_a_report(
    env: dict[str, str], tmp_path: Path, content: bytes
) -> None:
    bad = tmp_path / "bad.note"
    bad.write_bytes(content)
    code, report = _report(env, "--checkpoint", str(bad))
    assert code == 1
    assert _step(report, 9)["status"] == "failed"
    assert all(_step(report, n)["status"] == "ok" for n in range(1, 9))


def test_the_empty_trees_checkpoint_holds(env: dict[str, str], tmp_path: Path) -> None:
    signer = Signer.parse((tmp_path / "ledger.key").read_text())
    empty = tmp_path / "empty.note"
    empty.write_text(Checkpoint("custody.test/ledger", 0, EMPTY_ROOT).sign([signer]))
    code, report = _report(env, "--checkpoint", str(empty))
    assert (code, report["ok"]) == (0, True), report["first_failure"]
    assert report["checkpoints_checked"] == 1


def test_an_empty_tree_checkpoint_with_another_root_fails(
    env: dict[str, str], tmp_path: Path
) -> None:
    signer = Signer.parse((tmp_path / "ledger.key").read_text())
    wrong = tmp_path / "wrong.note"
    wrong.write_text(Checkpoint("custody.test/ledger", 0, b"\x01" * 32).sign([signer]))
    code, report = _report(env, "--checkpoint", str(wrong))
    assert code == 1
    assert "empty tree" in str(_step(report, 9)["reason"])


def test_steps_that_never_ran_are_reported_not_run(env: dict[str, str], tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "custody.db") as conn:
        conn.execute("UPDATE ledger_entries SET leaf_hash = zeroblob(32) WHERE seq = 0")
    code, report = _report(env)
    assert code == 1
    assert _step(report, 3)["status"] == "failed"
    later = [s for s in report["steps"] if s["step"] > 9]  # type: ignore[union-attr]
    assert later, "the process's steps are missing from the report"
    assert all(s["status"] == "not run" and s["ok"] is False for s in later)
    text = run(env, "verify")
    assert text.returncode == 1
    lines = text.stdout.splitlines()
    assert any(line.startswith("10.") and line.endswith("not run") for line in lines)
    assert not any(line.startswith("10.") and line.endswith(" ok") for line in lines)
