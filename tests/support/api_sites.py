"""test_api_process's site (places, its people with their roles and places, a commission,
the signers' keys), built once per test worker and kind of database and copied for each module
that serves it (test_api_process, test_api_boundary and the modules that import its `site`).

Building it is some forty commands and requests, several through four eyes, each account's
password hashed: 50-75 s on a loaded two-core machine, and five modules built the same site,
each on both databases. A copy is the site's data directory as the build left it (its SQLite
database copied through SQLite's backup, its ledger key and files as files) or, on PostgreSQL,
a database made from the template one (CREATE DATABASE ... TEMPLATE), served by a new
`custody serve` of its own: what a module gets is what building there would have written,
minutes earlier in the same run (its people's keys are the template's). Modules change their
copy as they like; the template is never served again.

Shapes: `built_site(directory, kind, build, **settings)` -> a context manager yielding a
tests.test_api_process.Site on a server of the copy, CUSTODY_* `settings` added to its
environment (as tests.support.service.service takes them); `build(Service) -> Site` makes the
template the first time (kind, build) is asked for in this worker.
"""

from __future__ import annotations

import atexit
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.databases import postgres_copy, postgres_database
from tests.support.processes import command, environment, server
from tests.support.scenario import copy_sqlite
from tests.support.service import Service

if TYPE_CHECKING:
    from tests.test_api_process import Site

_DATABASE = "custody.db"  # the SQLite database's name in a data directory (custody.settings)
# The templates' PostgreSQL databases live as long as the worker: dropped at its exit.
_KEPT = ExitStack()
atexit.register(_KEPT.close)
_TEMPLATES: dict[tuple[str, Callable[[Service], Site]], tuple[Path, str | None, Site]] = {}


def _template(
    directory: Path, kind: str, build: Callable[[Service], Site]
) -> tuple[Path, str | None, Site]:
    if (kind, build) not in _TEMPLATES:
        template = directory.parent / f"{directory.name}-template"
        url = None if kind == "sqlite" else _KEPT.enter_context(postgres_database())
        env = environment(template, url)
        done = command(env, "init")
        assert done.returncode == 0, done.stderr
        with server(env) as base:
            site = build(Service(base, env, template))
        _TEMPLATES[kind, build] = (template, url, site)
    return _TEMPLATES[kind, build]


def _copy_files(template: Path, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for path in template.iterdir():
        if path.name.startswith(_DATABASE) or path.name.startswith("serve-"):
            continue  # the database is copied through SQLite; the template server's log stays
        if path.is_dir():
            shutil.copytree(path, directory / path.name)
        else:
            shutil.copy2(path, directory / path.name)


@contextmanager
def built_site(
    directory: Path, kind: str, build: Callable[[Service], Site], **settings: str
) -> Iterator[Site]:
    """A copy of the site `build` makes, in `directory` on a database of `kind`, served."""
    template, template_url, made = _template(directory, kind, build)
    _copy_files(template, directory)
    with ExitStack() as stack:
        if template_url is None:
            copy_sqlite(template / _DATABASE, directory / _DATABASE)
            url = None
        else:
            url = stack.enter_context(postgres_copy(template_url))
        env = environment(
            directory, url, **{f"CUSTODY_{k.upper()}": v for k, v in settings.items()}
        )
        base = stack.enter_context(server(env))
        # Whoever was logged in when the build ended logs in again, on this copy's server
        # (a token may outlive its module, not the run): a module then finds what a fresh
        # build left, where a test's first request as the administrator writes no login
        # (test_api_bodies_strict compares the account tables around one).
        served = Service(base, env, directory)
        for username in made.service.tokens:
            served.token(username)
        yield replace(made, service=served, keys=dict(made.keys))
