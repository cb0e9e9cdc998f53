"""Scanning: a field that takes what a USB or Bluetooth scanner types (a label's QR payload, an
item id or a marking) and Enter, a list that grows with each item, flagged at once when the
item is not at the person's places or the chosen step's rules would stop it; then the step
applied to the whole list in one command, all or nothing (workflows.steps.advance).

The same apply route serves the home page's bulk actions. Refusals name the item and the rule
in the reader's language (api.web.i18n.refusal).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, WebSocket, WebSocketDisconnect, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import Forbidden
from api.http.strict_json import StrictJSONRoute
from api.web import form_pages, i18n, queues, scan_messages, sessions
from api.web.places import names as place_names
from api.web.render import (
    KEPT,
    Visitor,
    page,
    session_of,
    system_of,
    text,
    visitor,
    visitor_of,
)
from api.web.resubmit import already_applied, applied_twice
from api.web.scan_codes import find_all, read_code
from api.web.sessions import CsrfRefused, LoginNeeded
from workflows import grammar, reading
from workflows.access import DECISION_LATER, READ, may_any
from workflows.commands import REGISTRY
from workflows.commands.fields import ITEMS_MAX
from workflows.diversion import RECORDED_DESTROYED
from workflows.errors import InvalidRequest, RuleViolation, UnknownObject, WorkflowError
from workflows.machines import DISCREPANCY, NEW, TERMINAL
from workflows.model import Item, Transfer
from workflows.process import Process
from workflows.reading import item_places
from workflows.repository import Repository
from workflows.vocabulary import NOT_ON_HAND
from workflows.world import World

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
MAX_CODES = 200  # codes in one check: what a scanner reads while one answer is on the way


@dataclass(frozen=True)
class Field_:
    name: str
    label: str  # msgid
    kind: str  # text | date | place:<kind> | choice:<value>=<msgid>|<value>=<msgid>...
    default: str = ""
    required: bool = True

    @property
    def choices(self) -> list[tuple[str, str]]:
        """A choice field's (value, msgid) pairs."""
        pairs = self.kind.removeprefix("choice:").split("|")
        return [(p.split("=", 1)[0], p.split("=", 1)[1]) for p in pairs]


def N_(message: str) -> str:
    return message


_AUTHORITIES = (
    "choice:court="
    + N_("court")
    + "|official="
    + N_("empowered official")
    + "|military_technical_commission="
    + N_("a military technical commission")
)

# The steps a list of scanned items can be given at once, and what each asks besides the list.
STEP_FIELDS: dict[str, tuple[Field_, ...]] = {
    "transfer_received": (Field_("transfer", N_("Transfer"), "text"),),
    "forensic_sent": (Field_("forensics", N_("Forensic unit"), "place:forensics"),),
    "forensic_received": (),
    "test_fired": (),
    "forensic_returned": (Field_("warehouse", N_("Warehouse"), "place:warehouse"),),
    "parts_removed": (
        Field_("parts", N_("Parts removed (comma between)"), "text", N_("stock, fore-end")),
    ),
    "parts_incinerated": (),
    "deformed": (Field_("method", N_("Method"), "text", N_("hydraulic press")),),
    "transfer_sent": (Field_("destination", N_("Destination"), "place:warehouse"),),
    # R1 runs again from the date the decision became final (issue 19): it is asked for.
    "decision_final": (Field_("date", N_("Date the decision became final"), "date"),),
    # A decision and its later steps carry their own dates: R1 counts from them (issue 19).
    "decision_recorded": (
        Field_("ref", N_("Decision reference"), "text"),
        Field_("authority", N_("Decided by"), _AUTHORITIES),
        Field_("date", N_("Date of the decision"), "date"),
    ),
    # An appeal or a suspension stops R1's clock only on a document (fix19f, M3).
    "decision_appealed": (
        Field_("date", N_("Date the appeal was lodged"), "date"),
        Field_("document", N_("Court case number of the appeal"), "text"),
        Field_("note", N_("Note"), "text", required=False),
    ),
    "decision_suspended": (
        Field_("date", N_("Date of the suspension"), "date"),
        Field_("document", N_("Reference of the act suspending the decision"), "text"),
        Field_("note", N_("Note"), "text", required=False),
    ),
    "decision_reversed": (
        Field_("date", N_("Date of the reversal"), "date"),
        Field_("note", N_("Note"), "text", required=False),
    ),
    # An item whose destruction is stopped (an appeal, a suspension, a reversal, R11) taken
    # out of a batch not yet destroyed; the rest of the batch goes on (issue 19).
    "unloaded": (Field_("reason", N_("Reason for taking it out of the batch"), "text"),),
    # An inventory count: every item found at the place scanned, then one count (CountInventory).
    "inventory_counted": (Field_("location", N_("Place counted"), "place:warehouse"),),
}

# The states a discrepancy can be recorded in (workflows.machines: any live state).
LIVE_NOT = frozenset({*TERMINAL, NEW, DISCREPANCY})


# Steps that are not an item's own step: nothing to preview per item at scan time.
NOT_PREVIEWED = frozenset({"inventory_counted"})


def steps_for(me: Visitor) -> list[str]:
    return [step for step in STEP_FIELDS if me.may(step)]


def payload(step: str, items: list[str], given: dict[str, str]) -> dict[str, Any]:
    """The command's input from the list and the step's fields, as the API would take it:
    every id and text through `grammar.typed` (spaces and tabs at the ends removed, as a CSV
    cell's are, docs/identifiers.md), so the command is the API's for the same values."""
    data: dict[str, Any] = {"items": [grammar.typed(item) for item in items]}
    for field in STEP_FIELDS[step]:
        value = grammar.typed(given.get(field.name, ""))
        if field.name == "parts":
            data["parts"] = [grammar.typed(p) for p in value.split(",") if grammar.typed(p)]
        elif value:
            data[field.name] = value
    if step == "decision_recorded":
        data["decision"] = {k: data.pop(k, "") for k in ("ref", "authority", "date")}
    if step == "transfer_sent":
        typed = grammar.typed(given.get("transfer", ""))
        data["transfer"] = typed or f"T-{secrets.token_hex(4).upper()}"
    return data


@router.get("/scan", response_class=HTMLResponse)
async def scan_page(
    request: Request,
    me: Me,
    step: str | None = None,
    transfer: Annotated[str | None, Query(max_length=128)] = None,
    location: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    """The scan page, kept (render.KEPT) while the ledger is the same: its place lists are
    the ledger's registers."""
    steps = steps_for(me)
    chosen = step if step in steps else (steps[0] if steps else None)
    # A link may fill a field in: the transfer being received, the place being counted.
    given = {k: v for k, v in (("transfer", transfer), ("location", location)) if v}
    key = KEPT.key(me, "scan", chosen, tuple(given.items()))
    process = system_of(request).process

    def draw() -> str:
        # The transfers on their way to the reader's places: the receipt's field offers them.
        receiving = "transfer_received" in steps
        on_the_way = queues.arriving(process, queues.places_of(me.principal)) if receiving else []
        return text(
            "scan.html.j2",
            me.language,
            me,
            steps=steps,
            step=chosen,
            fields=STEP_FIELDS,
            places=process.locations(),
            given=given,
            transfers=on_the_way,
        )

    return await KEPT.page(key, draw)


@dataclass(frozen=True)
class Answer:
    """What the page shows for one scanned code."""

    outcome: str  # ok | flag | bad | repeat | empty
    message: str
    code: str = ""
    item: Item | None = None
    problem: str | None = None
    elsewhere: bool = False  # at a place the reader does not read at: no state, no place
    # An inventory count's row for a code not found at the reader's places (unknown, or an
    # item elsewhere: told apart by nobody but the count's own entry): the id it records.
    unseen: str | None = None


@router.post("/scan/check", response_class=HTMLResponse)
async def check(request: Request, me: Me) -> Response:
    """Each code the scanner read (`code` repeated, in the order read; `step`, `csrf`): its
    item added to the list, flagged with the place or the rule that stops the step, or said
    unknown or repeated. One read for all. The page uses this where its WebSocket (`live`)
    cannot open. The form is read as it is, without a model."""
    form = await request.form(max_fields=MAX_CODES + 8)
    sessions.check_csrf(me.session, str(form.get("csrf") or ""))
    step = str(form.get("step") or "")[:64]
    place = str(form.get("place") or "")[:128]
    transfer = str(form.get("transfer") or "")[:128]
    codes = [str(c) for c in form.getlist("code")]
    listed = {str(i) for i in form.getlist("items")}
    process = system_of(request).process
    html = await run_in_threadpool(checked, me, process, codes, step, listed, place, transfer)
    return HTMLResponse(html)


def checked(
    me: Visitor,
    process: Process,
    codes: list[str],
    step: str,
    listed: set[str] | None = None,
    place: str = "",
    transfer: str = "",
) -> str:
    """The answers to the codes read (at most MAX_CODES), as the scan page shows them
    (`shown`): one read transaction for all of them. `place`: for an inventory count, the
    place being counted (an item recorded elsewhere is flagged "not at <place>").
    `transfer`: for a receipt, the transfer received (an item it does not expect is flagged
    with what applying records for it: received, not sent)."""
    # A step the page does not offer them (issue 12, b12 #9); none ("") looks the codes up only
    if step and step not in steps_for(me):
        return shown([Answer("bad", _not_their_step(step, me.language))], me.language)
    wanted = [c[:512] for c in codes[:MAX_CODES]]
    # One who reads nowhere (an administrator: no `read`) reads no item at any place.
    reads = may_any(me.principal.roles, READ)
    places = queues.places_of(me.principal) if reads else ()
    looked, shared = _look(process, wanted, step, places)
    counted = place if step == "inventory_counted" else ""
    receiving = _receiving(me, process, transfer) if step == "transfer_received" else None
    at = {item.location for item, _, elsewhere in looked.values() if not elsewhere}
    names = place_names(process, me.language, (*at, counted))
    answers = _answers(
        me, wanted, looked, shared, set(listed or ()), counted, reads, names, receiving
    )
    return shown(answers, me.language, names)


def visible(text: str) -> str:
    """`text` as a page may echo it: each character that prints as nothing or reorders what
    follows (a control, U+202E RIGHT-TO-LEFT OVERRIDE, a zero-width space: not
    str.isprintable, the space aside) shown as its code, <U+202E>, so that the echo shows
    what was sent rather than a text turned around (issue 12, b12 #9); so too one that is
    printable yet shows nothing (U+3164 HANGUL FILLER, U+2800: `grammar.shows_nothing`)."""
    if text.isprintable() and (text.isascii() or not any(map(grammar.shows_nothing, text))):
        return text
    return "".join(
        c if (c.isprintable() or c == " ") and not grammar.shows_nothing(c) else f"<U+{ord(c):04X}>"
        for c in text
    )


def _not_their_step(step: str, language: str) -> str:
    """The refusal of a scan for `step`, a step the reader may not take or that does not
    exist, naming it (its label, or as sent, `visible`)."""
    gettext = i18n.gettext_of(language)
    name = gettext(i18n.STEPS[step]) if step in i18n.STEPS else visible(step[:64])
    return gettext("The step %(step)s is not one you may apply on this page: choose a step") % {
        "step": repr(name) if step not in i18n.STEPS else name
    }


def _receiving(me: Visitor, process: Process, transfer: str) -> Transfer | None:
    """The transfer being received, if there is one of that id the reader reads (else None:
    its items are checked without it, and applying says what is wrong with the id)."""
    if not transfer:
        return None
    try:
        found = process.transfer(transfer)
    except UnknownObject:
        return None
    reader = reading.scope(me.principal.roles, me.principal.places)
    return found if reading.sees_document(reader, found) else None


def shown(answers: list[Answer], language: str, names: dict[str, str] | None = None) -> str:
    """The answers as HTML: for each, its message (what the page says and sounds) and, for
    an item, the list's row in a <template data-add> the page's script moves into the list.
    Built here rather than by Jinja: a scan is the pages' most frequent message, and a Jinja
    render of this fragment (its context made from the environment's globals) cost as much
    as finding and checking the item. Every value is escaped (`_escaped`, as Jinja would).
    `names`: the places' names in `language` (api.web.places), each row's place by its name
    with its id beside it."""
    states, remove = _words(language)
    out: list[str] = []
    for a in answers:
        out.append(
            f'<p class="scan-{a.outcome}" data-outcome="{a.outcome}">{_escaped(a.message)}</p>\n'
        )
        if a.item is None and a.unseen is None:
            continue
        # elsewhere: the id the label carries (what was scanned), never the name or marking;
        # a count's row for a code not found: as scanned, whether or not it exists
        item_id = _escaped(a.item.id if a.item is not None else str(a.unseen))
        if a.item is None:
            name = _escaped(visible(a.code))
        else:
            name = item_id if a.elsewhere else _escaped(a.item.name)
        state = "" if a.item is None else _escaped(states.get(a.item.state, a.item.state))
        problem = f'<span class="problem">{_escaped(a.problem)}</span>' if a.problem else ""
        where = (
            f"<span>{name}</span>"
            if a.item is None
            else _where(a.item, name, state, a.elsewhere, names or {})
        )
        out.append(
            "<template data-add>\n"
            f'  <li class="{"flagged" if a.problem else "ok"}" data-item="{item_id}"'
            f' data-code="{_escaped(a.code)}" data-name="{name}">\n'
            f'    <input type="hidden" name="items" value="{item_id}">\n'
            f"    {where}\n"
            f"    {problem}\n"
            f'    <button type="button" class="remove secondary" data-remove>{remove}'
            f'<span class="sr-only"> {name}</span></button>\n'
            "  </li>\n"
            "</template>\n"
        )
    return "".join(out)


@cache
def _words(language: str) -> tuple[dict[str, str], str]:
    """What every answer in `language` says alike: the states' names, and the row's button
    ("Remove" seen, "Remove <name>" heard: the seen text begins the name), escaped."""
    gettext = i18n.gettext_of(language)
    states = {state: gettext(msgid) for state, msgid in i18n.STATES.items()}
    return states, _escaped(gettext("Remove from the list"))


def _escaped(text: str) -> str:
    """`text` safe in HTML text and in a quoted attribute: markupsafe.escape's replacements
    (& < > ' "), as plain str methods, without making a Markup of each value."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def _where(item: Item, name: str, state: str, elsewhere: bool, names: dict[str, str]) -> str:
    """The row's name, state and place (each given escaped but the place, shown by its name
    in `names` with its id beside it, as the _place.html.j2 macro shows one); for an item at
    a place the reader does not read at (docs/access.md), the id its label carries only (as
    `name`): no link, state or place."""
    if elsewhere:
        return f"<span>{name}</span>"
    at = _escaped(item.location)
    where = (
        at
        if item.location not in names
        else (f'{_escaped(names[item.location])} <code class="place-id">{at}</code>')
    )
    return (
        f'<a href="/web/items/{_escaped(quote(item.id, safe="/"))}">{name}</a>\n'
        f'    <span class="state">{state} · {where}</span>'
    )


LOGIN_NEEDED = 4401  # a WebSocket close code (private range): the page sends them to log in
LIVE_MAX_CHARS = 64 * 1024  # one message: MAX_CODES codes of 512 characters fit with room
_SESSION_GONE = "no session: log in again"


@router.websocket("/scan/live")
async def live(socket: WebSocket) -> None:
    """The scan field's channel: one message per scan (JSON {"code": [...], "step", "csrf"};
    the codes read while the last answer was on its way go together, as with `check`), each
    answered as `check` answers it. A scan is then a message on an open connection, not a
    request with its headers, cookie, routing and form: about a tenth of the cost (bench
    pages). The same checks as a request: the opening must come from this site's own page
    (Origin, against cross-site WebSocket hijacking) with a session, and every message
    carries the page's CSRF token and is answered only while the session holds (looked up
    again, as each request's is; renewed likewise). Closes with LOGIN_NEEDED when the session
    is gone, 1008 for a foreign origin or a wrong token, 1009 for a message too long, 1003
    for a binary frame, and 1003 with the reason (api.web.scan_messages) for a message that
    is not the page's JSON: strict JSON, that shape, those fields, text only."""
    if not _same_origin(socket):
        reason = "opened from another site's page (Origin)"
        await socket.close(code=status.WS_1008_POLICY_VIOLATION, reason=reason)
        return
    try:
        me = await visitor_of(socket)
    except LoginNeeded:
        await socket.close(code=LOGIN_NEEDED, reason=_SESSION_GONE)
        return
    await socket.accept()
    process = system_of(socket).process
    try:
        while True:
            said = await _received_text(socket)
            if said is None:
                reason = "a message is a text frame of JSON, not a binary frame"
                await socket.close(code=status.WS_1003_UNSUPPORTED_DATA, reason=reason)
                return
            if len(said) > LIVE_MAX_CHARS:
                reason = f"a message is at most {LIVE_MAX_CHARS} characters"
                await socket.close(code=status.WS_1009_MESSAGE_TOO_BIG, reason=reason)
                return
            try:
                asked = scan_messages.read(said)
            except scan_messages.NotTheMessage as refused:
                reason = scan_messages.reason(refused)
                await socket.close(code=status.WS_1003_UNSUPPORTED_DATA, reason=reason)
                return
            codes, step, csrf = asked.codes, asked.step[:64], asked.csrf
            place, transfer = asked.place[:128], asked.transfer[:128]
            try:
                # Looked up again for every message; the same session object while the
                # token's principal is the one kept (no new Visitor for each scan).
                session = await session_of(socket, me.session)
                if session is not me.session:
                    me = replace(me, session=session)
                sessions.check_csrf(me.session, csrf)
            except LoginNeeded:
                await socket.close(code=LOGIN_NEEDED, reason=_SESSION_GONE)
                return
            except CsrfRefused:
                reason = "the message's csrf is not the page's token"
                await socket.close(code=status.WS_1008_POLICY_VIOLATION, reason=reason)
                return
            # Run here, not in a worker thread: two indexed reads, cheaper than the hop.
            await socket.send_text(checked(me, process, codes, step, None, place, transfer))
    except WebSocketDisconnect:
        return


async def _received_text(socket: WebSocket) -> str | None:
    """The next text message; None for a binary frame (the page sends only text).
    Raises WebSocketDisconnect when the other side closed."""
    message = await socket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    said = message.get("text")
    return said if isinstance(said, str) else None


def _same_origin(socket: WebSocket) -> bool:
    """Whether the opening came from a page of this site: a browser always sends Origin on a
    WebSocket opening, and a page elsewhere cannot choose it."""
    host = socket.headers.get("host")
    scheme = "https" if socket.url.scheme == "wss" else "http"
    return host is not None and socket.headers.get("origin") == f"{scheme}://{host}"


def _look(
    process: Process, codes: list[str], step: str, places: Sequence[str] | None
) -> tuple[dict[str, tuple[Item, RuleViolation | None, bool]], dict[str, int]]:
    """Each code's item, the rule that stops `step` for it, and whether it is elsewhere:
    found and checked in one read transaction (Process.found_refusals); and the codes read
    as a marking several items share, with how many (scan_codes.Found.shared). A marking
    is read among the items at `places` only (None: everywhere; scan_codes.find_all)."""
    previewed = step in STEP_FIELDS and step not in NOT_PREVIEWED
    shared: dict[str, int] = {}
    reader = None if places is None else frozenset(places)

    def find(repo: Repository, world: World) -> dict[str, str]:
        found = find_all(repo, codes, world, reader)
        shared.update(found.shared)
        return found.ids

    ids, checks = process.found_refusals(find, step if previewed else None, _preview(step))
    found: dict[str, tuple[Item, RuleViolation | None, bool]] = {}
    for code, item_id in ids.items():
        item, refused = checks[item_id]
        # A step of a decision is done at the decision's unit, wherever the item is (fix19f):
        # its unit's officer lists it there, though the item is at a warehouse now.
        where = reading.decision_places(item) if step in DECISION_LATER else item_places(item)
        elsewhere = not reading.sees(reader, where)
        found[code] = (item, None if elsewhere else refused, elsewhere)
    return found, shared


def _answers(
    me: Visitor,
    codes: list[str],
    looked: dict[str, tuple[Item, RuleViolation | None, bool]],
    shared: dict[str, int],
    listed: set[str],
    counted: str = "",
    reads: bool = True,
    names: dict[str, str] | None = None,
    receiving: Transfer | None = None,
) -> list[Answer]:
    """What the page says of each code. An item elsewhere (its id scanned: a marking names
    only items the reader sees) is answered word for word as a code nobody registered: "No
    item <code> was found at your places" (docs/access.md), but for one the ledger records
    destroyed (R11, flagged under its id, without its name, marking, state or place). At an
    inventory count (`counted`) either is listed, flagged so, for the count to record. Places are
    named by `names` (id -> name in the reader's language), an id not in it as it is. An
    item scanned on the arrival of `receiving` that the transfer does not expect is flagged
    with what applying will record for it (received, not sent: a discrepancy)."""
    gettext = i18n.gettext_of(me.language)
    named = names or {}
    answers: list[Answer] = []
    for scanned in codes:
        wanted = read_code(scanned)
        if not wanted:
            answers.append(Answer("empty", gettext("Nothing was scanned")))
            continue
        if scanned in shared:
            # R10 lets another model or category share a marking: which weapon is in hand
            # only its label says, so none is chosen.
            message = gettext("Items with this marking: %(n)s. Scan the label")
            answers.append(Answer("bad", message % {"n": shared[scanned]}))
            continue
        unseen = scanned not in looked or (
            looked[scanned][2] and looked[scanned][0].state not in RECORDED_DESTROYED
        )
        if unseen or (looked[scanned][2] and not reads):
            # Unknown, or at a place the reader does not read at: one sentence for both, so
            # that an id typed in tells nobody that it exists elsewhere (docs/access.md). An
            # inventory count lists either (the weapon is on the shelf: the count records it,
            # unknown or elsewhere, for the auditor); no other step takes it.
            message = gettext("No item %(code)s was found at your places") % {
                "code": visible(wanted)
            }
            if not (counted and reads):
                answers.append(Answer("bad", message))
                continue
            row = looked[scanned][0].id if scanned in looked else wanted
            if row in listed:
                said = gettext("%(name)s is in the list already") % {"name": visible(wanted)}
                answers.append(Answer("repeat", said))
                continue
            listed.add(row)
            answers.append(Answer("flag", message, wanted, None, message, True, row))
            continue
        item, refused, elsewhere = looked[scanned]
        # An item elsewhere goes by the id its label carries (the code as read), not its name.
        name = item.id if elsewhere else item.name
        if item.id in listed:
            message = gettext("%(name)s is in the list already") % {"name": name}
            answers.append(Answer("repeat", message))
            continue
        listed.add(item.id)
        if item.state in RECORDED_DESTROYED:
            # R11: a weapon the ledger says was destroyed is in the scanner's hands, wherever
            # it is recorded: the strongest diversion signal, said before anything else.
            problem: str | None = destroyed_warning(name, me.language)
        elif counted and item.location != counted:
            # An inventory count: the item is recorded at another place; counting it here
            # records it found here and, at its own place, not found (workflows.inventory).
            problem = gettext("%(name)s is not at %(place)s: it is recorded at %(there)s") % {
                "name": name,
                "place": named.get(counted) or visible(counted),  # as sent, if no place's
                "there": named.get(item.location, item.location),
            }
        elif (
            receiving is not None and not receiving.expects(item.id) and item.state not in LIVE_NOT
        ):
            # ReceiveTransfer takes it, and records it received, not sent (a discrepancy).
            if item.id in receiving.received:
                said = gettext(
                    "%(name)s was received on %(transfer)s already: applying records it "
                    "received again, not sent (a discrepancy)"
                )
            else:
                said = gettext(
                    "%(name)s was not sent on %(transfer)s: applying records it received, "
                    "not sent (a discrepancy)"
                )
            problem = said % {"name": name, "transfer": receiving.id}
        elif refused is not None:
            problem = i18n.refusal(refused, me.language)
        else:
            problem = None
        message = problem or gettext("%(name)s added") % {"name": name}
        answers.append(
            Answer("flag" if problem else "ok", message, wanted, item, problem, elsewhere)
        )
    return answers


def destroyed_warning(name: str, language: str) -> str:
    """R11's warning for a weapon found that the ledger records destroyed (melted, burned,
    destroyed): workflows.inventory.count lists it and opens a suspicion."""
    gettext = i18n.gettext_of(language)
    return gettext(
        "R11: %(name)s is recorded destroyed: a weapon found that the ledger says was "
        "destroyed is a sign of diversion; keep it apart and report it"
    ) % {"name": name}


def _preview(step: str) -> dict[str, Any]:
    """What the step's rules look at beyond the item, for the flag at scan time."""
    return {"method": "-"} if step == "deformed" else {}


# The fields of the apply form: its items (as many as one step takes, as the API's) and the
# few others (csrf, step, origin and the step's own). Starlette's default of 1,000 fields
# refused a basket of 998 items in English (issue 12, b12 #4).
APPLY_FIELDS = ITEMS_MAX + 32


@router.post("/steps/apply", response_class=HTMLResponse)
async def apply(request: Request, me: Me) -> Response:
    gettext = i18n.gettext_of(me.language)
    try:
        form = await request.form(max_fields=APPLY_FIELDS)
    except StarletteHTTPException as unread:
        # More fields than that is a list too long; a field too long, one not UTF-8 text or
        # a body that is no form are said as what they are (issue 12: all were "too many").
        if form_pages.too_many_fields(unread) is None:
            return _outcome(me, form_pages.unread(unread, {}, me.language), False)
        message = gettext("At most %(n)s items in one step: apply the list in parts")
        return _outcome(me, message % {"n": i18n.number(ITEMS_MAX, me.language)}, False)
    sessions.check_csrf(me.session, str(form.get("csrf") or ""))
    # The page the form is on: the scan page empties its list after a step; any other
    # page is drawn again (page.js), so it shows the item's new state and next steps.
    origin = "scan" if form.get("origin") == "scan" else ""
    step = str(form.get("step") or "")
    items = [grammar.typed(str(v)) for v in form.getlist("items")]
    if step not in STEP_FIELDS:
        return _outcome(me, gettext("Choose a step"), False, origin=origin)
    if not me.may(step):
        raise Forbidden(me.role, step)
    if not items:
        return _outcome(me, gettext("Scan or choose at least one item"), False, origin=origin)
    if len(items) > ITEMS_MAX:
        message = gettext("At most %(n)s items in one step: apply the list in parts")
        said = message % {"n": i18n.number(ITEMS_MAX, me.language)}
        return _outcome(me, said, False, origin=origin)
    twice = _twice(items)
    if twice is not None:
        message = gettext("Item %(item)s is in the list twice: remove one and apply again")
        return _outcome(me, message % {"item": twice}, False, origin=origin)
    given = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        data = payload(step, items, given)
        command = REGISTRY[step].model_validate(data)
    except ValidationError as exc:
        return _outcome(me, invalid(exc, step, me.language), False, origin=origin)
    if step == "inventory_counted":
        asked = await run_in_threadpool(
            _unconfirmed_count, me, system_of(request).process, items, given
        )
        if asked is not None:
            return asked
    try:
        written, result = await request.app.state.writer.run(me.principal, command.perform)
    except RuleViolation as refused:
        if await run_in_threadpool(
            already_applied, system_of(request), me.principal.username, step, items
        ):
            return _outcome(me, applied_twice(step, len(items), me.language), True, 0, origin)
        return _outcome(me, i18n.refusal(refused, me.language), False, origin=origin)
    except (UnknownObject, InvalidRequest, WorkflowError) as exc:
        why = i18n.reason(exc, me.language)
        return _outcome(me, gettext("Refused: %(why)s") % {"why": why}, False, origin=origin)
    message = gettext("%(step)s: %(n)s items, %(e)s ledger entries written") % {
        "step": gettext(i18n.STEPS[step]),
        "n": i18n.number(len(items), me.language),
        "e": i18n.number(written, me.language),
    }
    if step == "transfer_sent":
        # The id the receiving warehouse scans against: made here when none was given.
        message += " " + gettext("Transfer %(id)s: tell the receiving warehouse") % {
            "id": data["transfer"]
        }
    if step == "transfer_received" and isinstance(result, list) and result:
        # ReceiveTransfer's discrepancies: the items the transfer did not expect.
        message += " " + gettext(
            "Recorded received, not sent (a discrepancy each): %(n)s items"
        ) % {"n": len(result)}
    missing = result.get("missing") if isinstance(result, dict) else None
    if step == "inventory_counted" and missing:
        # Which, not only how many: the clerk looks for these (up to MISSING_NAMED ids).
        message += " " + gettext("Recorded missing: %(items)s") % {
            "items": listed_up_to(list(missing[:MISSING_NAMED]), len(missing), me.language)
        }
    destroyed = result.get("destroyed_found") if isinstance(result, dict) else None
    if destroyed:
        message += " " + gettext(
            "R11: recorded destroyed, found here, and suspected of diversion: %(items)s"
        ) % {"items": ", ".join(destroyed)}
    return _outcome(me, message, True, len(items), origin)


def invalid(exc: ValidationError, step: str, language: str) -> str:
    """What the person typed that the command's model refused (its first error), in
    `language`, naming the field by its label on the form: a date that is not a day of the
    calendar in YYYY-MM-DD (workflows.grammar.calendar_date, as the API checks it), else
    "check what was typed" for that field."""
    gettext = i18n.gettext_of(language)
    place = exc.errors()[0]["loc"]
    name = next((str(p) for p in reversed(place) if isinstance(p, str)), "")
    field = next((f for f in STEP_FIELDS.get(step, ()) if f.name == name), None)
    label = gettext(field.label) if field is not None else i18n.field_label(name, gettext)
    if field is not None and field.kind == "date":
        said = gettext("%(field)s: a date is a day of the calendar, written YYYY-MM-DD")
    else:
        why = i18n.invalid_why(exc, language)
        if why is not None:  # the grammar's sentence: the character it names
            return gettext("Check the field %(field)s: %(why)s") % {"field": label, "why": why}
        said = gettext("%(field)s: check what was typed")
    return said % {"field": label}


def _unconfirmed_count(
    me: Visitor, process: Process, items: list[str], given: dict[str, str]
) -> Response | None:
    """For an inventory count that would record items missing, the question the page asks
    before it does (None: nothing would be missing, or the person confirmed that number):
    how many items recorded on hand at the place were not scanned, and which scanned items
    are recorded elsewhere. The confirmation (`confirmed`) must name the number missing as
    it is now, so a bare POST, or one confirmed before more items were scanned, records
    nothing. The count's own rules are workflows.inventory.count's.

    Asked only at a place the person reads at (their own places; everywhere for a reader of
    every place): at any other, None, and the command itself refuses the count as the API
    does (ACCESS, naming the place), having told nothing of what is there (b12)."""
    place = grammar.typed(given.get("location", ""))
    scope = reading.scope(me.principal.roles, me.principal.places)
    if scope is not None and place not in scope:
        return None
    with process.ledger.database.read() as conn:
        repo = Repository(conn)
        on_hand = {i for i, state in repo.states_at(place) if state not in NOT_ON_HAND}
        unscanned = sorted(on_hand - set(items))
        world = World()
        repo.load(world, "items", unscanned[:MISSING_NAMED])
    missing = len(unscanned)
    if not missing or grammar.typed(given.get("confirmed", "")) == str(missing):
        return None
    gettext = i18n.gettext_of(me.language)
    away = [i for i in items if i not in on_hand]
    called = place_names(process, me.language, (place,)).get(place, place)
    question = gettext(
        "%(n)s items at %(place)s were not scanned and will be recorded missing: record the count?"
    ) % {"n": missing, "place": called}
    # Which: a number alone sent the clerk back along the shelves for every item on hand.
    named = [_called(world.items.get(i), i) for i in unscanned[:MISSING_NAMED]]
    question += " " + gettext("Not scanned: %(items)s") % {
        "items": listed_up_to(named, missing, me.language)
    }
    if away:
        question += " " + gettext(
            "Not at %(place)s (recorded at another place or not on hand): %(items)s"
        ) % {"place": called, "items": ", ".join(away)}
    return page(
        "confirm_count.html.j2",
        me.language,
        me,
        200,
        message=question,
        items=items,
        place=place,
        missing=missing,
        origin=given.get("origin", ""),
    )


MISSING_NAMED = 20  # items a count's question names before "and N more"


def _called(item: Item | None, item_id: str) -> str:
    """An item as a clerk finds it on the shelf: its marking or tag, and the id its label
    carries (the id alone when they are one, or the item is not found)."""
    if item is None or item.name == item_id:
        return item_id
    return f"{item.name} ({item_id})"


def listed_up_to(named: list[str], total: int, language: str) -> str:
    """`named` (the first of `total` things) joined by commas, then "and N more" for the
    rest, in `language`."""
    said = ", ".join(named)
    if total > len(named):
        gettext = i18n.gettext_of(language)
        said += " " + gettext("and %(n)s more") % {"n": total - len(named)}
    return said


def _twice(items: list[str]) -> str | None:
    """The first item listed twice (a list built by hand or by an older page), else None:
    named to the person, rather than the command's "Check the field: items"."""
    seen: set[str] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    return None


def _outcome(me: Visitor, message: str, done: bool, count: int = 0, origin: str = "") -> Response:
    """The line saying what the step did or why it was refused. `origin` "scan": the scan
    page's list and count are emptied with it (out of band: those targets are on the scan
    page only); from any other page, a step done asks the page to be drawn again."""
    return page(
        "outcome.html.j2",
        me.language,
        me,
        200,
        message=message,
        done=done,
        count=count,
        origin=origin,
    )
