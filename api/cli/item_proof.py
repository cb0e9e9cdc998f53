"""`custody item-proof` and `custody verify-item`: one item's disclosure bundle, written from
the database and checked offline from the file alone (custody.disclosure)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.cli.output import echo
from api.cli.paths import BUNDLE, CHECKPOINT, read_bytes, writable
from api.cli.verify import pinned_key
from custody.settings import Settings


def item_proof(
    item: Annotated[str, typer.Argument(help="the item's id")],
    out: Annotated[Path, typer.Option("--out", help="the bundle file to write")],
    size: Annotated[
        int | None,
        typer.Option(
            min=1, help="prove to the checkpoint of this many entries [default: the latest]"
        ),
    ] = None,
) -> None:
    """Write ITEM's entries, their signatures, inclusion proofs to a signed checkpoint and the
    ledger's keys to one file that anyone can check with `custody verify-item`."""
    from custody.bootstrap import open_ledger
    from custody.disclosure import disclose
    from custody.errors import NotAnItem

    if not item.strip():  # one line, exit 2, before any ledger is opened (fix19h LOW)
        raise NotAnItem("the item id is empty: name the item whose bundle to write")
    writable(out, "--out")
    ledger = open_ledger(Settings())
    try:
        bundle = disclose(ledger, item, size)
    finally:
        ledger.database.dispose()
    out.write_bytes(bundle)
    echo(f"{item}: {out} ({len(bundle)} bytes)")


def verify_item(
    file: Annotated[Path, typer.Argument(help="an item-proof bundle")],
    key: Annotated[
        str | None,
        typer.Option("--key", help="the ledger verifier key you trust (text, or a file)"),
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="a checkpoint you trust (GET /ledger/checkpoint)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON report")] = False,
) -> None:
    """Check an item's bundle offline: exit 0 when every step holds, 1 naming the first that
    fails."""
    from custody.disclosure import check

    bundle = read_bytes(file, "bundle", BUNDLE)
    # Not UTF-8 is not refused here: such a note fails step 3 with its reason.
    trusted = (
        read_bytes(checkpoint, "--checkpoint", CHECKPOINT).decode(errors="replace")
        if checkpoint
        else None
    )
    report = check(bundle, pinned_key(key), trusted)
    if as_json:
        echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        raise typer.Exit(0 if report.ok else 1)
    # The figures are the checked bundle's: a bundle failing before its checkpoint is read
    # had said "0 entries, checkpoint size None" of one holding 16 (n12).
    read = (
        f"{report.entries} entries, checkpoint size {report.size}"
        if report.size is not None
        else "its entries and checkpoint not read (a step below failed first)"
    )
    echo(f"item {report.item or '?'} ({file.name}): {read}")
    for step in report.steps:
        where = f" at seq {step.seq}" if step.seq is not None else ""
        status = "ok" if step.ok else f"FAILED{where}: {step.reason}"
        echo(f"{step.number:>2}. {step.name:<17} {status}")
    failure = report.first_failure
    if failure is None:
        pins = [] if key else ["ledger key taken from the file: pin it with --key"]
        pins += [] if checkpoint else ["pin the public checkpoint with --checkpoint"]
        echo(f"verified: every step holds; last entry {report.last_kind}")
        for pin in pins:
            echo(f"  ({pin})")
        raise typer.Exit(0)
    where = f", seq {failure.seq}" if failure.seq is not None else ""
    echo(
        f"custody verify-item: FAILED at step {failure.number} ({failure.name}{where}): "
        f"{failure.reason}",
        err=True,
    )
    raise typer.Exit(1)
