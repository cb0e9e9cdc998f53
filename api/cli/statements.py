"""`custody statement list|render` and `custody verify-statement` (DESIGN §7)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from api.cli.deadlines import reading, shown, zone_of
from api.cli.output import echo
from api.cli.paths import STATEMENT, read_bytes, writable
from api.cli.verify import pinned_key
from custody.settings import Settings

if TYPE_CHECKING:
    from certificates.verify_statement import StatementReport

app = typer.Typer(help="destruction statements of furnace and burn batches", no_args_is_help=True)


@app.command("list")
def list_statements(
    as_json: Annotated[bool, typer.Option("--json", help="as JSON (times in UTC)")] = False,
    tz: Annotated[str | None, typer.Option("--tz", help="time zone (default: settings)")] = None,
) -> None:
    """Every batch: destroyed or not, signatures so far, final or not."""
    from api.statements import statements

    with reading(tz) as (system, zone):
        found = statements(system)
    if as_json:
        echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if not found:
        echo("no batch has been opened")
        return
    for s in found:
        quorum = s["quorum"] if s["quorum"] is not None else "-"
        echo(
            f"{s['batch']:<14} {s['kind']:<8} {s['state']:<7} {s['items']:>5} items  "
            f"signed {s['signatures']}/{quorum}  destroyed {shown(s['destroyed_at'], zone)}"
        )


@app.command("render")
def render_statement(
    batch: Annotated[str, typer.Argument(help="the batch id")],
    out: Annotated[Path, typer.Option("--out", help="the PDF file to write")],
    lang: Annotated[str, typer.Option("--lang", help="ru, kk or en")] = "ru",
    tz: Annotated[str | None, typer.Option("--tz", help="time zone (default: settings)")] = None,
) -> None:
    """Write the statement of a destroyed batch as a PDF/A-3 that carries its own evidence."""
    from certificates.words import UnknownLanguage, words

    try:
        words(lang)  # an unknown language fails before any work
    except UnknownLanguage as exc:
        raise typer.BadParameter(str(exc)) from exc
    writable(out, "--out")
    settings = Settings()
    zone = tz or settings.timezone
    zone_of(zone)
    from api.statements import statement_evidence
    from api.system import open_system
    from certificates.worker import Renderer

    system = open_system(settings)
    with _progress() as progress:
        task = progress.add_task(f"gathering the evidence of {batch}")
        evidence = statement_evidence(system, batch)
        system.ledger.database.dispose()
        progress.update(task, description=f"rendering {len(evidence['statement']['items'])} items")
        renderer = Renderer()
        try:
            pdf = renderer.render(evidence, lang, zone, settings.public_url or None)
        finally:
            renderer.close()
    out.write_bytes(pdf)
    echo(f"wrote {out} ({len(pdf):,} bytes, {len(evidence['statement']['items'])} items)")


def verify_statement(
    file: Annotated[Path, typer.Argument(help="the statement's PDF", exists=True, dir_okay=False)],
    key: Annotated[
        list[str] | None,
        typer.Option(
            "--key",
            help="a ledger verifier key you trust (text, or a file); repeatable: any of them "
            "(a service's keys before and after a rotation)",
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="the service's address (e.g. https://custody.example.kz): the QR code must "
            "open it",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON report")] = False,
) -> None:
    """Check a statement offline, from the PDF alone: exit 0 when every step holds, 1 naming
    the first that fails, 2 when nothing failed but the page could not be rendered again here
    (another renderer than the one the statement records). Prints the address its QR code
    opens; --public-url fails one that opens another."""
    from certificates.verify_statement import verify_statement as check

    trusted = [k for k in (pinned_key(value) for value in key or []) if k is not None]
    report = check(read_bytes(file, "statement", STATEMENT), trusted, public_url=public_url)
    if as_json:
        echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        raise typer.Exit(_exit_code(report))
    size = report.size if report.size is not None else "not read (a step below failed first)"
    echo(f"statement {report.batch or '?'} ({file.name}), checkpoint size {size}")
    if report.qr is not None:
        opens = report.qr if "://" in report.qr else f"no address (a version 1 code: {report.qr})"
        echo(f"its QR code opens {opens}")
    for step in report.steps:
        echo(f"{step.number:>2}. {step.name:<17} {step.shown()}")
    failure = report.first_failure
    if failure is None:
        note = "" if key else " (ledger key taken from the file; pin it with --key)"
        echo(f"verified: every step holds{note}")
        raise typer.Exit(0)
    verdict = "COULD NOT COMPLETE" if report.incomplete else "FAILED at"
    echo(
        f"custody verify-statement: {verdict} step {failure.number} ({failure.name}"
        f"{_at(failure.seq)}): {failure.reason}",
        err=True,
    )
    raise typer.Exit(_exit_code(report))


def _exit_code(report: StatementReport) -> int:
    if report.ok:
        return 0
    return 2 if report.incomplete else 1


def _at(seq: int | None) -> str:
    return f" at seq {seq}" if seq is not None else ""


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not sys.stderr.isatty(),
        transient=True,
    )


def print_labels(
    items: Annotated[list[str], typer.Argument(help="record numbers of the items")],
    out: Annotated[Path, typer.Option("--out", help="the PDF file to write")],
    single: Annotated[
        bool, typer.Option("--single", help="62 mm labels, one per page (else A4 sheets of 24)")
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="ru, kk or en")] = "ru",
) -> None:
    """Print intake labels: marking, record number and a QR code for each item."""
    writable(out, "--out")
    from api.statements import label_items
    from api.system import open_for_reading
    from certificates import labels
    from certificates.words import UnknownLanguage

    system = open_for_reading(Settings())
    found = label_items(system, items)
    system.ledger.database.dispose()
    try:
        pdf = labels.render(found, lang, single)
    except UnknownLanguage as exc:
        raise typer.BadParameter(str(exc)) from exc
    out.write_bytes(pdf)
    echo(f"wrote {out} ({len(found)} labels)")
