"""`custody verify`: the audit, on a terminal or as a JSON report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from api.cli.numbers import Whole
from api.cli.output import echo
from api.cli.paths import CHECKPOINT, KEY, read_bytes, read_text
from custody.db import VERIFY_LOCK_TIMEOUT_MS, with_lock_timeout
from custody.errors import MalformedNoteError
from custody.note import Verifier
from custody.settings import Settings
from custody.verify import Audit, AuditorCheckpoint, Report

LOCK_TIMEOUT = "due to lock timeout"  # PostgreSQL's words, raised here or in a worker process


def verifying(settings: Settings) -> str:
    """The database URL `custody verify` reads through (db.with_lock_timeout)."""
    return with_lock_timeout(settings.database_url)


def pinned_key(value: str | None) -> Verifier | None:
    if value is None:
        return None
    path = Path(value)
    text = read_text(path, "--key", KEY).strip() if path.is_file() else value.strip()
    try:
        return Verifier.parse(text)
    except MalformedNoteError as exc:
        raise typer.BadParameter(f"--key: not a verifier key ({exc})") from exc


def verify(
    key: Annotated[
        str | None,
        typer.Option("--key", help="the ledger verifier key you trust (text, or a file)"),
    ] = None,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint",
            help="a signed checkpoint you saved earlier (repeatable)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON report")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            parser=Whole(1, 1024), help="processes for signature checks (default: one per core)"
        ),
    ] = None,
) -> None:
    """Audit the whole ledger: exit 0 when every step holds, 1 naming the first that fails."""
    pinned = pinned_key(key)
    # As bytes: a file that is not a checkpoint (not even UTF-8) fails step 9 in the report.
    given = [
        AuditorCheckpoint(str(p), read_bytes(p, "--checkpoint", CHECKPOINT))
        for p in checkpoint or []
    ]
    settings = Settings()
    from api.system import audit_steps
    from custody.bootstrap import open_readonly

    # A table someone holds locked makes the audit fail in a minute, not wait for ever.
    ledger = open_readonly(settings.model_copy(update={"database_url": verifying(settings)}))
    show_progress = not as_json and sys.stderr.isatty()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not show_progress,
        transient=True,
    ) as bar:
        task = bar.add_task("verifying entries", total=None)
        audit = Audit(
            ledger.database,
            pinned_key=pinned,
            auditor_checkpoints=given,
            workers=workers,
            extra_steps=audit_steps(settings),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        try:
            report = audit.run()
        except Exception as exc:
            if LOCK_TIMEOUT not in str(exc):
                raise
            echo(
                f"custody verify: a table stayed locked for {VERIFY_LOCK_TIMEOUT_MS // 1000} s "
                "(another session holds it): run custody verify again when it is released",
                err=True,
            )
            raise typer.Exit(2) from None
    ledger.database.dispose()
    if as_json:
        echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(report)
    raise typer.Exit(0 if report.ok else 1)


def _print(report: Report) -> None:
    root = report.root.hex() if report.root else "none"
    echo(f"ledger {report.origin}: {report.size} entries, root {root}")
    for step in report.steps:
        echo(f"{step.number:>2}. {step.name:<18} {step.shown()}")
    failure = report.first_failure
    if failure is None:
        count = report.checkpoints_checked
        noun = "checkpoint" if count == 1 else "checkpoints"
        echo(f"verified: every step holds ({count} {noun} checked)")
    else:
        where = f", seq {failure.seq}" if failure.seq is not None else ""
        echo(
            f"custody verify: FAILED at step {failure.number} ({failure.name}{where}): "
            f"{failure.reason}",
            err=True,
        )
