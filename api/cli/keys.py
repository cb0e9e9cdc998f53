"""`custody keygen` and `custody keys ...`: people's keys, and the ledger's own."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli.output import echo
from api.cli.paths import KEY, read_text, readable, writable
from custody import keyfile, keyring, signatures
from custody.bootstrap import open_ledger, open_readonly
from custody.entries import decode
from custody.errors import KeyFileError
from custody.keys import PERSON_PURPOSES, parse_public_key, possession_claim
from custody.ledger_key import LedgerKeyFile
from custody.settings import Settings

app = typer.Typer(help="People's public keys, and the ledger key.", no_args_is_help=True)
Actor = Annotated[str, typer.Option(envvar="CUSTODY_ACTOR", help="who does it (a user id)")]


def read_passphrase(
    passphrase_file: Path | None,
    confirm: bool,
    what: str = "passphrase",
    option: str = "--passphrase-file",
) -> str:
    """From the file's first line, or asked on the terminal; never from an argument. `what`
    and `option` name it in the prompt and the errors (a password: --password-file)."""
    if passphrase_file is not None:
        lines = read_text(passphrase_file, "", KEY).splitlines()
        passphrase = lines[0] if lines else ""
    elif sys.stdin.isatty():
        prompt = what.capitalize()
        passphrase = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    else:
        raise KeyFileError(f"no {what}: give {option}, or run on a terminal")
    if not passphrase:
        raise KeyFileError(f"the {what} must not be empty")
    return passphrase


def keygen(
    out: Annotated[Path, typer.Option("--out", help="where to write the encrypted key")],
    passphrase_file: Annotated[
        Path | None, typer.Option("--passphrase-file", help="first line is the passphrase")
    ] = None,
) -> None:
    """Make a person's key pair: the private key, encrypted with a passphrase, into a new
    file of mode 0600; the public key printed in base64."""
    writable(out, "--out")
    passphrase = read_passphrase(passphrase_file, confirm=True)
    key = keyfile.PersonKey.generate()
    keyfile.write(out, key, passphrase)
    echo(f"wrote the encrypted private key to {out}", err=True)
    echo(key.public_key_b64)


@app.command("add")
def add(
    owner: Annotated[str, typer.Argument(help="the user id the key belongs to")],
    public_key: Annotated[str, typer.Argument(help="base64 public key, or a verifier key")],
    purpose: Annotated[str, typer.Option(help=f"one of {', '.join(sorted(PERSON_PURPOSES))}")],
    actor: Actor = "admin",
) -> None:
    """Register a person's public key; it holds from the next entry on. Through the process's
    command (workflows.commands.keys.AddKey), as over HTTP: an act key is an account's, and a
    public key is one person's."""
    from api.system import open_system
    from workflows.commands.keys import AddKey

    process = open_system(Settings()).process
    command = AddKey(owner=owner, purpose=purpose, public_key=public_key)
    key_id = process.run(actor, command)
    with process.ledger.database.read() as conn:
        size = process.ledger.head(conn).size
    echo(f"key {key_id} of {owner} ({purpose}) holds from seq {size}")


@app.command("prove")
def prove(
    challenge: Annotated[str, typer.Argument(help="the challenge the service gave for you")],
    key: Annotated[Path, typer.Option("--key", help="your encrypted key file (custody keygen)")],
    owner: Annotated[str, typer.Option("--owner", help="your name, as the key will carry it")],
    purpose: Annotated[str, typer.Option(help=f"one of {', '.join(sorted(PERSON_PURPOSES))}")],
    passphrase_file: Annotated[
        Path | None, typer.Option("--passphrase-file", help="first line is the passphrase")
    ] = None,
) -> None:
    """Prove you hold your key: sign the possession claim over your name, the purpose, the
    public key and the challenge (custody.signatures.possession_message, domain-separated);
    prints {"public_key", "possession": {"challenge", "sig"}}: the body of POST /keys/requests
    as it is, and of POST /steps/key_added with "owner" and "purpose" added."""
    if purpose not in PERSON_PURPOSES:
        raise typer.BadParameter(f"--purpose is one of {', '.join(sorted(PERSON_PURPOSES))}")
    readable(key, "--key", KEY)
    secret = keyfile.read(key, read_passphrase(passphrase_file, confirm=False))
    claim = possession_claim(owner, purpose, secret.public_key, challenge)
    sig = signatures.sign(secret.seed, signatures.possession_message(claim))
    out = {
        "public_key": secret.public_key_b64,
        "possession": {"challenge": challenge, "sig": base64.b64encode(sig).decode()},
    }
    echo(json.dumps(out, indent=2))


@app.command("rotate")
def rotate(
    key_id: Annotated[str | None, typer.Argument(help="the key to replace")] = None,
    public_key: Annotated[str | None, typer.Argument(help="its successor")] = None,
    ledger_key: Annotated[
        bool, typer.Option("--ledger", help="rotate the ledger's own signing key")
    ] = False,
    actor: Actor = "admin",
) -> None:
    """Replace a key by a new one: the old holds up to this entry, the new from the next."""
    settings = Settings()
    ledger = open_ledger(settings)
    if ledger_key:
        if key_id or public_key:
            raise typer.BadParameter("--ledger takes no key arguments: the new key is made here")
        entry = keyring.rotate_ledger_key(ledger, actor, LedgerKeyFile(settings.ledger_key_file))
        echo(f"ledger key rotated at seq {entry.seq}; new verifier key:")
        echo(ledger.verifier_key)
        return
    if not key_id or not public_key:
        raise typer.BadParameter("give KEY_ID and the new PUBLIC_KEY, or --ledger")
    entry = keyring.rotate_key(ledger, actor, key_id, parse_public_key(public_key))
    new_id = decode(entry.body).data["key"]["key_id"]
    echo(f"key {key_id} replaced by {new_id} from seq {entry.seq + 1}")


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="the key to revoke")],
    reason: Annotated[str, typer.Option(help="why, for the record")] = "revoked",
    actor: Actor = "admin",
) -> None:
    """Revoke a person's key: no act it signs holds from this entry on."""
    ledger = open_ledger(Settings())
    entry = keyring.revoke_key(ledger, actor, key_id, reason)
    echo(f"key {key_id} revoked at seq {entry.seq}")


@app.command("list")
def list_keys(
    as_json: Annotated[bool, typer.Option("--json", help="as JSON")] = False,
) -> None:
    """Every key the ledger has published, with the seq range in which it holds."""
    ledger = open_readonly(Settings())
    with ledger.database.read() as conn:
        records = ledger.keys(conn)
    if as_json:
        echo(json.dumps([r.to_json() for r in records], indent=2, ensure_ascii=False))
        return
    for r in records:
        until = (
            f"revoked at {r.revoked_at_seq}"
            if r.revoked_at_seq is not None
            else f"to {r.rotated_at_seq}"
            if r.rotated_at_seq is not None
            else "on"
        )
        echo(f"{r.key_id}  {r.purpose:8} {r.owner:24} from {r.valid_from_seq} {until}")
