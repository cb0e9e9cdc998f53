"""The notice worker: one pass writes the notices now due (workflows.escalation) and sends
those not sent yet; `custody notify` runs one pass, `custody serve` a loop of them in each
server process. Any number of them may run at once and be killed at any moment (see
api.notices.outbox for how each notice is sent once).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import smtplib
import socket
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage

import orjson
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from api.notices import mail, outbox
from api.notices.config import NoticeConfig
from api.system import System
from custody.clock import format_time
from custody.settings import Settings
from workflows.decision_dates import AFTER_DESTRUCTION
from workflows.errors import UnknownObject
from workflows.escalation import (
    APPEALED_IN_PROCESS,
    DESTROYED_EARLY,
    WAITS,
    Moment,
    Notice,
    Timing,
    appeal_waits_case,
    appealed_in_process,
    away_and_contested,
    destroyed_early,
    escalating_due,
    kind_at,
    long_pause,
    recipients,
    unattended,
)
from workflows.heap import collector_paused
from workflows.machines import TERMINAL
from workflows.model import Deadline, Location
from workflows.repository import Repository
from workflows.world import World

log = logging.getLogger("custody.notices")


@dataclass(frozen=True)
class PassResult:
    written: int
    sent: int
    failed: int
    # Place → its overdue deadlines with nobody to notify there at any level (issue 19 fix).
    unattended: dict[str, int] = field(default_factory=dict)
    # Why the mail server could not be used this pass (no secrets in it), or None.
    mail_error: str | None = None
    # The ledger's appeal and suspension entries this pass read: those after the high-water
    # mark only (api_notice_marks), so none on a pass after which nothing was appealed.
    appeals_read: int = 0


def worker_id() -> str:
    """Who holds a lease: this host and process, and a nonce for a restarted pid."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def timing_of(system: System) -> Timing:
    config = system.process.config
    return Timing(
        due_soon=dt.timedelta(hours=config.notice_due_soon_hours),
        ack_within=dt.timedelta(hours=config.notice_ack_hours),
    )


def write_due(system: System) -> int:
    """Write the notices due now; returns how many were new."""
    return _write_due(system)[0]


def _write_due(system: System) -> tuple[int, dict[str, int], int]:
    """`write_due`, the places with overdue deadlines and nobody to notify
    (escalation.unattended): place → how many, and how many appeal and suspension entries
    of the ledger it read (those after the high-water mark)."""
    timing = timing_of(system)
    now = system.clock()
    moment = Moment.at(now, timing)
    # Thousands of deadlines and notices made and kept for the pass (workflows.heap).
    with collector_paused(), system.ledger.database.write() as conn:
        due = Repository(conn).due_for_notices(moment.soon_text)
        due += [  # stopped after their term had run out: still overdue at it
            (d.item, d.rule, when, d.place)
            for d in Repository(conn).stopped_deadlines()
            if (when := escalating_due(d)) is not None
        ]
        written: dict[tuple[str, str, str], list[Notice]] = defaultdict(list)
        for notice in outbox.written_for(conn, moment.soon_text):
            written[(notice.item, notice.rule, notice.due_at)].append(notice)
        stopped = Repository(conn).stopped_deadlines()
        world = World()
        read = _read_new_appeals(conn)
        appeals = _appeals_watched(conn, world)
        wanted = {place for *_, place in due if place} | {d.place for d in stopped if d.place}
        Repository(conn).load(world, "locations", wanted | _places_of(world, appeals))
        disabled = _disabled(Repository(conn), world)
        new = planned(due, world.locations, written, moment, timing, disabled)
        new += paused_too_long(stopped, world.locations, written, system, moment.now_text, disabled)
        new += appealed_after_unit(conn, appeals, world, disabled)
        emails = outbox.addresses(conn, {row[5] for row in new})
        outbox.insert(conn, new, emails, format_time(now))
    return len(new), unattended(due, world.locations, moment.now_text, disabled), read


# The entries that stop a decision: looked up by the ledger's (kind, seq) index, and only
# those after the high-water mark (fix19j: a pass read every one ever written, each pass).
_STOPPING = ("decision_appealed", "decision_suspended")
_MARK = "appeals"


def _read_new_appeals(conn: Connection) -> int:
    """Read the appeals and suspensions written since the last pass (after the mark kept in
    api_notice_marks), watch each (api_notice_appeals: its seq, item, entry time and whether
    it carries `after_destruction`), and move the mark to the last one read, in the pass's
    transaction: a worker killed before its commit reads them again, one restarted goes on
    from the mark. Returns how many ledger entries it read."""
    mark = conn.execute(
        text("SELECT seq FROM api_notice_marks WHERE name = :name"), {"name": _MARK}
    ).scalar()
    query = text(
        "SELECT seq, body FROM ledger_entries WHERE kind IN :kinds AND seq > :mark ORDER BY seq"
    ).bindparams(bindparam("kinds", expanding=True))
    rows = conn.execute(query, {"kinds": list(_STOPPING), "mark": -1 if mark is None else mark})
    watched = []
    for seq, raw in rows:
        body = orjson.loads(bytes(raw))
        data = body.get("data") or {}
        flagged = isinstance(data.get(AFTER_DESTRUCTION), dict)
        watched.append(
            {"seq": seq, "item": body.get("item"), "at": str(body["time"]), "f": flagged}
        )
    if not watched:
        return 0
    about_items = [w for w in watched if w["item"]]  # the fold refuses one that names none
    if about_items:
        conn.execute(
            text(
                "INSERT INTO api_notice_appeals (seq, item, entered_at, flagged) "
                "VALUES (:seq, :item, :at, :f)"
            ),
            about_items,
        )
    last = {"name": _MARK, "seq": watched[-1]["seq"]}
    if mark is None:
        conn.execute(text("INSERT INTO api_notice_marks (name, seq) VALUES (:name, :seq)"), last)
    else:
        conn.execute(text("UPDATE api_notice_marks SET seq = :seq WHERE name = :name"), last)
    return len(watched)


def _appeals_watched(conn: Connection, world: World) -> list[tuple[str, str, bool]]:
    """(item, entry time, carries `after_destruction`) of each watched appeal or suspension
    whose item is registered and not gone (returned, destroyed, lost), or that carries the
    flag whatever became of the item: the item loaded into `world`. (An item destroyed
    before the worker's next pass had been dropped, and the unit told nothing of its
    appeal: r19 HIGH.) One whose item is gone and that carries no flag can give no notice
    again (a gone item never comes back: machines.TERMINAL), so it is no longer watched."""
    rows = conn.execute(
        text("SELECT seq, item, entered_at, flagged FROM api_notice_appeals ORDER BY seq")
    ).fetchall()
    Repository(conn).load(world, "items", {item for _, item, _, _ in rows})
    found, done = [], []
    for seq, item_id, entered_at, flagged in rows:
        item = world.items.get(item_id)
        if item is not None and (item.state not in TERMINAL or flagged):
            found.append((item.id, str(entered_at), bool(flagged)))
        else:
            done.append({"seq": seq})
    if done:
        conn.execute(text("DELETE FROM api_notice_appeals WHERE seq = :seq"), done)
    return found


def _places_of(world: World, appeals: list[tuple[str, str, bool]]) -> set[str]:
    """The unit that decided, where each item is, and where it is going (in transit)."""
    places: set[str] = set()
    for item_id, _, _ in appeals:
        item = world.items[item_id]
        places |= {p for p in (item.unit, item.location, item.destination) if p}
    return places


def _case_of(system: System, notice: outbox.Outgoing) -> str:
    """How an `appeal_waits` notice's e-mail words its item as it is now
    (workflows.escalation.appeal_waits_case); WAITS for any other kind."""
    if notice.kind != APPEALED_IN_PROCESS:
        return WAITS
    try:
        return appeal_waits_case(system.process.item(notice.item))
    except UnknownObject:
        return WAITS


def appealed_after_unit(
    conn: Connection,
    appeals: list[tuple[str, str, bool]],
    world: World,
    disabled: frozenset[str] = frozenset(),
) -> list[outbox.Planned]:
    """The notices about appeals and suspensions not written yet, one per entry and person:
    `appeal_waits` (workflows.escalation.appealed_in_process) to the deciding unit and the
    place holding the item (and its destination while in transit) while the decision is
    still appealed or suspended and the item away from the unit (fix19h M2); and
    `destroyed_early` (escalation.destroyed_early) to the deciding unit's staff and
    supervisor for one dated on or before a destroying step already recorded (its
    `after_destruction`, fix19h M3)."""
    if not appeals:
        return []
    have = {
        tuple(row)
        for row in conn.execute(
            text(
                "SELECT item, rule, due_at, kind, level, person FROM api_notices "
                "WHERE kind IN (:waits, :early)"
            ),
            {"waits": APPEALED_IN_PROCESS, "early": DESTROYED_EARLY},
        )
    }
    new: list[outbox.Planned] = []
    for item_id, entered_at, flagged in appeals:
        item = world.items[item_id]
        notices: list[Notice] = []
        if away_and_contested(item) and item.state not in TERMINAL:  # it waits: say so
            places = [
                world.locations.get(p or "") for p in (item.unit, item.location, item.destination)
            ]
            notices += appealed_in_process(item_id, entered_at, places, disabled)
        if flagged:
            unit = world.locations.get(item.unit)
            notices += destroyed_early(item_id, entered_at, unit, disabled)
        for notice in notices:
            if notice.key not in have:
                have.add(notice.key)
                new.append((*notice.key, notice.place))
    return new


def _disabled(repo: Repository, world: World) -> frozenset[str]:
    """The usernames of the disabled accounts among the people on duty at the places loaded
    into `world`: they are told nothing, and a level of them alone is passed over
    (workflows.escalation.on_duty)."""
    people = {p["person"] for place in world.locations.values() for p in place.people}
    repo.load(world, "accounts", people)
    return frozenset(a.id for a in world.accounts.values() if a.disabled)


def paused_too_long(
    stopped: list[Deadline],
    places: dict[str, Location],
    written: dict[tuple[str, str, str], list[Notice]],
    system: System,
    now_text: str,
    disabled: frozenset[str] = frozenset(),
) -> list[outbox.Planned]:
    """The `long_pause` notices (workflows.escalation.long_pause) of the stopped deadlines
    not written yet: a clock stopped longer than CUSTODY_LONG_PAUSE_DAYS is told to the
    place's supervisor, once per pause (fix19f M3)."""
    days = system.process.config.long_pause_days
    return _unwritten(
        (
            (*notice.key, notice.place)
            for deadline in stopped
            for notice in long_pause(
                deadline, places.get(deadline.place or ""), days, now_text, disabled
            )
        ),
        written,
    )


def planned(
    due: list[tuple[str, str, str, str | None]],
    places: dict[str, Location],
    written: dict[tuple[str, str, str], list[Notice]],
    moment: Moment,
    timing: Timing,
    disabled: frozenset[str] = frozenset(),
) -> list[outbox.Planned]:
    """The notices to write for the deadlines `due` (item, rule, due_at, place), given those
    written for their due times, to no one `disabled` (usernames): workflows.escalation's
    `plan`, with the recipients of a
    deadline that has no notice yet asked once per place and kind (they depend on nothing
    else: escalation.recipients)."""
    new: list[outbox.Planned] = []
    first: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for item, rule, due_at, place_id in due:
        kind = kind_at(due_at, moment)
        place = places.get(place_id or "")
        if kind is None or place is None:
            continue
        before = written.get((item, rule, due_at), [])
        if before:
            to = recipients(kind, place, before, moment, timing, disabled)
        else:
            to = first.get((place.id, kind)) or []
            if (place.id, kind) not in first:
                to = recipients(kind, place, [], moment, timing, disabled)
                first[(place.id, kind)] = to
        new.extend((item, rule, due_at, kind, level, person, place.id) for level, person in to)
    return _unwritten(new, written)


def _unwritten(
    notices: Iterable[outbox.Planned], written: dict[tuple[str, str, str], list[Notice]]
) -> list[outbox.Planned]:
    """Those of `notices` (item, rule, due_at, kind, level, person, place) not among the
    notices `written` for their deadline and due time (item, rule, due_at → notices): what
    `planned` and `paused_too_long` share, so that a notice is written once."""
    have: dict[tuple[str, str, str], set[tuple[str, str, str, str, str, str]]] = {}
    new: list[outbox.Planned] = []
    for notice in notices:
        deadline = notice[:3]
        if deadline not in have:
            have[deadline] = {n.key for n in written.get(deadline, [])}
        if notice[:6] not in have[deadline]:
            new.append(notice)
    return new


def send_due(system: System, config: NoticeConfig, owner: str) -> tuple[int, int]:
    """Claim and send notices until none is left; returns (sent, failed): `sending`'s."""
    sent, failed, _ = sending(system, config, owner)
    return sent, failed


def sending(system: System, config: NoticeConfig, owner: str) -> tuple[int, int, str | None]:
    """Claim and send notices until none is left; returns (sent, failed, why the mail
    server could not be used, or None).

    A batch is claimed for CUSTODY_NOTICE_LEASE_SECONDS; each notice of it is claimed again
    right before it is sent (outbox.claim_one) for the lease and the longest one message may
    take (CUSTODY_SMTP_TIMEOUT_SECONDS, cut off then), so no other worker can take a notice
    while it is being sent, and one taken by another worker meanwhile is left to it."""
    sent = failed = 0
    if not config.smtp_url:
        return sent, failed, None
    database, zone = system.ledger.database, Settings().timezone
    hold = dt.timedelta(seconds=config.notice_lease_seconds + config.smtp_timeout_seconds)
    with database.write() as conn:  # once a pass; such notices are then never claimed
        outbox.withhold_disabled(conn)
    while True:
        now = system.clock()
        until = format_time(now + dt.timedelta(seconds=config.notice_lease_seconds))
        with database.write() as conn:
            batch = outbox.claim(conn, owner, format_time(now), until, config.notice_batch)
        if not batch:
            return sent, failed, None
        try:
            with mail.connection(config) as server:
                for index, claimed in enumerate(batch):
                    notice = _claim_one(system, claimed, owner, hold)
                    if notice is None:
                        continue
                    try:
                        message = mail.message(
                            notice, config.notice_from, zone, _case_of(system, notice)
                        )
                        _send_within(server, message, config.smtp_timeout_seconds)
                    except (OSError, smtplib.SMTPException) as exc:
                        failed += 1
                        _failed(system, notice.id, owner, exc)
                        if isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                            # The connection is gone: the rest go back for the next pass.
                            rest = batch[index + 1 :]
                            _release(system, rest, owner)
                            return sent, failed + len(rest), f"{type(exc).__name__}: {exc}"
                        continue
                    with database.write() as conn:
                        sent += outbox.mark_sent(
                            conn, notice.id, owner, format_time(system.clock())
                        )
        except (mail.MailError, OSError, smtplib.SMTPException) as exc:
            # The server is away: the notices not sent go back at once for the next pass
            # (they had waited out their lease, and a re-run found none to send). Said by the
            # caller: `custody notify` fails in one line, the server's loop logs it.
            _release(system, batch, owner)
            return sent, failed + len(batch), str(exc)


def _release(system: System, notices: list[outbox.Outgoing], owner: str) -> None:
    """Give back the leases of `notices` not sent (outbox.release)."""
    with system.ledger.database.write() as conn:
        outbox.release(conn, [n.id for n in notices], owner)


def _claim_one(
    system: System, notice: outbox.Outgoing, owner: str, hold: dt.timedelta
) -> outbox.Outgoing | None:
    """The notice to send now, with the person's address now (issue 19, M1), or None: taken
    by another worker, its person's account disabled (outbox.claim_one does not take it:
    `withhold_disabled` records why, once), or withheld for want of an address (recorded
    why)."""
    with system.ledger.database.write() as conn:
        now = system.clock()
        claimed = outbox.claim_one(conn, notice, owner, format_time(now), format_time(now + hold))
        if claimed is None:
            return None
        if not claimed.email:
            why = f"not sent: {claimed.person} has no e-mail address"
            log.info("notice %s %s", claimed.id, why)
            outbox.withhold(conn, claimed.id, owner, why)
            return None
    return claimed


def _send_within(server: smtplib.SMTP, message: EmailMessage, seconds: float) -> None:
    """Send one message, cutting the connection if it takes more than `seconds` in all (the
    socket's timeout bounds each read, not the whole): the notice's lease covers that long."""
    timer = threading.Timer(seconds, _cut, (server,))
    timer.daemon = True
    timer.start()
    try:
        server.send_message(message)
    finally:
        timer.cancel()


def _cut(server: smtplib.SMTP) -> None:
    sock = server.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _failed(system: System, notice_id: int, owner: str, exc: Exception) -> None:
    log.warning("notice %s not sent: %s", notice_id, type(exc).__name__)
    with system.ledger.database.write() as conn:
        retry = format_time(system.clock() + dt.timedelta(minutes=5))
        outbox.mark_failed(conn, notice_id, owner, f"{type(exc).__name__}: {exc}", retry)


def one_pass(system: System, config: NoticeConfig | None = None, owner: str = "") -> PassResult:
    """Write what is due, then send what is unsent."""
    config = config or NoticeConfig()
    written, nobody, read = _write_due(system)
    sent, failed, away = sending(system, config, owner or worker_id())
    return PassResult(written, sent, failed, nobody, away, read)


class Loop:
    """Passes every CUSTODY_NOTICE_INTERVAL_SECONDS in a thread of the server process,
    until stopped. A pass that fails is logged and the next one tries again."""

    def __init__(self, system: System, config: NoticeConfig) -> None:
        self.system, self.config = system, config
        self.owner = worker_id()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="custody-notices", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=self.config.smtp_timeout_seconds + 5)

    def _run(self) -> None:
        # The first pass an interval after start: a server starting takes no write lock.
        while not self.stopping.wait(self.config.notice_interval_seconds):
            try:
                done = one_pass(self.system, self.config, self.owner)
                if done.mail_error is not None:
                    log.warning("notices not sent: %s", done.mail_error)
            except Exception:  # the loop outlives a bad pass; the next one tries again
                log.exception("notice pass failed")
