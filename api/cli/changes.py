"""`custody change ...`: dual control (four eyes) of what makes a signer or an administrator
(workflows.dual). One administrator proposes a change (`--actor`), another confirms it; only
then is it written. Each is an entry of the ledger, through the process's commands
(workflows.commands.changes), as over HTTP (`/changes`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.access import changes
from api.cli.keys import Actor
from api.cli.output import echo
from api.http.strict_json import loads_strict
from custody.settings import Settings
from workflows.process import Process

app = typer.Typer(
    help="Changes that make a signer or an administrator: proposed by one administrator, "
    "confirmed by another.",
    no_args_is_help=True,
)
ProposalId = Annotated[str, typer.Argument(help="the proposal's id, CHG-...")]


def _process() -> Process:
    from api.system import open_system

    return open_system(Settings()).process


@app.command("propose")
def propose(
    change: Annotated[
        str,
        typer.Argument(
            help="account_created, role_granted, key_added, key_rotated, "
            "commission_member_added or commission_member_removed"
        ),
    ],
    fields: Annotated[str, typer.Argument(help="that command's input as a JSON object")],
    actor: Actor = "admin",
) -> None:
    """Propose a change; prints its id, which another administrator confirms."""
    try:
        given = loads_strict(fields)  # a key given twice is refused, as by the API
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"FIELDS is not JSON: {exc.msg}") from None
    echo(changes.propose(_process(), actor, change, given))


@app.command("confirm")
def confirm(proposal: ProposalId, actor: Actor = "admin") -> None:
    """Confirm another administrator's proposal: the change is written now, as yours."""
    changes.confirm(_process(), actor, proposal)
    echo(f"{proposal} confirmed")


@app.command("decline")
def decline(
    proposal: ProposalId,
    reason: Annotated[str, typer.Option(help="why, as the ledger keeps it")],
    actor: Actor = "admin",
) -> None:
    """Decline another administrator's proposal: it never takes effect."""
    changes.decline(_process(), actor, proposal, reason)
    echo(f"{proposal} declined")


@app.command("list")
def list_pending(as_json: Annotated[bool, typer.Option("--json", help="as JSON")] = False) -> None:
    """The proposals awaiting confirmation."""
    found = changes.pending(_process())
    if as_json:
        echo(json.dumps([p.to_json() for p in found], ensure_ascii=False, indent=2))
        return
    for p in found:
        fields = json.dumps(p.fields, ensure_ascii=False, sort_keys=True)
        echo(f"{p.id}  {p.kind:<26} {p.concerns:<20} by {p.proposed_by}  {fields}")
