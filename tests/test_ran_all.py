"""`make test` fails when fewer tests ran than were collected (tests/support/ran_all.py).

Each case runs pytest as `make test` runs it (the options of the Makefile's `unit` recipe,
pytest-xdist with two workers) on a small project of three tests whose conftest loads the
plugin and, but for the control, loses one test the way a real run did: a test dropped
unrun, and two tests sharing one node id (what schemathesis's parametrize did, issue 12).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = "def test_a(): pass\ndef test_b(): pass\ndef test_c(): pass\n"
LOSSES = {
    "none": "",
    "dropped": (
        "def pytest_runtest_protocol(item, nextitem):\n"
        "    return True if item.name == 'test_b' else None  # handled: never run\n"
    ),
    "shared_node_id": (
        "def pytest_collection_modifyitems(items):\n"
        "    for name in ('_id', '_nodeid'):  # pytest 9 keeps the node id in _id\n"
        "        if hasattr(items[0], name):\n"
        "            setattr(items[1], name, getattr(items[0], name))\n"
    ),
}


def _make_test_options() -> list[str]:
    """The options `make test` gives pytest: the `unit` recipe of the Makefile."""
    recipe = re.search(r"^unit:.*\n\t\$\(BIN\)/pytest(.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert recipe is not None, "the Makefile's unit recipe runs $(BIN)/pytest"
    return recipe.group(1).split()


@pytest.mark.parametrize("loss", list(LOSSES))
def test_a_run_that_loses_a_test_fails(tmp_path: Path, loss: str) -> None:
    (tmp_path / "test_three.py").write_text(TESTS)
    (tmp_path / "conftest.py").write_text(
        "from tests.support.ran_all import *  # noqa: F403\n" + LOSSES[loss]
    )
    options = _make_test_options()
    assert options[:4] == ["-n", "2", "--dist", "loadfile"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *options, "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if loss == "none":
        assert done.returncode == 0, done.stdout
        assert "only" not in done.stdout
    else:
        assert done.returncode == 1, done.stdout
        assert "ERROR: only 2 of the 3 tests collected ran: 1 never did" in done.stdout
