"""The administrator's pages: accounts (made with a role, a place and a password; roles and
places granted and withdrawn; disabled and enabled), device tokens (issued, shown once,
listed, revoked), commissions and their members with their positions, and places with their
names in three languages.

Every change goes through the same functions and commands as the API's (api.access.accounts,
workflows.commands.accounts and registers): a ledger entry each, refused by the process as
it would refuse the API. Only a role holding `admin` opens them; anyone else gets the 403
page in their language. Each form posts, then the page is shown again (post/redirect/get),
with what was done or why it was refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.access import accounts, changes
from api.access.auth import BY_DEVICE
from api.access.passwords import WeakPassword, hash_password
from api.access.roles import ADMIN, PLACE_KINDS, ROLES
from api.access.tokens import LOGIN
from api.errors import Forbidden
from api.http.strict_json import StrictJSONRoute
from api.web import change_fields, form_pages, i18n, issued_tokens, labels, sessions
from api.web.form_pages import Typed
from api.web.places import names as place_names_of
from api.web.render import Visitor, accounts_of, page, system_of, visitor
from custody.clock import format_time
from custody.entries import decode
from custody.errors import CustodyError
from custody.ledger import Ledger
from workflows import accounts as account_rules
from workflows import dual
from workflows.commands.accounts import (
    AssignPlace,
    CreateAccount,
    EnableAccount,
    GrantRole,
    WithdrawPlace,
    WithdrawRole,
)
from workflows.commands.base import Command
from workflows.commands.registers import AddCommissionMember, AddLocation, RemoveCommissionMember
from workflows.errors import AccessRefused, RuleViolation
from workflows.model import Commission

router = APIRouter(prefix="/web/admin", include_in_schema=False, route_class=StrictJSONRoute)
Me = Annotated[Visitor, Depends(visitor)]
Csrf = Annotated[str | None, Form(max_length=128)]
LOCATION_KINDS = ("unit", "warehouse", "forensics", "plant")
NAME_LANGUAGES = ("ru", "kk", "en")


def _admin(me: Visitor) -> None:
    """Forbidden unless an administrator; AccessRefused for a device token's session, whatever
    its role: the registers are kept by an administrator's own login (api.access.auth)."""
    if not me.may(ADMIN):
        raise Forbidden(me.role, ADMIN)
    if me.principal.kind != LOGIN:
        raise AccessRefused(BY_DEVICE)


def _refused(exc: Exception, language: str) -> str:
    """Why a change was refused, in the reader's language (a rule by its id)."""
    gettext = i18n.gettext_of(language)
    if isinstance(exc, RuleViolation):
        return i18n.refusal(exc, language)
    if isinstance(exc, ValidationError):
        return i18n.invalid_field(exc, language)
    return gettext("Refused: %(why)s") % {"why": i18n.reason(exc, language)}


# What a form did, said on the page it comes back to (post/redirect/get): a code and its
# subject in the address, the sentence from here, so that no address can put words on a page.
DONE = {
    "made": i18n.N_("Account %(id)s made"),
    "disabled": i18n.N_("Account %(id)s disabled"),
    "enabled": i18n.N_("Account %(id)s enabled"),
    "changed": i18n.N_("Account %(id)s changed"),
    "revoked": i18n.N_("Device token %(id)s revoked"),
    "joined": i18n.N_("%(id)s joined the commission"),
    "left": i18n.N_("%(id)s left the commission"),
    "place": i18n.N_("Place %(id)s added"),
    "proposed": i18n.N_(
        "Change %(id)s proposed: it takes effect when another administrator confirms it"
    ),
    "confirmed": i18n.N_("Change %(id)s confirmed: it is in the ledger"),
    "declined": i18n.N_("Change %(id)s declined"),
}
Render = Callable[[Request, Visitor, int, str | None], Any]


async def _act(
    request: Request,
    me: Visitor,
    action: Callable[[], Any],
    render: Render,
    back: str,
    done: str,
    subject: str,
) -> Response:
    """Run `action` off the loop; on success back to `back` saying `done`, else the same page
    with the refusal (422), and nothing changed."""
    try:
        proposal = await run_in_threadpool(action)
    except (CustodyError, ValidationError, WeakPassword) as exc:
        result: Response = await render(request, me, 422, _refused(exc, me.language))
        return result
    if isinstance(proposal, Proposed):  # four eyes: to the queue, awaiting another
        back, done, subject = CHANGES, "proposed", proposal.id
    return RedirectResponse(f"{back}?{urlencode({'done': done, 'id': subject})}", status_code=303)


CHANGES = "/web/admin/changes"


@dataclass(frozen=True)
class Proposed:
    """What a form's action returns when it proposed its change instead of making it."""

    id: str


def _four_eyes(request: Request, me: Visitor, command: Command) -> Proposed | None:
    """Propose `command` (api.access.changes) when it makes a signer or an administrator
    (workflows.dual): it then waits for another administrator. None when it does not:
    the caller does it at once."""
    fields = command.model_dump(mode="json", exclude_none=True)
    if not dual.needs_four_eyes(command.kind, fields):
        return None
    process = system_of(request).process
    return Proposed(changes.propose(process, me.username, command.kind, fields, True))


def done_message(
    request: Request, language: str, known: Iterable[str], codes: dict[str, str] = DONE
) -> str | None:
    """The sentence for the address's `done` code, naming its `id` only when that is one of
    the page's own objects (`known`: its accounts, devices, people or places); None for an
    unknown code or subject. A crafted link shows nothing rather than its words on a
    trusted page."""
    code = request.query_params.get("done", "")
    subject = request.query_params.get("id", "")
    if code not in codes or subject not in set(known):
        return None
    return i18n.gettext_of(language)(codes[code]) % {"id": subject}


# -- accounts, roles and places -----------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def admin_home(me: Me) -> Response:
    _admin(me)
    return RedirectResponse("/web/admin/accounts", status_code=303)


def _no_place(role: str, language: str) -> str:
    """What the page says when `role`'s account comes without a place, in `language`."""
    gettext = i18n.gettext_of(language)
    kinds = ", ".join(labels.label("place_kind", k, gettext) for k in sorted(PLACE_KINDS[role]))
    return gettext(
        "Choose the place this account acts at: the role “%(role)s” acts only at its places"
        " (%(kinds)s); without one the account could do nothing and see nothing until a place"
        " is assigned."
    ) % {"role": labels.label("role", role, gettext), "kinds": kinds}


async def _accounts(
    request: Request,
    me: Visitor,
    status: int,
    error: str | None,
    kept: dict[str, str] | None = None,
) -> Response:
    """The accounts page; `kept`: the new account form's values to show again (a refusal)."""
    system = system_of(request)

    def read() -> tuple[list[Any], list[Any]]:
        with system.ledger.database.read() as conn:
            users = accounts.all_users(conn)
        return users, system.process.locations()

    users, places = await run_in_threadpool(read)
    return page(
        "admin_accounts.html.j2",
        me.language,
        me,
        status,
        users=users,
        places=places,
        roles=sorted(ROLES),
        place_kinds=PLACE_KINDS,
        done=None if error else done_message(request, me.language, (u.username for u in users)),
        error=error,
        kept=kept or {},
    )


@router.get("/accounts", response_class=HTMLResponse)
async def accounts_page(request: Request, me: Me) -> Response:
    _admin(me)
    return await _accounts(request, me, 200, None)


@router.post("/accounts")
async def create_account(
    request: Request,
    me: Me,
    username: Annotated[Typed, Form(max_length=64)],
    name: Annotated[Typed, Form(max_length=256)],
    role: Annotated[Typed, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    place: Annotated[Typed, Form(max_length=128)] = "",
    csrf: Csrf = None,
) -> Response:
    """Make an account with one role and (for a role that acts at places) one place, and
    its password: an `account_created` entry, as POST /users."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    if account_rules.needs_place(role, place):  # nothing made; the form comes back as it was filled
        kept = {"username": username, "name": name, "role": role}
        return await _accounts(request, me, 422, _no_place(role, me.language), kept)
    strength = accounts_of(request).config.password_strength
    process = system_of(request).process

    def make() -> Proposed | None:
        accounts.check(username)
        places = [place] if place else []
        made = CreateAccount(username=username, name=name, roles=[role], places=places)
        proposed = _four_eyes(request, me, made)
        if proposed is not None:  # its person sets a password at the console once confirmed
            return proposed
        hashed = hash_password(password, strength)
        accounts.add(process, me.username, username, name, [role], places, hashed)
        return None

    return await _act(request, me, make, _accounts, "/web/admin/accounts", "made", username)


def _change(request: Request, me: Visitor, username: str, command: Command) -> Callable[[], Any]:
    def change() -> None:
        accounts.change(system_of(request).process, me.username, command)
        accounts_of(request).forget_user(username)

    return change


@router.post("/accounts/{username}/disable")
async def disable_account(request: Request, me: Me, username: str, csrf: Csrf = None) -> Response:
    """Disable an account: its entry, its device tokens revoked, every token stops at once."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)

    def disable() -> None:
        accounts.disable(system_of(request).process, me.username, username)
        accounts_of(request).forget_user(username)

    return await _act(request, me, disable, _accounts, "/web/admin/accounts", "disabled", username)


@router.post("/accounts/{username}/enable")
async def enable_account(request: Request, me: Me, username: str, csrf: Csrf = None) -> Response:
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    action = _change(request, me, username, EnableAccount(username=username))
    return await _act(request, me, action, _accounts, "/web/admin/accounts", "enabled", username)


@router.post("/accounts/{username}/grant")
async def change_grant(
    request: Request,
    me: Me,
    username: str,
    what: Annotated[Typed, Form(pattern="^(role|place)$")],
    value: Annotated[Typed, Form(min_length=1, max_length=128)],
    withdraw: Annotated[bool, Form()] = False,
    csrf: Csrf = None,
) -> Response:
    """Grant or withdraw a role or a place: a `role_granted`, `role_withdrawn`,
    `place_assigned` or `place_withdrawn` entry."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)

    def change() -> Proposed | None:
        if what == "role":
            made: Command = (WithdrawRole if withdraw else GrantRole)(username=username, role=value)
        else:
            made = (WithdrawPlace if withdraw else AssignPlace)(username=username, place=value)
        proposed = _four_eyes(request, me, made)
        if proposed is None:
            _change(request, me, username, made)()
        return proposed

    return await _act(request, me, change, _accounts, "/web/admin/accounts", "changed", username)


# -- device tokens ------------------------------------------------------------------------------


async def _devices(request: Request, me: Visitor, status: int, error: str | None) -> Response:
    system = system_of(request)

    def read() -> tuple[list[Any], list[Any], list[Any]]:
        with system.ledger.database.read() as conn:
            return accounts.all_devices(conn), accounts.all_users(conn), system.process.locations()

    devices, users, places = await run_in_threadpool(read)
    return page(
        "admin_devices.html.j2",
        me.language,
        me,
        status,
        devices=devices,
        users=[u for u in users if not u.disabled],
        roles=sorted(ROLES),
        places=places,
        most_days=accounts.MOST_DEVICE_DAYS,
        done=None if error else done_message(request, me.language, (d.id for d in devices)),
        error=error,
    )


@router.get("/devices", response_class=HTMLResponse)
async def devices_page(request: Request, me: Me) -> Response:
    _admin(me)
    return await _devices(request, me, 200, None)


@router.post("/devices", response_class=HTMLResponse)
async def issue_device(
    request: Request,
    me: Me,
    username: Annotated[Typed, Form(max_length=64)],
    role: Annotated[Typed, Form(max_length=64)],
    label: Annotated[Typed, Form(max_length=200)],
    place: Annotated[Typed, Form(max_length=128)] = "",
    days: Annotated[int, Form(ge=1, le=accounts.MOST_DEVICE_DAYS)] = 90,
    csrf: Csrf = None,
) -> Response:
    """Issue a device token (a `device_token_issued` entry, as POST /auth/devices), then
    show it once on the page the answer redirects to (post/redirect/get: reloading that page
    issues nothing). The token waits for it sealed (api.web.issued_tokens), never in an
    address; the service keeps only its hash."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    system = system_of(request)
    cookie = request.cookies.get(sessions.SESSION, "")

    def issue() -> None:
        token, device = accounts.issue_device(
            system.process,
            me.username,
            username,
            role,
            place or None,
            label,
            dt.timedelta(days=days),
        )
        with system.ledger.database.write(lock=False) as conn:
            issued_tokens.keep(conn, cookie, token, device, system.process.now())

    try:
        await run_in_threadpool(issue)
    except (CustodyError, ValidationError) as exc:
        return await _devices(request, me, 422, _refused(exc, me.language))
    return RedirectResponse("/web/admin/devices/issued", status_code=303)


@router.get("/devices/issued", response_class=HTMLResponse)
async def issued_device(request: Request, me: Me) -> Response:
    """The token just issued in this browser session, once: shown again (a reload, the back
    button) it is gone, and the page says so (410) rather than issuing another."""
    _admin(me)
    system = system_of(request)
    cookie = request.cookies.get(sessions.SESSION, "")

    def take() -> tuple[str, Any] | None:
        with system.ledger.database.write(lock=False) as conn:
            return issued_tokens.take(conn, cookie, system.process.now())

    found = await run_in_threadpool(take)
    if found is None:
        gettext = i18n.gettext_of(me.language)
        gone = gettext(
            "The token was shown once and is kept no more: if it was not copied, revoke it "
            "and issue another."
        )
        return await _devices(request, me, 410, gone)
    token, device = found
    response = page("admin_token.html.j2", me.language, me, 200, token=token, device=device)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/devices/{device}/revoke")
async def revoke_device(request: Request, me: Me, device: str, csrf: Csrf = None) -> Response:
    """Revoke a device token (a `device_token_revoked` entry); it stops at once."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)

    def revoke() -> None:
        accounts.revoke_device(system_of(request).process, me.username, device)
        accounts_of(request).forget_device(device)

    return await _act(request, me, revoke, _devices, "/web/admin/devices", "revoked", device)


# -- commissions --------------------------------------------------------------------------------


async def _commissions(request: Request, me: Visitor, status: int, error: str | None) -> Response:
    process = system_of(request).process
    commissions = await run_in_threadpool(process.commissions)
    return page(
        "admin_commissions.html.j2",
        me.language,
        me,
        status,
        commissions=sorted(commissions, key=lambda c: c.id),
        now=format_time(process.now()),
        done=None if error else done_message(request, me.language, _people(commissions)),
        error=error,
    )


def _people(commissions: list[Commission]) -> set[str]:
    return {str(m["person"]) for c in commissions for m in c.members}


@router.get("/commissions", response_class=HTMLResponse)
async def commissions_page(request: Request, me: Me) -> Response:
    _admin(me)
    return await _commissions(request, me, 200, None)


@router.post("/commissions")
async def add_member(
    request: Request,
    me: Me,
    commission: Annotated[Typed, Form(max_length=128)],
    person: Annotated[Typed, Form(max_length=128)],
    role: Annotated[Typed, Form(max_length=16)],
    full_name: Annotated[Typed, Form(max_length=256)] = "",
    position: Annotated[Typed, Form(max_length=256)] = "",
    name: Annotated[Typed, Form(max_length=256)] = "",
    name_ru: Annotated[Typed, Form(max_length=256)] = "",
    name_kk: Annotated[Typed, Form(max_length=256)] = "",
    name_en: Annotated[Typed, Form(max_length=256)] = "",
    csrf: Csrf = None,
) -> Response:
    """A person joins a commission with their position (a `commission_member_added` entry);
    a new commission is named with its first member, in up to three languages."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    names = {k: v for k, v in (("ru", name_ru), ("kk", name_kk), ("en", name_en)) if v}

    def add() -> Proposed | None:
        command = AddCommissionMember.model_validate(
            {
                "commission": commission,
                "person": person,
                "role": role,
                "name": name or None,
                "names": names or None,
                "full_name": full_name or None,
                "position": position or None,
            }
        )
        return _four_eyes(request, me, command)

    back = "/web/admin/commissions"
    return await _act(request, me, add, _commissions, back, "joined", person)


@router.post("/commissions/{commission}/remove")
async def remove_member(
    request: Request,
    me: Me,
    commission: str,
    person: Annotated[Typed, Form(max_length=128)],
    csrf: Csrf = None,
) -> Response:
    """A person leaves a commission (a `commission_member_removed` entry)."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)

    def remove() -> Proposed | None:
        command = RemoveCommissionMember(commission=commission, person=person)
        return _four_eyes(request, me, command)

    back = "/web/admin/commissions"
    return await _act(request, me, remove, _commissions, back, "left", person)


# -- places -------------------------------------------------------------------------------------


def place_names(ledger: Ledger, ids: list[str]) -> dict[str, dict[str, str]]:
    """Each place's name in ru, kk and en, as its `location_added` entry gives them."""
    found: dict[str, dict[str, str]] = {}
    with ledger.database.read() as conn:
        for place in ids:
            for entry in ledger.item_history(conn, place):
                body = decode(entry.body)
                if body.kind == "location_added":
                    found[place] = dict(body.data.get("names") or {})
                    break
    return found


async def _places(request: Request, me: Visitor, status: int, error: str | None) -> Response:
    system = system_of(request)

    def read() -> tuple[list[Any], dict[str, dict[str, str]]]:
        places = sorted(system.process.locations(), key=lambda p: (p.kind, p.id))
        return places, place_names(system.ledger, [p.id for p in places])

    places, names = await run_in_threadpool(read)
    return page(
        "admin_places.html.j2",
        me.language,
        me,
        status,
        places=places,
        names=names,
        kinds=LOCATION_KINDS,
        done=None if error else done_message(request, me.language, (p.id for p in places)),
        error=error,
    )


@router.get("/places", response_class=HTMLResponse)
async def places_page(request: Request, me: Me) -> Response:
    _admin(me)
    return await _places(request, me, 200, None)


@router.post("/places")
async def add_place(
    request: Request,
    me: Me,
    location: Annotated[Typed, Form(max_length=128)],
    kind: Annotated[Typed, Form(max_length=16)],
    region: Annotated[Typed, Form(max_length=256)],
    name_ru: Annotated[Typed, Form(max_length=256)],
    name_kk: Annotated[Typed, Form(max_length=256)],
    name_en: Annotated[Typed, Form(max_length=256)],
    time_zone: Annotated[Typed, Form(max_length=64)] = "",
    csrf: Csrf = None,
) -> Response:
    """A place with its name in the three languages (a `location_added` entry); its own
    name is the Russian one."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    process = system_of(request).process
    names = {"ru": name_ru, "kk": name_kk, "en": name_en}

    def add() -> None:
        command = AddLocation.model_validate(
            {
                "location": location,
                "kind": kind,
                "name": names["ru"],
                "region": region,
                "time_zone": time_zone or None,
                "names": names,
            }
        )
        process.run(me.username, command)

    back = "/web/admin/places"
    return await _act(request, me, add, _places, back, "place", location)


# -- four eyes: changes awaiting another administrator's confirmation -----------------------------


async def _changes(request: Request, me: Visitor, status: int, error: str | None) -> Response:
    process = system_of(request).process
    waiting = await run_in_threadpool(changes.pending, process)
    asked = request.query_params.get("id", "")
    found = await run_in_threadpool(changes.find, process, asked) if asked else None
    known = [p.id for p in waiting] + ([found.id] if found is not None else [])
    gettext = i18n.gettext_of(me.language)
    wanted = [str(p) for c in waiting for p in c.fields.get("places") or ()]
    named = await run_in_threadpool(place_names_of, process, me.language, wanted)
    # each field by its label, roles and places by their names (issue 16)
    fields = {c.id: change_fields.shown(c.kind, c.fields, gettext, named) for c in waiting}
    return page(
        "admin_changes.html.j2",
        me.language,
        me,
        status,
        changes=waiting,
        fields=fields,
        done=None if error else done_message(request, me.language, known),
        error=error,
    )


@router.get("/changes", response_class=HTMLResponse)
async def changes_page(request: Request, me: Me) -> Response:
    """The changes that make a signer or an administrator, proposed by one administrator and
    awaiting another's confirmation (workflows.dual)."""
    _admin(me)
    return await _changes(request, me, 200, None)


@router.post("/changes/{proposal}/confirm")
async def confirm_change(request: Request, me: Me, proposal: str, csrf: Csrf = None) -> Response:
    """Confirm another administrator's proposal: `change_confirmed` and the change itself."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    process = system_of(request).process

    def confirm() -> None:
        found = changes.find(process, proposal)
        changes.confirm(process, me.username, proposal, True)
        if found is not None:
            accounts_of(request).forget_user(found.concerns)

    return await _act(request, me, confirm, _changes, CHANGES, "confirmed", proposal)


@router.post("/changes/{proposal}/decline")
async def decline_change(
    request: Request,
    me: Me,
    proposal: str,
    reason: Annotated[Typed, Form(min_length=1, max_length=500)],
    csrf: Csrf = None,
) -> Response:
    """Decline another administrator's proposal: `change_declined`; it never takes effect."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    process = system_of(request).process

    def decline() -> None:
        changes.decline(process, me.username, proposal, reason)

    return await _act(request, me, decline, _changes, CHANGES, "declined", proposal)


# The pages the forms above come back to when a field is refused before the route runs (a
# field over its max_length), with each field's label on that page (api.web.form_pages).
form_pages.register(
    "/web/admin/accounts",
    _accounts,
    _admin,
    {
        "username": i18n.N_("Username"),
        "name": i18n.N_("Full name"),
        "role": i18n.N_("Role"),
        "place": i18n.N_("Place"),
        "what": i18n.N_("What"),
        "value": i18n.N_("Role or place"),
    },
)
form_pages.register(
    "/web/admin/devices",
    _devices,
    _admin,
    {
        "username": i18n.N_("Account"),
        "role": i18n.N_("Role"),
        "place": i18n.N_("Place"),
        "label": i18n.N_("Label (which scanner or script)"),
        "days": i18n.N_("Days it lasts"),
    },
)
form_pages.register(
    "/web/admin/commissions",
    _commissions,
    _admin,
    {
        "commission": i18n.N_("Commission"),
        "person": i18n.N_("Person (username)"),
        "role": i18n.N_("As"),
        "full_name": i18n.N_("Full name, as the statement prints it"),
        "position": i18n.N_("Position, as the statement prints it"),
        "name": i18n.N_("Name"),
        "name_ru": i18n.N_("in Russian"),
        "name_kk": i18n.N_("in Kazakh"),
        "name_en": i18n.N_("in English"),
    },
)
form_pages.register(
    "/web/admin/places",
    _places,
    _admin,
    {
        "location": i18n.N_("Its id"),
        "kind": i18n.N_("Kind"),
        "region": i18n.N_("Region"),
        "name_ru": i18n.N_("Name in Russian"),
        "name_kk": i18n.N_("Name in Kazakh"),
        "name_en": i18n.N_("Name in English"),
        "time_zone": i18n.N_("Time zone (optional: the region's)"),
    },
)
form_pages.register(CHANGES, _changes, _admin, {"reason": i18n.N_("Why it is declined")})
