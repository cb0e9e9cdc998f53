"""The `custody` command line: the ledger's commands, for administrators and auditors.

Errors are one line on stderr and a non-zero exit: 1 for anything refused or not verified,
2 for a command used wrongly (a file named on the command line that is missing or cannot be
read, an output whose folder is missing or not writable: api/cli/paths.py; an item-proof of
a subject that is not an item; a read command where there is no database).

The commands import the process and the database layers inside their functions, not at the
top of their modules: every `custody ...`, `--help` included, would otherwise pay for all of
them before doing anything.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from typer._click import exceptions as click_errors  # typer (pinned) carries its own click

from api.cli import (
    changes,
    deadlines,
    demo,
    diversion,
    import_export,
    item_proof,
    keys,
    login_alerts,
    notices,
    reports,
    sign,
    statements,
    users,
    verify,
)
from api.cli.numbers import Whole
from api.cli.output import echo
from api.cli.paths import PathRefused
from custody.errors import CustodyError, NoLedger, NotAnItem
from custody.settings import Settings
from workflows import grammar

app = typer.Typer(
    name="custody",
    help="Chain of custody of seized weapons, up to their proven destruction.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _subcommand_needed(ctx: typer.Context) -> None:
    """A group given no subcommand (`custody keys`): a usage error naming its subcommands,
    one line on stderr, exit 2 (issue 12: a 28-line help box on stdout, exit 2)."""
    if ctx.invoked_subcommand is None:
        group = ctx.command
        names = sorted(getattr(group, "commands", {}))
        raise click_errors.UsageError(f"say which: {', '.join(names)}", ctx)


# Each group's callback: no_args_is_help would print its help box before main() sees it.
_GROUP: dict[str, Any] = {
    "callback": _subcommand_needed,
    "invoke_without_command": True,
    "no_args_is_help": False,
}
app.add_typer(keys.app, name="keys", **_GROUP)
users.app.command(name="alerts")(login_alerts.alerts)
app.add_typer(users.app, name="user", **_GROUP)
app.add_typer(changes.app, name="change", **_GROUP)
app.add_typer(statements.app, name="statement", **_GROUP)
app.add_typer(notices.app, name="notices", **_GROUP)
app.add_typer(reports.app, name="report", **_GROUP)
app.command(name="verify-report")(reports.verify_report)
app.command(name="verify")(verify.verify)
app.command(name="verify-statement")(statements.verify_statement)
app.command(name="item-proof")(item_proof.item_proof)
app.command(name="verify-item")(item_proof.verify_item)
app.command(name="labels")(statements.print_labels)
app.command(name="keygen")(keys.keygen)
app.command(name="deadlines")(deadlines.deadlines)
app.command(name="notify")(notices.notify)
app.command(name="demo")(demo.demo)
app.command(name="sign")(sign.sign)
app.command(name="import")(import_export.import_file)
app.command(name="export")(import_export.export)
app.command(name="campaigns")(diversion.campaigns)
app.command(name="suspicions")(diversion.suspicions)


@app.command()
def init(
    actor: Annotated[str, typer.Option(envvar="CUSTODY_ACTOR", help="who runs it")] = "admin",
    second: Annotated[
        str, typer.Option(help="the second administrator's username (four eyes)")
    ] = "admin2",
) -> None:
    """Create the database, the ledger key, the genesis entry and the two founding
    administrators (`actor` and `second`: one proposes what makes a signer, the other
    confirms it); safe to run again. Give each their password with `custody user password`."""
    settings = Settings()
    from api.system import initialise

    result, _ = initialise(settings, actor, second=second)
    ledger = result.ledger
    signer = ledger.signer
    assert signer is not None
    with ledger.database.read() as conn:
        size = ledger.head(conn).size
    if result.wrote_genesis:
        echo(f"created ledger {signer.name} in {settings.safe_database_url}")
    else:
        echo(f"ledger {signer.name} is already there: {size} entries")
    key_note = "new, " if result.created_key else ""
    echo(f"ledger key {signer.verifier.key_id} ({key_note}{settings.ledger_key_file})")
    echo(f"verifier key: {signer.verifier.vkey}")


@app.command()
def checkpoint() -> None:
    """Print the latest signed checkpoint, signing a new one first if the tree has grown."""
    from custody.bootstrap import open_ledger

    ledger = open_ledger(Settings())
    with ledger.database.write() as conn:
        issued = ledger.issue_checkpoint(conn)
    echo(issued.note, nl=False)


# The largest WebSocket message the server reads (uvicorn's default is 16 MiB): the scan
# page's socket takes a few codes at a time (api.web.scan.LIVE_MAX_CHARS, 64 Ki characters).
WS_MAX_BYTES = 256 * 1024

# No permessage-deflate on WebSockets (uvicorn accepts it by default, and browsers offer it:
# Chromium 156 asks `permessage-deflate; client_max_window_bits` and was answered with it).
# The scan page's messages are a few hundred bytes each, one per label, on a LAN: compressing
# and inflating every one cost the serving process 20-45 us more CPU a scan (of 220-260) and
# the client about 10 us more, measured paired (bench/README.md, 2026-11-30, "scan15").
WS_PER_MESSAGE_DEFLATE = False


# How long a server process may leave uvicorn's health ping unanswered before it is killed
# and started again (seconds; uvicorn's default is 5). A process answers from a thread that
# needs the GIL: starting (migrations, the heap settled) or a bulk step on a loaded machine
# took longer, and uvicorn killed the processes over and over (a breaker, load 17 on 2 cores).
WORKER_HEALTHCHECK_S = 60


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(parser=Whole(0, 65535), help="port to listen on")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="server processes [default: CUSTODY_WORKERS, or one per core]"
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None,
        typer.Option(help="PEM certificate (chain): serve HTTPS, which phones need for the camera"),
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert")] = None,
) -> None:
    """Run the API and the web pages (creating the database and the ledger key on first start)."""
    if (tls_cert is None) != (tls_key is None):
        fail("--tls-cert and --tls-key go together")
    for given in (tls_cert, tls_key):
        if given is not None and not given.is_file():
            fail(f"{given} is not a file")
    certfile, keyfile = (str(tls_cert), str(tls_key)) if tls_cert else (None, None)
    scheme = "https" if tls_cert else "http"
    import uvicorn

    from api.config import ApiConfig
    from api.http.app import create_app
    from api.system import initialise

    settings = Settings()
    count = workers or ApiConfig().workers
    _, system = initialise(settings)
    ledger = system.ledger
    echo(
        f"custody: ledger {ledger.signer.name if ledger.signer else '?'} "
        f"on {settings.safe_database_url}"
    )
    echo(
        f"custody: serving on {scheme}://{host}:{port}/ (pages at /web/, API docs at /docs), "
        f"{count} process{'es' if count > 1 else ''}"
    )
    if count == 1:
        uvicorn.run(
            create_app(settings, system),
            host=host,
            port=port,
            log_level="info",
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            ws_max_size=WS_MAX_BYTES,
            ws_per_message_deflate=WS_PER_MESSAGE_DEFLATE,
        )
        return
    # Each process opens the database and the key itself (Settings from the same environment).
    ledger.database.dispose()
    uvicorn.run(
        "api.http.app:create_app",
        factory=True,
        workers=count,
        host=host,
        port=port,
        log_level="info",
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        ws_max_size=WS_MAX_BYTES,
        ws_per_message_deflate=WS_PER_MESSAGE_DEFLATE,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )


def fail(message: str, code: int = 1) -> None:
    echo(f"custody: {message}", err=True)
    raise SystemExit(code)


def _invalid(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = "_".join(str(part) for part in first["loc"])
    if exc.title.endswith(("Settings", "Config")):  # from the environment or .env
        where = f"setting CUSTODY_{where.upper()}"
    return f"{where}: {first['msg']} (given {grammar.shown(first.get('input'))})"


def main() -> None:
    try:
        # Not standalone: click's usage errors reach us, to be said in one line (a boxed
        # "Usage: ... Try ... Error" had been printed for a bad --tz or an unknown option: n12).
        code = app(standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:  # the help is printed: nothing to add
        raise SystemExit(exc.exit_code) from None
    except click_errors.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else _command_path(sys.argv[1:])
        echo(f"{where}: {exc.format_message()} (see --help)", err=True)
        raise SystemExit(exc.exit_code) from None
    except click_errors.ClickException as exc:
        fail(exc.format_message(), exc.exit_code)
    except typer.Abort:
        fail("interrupted", 130)
    except (PathRefused, NotAnItem, NoLedger) as exc:  # a path, subject or place not usable
        fail(str(exc), 2)
    except CustodyError as exc:
        fail(str(exc))
    except ValidationError as exc:
        fail(_invalid(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except OSError as exc:
        if exc.filename is None:  # a socket, a pipe: not a path the user gave
            _internal(exc)
        fail(f"{exc.filename}: {exc.strerror or exc}", 2)
    except Exception as exc:  # one line for people; the traceback only when asked for
        _internal(exc)
    raise SystemExit(code if isinstance(code, int) else 0)


def _command_path(argv: list[str]) -> str:
    """`custody import` for a usage error click raised without its command's context (an
    option missing its value: `custody import --encoding`): the command words of `argv`."""
    group: Any = typer.main.get_command(app)
    path = ["custody"]
    for word in argv:
        commands = getattr(group, "commands", None)
        if not commands or word not in commands:
            break
        path.append(word)
        group = commands[word]
    return " ".join(path)


def _internal(exc: Exception) -> None:
    if os.environ.get("CUSTODY_DEBUG"):
        raise exc
    fail(f"internal error: {type(exc).__name__}: {exc} (CUSTODY_DEBUG=1 shows where)", 1)


if __name__ == "__main__":
    main()
