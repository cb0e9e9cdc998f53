"""People's key requests over HTTP (api.key_requests): a person asks for a challenge and sends
the public key they made with its proof of possession; an administrator lists the requests and
registers one, as a new key or the rotation of the owner's key. The proof is the ledger's to
check (custody.keys): a wrong one is a 422 problem (`/problems/key`) and writes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api import key_requests
from api.access import accounts, changes
from api.access.auth import Caller, require, system_of
from api.access.roles import ADMIN
from api.access.tokens import LOGIN, Principal
from api.http.problems import PROBLEM_RESPONSES
from api.http.strict_json import StrictBody, StrictJSONRoute
from custody import keys, note
from workflows.commands.fields import Id, Label
from workflows.errors import AccessRefused, InvalidRequest

router = APIRouter(
    prefix="/keys", tags=["keys"], responses=PROBLEM_RESPONSES, route_class=StrictJSONRoute
)
Admin = Annotated[Principal, Depends(require(ADMIN))]


BY_LOGIN_ONLY = (
    "only the owner's own login (password) may ask for a key challenge or send a key, never a "
    "device token, which an administrator issues for any account"
)


def _own_login(caller: Principal) -> None:
    """AccessRefused (403) unless the caller came with a login token: a device token is made
    by an administrator, so a key asked for with it would not prove its owner asked."""
    if caller.kind != LOGIN:
        raise AccessRefused(BY_LOGIN_ONLY)


class Challenge(BaseModel):
    challenge: str = Field(description="base64url, to be signed with the new key; serves once")


class PossessionIn(StrictBody):
    """The new key's proof of possession, in the words of the ledger's key_added entry
    (docs/ledger.md, "Keys"): what `custody keys prove` prints under "possession"."""

    challenge: str = Field(min_length=16, max_length=64)
    sig: str = Field(
        max_length=100,
        description='base64 Ed25519 signature of "custody/key-possession/v1" 0x00 || '
        "JCS({owner, purpose: act, public_key, challenge}) by the new key (docs/ledger.md)",
    )


class RequestIn(StrictBody):
    """{"public_key", "possession": {"challenge", "sig"}}: the shape `custody keys prove`
    prints and the key_added step takes (issue 16: the route took a flat body, 422 for the
    command's output), with an optional label."""

    public_key: str = Field(max_length=64, description="base64 of the 32-byte Ed25519 key")
    possession: PossessionIn
    label: Label = Field(default="", description="the device, for the administrator")


class WitnessIn(StrictBody):
    owner: Id = Field(description="the key's owner, as its key_added entry will name them")


class RequestOut(BaseModel):
    challenge: str
    owner: str
    public_key: str
    sig: str
    label: str | None
    submitted_at: str


class Registered(BaseModel):
    key_id: str = Field(description="the key's id, as the ledger will register it")
    proposal: str = Field(
        description="the proposed change (CHG-...): the key is registered when another "
        "administrator confirms it (POST /changes/{proposal}/confirm)"
    )


class RegisterIn(StrictBody):
    replaces: str = Field(
        default="", max_length=8, description="the owner's key it rotates out, if any"
    )


@router.post("/challenge", response_model=Challenge)
async def challenge(request: Request, caller: Caller) -> Challenge:
    """A new challenge for the caller's next key; their login token only (403 for a device)."""
    _own_login(caller)
    system = system_of(request)

    def issue() -> str:
        with system.ledger.database.write(lock=False) as conn:
            return key_requests.ask(conn, caller.username, system.process.now())

    return Challenge(challenge=await run_in_threadpool(issue))


@router.post("/witness-challenge", response_model=Challenge)
async def witness_challenge(request: Request, body: WitnessIn, _: Admin) -> Challenge:
    """A challenge for a key that is no account's (a witness's; an account's username is
    refused, 403 ACCESS, and nothing is written): the administrator hands it
    to the owner, who signs it with the key (`custody keys prove`); POST /steps/key_added
    then carries it as `possession`. Serves once, for a day."""
    system = system_of(request)

    def issue() -> str:
        with system.ledger.database.write(lock=False) as conn:
            is_account = accounts.find(conn, body.owner) is not None
            why = key_requests.witness_owner_refusal(body.owner, is_account)
            if why is not None:
                raise AccessRefused(why)
            return key_requests.issue(conn, body.owner, system.process.now())

    return Challenge(challenge=await run_in_threadpool(issue))


@router.post("/requests", status_code=204, response_class=Response)
async def submit(request: Request, body: RequestIn, caller: Caller) -> Response:
    """The caller's new public key and its proof over their challenge, for an administrator;
    their login token only (403 for a device token)."""
    _own_login(caller)
    keys.parse_public_key(body.public_key)  # a weak or malformed key: 422 /problems/key
    system = system_of(request)

    def keep() -> None:
        with system.ledger.database.write(lock=False) as conn:
            key_requests.submit(
                conn,
                caller.username,
                body.possession.challenge,
                body.public_key,
                body.possession.sig,
                body.label,
                system.process.now(),
            )

    try:
        await run_in_threadpool(keep)
    except key_requests.RequestRefused as exc:
        raise InvalidRequest(str(exc)) from exc
    return Response(status_code=204)  # no body, so no content type (fix19h LOW)


@router.get("/requests", response_model=list[RequestOut])
async def pending(request: Request, _: Admin) -> list[RequestOut]:
    """Requests with a key and proof, not registered yet, issued within a day."""
    system = system_of(request)

    def read() -> list[key_requests.KeyRequest]:
        with system.ledger.database.read() as conn:
            return key_requests.pending(conn, system.process.now())

    return [
        RequestOut(
            challenge=r.challenge,
            owner=r.owner,
            public_key=r.public_key or "",
            sig=r.sig or "",
            label=r.label,
            submitted_at=r.submitted_at or "",
        )
        for r in await run_in_threadpool(read)
    ]


@router.post("/requests/{challenge}/register", response_model=Registered, status_code=202)
async def register(request: Request, challenge: str, body: RegisterIn, caller: Admin) -> Registered:
    """Propose the registration of the requested key with its proof (a `key_added` entry, or
    `key_rotated` with `replaces`): a `change_proposed` entry; another administrator
    confirms it (POST /changes/{proposal}/confirm, four eyes: workflows.dual), and only then
    is the key registered and the challenge used up."""
    system = system_of(request)

    def read() -> key_requests.KeyRequest | None:
        with system.ledger.database.read() as conn:
            return key_requests.find(conn, challenge)

    found = await run_in_threadpool(read)
    if found is None or not found.public_key or not found.sig:
        raise InvalidRequest("no key was sent for this challenge")
    command = key_requests.requested_command(
        challenge, found.owner, found.public_key, found.sig, body.replaces
    )
    fields = command.model_dump(mode="json", exclude_none=True)
    name = found.owner
    try:
        if body.replaces:  # the requester's own act key in force, or refused as such
            with system.ledger.database.read() as conn:
                known = system.ledger.keys(conn)
            name = key_requests.replaced(known, body.replaces, found.owner).name
        proposal = await run_in_threadpool(
            changes.propose, system.process, caller.username, command.kind, fields, True
        )
    except key_requests.RequestRefused as exc:
        raise InvalidRequest(str(exc)) from exc
    key_id = note.key_id(name, keys.parse_public_key(found.public_key))
    return Registered(key_id=key_id, proposal=proposal)
