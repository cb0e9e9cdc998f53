"""Notices of due and overdue deadlines (workflows.escalation, api.notices): to the place's
staff, then up to the supervisor and the regional head while nobody acknowledges; each sent
once, by e-mail to a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

import workflows.commands as c
from api.cli.deadlines import due_shown
from api.deadline_reasons import reasons
from api.notices import mail as mails
from api.notices import outbox
from api.notices.config import NoticeConfig
from api.notices.worker import one_pass, send_due, write_due
from api.system import MIGRATIONS, System
from api.web import i18n
from custody import migrate
from custody.clock import format_time
from tests.support.mailbox import Mailbox, mailbox, slow_mailbox
from tests.support.processes import environment, run
from tests.support.site import DECISION, UNIT, Site
from workflows.errors import InvalidRequest

ALMATY = ZoneInfo("Asia/Almaty")
PEOPLE = {"staff": "unit.ospanov", "supervisor": "chief.bekov", "regional_head": "head.amanov"}


@pytest.fixture
def system(site: Site) -> System:
    """The site with the service's tables, its supervision register and addresses."""
    migrate.upgrade(site.ledger.database, MIGRATIONS)
    for level, person in PEOPLE.items():  # a supervisor is a person with an account
        places = [UNIT] if level == "staff" else []  # above the staff: not one of them
        account = c.CreateAccount(username=person, name=person, roles=["official"], places=places)
        site.process.run("admin", account)
        site.process.run("admin", c.AssignSupervisor(location=UNIT, person=person, level=level))
    with site.ledger.database.write() as conn:
        for person in PEOPLE.values():
            outbox.set_contact(conn, person, f"{person}@police.kz", format_time(site.clock()))
    return System(site.ledger, site.process)


@pytest.fixture
def box() -> Iterator[Mailbox]:
    with mailbox() as box:
        yield box


def _overdue_rifle(site: Site, days_ago: int = 12) -> str:
    rifle = site.register_rifle()
    today = site.clock().astimezone(ALMATY).date()
    decision = {**DECISION, "date": (today - dt.timedelta(days=days_ago)).isoformat()}
    site.process.record_decision("unit.serikbaev", [rifle], decision)
    return rifle


def _written_then_disabled(site: Site, system: System, box: Mailbox) -> NoticeConfig:
    """An overdue rifle's notice to unit.ospanov written, then his account disabled: the
    config that sends to `box`."""
    _overdue_rifle(site)
    assert write_due(system) == 1
    site.process.run("admin", c.DisableAccount(username="unit.ospanov"))
    return NoticeConfig(smtp_url=box.url)


def _ack(system: System, person: str) -> None:
    with system.ledger.database.write() as conn:
        for row in outbox.listed(conn, "person = :p", {"p": person}):
            outbox.acknowledge(conn, row["id"], person, format_time(system.clock()))


def test_unacknowledged_overdue_notice_reaches_the_supervisor_then_the_head(
    site: Site, system: System, box: Mailbox
) -> None:
    rifle = _overdue_rifle(site)
    config = NoticeConfig(smtp_url=box.url)
    assert one_pass(system, config).sent == 1
    [to_staff] = box.to("unit.ospanov@police.kz")
    assert rifle in to_staff["Subject"]
    assert "Срок пропущен" in to_staff["Subject"]
    assert box.to("chief.bekov@police.kz") == []
    site.clock.advance(hours=23)  # CUSTODY_NOTICE_ACK_HOURS (24) not passed yet
    assert one_pass(system, config).sent == 0
    site.clock.advance(hours=2)
    assert one_pass(system, config).sent == 1
    assert len(box.to("chief.bekov@police.kz")) == 1
    assert box.to("head.amanov@police.kz") == []
    site.clock.advance(hours=25)
    assert one_pass(system, config).sent == 1
    assert len(box.to("head.amanov@police.kz")) == 1
    site.clock.advance(hours=100)
    assert one_pass(system, config).sent == 0  # each notice once
    assert len(box.messages) == 3


def test_acknowledging_an_overdue_notice_does_not_stop_it_climbing(
    site: Site, system: System, box: Mailbox
) -> None:
    # Issue 19, M3: acknowledging is not acting; only the item moving stops the climb.
    _overdue_rifle(site)
    config = NoticeConfig(smtp_url=box.url)
    one_pass(system, config)
    _ack(system, "unit.ospanov")
    site.clock.advance(hours=25)
    one_pass(system, config)
    _ack(system, "chief.bekov")
    site.clock.advance(hours=25)
    one_pass(system, config)
    assert [m["To"] for m in box.messages] == [
        "unit.ospanov@police.kz",
        "chief.bekov@police.kz",
        "head.amanov@police.kz",
    ]
    with system.ledger.database.read() as conn:
        acked = {r["person"]: r["acknowledged_by"] for r in outbox.listed(conn)}
    assert acked["unit.ospanov"] == "unit.ospanov"


def test_an_overdue_deadline_met_climbs_no_further(
    site: Site, system: System, box: Mailbox
) -> None:
    rifle = _overdue_rifle(site)
    config = NoticeConfig(smtp_url=box.url)
    one_pass(system, config)
    site.process.send("unit.serikbaev", "T-9", "WH-ALM", [rifle])
    site.clock.advance(hours=72)
    one_pass(system, config)
    # R1 met: no more of it (the item on the road has its own transit watch's notices).
    with system.ledger.database.read() as conn:
        r1 = [row["person"] for row in outbox.listed(conn) if row["rule"] == "R1"]
    assert r1 == ["unit.ospanov"]
    assert [m["To"] for m in box.messages if " R1 " in m["Subject"]] == ["unit.ospanov@police.kz"]


def test_a_deadline_due_today_gives_a_due_soon_notice_to_the_staff_only(
    site: Site, system: System, box: Mailbox
) -> None:
    # Decided ten days ago: due at 24:00 tonight at the unit, within the 24 hours.
    _overdue_rifle(site, days_ago=10)
    one_pass(system, NoticeConfig(smtp_url=box.url))
    [notice] = box.messages
    assert notice["To"] == "unit.ospanov@police.kz"
    assert "Срок истекает" in notice["Subject"]


def test_met_deadline_gives_no_notice(site: Site, system: System, box: Mailbox) -> None:
    rifle = _overdue_rifle(site)
    site.process.send("unit.serikbaev", "T-9", "WH-ALM", [rifle])
    assert one_pass(system, NoticeConfig(smtp_url=box.url)).written == 0
    assert box.messages == []


def test_workers_passing_at_once_send_each_notice_once(
    site: Site, system: System, box: Mailbox
) -> None:
    for _ in range(6):
        _overdue_rifle(site)
    config = NoticeConfig(smtp_url=box.url)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda n: one_pass(system, config, f"worker-{n}"), range(3)))
    assert sum(r.sent for r in results) == 6
    assert sorted(box.notice_ids()) == sorted(set(box.notice_ids()))
    assert len(box.messages) == 6


def test_two_workers_and_a_mail_server_slower_than_the_lease_send_each_notice_once(
    site: Site, system: System
) -> None:
    # Issue 19, H1: a worker kept past its batch's lease by a slow server went on sending the
    # notices the other worker had taken over (11 messages for 6 notices).
    for _ in range(6):
        _overdue_rifle(site)
    start, began = site.clock(), time.monotonic()
    system.process.clock = lambda: start + dt.timedelta(seconds=time.monotonic() - began)
    lease = 0.5
    config = NoticeConfig(notice_lease_seconds=lease, smtp_timeout_seconds=20)
    with slow_mailbox(seconds=lease * 2) as box:
        config = config.model_copy(update={"smtp_url": box.url})
        assert write_due(system) == 6

        def worker(name: str) -> int:
            sent, stop = 0, time.monotonic() + 30
            while time.monotonic() < stop:  # passes, as `custody serve` runs them
                sent += send_due(system, config, name)[0]
                with system.ledger.database.read() as conn:
                    if outbox.unsent(conn) == (0, 0):
                        return sent
                time.sleep(0.05)
            return sent

        with ThreadPoolExecutor(2) as pool:
            sent = list(pool.map(worker, ["worker-a", "worker-b"]))
    assert sum(sent) == 6
    assert len(box.messages) == 6
    assert sorted(box.notice_ids()) == sorted(set(box.notice_ids()))


def test_a_contact_changed_after_the_notice_was_written_gets_it_at_the_new_address(
    site: Site, system: System, box: Mailbox
) -> None:
    # Issue 19, M1: the address was the one the person had when the notice was written.
    _overdue_rifle(site)
    assert write_due(system) == 1
    with system.ledger.database.write() as conn:
        outbox.set_contact(conn, "unit.ospanov", "ospanov.new@police.kz", format_time(site.clock()))
    assert send_due(system, NoticeConfig(smtp_url=box.url), "worker") == (1, 0)
    assert [m["To"] for m in box.messages] == ["ospanov.new@police.kz"]
    with system.ledger.database.read() as conn:
        [row] = outbox.listed(conn)
    assert row["email"] == "ospanov.new@police.kz"


def test_an_account_disabled_after_the_notice_was_written_is_not_mailed(
    site: Site, system: System, box: Mailbox
) -> None:
    config = _written_then_disabled(site, system, box)
    assert send_due(system, config, "worker") == (0, 0)
    site.clock.advance(hours=1)
    assert send_due(system, config, "worker") == (0, 0)  # not tried again either
    assert box.messages == []
    with system.ledger.database.read() as conn:
        [row] = outbox.listed(conn)
    assert row["sent_at"] is None
    assert "unit.ospanov is disabled" in row["last_error"]


def test_a_notice_to_a_disabled_account_is_recorded_once_and_not_claimed_each_pass(
    site: Site, system: System, box: Mailbox
) -> None:
    # Issue 19, L: it had been claimed, and withheld again, by every pass of every worker.
    config = _written_then_disabled(site, system, box)
    read = "SELECT lease_owner, last_error FROM api_notices"
    for worker in ("worker-1", "worker-2"):
        assert send_due(system, config, worker) == (0, 0)
        with system.ledger.database.read() as conn:
            [(owner, why)] = conn.execute(text(read)).all()
        assert owner is None  # never claimed
        assert why == "not sent: the account unit.ospanov is disabled"
        site.clock.advance(hours=1)  # past any lease
    with system.ledger.database.write() as conn:
        assert outbox.withhold_disabled(conn) == 0  # recorded once
        now = format_time(site.clock())
        assert outbox.claim(conn, "worker-3", now, now, 10) == []
    # Enabled again, it goes.
    site.process.run("admin", c.EnableAccount(username="unit.ospanov"))
    assert send_due(system, config, "worker-4") == (1, 0)
    assert [m["To"] for m in box.messages] == ["unit.ospanov@police.kz"]


@pytest.mark.parametrize(
    ("person", "roles", "places", "why"),
    [
        ("unit.kaliyev", ["official"], [UNIT], "is staff of UNIT-ALM"),
        ("admin.two", ["administrator"], [], "is an administrator"),
        ("plant.ivanov", None, None, "is a plant representative"),
    ],
)
def test_a_supervisor_from_the_places_staff_an_administrator_or_the_plant_is_refused(
    site: Site,
    system: System,
    person: str,
    roles: list[str] | None,
    places: list[str] | None,
    why: str,
) -> None:
    # Issue 19, M2: a supervisor answers for the staff, from outside them and the plant.
    if roles is not None:
        made = c.CreateAccount(username=person, name=person, roles=roles, places=places or [])
        site.process.run("admin", made)
    with system.ledger.database.read() as conn:
        before = system.ledger.head(conn).size
    for level in ("supervisor", "regional_head"):
        with pytest.raises(InvalidRequest, match=why):
            site.process.run("admin", c.AssignSupervisor(location=UNIT, person=person, level=level))
    with system.ledger.database.read() as conn:
        assert system.ledger.head(conn).size == before


def test_one_person_answers_for_a_place_at_one_level(site: Site, system: System) -> None:
    for person, level in (("chief.bekov", "regional_head"), ("unit.ospanov", "supervisor")):
        assign = c.AssignSupervisor(location=UNIT, person=person, level=level)
        with pytest.raises(InvalidRequest, match="one person answers for a place at one level"):
            site.process.run("admin", assign)


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_supervisor_refusals_are_said_in_each_language(language: str) -> None:
    for message in (
        "unit.kaliyev is staff of UNIT-ALM: a supervisor or regional head is someone outside "
        "the place's staff",
        "admin is an administrator: a supervisor or regional head is neither an administrator "
        "nor a plant representative",
        "plant.ivanov is a plant representative: a supervisor or regional head is neither an "
        "administrator nor a plant representative",
        "chief.bekov is supervisor of UNIT-ALM already: one person answers for a place at one "
        "level",
    ):
        said = i18n.reason(ValueError(message), language)
        assert message.split()[0] in said
        if language != "en":
            assert said != message


def test_a_mail_server_away_gives_the_notices_back_for_the_next_pass(
    site: Site, system: System, box: Mailbox, tmp_path: Path
) -> None:
    # Issue 19 re-attack: `custody notify` exited 0 with the server refusing connections,
    # and left the notices leased: a re-run said "0 written, 0 sent, 0 not sent".
    _overdue_rifle(site)
    away = NoticeConfig(smtp_url="smtp://127.0.0.1:9", notice_lease_seconds=600)
    done = one_pass(system, away)
    assert (done.sent, done.failed) == (0, 1)
    assert done.mail_error == "mail server 127.0.0.1:9: ConnectionRefusedError"
    with system.ledger.database.read() as conn:
        assert [row["sent_at"] for row in outbox.listed(conn)] == [None]
    env = environment(tmp_path, site.ledger.database.url, CUSTODY_SMTP_URL="smtp://127.0.0.1:9")
    for _ in range(2):  # a re-run finds the notice again
        notified = run(env, "notify")
        assert notified.returncode == 1
        assert "notices: 0 written, 0 sent, 1 not sent" in notified.stdout
        assert notified.stderr.splitlines() == [
            "custody: notices not sent: mail server 127.0.0.1:9: ConnectionRefusedError; "
            "1 wait for the next pass (CUSTODY_SMTP_URL)"
        ]
    config = NoticeConfig(smtp_url=box.url)
    assert one_pass(system, config).sent == 1  # at once, not after the lease
    assert len(box.messages) == 1


def test_a_key_registered_notice_reads_as_one_not_as_a_deadline() -> None:
    """The notice a person gets when a key is registered in their name (api.key_requests)."""
    notice = outbox.Outgoing(
        7,
        "441ccfc3",
        "KEY",
        "2026-11-30T02:00:00.000000Z",
        outbox.KEY_REGISTERED,
        "staff",
        "m.a",
        "",
        "m@a",
    )
    written = mails.message(notice, "custody@example.org", "Asia/Almaty")
    assert "A key was registered in your name" in written["Subject"]
    body = written.get_content()
    assert "441ccfc3" in body
    assert "2026-11-30 07:00" in body  # the person's zone
    assert "If you did not ask for it, tell the administrator" in body
    assert "Due:" not in body


def test_a_notice_says_its_due_time_as_the_command_line_does() -> None:
    # Issue 19 re-attack: the e-mail said "Due: 2026-12-12 00:00 +05" where `custody
    # deadlines` and the web say "2026-12-11 24:00": a term ends at 24:00 of its last day.
    notice = outbox.Outgoing(7, "KZ-1", "R1", "2026-12-11T19:00:00.000000Z", "overdue", "staff",
                             "a.b", "UNIT-ALM", "a@b.kz")  # fmt: skip
    body = mails.message(notice, "custody@police.kz", "Asia/Almaty").get_content()
    said = "2026-12-11 24:00 +05 (2026-12-11 19:00 UTC)"
    assert [line.count(said) for line in body.splitlines()[:3]] == [1, 1, 1]
    assert "2026-12-12" not in body
    assert due_shown(notice.due_at, ZoneInfo("Asia/Almaty")).startswith("2026-12-11 24:00 +05")


def test_notices_of_two_databases_with_the_same_id_have_different_message_ids() -> None:
    # The Message-ID was <notice-ID.RULE@custody>: the same for notice 7 of every database.
    first = outbox.Outgoing(7, "KZ-1", "R1", "2026-11-30T19:00:00.000000Z", "overdue", "staff",
                            "a.b", "UNIT-ALM", "a@b.kz")  # fmt: skip
    other = dataclasses.replace(first, item="KZ-2")
    sender = "custody@police.kz"
    ids = [mails.message(n, sender, "Asia/Almaty")["Message-ID"] for n in (first, other, first)]
    assert ids[0] != ids[1]
    assert ids[0] == ids[2]  # a copy sent again is the same message
    assert ids[0].startswith("<notice-7.")
    assert ids[0].endswith("@police.kz>")


def test_the_command_line_acknowledges_a_notice_only_as_its_own_person(
    site: Site, system: System, box: Mailbox, tmp_path: Path
) -> None:
    """The attack of issue 12: `custody notices ack 7 --by sklad.omarov` (another person) and
    `--by ghost.nobody` (nobody) both acknowledged the notice, which then climbed no further.
    The command line keeps the API's rule (api.notices.acknowledging): one line, exit 1,
    nothing written; the notice's own person acknowledges it."""
    _overdue_rifle(site)
    one_pass(system, NoticeConfig(smtp_url=box.url))
    with system.ledger.database.read() as conn:
        [notice] = outbox.listed(conn)
    assert notice["person"] == "unit.ospanov"
    env = environment(tmp_path, site.ledger.database.url)  # the site's copy (conftest.site)
    ack = ["notices", "ack", str(notice["id"]), "--by"]
    for by in ["sklad.omarov", "ghost.nobody", "\x1b[2J"]:
        refused = run(env, *ack, by)
        assert refused.returncode == 1, (by, refused.stdout)
        assert len(refused.stderr.splitlines()) == 1
        assert "\x1b" not in refused.stderr
    someone_else = run(env, *ack, "sklad.omarov").stderr
    assert "a notice is acknowledged only by the person it was written to" in someone_else
    assert "unit.ospanov" not in someone_else  # whose it is, is not told
    assert "no account 'ghost.nobody'" in run(env, *ack, "ghost.nobody").stderr
    with system.ledger.database.read() as conn:
        assert outbox.listed(conn)[0]["acknowledged_at"] is None
    # the notice's own person (an account: the fixture makes one) acknowledges it
    done = run(env, *ack, "unit.ospanov")
    assert done.returncode == 0, done.stderr
    with system.ledger.database.read() as conn:
        assert outbox.listed(conn)[0]["acknowledged_by"] == "unit.ospanov"


def test_the_command_line_sets_a_contact_only_for_an_account_and_an_address(
    site: Site, system: System, tmp_path: Path
) -> None:
    """The attack of issue 12: `custody notices contact` took a 100,000-character address
    and `nosuchperson` (exit 0). Each is one line on stderr, exit 1, and nothing kept."""
    env = environment(tmp_path, site.ledger.database.url)

    def kept() -> list[tuple[str, str]]:
        with system.ledger.database.read() as conn:
            rows = conn.execute(text("SELECT username, email FROM api_contacts ORDER BY 1"))
            return [(u, e) for u, e in rows]

    before = kept()
    for person, email in [
        ("unit.serikbaev", "a" * 100_000 + "@police.kz"),
        ("unit.serikbaev", "a@b.kz\r\nBcc: everyone@police.kz"),
        ("unit.serikbaev", "Someone <a@police.kz>"),
        ("unit.serikbaev", "\x1b[2J@police.kz"),
        ("nosuchperson", "nosuchperson@police.kz"),
    ]:
        refused = run(env, "notices", "contact", person, email)
        assert refused.returncode == 1, (person, email[:40], refused.stdout)
        assert len(refused.stderr.splitlines()) == 1
        assert len(refused.stderr) < 400
        assert "\x1b" not in refused.stderr
    assert kept() == before
    done = run(env, "notices", "contact", "unit.serikbaev", "serikbaev@police.kz")
    assert done.returncode == 0, done.stderr
    assert ("unit.serikbaev", "serikbaev@police.kz") in kept()


@given(st.text(max_size=300))
def test_an_address_kept_is_short_printable_ascii_and_one_address(email: str) -> None:
    try:
        outbox.check_email(email)
    except ValueError:
        return
    assert len(email) <= outbox.EMAIL_MOST
    assert email.isascii()
    assert email.isprintable()
    assert " " not in email
    assert email.count("@") == 1


@pytest.mark.parametrize(
    "email", ["unit.ospanov@police.kz", "a+b@mail.gov.kz", "x_y-z@sub-1.example.com"]
)
def test_usual_addresses_are_taken(email: str) -> None:
    assert outbox.check_email(email) == email


@pytest.mark.parametrize(
    "email",
    [
        "",
        "a@b",
        "a@@b.kz",
        ".a@b.kz",
        "a..b@b.kz",
        "a@-b.kz",
        "a@b.k",
        "a" * 65 + "@b.kz",
        "a@" + "b" * 250 + ".kz",
        "ä@b.kz",
        "a@b.kz ",
        "a b@b.kz",
    ],
)
def test_what_is_no_address_is_refused(email: str) -> None:
    with pytest.raises(ValueError, match="e-mail address"):
        outbox.check_email(email)


def test_a_notice_written_while_its_person_had_no_address_goes_once_one_is_added(
    site: Site, system: System, box: Mailbox
) -> None:
    # Issue 19 re-attack, H2: claimed only with an address stored in its row, it never went.
    with system.ledger.database.write() as conn:
        conn.execute(text("DELETE FROM api_contacts WHERE username = 'unit.ospanov'"))
    _overdue_rifle(site)
    assert write_due(system) == 1
    config = NoticeConfig(smtp_url=box.url)
    assert send_due(system, config, "worker") == (0, 0)
    with system.ledger.database.read() as conn:
        assert outbox.unsent(conn) == (0, 1)  # waits, said by `custody notify`
        [row] = outbox.listed(conn)
    assert (row["email"], row["sent_at"]) == (None, None)
    with system.ledger.database.write() as conn:
        outbox.set_contact(conn, "unit.ospanov", "ospanov@police.kz", format_time(site.clock()))
        assert outbox.unsent(conn) == (1, 0)
    assert send_due(system, config, "worker") == (1, 0)
    assert [m["To"] for m in box.messages] == ["ospanov@police.kz"]
    with system.ledger.database.read() as conn:
        [row] = outbox.listed(conn)
    assert row["email"] == "ospanov@police.kz"
    assert row["sent_at"] is not None


def test_a_deadline_stopped_after_its_term_ran_out_still_climbs_to_the_supervisor(
    site: Site, system: System, box: Mailbox
) -> None:
    # Issue 19 fix, M1: an appeal dated after the term (a miss) or dated inside it but
    # entered after it ran out (overdue on record) stopped the clock, and with it the climb:
    # the supervisor never heard of the miss. While stopped, the due time it ran past climbs.
    control, missed, late = (_overdue_rifle(site, days_ago=20) for _ in range(3))
    config = NoticeConfig(smtp_url=box.url)
    assert one_pass(system, config).sent == 3  # the staff's overdue notices
    decided = site.clock().astimezone(ALMATY).date() - dt.timedelta(days=20)
    for rifle, day in ((missed, 19), (late, 2)):
        when = (decided + dt.timedelta(days=day)).isoformat()
        site.process.decision_step("unit.serikbaev", "decision_appealed", [rifle], date=when)
    statuses = {d.item: d.status(site.clock()) for d in site.process.deadlines()}
    assert (statuses[missed], statuses[late]) == ("missed", "paused")
    site.clock.advance(hours=25)
    assert one_pass(system, config).sent == 3
    told = box.to("chief.bekov@police.kz")
    assert sorted(next(r for r in (control, missed, late) if r in m["Subject"]) for m in told) == (
        sorted([control, missed, late])
    )
    site.clock.advance(hours=25)
    assert one_pass(system, config).sent == 3
    assert len(box.to("head.amanov@police.kz")) == 3
    site.clock.advance(hours=100)
    assert one_pass(system, config).written == 0  # each notice once
    assert len(box.messages) == 9


def test_a_deadline_stopped_within_its_term_gives_no_overdue_notice(
    site: Site, system: System, box: Mailbox
) -> None:
    rifle = _overdue_rifle(site, days_ago=5)
    when = (site.clock().astimezone(ALMATY).date() - dt.timedelta(days=1)).isoformat()
    site.process.decision_step("unit.serikbaev", "decision_appealed", [rifle], date=when)
    site.clock.advance(hours=24 * 20)
    assert one_pass(system, NoticeConfig(smtp_url=box.url)).written == 0


def test_a_place_with_nobody_to_notify_is_said_by_notify_and_the_reasons(
    site: Site, tmp_path: Path
) -> None:
    # Issue 19 fix: overdue deadlines at a place with nobody assigned at any level got no
    # notice, and neither `custody notify` nor `custody deadlines --why` said so.
    migrate.upgrade(site.ledger.database, MIGRATIONS)
    system = System(site.ledger, site.process)
    for _ in range(2):
        _overdue_rifle(site)
    done = one_pass(system, NoticeConfig())
    assert (done.written, done.unattended) == (0, {UNIT: 2})
    env = environment(tmp_path, site.ledger.database.url)
    notified = run(env, "notify")
    assert notified.returncode == 0, notified.stderr
    [warning] = [line for line in notified.stderr.splitlines() if "nobody" in line]
    assert f"{UNIT}: 2 overdue deadlines and nobody to notify at any level" in warning
    assert "nobody" not in notified.stdout
    why = run(env, "deadlines", "--why").stdout
    assert why.count(f"nobody to notify at {UNIT}") == 2
    listed = json.loads(run(env, "deadlines", "--json").stdout)
    assert [sum(f"nobody to notify at {UNIT}" in w for w in d["why"]) for d in listed] == [1, 1]
    # Someone on duty above the staff: the notice goes to them, and nothing is said.
    account = c.CreateAccount(username="chief.bekov", name="Беков", roles=["official"])
    site.process.run("admin", account)
    site.process.run(
        "admin", c.AssignSupervisor(location=UNIT, person="chief.bekov", level="supervisor")
    )
    assert one_pass(system, NoticeConfig()).unattended == {}
    assert "nobody" not in run(env, "notify").stderr
    assert "nobody" not in run(env, "deadlines", "--why").stdout


def test_a_place_whose_every_person_is_disabled_has_nobody_to_notify(
    site: Site, system: System
) -> None:
    # Issue 19 re-attack: staff, supervisor and head all disabled; a pass wrote a notice to
    # the disabled staff member and said nothing of a place with nobody to tell.
    for person in PEOPLE.values():
        site.process.run("admin", c.DisableAccount(username=person))
    _overdue_rifle(site)
    done = one_pass(system, NoticeConfig())
    assert (done.written, done.unattended) == (0, {UNIT: 1})
    with system.ledger.database.read() as conn:
        assert outbox.listed(conn) == []
    assert system.process.disabled_accounts() == frozenset(PEOPLE.values())


def test_a_disabled_supervisor_is_passed_over_and_the_head_hears_a_day_after_the_staff(
    site: Site, system: System, box: Mailbox
) -> None:
    # Issue 19 re-attack: a disabled supervisor held the climb up a day (head at 50 h).
    site.process.run("admin", c.DisableAccount(username="chief.bekov"))
    _overdue_rifle(site)
    config = NoticeConfig(smtp_url=box.url)
    one_pass(system, config)
    site.clock.advance(hours=25)
    one_pass(system, config)
    assert [m["To"] for m in box.messages] == [
        "unit.ospanov@police.kz",
        "head.amanov@police.kz",
    ]
    with system.ledger.database.read() as conn:
        assert "chief.bekov" not in {row["person"] for row in outbox.listed(conn)}


@pytest.mark.parametrize(
    ("command", "why"),
    [
        (
            c.AssignPlace(username="chief.bekov", place=UNIT),
            "chief.bekov is supervisor of UNIT-ALM: a supervisor or regional head is someone "
            "outside the place's staff",
        ),
        (
            c.AssignPlace(username="head.amanov", place=UNIT),
            "head.amanov is regional_head of UNIT-ALM: a supervisor or regional head is someone "
            "outside the place's staff",
        ),
        (
            c.GrantRole(username="chief.bekov", role="plant_representative"),
            "chief.bekov is supervisor of UNIT-ALM: a supervisor or regional head is neither",
        ),
    ],
)
def test_a_supervisor_is_not_made_the_places_staff_or_the_plant_afterwards(
    site: Site, system: System, command: c.Command, why: str
) -> None:
    # Issue 19 re-attack: the register's check was at assigning the supervisor only.
    with system.ledger.database.read() as conn:
        before = system.ledger.head(conn).size
    with pytest.raises(InvalidRequest, match=why):
        site.process.run("admin", command)
    with system.ledger.database.read() as conn:
        assert system.ledger.head(conn).size == before
    # Withdrawn from the register first, the person may be made the place's staff.
    site.process.run(
        "admin", c.WithdrawSupervisor(location=UNIT, person="chief.bekov", level="supervisor")
    )
    site.process.run("admin", c.AssignPlace(username="chief.bekov", place=UNIT))


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_refusals_to_make_a_supervisor_staff_are_said_in_each_language(language: str) -> None:
    for message in (
        "chief.bekov is supervisor of UNIT-ALM: a supervisor or regional head is someone "
        "outside the place's staff (the supervision register)",
        "chief.bekov is supervisor of UNIT-ALM: a supervisor or regional head is neither an "
        "administrator nor a plant representative",
    ):
        said = i18n.reason(ValueError(message), language)
        assert "chief.bekov" in said
        assert "UNIT-ALM" in said
        assert not said.isascii()  # in the reader's language, not English


def test_unit_officer_alone_pauses_r1_for_200_days_is_seen_and_told(
    site: Site, system: System, box: Mailbox
) -> None:
    """fix19f M3: an appeal stopped R1 and after 200 days the deadline said only "paused",
    to nobody. Its reasons now count the days paused, and past CUSTODY_LONG_PAUSE_DAYS (60)
    the unit's supervisor gets one long_pause notice (the staff none: they made the pause)."""
    rifle = _overdue_rifle(site, days_ago=2)
    site.process.decision_step("unit.serikbaev", "decision_appealed", [rifle])
    config = NoticeConfig(smtp_url=box.url)
    site.clock.advance(days=59)
    assert one_pass(system, config).sent == 0
    [deadline] = [d for d in site.process.deadlines() if d.item == rifle]
    shown = reasons(deadline, site.clock(), [], long_pause_after=60)
    assert shown["paused_days"] == 59
    assert any("paused 59 days so far" in line for line in shown["why"])
    assert not any("LONGER THAN" in line for line in shown["why"])
    site.clock.advance(days=141)  # 200 days in all
    assert one_pass(system, config).sent == 1
    [told] = box.to("chief.bekov@police.kz")
    assert rifle in told["Subject"]
    assert "Срок приостановлен слишком долго" in told["Subject"]
    assert box.to("unit.ospanov@police.kz") == []
    shown = reasons(deadline, site.clock(), [], long_pause_after=60)
    assert shown["paused_days"] == 200
    assert any("LONGER THAN 60 days" in line for line in shown["why"])
    site.clock.advance(days=30)
    assert one_pass(system, config).written == 0  # once per pause
