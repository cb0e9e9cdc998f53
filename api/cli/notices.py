"""`custody notify` (one pass of the notice worker) and `custody notices ...`: the notices
of due and overdue deadlines, their acknowledgement, and where each person is told."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.numbers import Whole
from api.cli.output import echo
from custody.clock import format_time
from custody.errors import CustodyError
from custody.settings import Settings

app = typer.Typer(help="Notices of due and overdue deadlines.", no_args_is_help=True)


class NoticeRefused(CustodyError):
    """A notice command given what it cannot do."""


def notify() -> None:
    """One pass of the notice worker: write the notices due now, send those unsent. Exit 1,
    with one line, when the mail server could not be used (refused, unreachable, login
    refused): the notices not sent go back for the next pass."""
    from api.notices import outbox
    from api.notices.config import NoticeConfig
    from api.notices.worker import one_pass
    from api.system import initialise
    from custody.bootstrap import require_database

    config = NoticeConfig()
    settings = Settings()
    require_database(settings)  # maintains a ledger; never makes one where there is none
    _, system = initialise(settings)
    try:
        done = one_pass(system, config)
        with system.ledger.database.read() as conn:
            addressed, unaddressed = outbox.unsent(conn)
    finally:
        system.ledger.database.dispose()
    echo(f"notices: {done.written} written, {done.sent} sent, {done.failed} not sent")
    for line in unattended_lines(done.unattended):
        echo(line, err=True)
    for line in waiting_lines(addressed, unaddressed, bool(config.smtp_url)):
        echo(line)
    if done.mail_error is not None:
        # Not a quiet success (issue 19 re-attack): the notices wait for the next pass.
        raise NoticeRefused(
            f"notices not sent: {done.mail_error}; {done.failed} wait for the next pass "
            "(CUSTODY_SMTP_URL)"
        )


def unattended_lines(unattended: dict[str, int]) -> list[str]:
    """A warning per place with overdue deadlines and nobody to notify at any level: their
    notices go to no one, which a pass had said nothing of (issue 19 fix)."""
    return [
        f"warning: {place}: {count} overdue deadline{'' if count == 1 else 's'} and nobody "
        "to notify at any level (staff, supervisor, regional head; a disabled account is "
        "nobody): assign someone (supervisor_assigned)"
        for place, count in unattended.items()
    ]


def waiting_lines(addressed: int, unaddressed: int, mail: bool) -> list[str]:
    """Why notices wait: no mail server set, or people without an address (a pass that
    sent none said nothing of the notices it left waiting)."""
    lines = []
    if addressed and not mail:
        lines.append(
            f"notices: {addressed} wait to be e-mailed, but no mail server is set "
            "(CUSTODY_SMTP_URL); people see them on their pages and in `custody notices list`"
        )
    if unaddressed:
        lines.append(
            f"notices: {unaddressed} go by no e-mail: their people have no address "
            "(`custody notices contact <username> <email>`); they see them on their pages"
        )
    return lines


@app.command(name="list")
def list_notices(
    person: Annotated[str | None, typer.Option(help="only this person's")] = None,
    unacknowledged: Annotated[bool, typer.Option(help="only those not acknowledged")] = False,
) -> None:
    """Notices, newest first."""
    from api.cli.deadlines import reading, shown
    from api.notices import outbox

    where, params = ["1 = 1"], {}
    if person:
        where.append("person = :person")
        params["person"] = person
    if unacknowledged:
        where.append("acknowledged_at IS NULL")
    with reading(None) as (system, zone), system.ledger.database.read() as conn:
        rows = outbox.listed(conn, " AND ".join(where), params)
    for row in rows:
        acked = (
            f"acknowledged by {row['acknowledged_by']} {shown(row['acknowledged_at'], zone)}"
            if row["acknowledged_at"]
            else "not acknowledged"
        )
        sent = f"sent {shown(row['sent_at'], zone)}" if row["sent_at"] else "not sent"
        echo(
            f"{row['id']:6} {row['kind']:8} {row['rule']} {row['item']:14} to {row['person']} "
            f"({row['level']}, {row['place']}): {sent}; {acked}"
        )


@app.command(name="ack")
def acknowledge(
    notice: Annotated[int, typer.Argument(parser=Whole(1), help="the notice's number")],
    by: Annotated[str, typer.Option("--by", help="the person acknowledging it")],
) -> None:
    """A person has read their own notice: who and when are recorded. It does not stop an
    overdue notice climbing to the next level: only the deadline met does. `--by` is the
    account the notice was written to (the API's rule: api.notices.acknowledging)."""
    from api.notices.acknowledging import acknowledge_as
    from api.system import open_system

    system = open_system(Settings())
    try:
        row = acknowledge_as(system, by, notice)
    finally:
        system.ledger.database.dispose()
    echo(f"notice {notice} acknowledged by {row['acknowledged_by']}")


@app.command(name="contact")
def contact(
    person: Annotated[str, typer.Argument(help="their username")],
    email: Annotated[str, typer.Argument(help="where their notices go")],
) -> None:
    """Set the e-mail address a person's notices go to (administrators): an account of the
    ledger, an address of at most 254 characters (api.notices.outbox.check_email)."""
    from api.access import accounts
    from api.notices import outbox
    from api.system import initialise
    from custody.bootstrap import require_database

    try:
        outbox.check_email(email)
    except ValueError as exc:
        raise NoticeRefused(str(exc)) from None
    settings = Settings()
    require_database(settings)  # maintains a ledger; never makes one where there is none
    _, system = initialise(settings)
    try:
        with system.ledger.database.read() as conn:
            if accounts.find(conn, person) is None:
                raise NoticeRefused(f"there is no account {person!r} in the ledger")
        with system.ledger.database.write() as conn:
            outbox.set_contact(conn, person, email, format_time(system.clock()))
    finally:
        system.ledger.database.dispose()
    echo(f"{person}: notices go to {email}")
