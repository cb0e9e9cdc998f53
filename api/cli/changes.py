"""`custody change ...`: dual control (four eyes) of what makes a signer or an administrator
(workflows.dual). One administrator proposes a change (`--actor`), another confirms it; only
then is it written. Each is an entry of the ledger, through the process's commands
(workflows.commands.changes), as over HTTP (`/changes`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.cli.keys import Actor
from custody.settings import Settings
from workflows.commands.changes import ConfirmChange, DeclineChange, ProposeChange
from workflows.model import Proposal
from workflows.process import Process
from workflows.repository import SHELVES, Repository

app = typer.Typer(
    help="Changes that make a signer or an administrator: proposed by one administrator, "
    "confirmed by another.",
    no_args_is_help=True,
)
ProposalId = Annotated[str, typer.Argument(help="the proposal's id, CHG-...")]


def _process() -> Process:
    from api.system import open_system

    return open_system(Settings()).process


def pending(process: Process) -> list[Proposal]:
    """The proposals awaiting confirmation, oldest first."""
    table = SHELVES["proposals"].table
    with process.ledger.database.read() as conn:
        found: list[Proposal] = Repository(conn).documents("proposals", table.c.state == "proposed")
    return sorted(found, key=lambda p: p.proposed_seq)


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
        given = json.loads(fields)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"FIELDS is not JSON: {exc.msg}") from None
    proposal = _process().run(actor, ProposeChange(change=change, fields=given))
    typer.echo(proposal)


@app.command("confirm")
def confirm(proposal: ProposalId, actor: Actor = "admin") -> None:
    """Confirm another administrator's proposal: the change is written now, as yours."""
    _process().run(actor, ConfirmChange(proposal=proposal))
    typer.echo(f"{proposal} confirmed")


@app.command("decline")
def decline(
    proposal: ProposalId,
    reason: Annotated[str, typer.Option(help="why, as the ledger keeps it")],
    actor: Actor = "admin",
) -> None:
    """Decline another administrator's proposal: it never takes effect."""
    _process().run(actor, DeclineChange(proposal=proposal, reason=reason))
    typer.echo(f"{proposal} declined")


@app.command("list")
def list_pending(as_json: Annotated[bool, typer.Option("--json", help="as JSON")] = False) -> None:
    """The proposals awaiting confirmation."""
    found = pending(_process())
    if as_json:
        typer.echo(json.dumps([p.to_json() for p in found], ensure_ascii=False, indent=2))
        return
    for p in found:
        fields = json.dumps(p.fields, ensure_ascii=False, sort_keys=True)
        typer.echo(f"{p.id}  {p.kind:<26} {p.concerns:<20} by {p.proposed_by}  {fields}")
