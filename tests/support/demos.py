"""The demo's data, made by the real `custody demo` once per test worker and kind of database
and copied for each module (or test) that serves or reads it.

`custody demo` takes 7-20 s on a loaded two-core machine and writes the same site every time
(its random choices are seeded; only its dates follow the clock), and about twenty modules
served one each. A copy is the demo's directory as the command left it (its SQLite database
copied through SQLite's backup, its ledger key, files and demo keys as files) or, on
PostgreSQL, a database made from the template one (CREATE DATABASE ... TEMPLATE): what a
module gets is what running the command there would have written, at the moment the template
was made, minutes earlier in the same run. tests/test_demo.py runs the command itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.support.databases import postgres_copy, postgres_database
from tests.support.processes import environment, run, server
from tests.support.scenario import copy_sqlite

KINDS = ("sqlite", "postgresql")
_DATABASE = "custody.db"  # the SQLite database's name in a data directory (custody.settings)


class Demos:
    """Demo templates of each kind, made when first asked for; `copy` gives a module its own.

    Shapes: `copy(directory, kind, stack, **extra)` -> the environment of `custody` commands
    on the copy (tests.support.processes.environment, with `extra` added), `directory` its
    data directory (made if missing). A PostgreSQL copy is dropped when `stack` closes."""

    def __init__(self, factory: pytest.TempPathFactory, stack: ExitStack) -> None:
        self._factory = factory
        self._stack = stack
        self._made: dict[str, tuple[Path, str | None]] = {}

    def _template(self, kind: str) -> tuple[Path, str | None]:
        if kind not in self._made:
            directory = self._factory.mktemp(f"demo-template-{kind}")
            url = None if kind == "sqlite" else self._stack.enter_context(postgres_database())
            done = run(environment(directory, url), "demo")
            assert done.returncode == 0, done.stderr
            self._made[kind] = (directory, url)
        return self._made[kind]

    def copy(
        self,
        directory: Path,
        kind: str = "sqlite",
        stack: ExitStack | None = None,
        **extra: str,
    ) -> dict[str, str]:
        """The demo's data in `directory` (on a database of `kind`), as `custody demo` there
        would have written it; the environment to run `custody` on it."""
        template, template_url = self._template(kind)
        directory.mkdir(parents=True, exist_ok=True)
        for path in template.iterdir():
            if path.name.startswith(_DATABASE):
                continue  # the database (and its lock) are copied through SQLite below
            if path.is_dir():
                shutil.copytree(path, directory / path.name)
            else:
                shutil.copy2(path, directory / path.name)
        if template_url is None:
            copy_sqlite(template / _DATABASE, directory / _DATABASE)
            return environment(directory, None, **extra)
        if stack is None:
            raise ValueError("a PostgreSQL copy needs the stack that drops it")
        return environment(directory, stack.enter_context(postgres_copy(template_url)), **extra)


@contextmanager
def demo_served(
    demos: Demos, directory: Path, **extra: str
) -> Iterator[tuple[str, dict[str, str]]]:
    """A copy of the demo in `directory` (`extra` added to its environment), served by
    `custody serve`; yields its base URL and its environment."""
    env = demos.copy(directory, **extra)
    with server(env) as base:
        yield base, env
