"""`custody user ...`: accounts, their roles and places, and device tokens. Each change is an
entry of the ledger written by `--actor` (an administrator; CUSTODY_ACTOR, default admin),
with the service's own change (a password, a token) in the same transaction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from api.access import accounts
from api.access.passwords import WeakPassword, hash_password
from api.access.roles import ROLES
from api.cli.keys import Actor, read_passphrase
from api.cli.numbers import Whole
from api.cli.output import echo
from api.config import ApiConfig
from api.errors import AccountError
from custody.settings import Settings
from workflows.commands.accounts import (
    AssignPlace,
    EnableAccount,
    GrantRole,
    WithdrawPlace,
    WithdrawRole,
)
from workflows.commands.base import Command
from workflows.process import Process

app = typer.Typer(help="Accounts, their roles and places, and device tokens.", no_args_is_help=True)
Username = Annotated[str, typer.Argument(help="the name the ledger records as actor")]
PasswordFile = Annotated[
    Path | None, typer.Option("--password-file", help="first line is the password")
]


def _process() -> Process:
    from api.system import open_system

    return open_system(Settings()).process


def _hash(password_file: Path | None) -> str:
    password = read_passphrase(password_file, True, "password", "--password-file")
    try:
        return hash_password(password, ApiConfig().password_strength)
    except WeakPassword as exc:
        raise AccountError(str(exc)) from None


@app.command("add")
def add(
    username: Username,
    role: Annotated[list[str], typer.Option(help=f"one of {', '.join(ROLES)}; repeat for more")],
    name: Annotated[str, typer.Option(help="the person's full name")],
    place: Annotated[
        list[str] | None, typer.Option(help="a place the account acts at; repeat for more")
    ] = None,
    password_file: PasswordFile = None,
    actor: Actor = "admin",
) -> None:
    """Make an account with its roles and places; the password is asked for on the terminal,
    or read from a file."""
    accounts.check(username)
    for wanted in role:
        if wanted not in ROLES:
            raise AccountError(f"unknown role {wanted!r}; roles: {', '.join(sorted(ROLES))}")
    hashed = _hash(password_file)
    accounts.add(_process(), actor, username, name, role, place or [], hashed)
    where = f" at {', '.join(place)}" if place else ""
    echo(f"account {username} ({', '.join(role)}){where} added")


@app.command("password")
def password(username: Username, password_file: PasswordFile = None) -> None:
    """Set the password of an account the ledger has (the first administrator's, made by
    `custody init`, or a forgotten one); its login tokens end."""
    accounts.set_password(_process(), username, _hash(password_file))
    echo(f"password of {username} set")


@app.command("list")
def list_users(as_json: Annotated[bool, typer.Option("--json", help="as JSON")] = False) -> None:
    """Every account, its roles and places, and whether it is disabled."""
    process = _process()
    with process.ledger.database.read() as conn:
        users = accounts.all_users(conn)
    if as_json:
        shown = [{**u.__dict__} for u in users]
        echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    for u in users:
        flag = "  (disabled)" if u.disabled else ""
        flag += "" if u.password else "  (no password)"
        roles, places = ",".join(u.roles), ",".join(u.places) or "-"
        echo(f"{u.username:<24} {roles:<22} {places:<24} {u.name}{flag}")


@app.command("disable")
def disable(username: Username, actor: Actor = "admin") -> None:
    """Stop an account: its device tokens are revoked in the ledger and every token it holds
    stops at once."""
    revoked = accounts.disable(_process(), actor, username)
    echo(f"account {username} disabled; {revoked} token(s) revoked")


def _change(actor: str, command: Command, said: str) -> None:
    accounts.change(_process(), actor, command)
    echo(said)


@app.command("enable")
def enable(username: Username, actor: Actor = "admin") -> None:
    _change(actor, EnableAccount(username=username), f"account {username} enabled")


@app.command("grant")
def grant(
    username: Username, role: Annotated[str, typer.Argument()], actor: Actor = "admin"
) -> None:
    """Grant an account a role."""
    _change(actor, GrantRole(username=username, role=role), f"{username} now holds {role}")


@app.command("withdraw")
def withdraw(
    username: Username, role: Annotated[str, typer.Argument()], actor: Actor = "admin"
) -> None:
    """Withdraw a role from an account."""
    command = WithdrawRole(username=username, role=role)
    _change(actor, command, f"{username} no longer holds {role}")


@app.command("assign")
def assign(
    username: Username, place: Annotated[str, typer.Argument()], actor: Actor = "admin"
) -> None:
    """Assign an account a place it acts at."""
    _change(actor, AssignPlace(username=username, place=place), f"{username} acts at {place}")


@app.command("unassign")
def unassign(
    username: Username, place: Annotated[str, typer.Argument()], actor: Actor = "admin"
) -> None:
    """Withdraw a place from an account."""
    command = WithdrawPlace(username=username, place=place)
    _change(actor, command, f"{username} no longer acts at {place}")


@app.command("device")
def device(
    username: Username,
    role: Annotated[str, typer.Option(help="one of the account's roles")],
    label: Annotated[str, typer.Option(help="which scanner or script")],
    place: Annotated[str | None, typer.Option(help="one of the account's places")] = None,
    days: Annotated[int, typer.Option(parser=Whole(1, accounts.MOST_DEVICE_DAYS))] = 90,
    actor: Actor = "admin",
) -> None:
    """Issue a device token bound to an account, a role and a place; the token is printed
    once (the service keeps only its hash), its id goes into the ledger."""
    lifetime = dt.timedelta(days=days)
    token, issued = accounts.issue_device(_process(), actor, username, role, place, label, lifetime)
    echo(f"device token {issued.id} for {username} ({role}) until {issued.expires_at}")
    echo(token)


@app.command("devices")
def devices(
    username: Annotated[str | None, typer.Argument(help="one account's only")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="as JSON")] = False,
) -> None:
    """Every device token the ledger records, revoked ones too."""
    process = _process()
    with process.ledger.database.read() as conn:
        found = accounts.all_devices(conn, username)
    if as_json:
        echo(json.dumps([d.to_json() for d in found], ensure_ascii=False, indent=2))
        return
    for d in found:
        state = f"revoked {d.revoked_at}" if d.revoked_at else f"until {d.expires_at}"
        echo(f"{d.id}  {d.account:<20} {d.role:<18} {d.place or '-':<10} {state}  {d.label}")


@app.command("revoke-device")
def revoke_device(
    device_id: Annotated[str, typer.Argument(metavar="DEVICE", help="DEV-... from `devices`")],
    actor: Actor = "admin",
) -> None:
    """Revoke one device token."""
    account = accounts.revoke_device(_process(), actor, device_id)
    echo(f"device token {device_id} of {account} revoked")
