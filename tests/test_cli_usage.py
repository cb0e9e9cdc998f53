"""A command line used wrongly answers as every other refusal does: one line on stderr naming
the command and the cause, exit 2, nothing else (n12: click's usage errors were a boxed
"Usage: ... Try ... Error" of five lines, while every other error was one line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.processes import environment, run

WRONG = [
    (("deadlines", "--tz", "Mars/Base"), "custody deadlines: ", "Mars/Base"),
    (("deadlines", "--bogus"), "custody deadlines: ", "--bogus"),
    (("no-such-command",), "custody: ", "no-such-command"),
    (("verify-item",), "custody verify-item: ", "file"),
    (("user", "add"), "custody user add: ", "username"),
    # issue 12: a group without its subcommand printed a 28-line help box on stdout, exit 2;
    # an option without its value was said by `custody:`, not naming the command
    (("keys",), "custody keys: ", "add, list, prove, revoke, rotate"),
    (("report",), "custody report: ", "annual"),
    (("import", "--encoding"), "custody import: ", "--encoding"),
]


@pytest.mark.parametrize(("args", "begins", "names"), WRONG)
def test_a_usage_error_is_one_line_exit_2(
    tmp_path: Path, args: tuple[str, ...], begins: str, names: str
) -> None:
    answered = run(environment(tmp_path), *args)
    assert answered.returncode == 2
    assert answered.stdout == ""
    assert answered.stderr.count("\n") == 1, answered.stderr
    assert answered.stderr.startswith(begins), answered.stderr
    assert names in answered.stderr
    assert "Usage:" not in answered.stderr
    assert "─" not in answered.stderr


def test_help_still_answers_exit_0(tmp_path: Path) -> None:
    answered = run(environment(tmp_path), "deadlines", "--help")
    assert answered.returncode == 0
    assert "--tz" in answered.stdout
