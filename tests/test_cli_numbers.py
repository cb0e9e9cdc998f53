"""Whole numbers on the command line are ASCII digits (api.cli.numbers): Python's `int()`
takes `3_0`, `١٢` and ` 30`, and click's INT with it; the CLI refuses them as a usage error
(exit 2), naming the option, before anything is opened or written."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.cli.numbers import Whole
from tests.support.processes import environment, run

DEVICE = ("user", "device", "alice", "--role", "warehouse_clerk", "--label", "scanner")


@pytest.mark.parametrize(
    "days",
    ["١٢", "３０", "3_0", " 30", "30 ", "30.0", "+30", "1e1", "0x1e", "99999999999999999999"],
)
def test_days_take_ascii_digits_only(tmp_path: Path, days: str) -> None:
    done = run(environment(tmp_path), *DEVICE, "--days", days)
    assert done.returncode == 2, done.stderr
    assert "--days" in done.stderr
    assert "ASCII digits 0-9" in done.stderr
    assert not (tmp_path / "custody.db").exists()


def test_days_out_of_range_are_a_usage_error(tmp_path: Path) -> None:
    done = run(environment(tmp_path), *DEVICE, "--days", "0")
    assert done.returncode == 2
    assert "0 is not in 1 to" in done.stderr


def test_days_in_ascii_digits_reach_the_command(tmp_path: Path) -> None:
    done = run(environment(tmp_path), *DEVICE, "--days", "30")
    # parsed; then there is no ledger here (a usage error too: the place named, issue 16)
    assert done.returncode == 2
    assert "no ledger" in done.stderr
    assert "--days" not in done.stderr


def test_a_notice_number_beyond_64_bits_is_a_usage_error(tmp_path: Path) -> None:
    done = run(environment(tmp_path), "notices", "ack", str(2**64), "--by", "alice")
    assert done.returncode == 2, done.stderr


@settings(max_examples=300)
@given(st.text(max_size=25))
def test_whole_takes_exactly_an_optional_minus_and_ascii_digits(text: str) -> None:
    body = text.removeprefix("-")
    wanted = bool(body) and len(body) <= 19 and all(c in "0123456789" for c in body)
    try:
        number = Whole()(text)
    except Exception:  # typer.BadParameter
        assert not wanted or abs(int(text)) > 2**63 - 1
    else:
        assert wanted
        assert number == int(text)
