"""`custody campaigns` and `custody suspicions`: the diversion signals (R11-R15) read from
the database, times in the user's zone."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.cli.deadlines import reading, shown
from api.cli.output import echo


def campaigns(
    campaign: Annotated[str | None, typer.Argument(help="one campaign's id; all if none")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the totals as JSON")] = False,
) -> None:
    """Surrender campaigns and their totals: items, rifled, by category, paid, budget left."""
    with reading(None) as (system, _):
        process = system.process
        ids = [campaign] if campaign else [c.id for c in process.campaigns()]
        totals = [process.campaign_totals(i) for i in ids]
    if as_json:
        echo(json.dumps(totals, ensure_ascii=False, indent=2))
        return
    for t in totals:
        categories = ", ".join(f"{k} {v}" for k, v in t["by_category"].items()) or "-"
        echo(
            f"{t['campaign']}  {t['name']}  {t['starts']}..{t['ends']}\n"
            f"  items {t['items']} (rifled {t['rifled']}; {categories})\n"
            f"  paid {t['paid_tenge']} tenge in {t['payments']} payments "
            f"({t['confirmed_payments']} checked); budget {t['budget_tenge']}, "
            f"left {t['budget_left_tenge']}"
        )


def suspicions(
    include_resolved: Annotated[bool, typer.Option("--all", help="also those settled")] = False,
    tz: Annotated[str | None, typer.Option(help="time zone to show times in")] = None,
) -> None:
    """R11: items whose marking is that of one destroyed or returned, oldest first."""
    with reading(tz) as (system, zone):
        found = system.process.suspicions(open_only=not include_resolved)
    for d in found:
        details = d.details
        settled = f"  settled: {d.resolution} {shown(d.resolved_at, zone)}" if d.resolved_at else ""
        echo(
            f"{d.id}  {shown(d.opened_at, zone)}  item {d.subject} has the marking of "
            f"{details.get('old_item')} ({details.get('old_state')}, batch "
            f"{details.get('old_batch') or '-'}, statement {details.get('old_statement') or '-'})"
            f"{settled}"
        )
