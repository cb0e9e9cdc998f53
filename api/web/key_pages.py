"""People's keys on the pages: a person makes a key in their browser and asks for it to be
registered, with proof that they hold it (api.key_requests); the administrator registers it
(AddKey, or RotateKey to replace their old key), and revokes keys.

The proof is checked by the ledger as it writes the entry (custody.keys), so a wrong proof
writes nothing, whichever way it came in; the challenge serves once (marked in the same
transaction as the entry).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api import key_requests
from api.access import changes
from api.access.auth import BY_DEVICE
from api.access.roles import ADMIN
from api.access.tokens import LOGIN
from api.errors import Forbidden
from api.http.strict_json import StrictBody, StrictJSONRoute
from api.web import form_pages, i18n, sessions
from api.web.admin import done_message
from api.web.form_pages import Typed
from api.web.render import Visitor, page, system_of, visitor
from custody import keys, note
from custody.errors import CustodyError, KeyRegistryError
from workflows.commands import RevokeKey
from workflows.commands.fields import Label
from workflows.errors import AccessRefused, WorkflowError

router = APIRouter(prefix="/web", include_in_schema=False, route_class=StrictJSONRoute)
# What the administrator's form did, said on the page it comes back to (admin.done_message).
DONE = {
    "registered": i18n.N_("Key %(id)s registered"),
    "revoked": i18n.N_("Key %(id)s revoked"),
}
Me = Annotated[Visitor, Depends(visitor)]


def _admin(me: Visitor) -> None:
    """Forbidden unless an administrator; AccessRefused for a device token's session, whatever
    its role: the registers are kept by an administrator's own login (api.access.auth)."""
    if not me.may(ADMIN):
        raise Forbidden(me.role, ADMIN)
    if me.principal.kind != LOGIN:
        raise AccessRefused(BY_DEVICE)


# -- the person: a key made in the browser, and the request to register it -------------------


def _not_own_login(me: Visitor) -> Response | None:
    """A 403 answer when the page's session is a device token's (which an administrator
    issues for any account): only the person's own login asks for a challenge or sends a key."""
    if me.principal.kind == LOGIN:
        return None
    gettext = i18n.gettext_of(me.language)
    message = gettext("ACCESS: only your own login with your password may ask to register a key")
    return JSONResponse({"ok": False, "message": message}, 403)


def _not_signer(me: Visitor) -> Response:
    """A 403 answer when the visitor's account holds no signer's role
    (api.key_requests.signer_refusal): an act key is asked for only by one who signs acts."""
    gettext = i18n.gettext_of(me.language)
    message = gettext(
        "ACCESS: only an account that signs acts asks for a key; ask again once you hold that role"
    )
    return JSONResponse({"ok": False, "message": message}, 403)


@router.get("/keys", response_class=HTMLResponse)
async def my_keys(request: Request, me: Me) -> Response:
    system = system_of(request)

    def read() -> tuple[list[keys.KeyRecord], list[key_requests.KeyRequest]]:
        with system.ledger.database.read() as conn:
            mine = [k for k in system.ledger.keys(conn) if k.owner == me.username]
            return mine, key_requests.mine(conn, me.username)

    mine, asked = await run_in_threadpool(read)
    return page("keys.html.j2", me.language, me, keys=mine, requests=asked)


@router.post("/keys/challenge")
async def challenge(request: Request, me: Me) -> Response:
    """A new challenge for the visitor's next key (JSON: {"challenge"})."""
    sessions.check_csrf(me.session, request.headers.get(sessions.CSRF_HEADER))
    if (refused := _not_own_login(me)) is not None:
        return refused
    system = system_of(request)

    def issue() -> str:
        with system.ledger.database.write(lock=False) as conn:
            return key_requests.ask(conn, me.username, system.process.now())

    try:
        return JSONResponse({"challenge": await run_in_threadpool(issue)})
    except AccessRefused:
        return _not_signer(me)


class KeyRequestIn(StrictBody):
    challenge: str = Field(min_length=16, max_length=64)
    public_key: str = Field(max_length=64)
    sig: str = Field(max_length=100)
    label: Label = Field(default="")


@router.post("/keys/request")
async def request_key(request: Request, me: Me, given: KeyRequestIn) -> Response:
    """The public key the visitor's browser made, and its proof over their challenge."""
    sessions.check_csrf(me.session, request.headers.get(sessions.CSRF_HEADER))
    if (refused := _not_own_login(me)) is not None:
        return refused
    gettext = i18n.gettext_of(me.language)
    system = system_of(request)
    try:
        keys.parse_public_key(given.public_key)
    except KeyRegistryError:
        return JSONResponse({"ok": False, "message": gettext("That is not a usable key")}, 422)

    def submit() -> None:
        with system.ledger.database.write(lock=False) as conn:
            key_requests.submit(
                conn,
                me.username,
                given.challenge,
                given.public_key,
                given.sig,
                given.label,
                system.process.now(),
            )

    try:
        await run_in_threadpool(submit)
    except AccessRefused:
        return _not_signer(me)
    except key_requests.RequestRefused:
        message = gettext("This challenge cannot serve; make the key again")
        return JSONResponse({"ok": False, "message": message}, 422)
    message = gettext("The key and its proof are sent; an administrator now registers it")
    return JSONResponse({"ok": True, "message": message})


# -- the administrator: register with proof, rotate, revoke -----------------------------------


@router.get("/admin/keys", response_class=HTMLResponse)
async def admin_keys(request: Request, me: Me) -> Response:
    _admin(me)
    return await _admin_page(request, me)


async def _admin_page(
    request: Request, me: Visitor, error: str | None = None, status: int = 200
) -> Response:
    system = system_of(request)

    def read() -> tuple[list[keys.KeyRecord], list[key_requests.KeyRequest]]:
        with system.ledger.database.read() as conn:
            known = [k for k in system.ledger.keys(conn) if k.purpose in keys.PERSON_PURPOSES]
            return known, key_requests.pending(conn, system.process.now())

    known, waiting = await run_in_threadpool(read)
    current = {
        k.owner: k.key_id
        for k in known
        if k.purpose == "act" and k.revoked_at_seq is None and k.rotated_at_seq is None
    }
    return page(
        "admin_keys.html.j2",
        me.language,
        me,
        status,
        keys=sorted(known, key=lambda k: (k.owner, k.added_seq)),
        requests=waiting,
        current=current,
        error=error,
        done=done_message(request, me.language, (k.key_id for k in known), DONE),
        key_id_of=lambda r: note.key_id(r.owner, keys.parse_public_key(r.public_key)),
    )


@router.post("/admin/keys/register")
async def register(
    request: Request,
    me: Me,
    challenge: Annotated[Typed, Form(max_length=64)],
    owner: Annotated[Typed, Form(max_length=128)],
    public_key: Annotated[Typed, Form(max_length=64)],
    sig: Annotated[Typed, Form(max_length=100)],
    replaces: Annotated[Typed, Form(max_length=8)] = "",
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    """Register a requested key with its proof; with `replaces`, as the rotation of that key.
    The request must be the owner's, unused and fresh; the proof is the ledger's to check."""
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    gettext = i18n.gettext_of(me.language)
    system = system_of(request)
    try:
        command = key_requests.requested_command(challenge, owner, public_key, sig, replaces)
    except ValidationError:
        return await _admin_page(request, me, gettext("Check the request's fields"), 422)

    def propose() -> str:
        # Four eyes (workflows.dual): proposed here, registered when another administrator
        # confirms it on the queue's page; the request is checked as it would be now.
        if replaces:
            with system.ledger.database.read() as conn:
                key_requests.replaced(system.ledger.keys(conn), replaces, owner)
        fields = command.model_dump(mode="json", exclude_none=True)
        return changes.propose(system.process, me.username, command.kind, fields, True)

    try:
        proposal = await run_in_threadpool(propose)
    except key_requests.RequestRefused as exc:
        why = gettext("The request cannot serve: %(why)s") % {"why": i18n.reason(exc, me.language)}
        return await _admin_page(request, me, why, 422)
    except KeyRegistryError as exc:
        if "proof of possession" in str(exc):
            why = gettext(
                "The proof of possession does not verify: it was not made by this key for "
                "this person and challenge. Nothing was registered."
            )
        else:
            why = gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)}
        return await _admin_page(request, me, why, 422)
    except AccessRefused as exc:  # separation of duties: the owner does not register it
        return await _admin_page(request, me, i18n.refusal(exc, me.language), 403)
    except (WorkflowError, CustodyError) as exc:
        return await _admin_page(
            request, me, gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)}, 422
        )
    where = f"/web/admin/changes?{urlencode({'done': 'proposed', 'id': proposal})}"
    return RedirectResponse(where, status_code=303)


def _done(code: str, key_id: str) -> Response:
    """Back to the keys page saying what was done: a code and the key, never words."""
    where = f"/web/admin/keys?{urlencode({'done': code, 'id': key_id})}"
    return RedirectResponse(where, status_code=303)


@router.post("/admin/keys/revoke")
async def revoke(
    request: Request,
    me: Me,
    key_id: Annotated[Typed, Form(max_length=8)],
    reason: Annotated[Typed, Form(max_length=500)],
    csrf: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    sessions.check_csrf(me.session, csrf)
    _admin(me)
    gettext = i18n.gettext_of(me.language)
    try:
        command = RevokeKey.model_validate({"key_id": key_id, "reason": reason})
        await request.app.state.writer.run(me.principal, command.perform)
    except ValidationError:
        return await _admin_page(request, me, gettext("Give the reason for the revocation"), 422)
    except (WorkflowError, CustodyError) as exc:
        return await _admin_page(
            request, me, gettext("Refused: %(why)s") % {"why": i18n.reason(exc, me.language)}, 422
        )
    return _done("revoked", key_id)


async def _refused_form(request: Request, me: Visitor, status: int, error: str) -> Response:
    return await _admin_page(request, me, error, status)


# The page the register and revoke forms come back to when a field is refused before the
# route runs (a field over its max_length), with each field's label (api.web.form_pages).
form_pages.register(
    "/web/admin/keys",
    _refused_form,
    _admin,
    {
        "owner": i18n.N_("Owner"),
        "public_key": i18n.N_("Public key"),
        "challenge": i18n.N_("Challenge"),
        "sig": i18n.N_("Proof of possession (signature)"),
        "replaces": i18n.N_("Register as"),
        "reason": i18n.N_("reason"),
    },
)
