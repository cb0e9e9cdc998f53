"""A server killed (SIGKILL) between writing a notice and sending it: after a restart the
notice is sent, and once. A real `custody serve` process, a real SMTP server, SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import workflows.commands as c
from api.notices import outbox
from api.system import MIGRATIONS
from custody import migrate
from custody.clock import format_time
from custody.settings import Settings
from tests.support.mailbox import mailbox, silent_server
from tests.support.processes import CUSTODY, environment, free_port, run
from tests.support.site import DECISION, UNIT, build_site

pytestmark = pytest.mark.slow
LEASE_SECONDS = 2


def _overdue_site(settings: Settings) -> None:
    """An item whose R1 deadline is overdue, a staff member of its unit with an address."""
    site = build_site(settings)
    migrate.upgrade(site.ledger.database, MIGRATIONS)
    account = c.CreateAccount(username="unit.o", name="unit.o", roles=["official"], places=[UNIT])
    site.process.run("admin", account)
    site.process.run("admin", c.AssignSupervisor(location=UNIT, person="unit.o", level="staff"))
    with site.ledger.database.write() as conn:
        outbox.set_contact(conn, "unit.o", "unit.o@police.kz", format_time(site.clock()))
    rifle = site.register_rifle()
    today = dt.datetime.now(ZoneInfo("Asia/Almaty")).date()
    decision = {**DECISION, "date": (today - dt.timedelta(days=12)).isoformat()}
    site.process.record_decision("unit.serikbaev", [rifle], decision)
    site.ledger.database.dispose()


def _notices(settings: Settings) -> list[dict[str, object]]:
    from custody.db import Database

    database = Database(settings.database_url)
    try:
        with database.read() as conn:
            return outbox.listed(conn)
    finally:
        database.dispose()


def _claims(settings: Settings) -> list[tuple[int, str | None]]:
    from custody.db import Database

    database = Database(settings.database_url)
    try:
        with database.read() as conn:
            rows = conn.exec_driver_sql("SELECT id, lease_owner FROM api_notices").all()
            return [(int(i), owner) for i, owner in rows]
    except Exception:
        return []
    finally:
        database.dispose()


def _wait_for_claim(settings: Settings, server: subprocess.Popen[str]) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "custody serve stopped by itself"
        claimed = [r for r in _claims(settings) if r[1] is not None]
        if claimed:
            return {"id": claimed[0][0]}
        time.sleep(0.2)
    raise AssertionError("no notice was written")


def test_server_killed_between_writing_a_notice_and_sending_it_sends_it_once_after_restart(
    app_settings: Settings, tmp_path: Path
) -> None:
    _overdue_site(app_settings)
    url = app_settings.database_url
    with silent_server() as hanging:
        env = environment(
            tmp_path,
            url,
            CUSTODY_SMTP_URL=hanging,
            CUSTODY_NOTICE_INTERVAL_SECONDS="0.2",
            CUSTODY_NOTICE_LEASE_SECONDS=str(LEASE_SECONDS),
            CUSTODY_SMTP_TIMEOUT_SECONDS="120",
        )
        log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
        server = subprocess.Popen(
            [CUSTODY, "serve", "--port", str(free_port())],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            # The server writes the notice, claims it and hangs on the mail server's greeting.
            written = _wait_for_claim(app_settings, server)
            time.sleep(0.5)
        finally:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
            log.close()
    [row] = _notices(app_settings)
    assert row["id"] == written["id"]
    assert row["sent_at"] is None  # written, never sent
    with mailbox() as box:
        time.sleep(LEASE_SECONDS + 0.5)  # the dead server's lease runs out
        env = environment(tmp_path, url, CUSTODY_SMTP_URL=box.url)
        first = run(env, "notify")
        assert first.returncode == 0, first.stderr
        assert "0 written, 1 sent" in first.stdout
        again = run(env, "notify")
        assert "0 written, 0 sent" in again.stdout
        assert box.notice_ids() == [str(row["id"])]
    [after] = _notices(app_settings)
    assert after["sent_at"] is not None
