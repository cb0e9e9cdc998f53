"""`custody demo`: a new database with a realistic site in it, and the logins to try it."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from api.cli.output import echo
from api.demo import data as demo_data
from custody.settings import Settings


def demo(
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="do nothing (but print the logins) if there is a ledger"),
    ] = False,
) -> None:
    """Fill a new database with demo data in every state of the process (under 20 s)."""
    settings = Settings()
    from api.demo.site import is_demo

    if if_empty and is_demo(settings):
        print_logins()
        return
    if if_empty and _has_ledger(settings):
        return
    from api.demo.site import require_new

    require_new(settings)
    started = time.perf_counter()
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("demo: starting", total=None)

        def say(what: str, count: int) -> None:
            suffix = f" ({count} so far)" if count else ""
            progress.update(task, description=f"demo: {what}{suffix}")

        from api.demo.site import fill

        states = fill(settings, say)
    took = time.perf_counter() - started
    total = sum(states.values())
    echo(f"demo: {total} items in {len(states)} states, in {took:.1f} s")
    echo("  " + ", ".join(f"{state} {n}" for state, n in sorted(states.items())))
    print_logins()


def print_logins() -> None:
    echo(f"demo logins (password for all: {demo_data.PASSWORD}):")
    for username, (role, name) in demo_data.PEOPLE.items():
        echo(f"  {username:<20} {role:<22} {name}")
    echo("their signing keys: <data dir>/demo-keys/<login>.key (same passphrase)")


def _has_ledger(settings: Settings) -> bool:
    from custody.db import Database

    database = Database(settings.database_url)
    try:
        return database.is_migrated()
    finally:
        database.dispose()
