"""A pytest plugin (its hooks are imported by tests/conftest.py): the run fails when fewer
tests ran than were collected.

Under pytest-xdist the controller learns the collected node ids from each worker and the
reports of the tests they run; tests that share a node id (schemathesis's `parametrize` gave
66 tests one id) are handed out as one, so 777 were collected and 712 ran while the summary
said "passed" (issue 12). Here a test counts as run when its setup was reported; at the end
of a run that would otherwise pass, fewer distinct run tests than collected ones fail it,
naming how many never ran. A run stopped early (-x, Ctrl-C, a failure) and --collect-only
are left as they are.
"""

from __future__ import annotations

from typing import Any

import pytest


class _Count:
    collected = 0
    ran: set[str] = set()  # noqa: RUF012 (one run per process)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_collection_finish(session: pytest.Session) -> None:
    if not _is_worker(session.config):
        _Count.collected = max(_Count.collected, len(session.items))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    # every worker collects the whole session; the ids may repeat, which is the point
    _Count.collected = max(_Count.collected, len(ids))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "setup":
        _Count.ran.add(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _is_worker(config) or config.option.collectonly or exitstatus != pytest.ExitCode.OK:
        return
    if session.shouldstop or session.shouldfail:
        return
    ran, collected = len(_Count.ran), _Count.collected
    if ran < collected:
        message = (
            f"only {ran} of the {collected} tests collected ran: {collected - ran} never did "
            "(tests sharing one node id are run once under pytest-xdist)"
        )
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"ERROR: {message}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
