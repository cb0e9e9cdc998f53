"""`custody user alerts`: accounts and addresses whose failed logins reached the limit."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.cli.deadlines import reading, shown
from api.cli.numbers import Whole
from api.cli.output import echo

SCOPES = {
    "account": "failed logins on the account from addresses it never logged in from",
    "address": "failed logins from one address, on any account",
    "known": "failed logins from an address the account logged in from before",
}


def alerts(
    limit: Annotated[
        int, typer.Option(parser=Whole(1, 10_000), help="how many, newest first")
    ] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="as JSON")] = False,
    tz: Annotated[str | None, typer.Option("--tz", help="time zone (default: settings)")] = None,
) -> None:
    """Login alerts, newest first: who was guessed at, from where, and when."""
    from api.access import throttle

    with reading(tz) as (system, zone), system.ledger.database.read() as conn:
        found = throttle.alerts(conn, limit)
    if as_json:
        echo(json.dumps([a.to_json() for a in found], ensure_ascii=False, indent=2))
        return
    if not found:
        echo("no login alerts")
    for alert in found:
        echo(
            f"{shown(alert.at, zone)}  {alert.username:<24} {alert.address:<16} "
            f"{alert.failures} {SCOPES[alert.scope]}"
        )
