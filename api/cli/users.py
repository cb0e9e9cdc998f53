"""`custody user add|list|disable|enable`: the accounts people log in with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.access import accounts, tokens
from api.access.accounts import User
from api.access.passwords import WeakPassword, hash_password
from api.access.roles import ROLES
from api.cli.keys import read_passphrase
from api.config import ApiConfig
from api.errors import AccountError
from custody.clock import format_time, utc_now
from custody.settings import Settings

app = typer.Typer(help="The accounts people log in with.", no_args_is_help=True)


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="also the name the ledger records as actor")],
    role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")],
    name: Annotated[str, typer.Option(help="the person's full name")],
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="first line is the password")
    ] = None,
) -> None:
    """Make an account; the password is asked for on the terminal, or read from a file."""
    accounts.check_username(username)
    accounts.check_role(role)
    password = read_passphrase(password_file, confirm=True)
    try:
        hashed = hash_password(password, ApiConfig().password_strength)
    except WeakPassword as exc:
        raise AccountError(str(exc)) from None
    from api.system import open_system

    database = open_system(Settings()).ledger.database
    user = User(username, name, role, False, format_time(utc_now()))
    with database.write(lock=False) as conn:
        accounts.add(conn, user, hashed)
    typer.echo(f"account {username} ({role}) added")


@app.command("list")
def list_users(as_json: Annotated[bool, typer.Option("--json", help="as JSON")] = False) -> None:
    """Every account, its role, and whether it is disabled."""
    from api.system import open_system

    database = open_system(Settings()).ledger.database
    with database.read() as conn:
        users = accounts.all_users(conn)
    if as_json:
        typer.echo(json.dumps([u.__dict__ for u in users], ensure_ascii=False, indent=2))
        return
    for u in users:
        flag = "  (disabled)" if u.disabled else ""
        typer.echo(f"{u.username:<24} {u.role:<22} {u.name}{flag}")


@app.command("disable")
def disable(username: Annotated[str, typer.Argument()]) -> None:
    """Stop an account from logging in; every token it holds is revoked at once."""
    from api.system import open_system

    database = open_system(Settings()).ledger.database
    with database.write(lock=False) as conn:
        accounts.set_disabled(conn, username, True)
        revoked = tokens.revoke_all(conn, username, utc_now())
    typer.echo(f"account {username} disabled; {revoked} token(s) revoked")


@app.command("enable")
def enable(username: Annotated[str, typer.Argument()]) -> None:
    from api.system import open_system

    database = open_system(Settings()).ledger.database
    with database.write(lock=False) as conn:
        accounts.set_disabled(conn, username, False)
    typer.echo(f"account {username} enabled")
