"""`custody report annual|compliance|reconciliation` and `custody verify-report` (DESIGN §7)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.numbers import Whole
from api.cli.output import echo
from api.cli.paths import CHECKPOINT, REPORT, read_bytes, read_text
from api.cli.verify import pinned_key
from custody.settings import Settings

if TYPE_CHECKING:
    from workflows.reports.recompute import ReportRequest

app = typer.Typer(
    help="reports a ministry files and an auditor can recompute", no_args_is_help=True
)

Format = Annotated[str, typer.Option("--format", help="json, csv, xlsx or pdf (annual)")]
Out = Annotated[Path | None, typer.Option("--out", help="the file to write (default: stdout)")]
Lang = Annotated[str, typer.Option("--lang", help="ru, kk or en (xlsx, pdf)")]
Zone = Annotated[str | None, typer.Option("--tz", help="time zone (default: CUSTODY_TIMEZONE)")]
At = Annotated[
    Path | None,
    typer.Option("--checkpoint", help="a signed checkpoint to compute at (default: today's)"),
]
Explain = Annotated[
    str | None,
    typer.Option("--explain", help="list the subjects and entry seqs behind one figure"),
]
From = Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="first day")]
To = Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="last day")]


@app.command("annual")
def annual(
    year: Annotated[
        int,
        typer.Option("--year", parser=Whole(1, 9999), help="the calendar year, in the time zone"),
    ],
    place: Annotated[str | None, typer.Option("--place", help="one place's figures")] = None,
    fmt: Format = "json",
    out: Out = None,
    lang: Lang = "ru",
    tz: Zone = None,
    checkpoint: At = None,
    explain: Explain = None,
) -> None:
    """Small-arms statistics of a year, from the ledger, tied to a signed checkpoint."""
    from workflows.reports.recompute import ReportRequest

    _run(ReportRequest.annual(year, _zone(tz), place), fmt, out, lang, checkpoint, explain)


@app.command("compliance")
def compliance(
    first: From, last: To, fmt: Format = "json", out: Out = None, lang: Lang = "ru",
    tz: Zone = None, checkpoint: At = None, explain: Explain = None,
) -> None:  # fmt: skip
    """Every R1 and R2 deadline of the period, met or missed and by how much."""
    from workflows.reports.recompute import ReportRequest

    request = ReportRequest.between("compliance", first.date(), last.date(), _zone(tz))
    _run(request, fmt, out, lang, checkpoint, explain)


@app.command("reconciliation")
def reconciliation(
    first: From, last: To, fmt: Format = "json", out: Out = None, lang: Lang = "ru",
    tz: Zone = None, checkpoint: At = None, explain: Explain = None,
) -> None:  # fmt: skip
    """Stock by place against the last inventory count; weight of each batch."""
    from workflows.reports.recompute import ReportRequest

    request = ReportRequest.between("reconciliation", first.date(), last.date(), _zone(tz))
    _run(request, fmt, out, lang, checkpoint, explain)


def _zone(tz: str | None) -> str:
    return tz or Settings().timezone


def _run(
    request: ReportRequest,
    fmt: str,
    out: Path | None,
    lang: str,
    at: Path | None,
    explain: str | None,
) -> None:
    from api.reports import check_format, check_pdf, compute, written
    from certificates.report_words import report_words
    from custody.bootstrap import open_ledger, open_readonly

    check_format(fmt)
    report_words(lang)  # an unknown language fails before any work
    if fmt in ("xlsx", "pdf") and out is None and explain is None:
        raise typer.BadParameter(f"--out: a {fmt} report is written to a file")
    settings = Settings()
    signing = at is None and settings.ledger_key_file.exists()
    ledger = open_ledger(settings) if signing else open_readonly(settings)
    try:
        report, tally = compute(
            ledger, request, read_text(at, "--checkpoint", CHECKPOINT) if at is not None else None
        )
    finally:
        ledger.database.dispose()
    if explain is not None:
        _explain(report, tally, explain)
        return
    if fmt == "pdf":
        check_pdf(report)
        data = _pdf(report, lang)
    else:
        data = written(report, fmt, lang)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    out.write_bytes(data)
    size = report["checkpoint"]["size"]
    echo(f"wrote {out} ({len(data):,} bytes): {request.kind} at checkpoint {size}")


def _pdf(report: dict[str, Any], lang: str) -> bytes:
    from certificates.worker import Renderer

    renderer = Renderer()
    try:
        return renderer.report(report, lang)
    finally:
        renderer.close()


def _explain(report: dict[str, Any], tally: Any, figure: str) -> None:
    from workflows.reports.recompute import explain

    behind = explain(report, tally, figure)
    for subject, seq, amount in behind:
        shown = int(amount) if float(amount).is_integer() else amount
        echo(f"{seq}\t{subject}\t{shown}")
    echo(f"{figure}: {len(behind)} entries", err=True)


def verify_report(
    file: Annotated[
        Path, typer.Argument(help="a report (json, xlsx or pdf; a CSV cannot be)", dir_okay=False)
    ],
    key: Annotated[
        str | None,
        typer.Option("--key", help="the ledger verifier key you trust (text, or a file)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON verdict")] = False,
    explain: Explain = None,
    workers: Annotated[
        int | None,
        typer.Option(
            parser=Whole(1, 1024), help="processes for signature checks (default: one per core)"
        ),
    ] = None,
) -> None:
    """Verify the ledger up to the report's checkpoint, recompute every figure from its
    entries, and name any figure that differs; for a workbook or a PDF, check that what it
    shows (every sheet's cells, every page's text) is what the report makes: exit 0 when
    all hold, 1 otherwise."""
    from api.reports import read_report
    from custody.bootstrap import open_readonly
    from workflows.reports.recompute import ReportRequest, at_checkpoint
    from workflows.reports.verification import claimed_checkpoint, verify_report

    read = read_report(read_bytes(file, "report", REPORT))
    report = read.report
    ledger = open_readonly(Settings())
    try:
        verdict = verify_report(
            ledger.database,
            report,
            pinned_key=pinned_key(key),
            workers=workers,
            shown=read.shown,
        )
        if explain is not None and verdict.ok:
            _, tally = at_checkpoint(
                ledger.database, ReportRequest.of(report), claimed_checkpoint(report)
            )
            _explain(report, tally, explain)
    finally:
        ledger.database.dispose()
    if as_json:
        echo(json.dumps(verdict.to_json(), indent=2, ensure_ascii=False))
    elif verdict.ok:
        size = report["checkpoint"]["size"]
        shows = {"SheetShown": "; every sheet", "PdfShown": "; every page"}
        shown = shows.get(type(read.shown).__name__, "")
        echo(
            f"verified: every figure of the {report['report']} report recomputes from "
            f"the ledger's first {size} entries{shown}"
            f"{' shows what the report makes' if shown else ''}"
        )
    if not verdict.ok:
        echo(f"custody verify-report: FAILED at {verdict.step}: {verdict.reason}", err=True)
        for path in verdict.differing[1:]:
            echo(f"  also differs: {path}", err=True)
        raise typer.Exit(1)
