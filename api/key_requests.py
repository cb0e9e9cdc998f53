"""People's key requests (table web_key_requests): how a key made in a person's browser (or
by `custody keygen`) reaches the ledger with proof that its owner holds it.

1. the person asks for a challenge: 32 random bytes, base64url, kept with their username;
2. their page makes the key and signs `signatures.possession_message` over their username,
   the purpose `act`, the public key and the challenge, and sends the public key and proof;
3. an administrator registers it (workflows.commands.AddKey or RotateKey with `possession`):
   the ledger checks the proof as it writes the entry, and `custody verify` checks it again.

A challenge serves once and for a day; only the public half of a key ever comes here.

A witness's key (cosignatures on checkpoints) has no account behind it: an administrator asks
for a challenge in the witness's name (POST /keys/witness-challenge), hands it to them, and
registers the key with the witness's signature over it (`custody keys prove` makes it, with
the same domain-separated message). No key at all reaches the ledger over HTTP without the
proof that its owner holds it.

Over HTTP this is the only way a person's act key reaches the ledger: an administrator alone
(or their device token) must not be able to give a member a key the administrator holds, so
`step` refuses `key_added` and `key_rotated` of an act key without the owner's request, and
only the owner's login (never a device token, which an administrator issues) asks for a
challenge or sends a request (api.http.key_requests, api.web.key_pages). The server-side CLI
(`custody keys add`), run by the operator, is not HTTP and keeps its own way.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from api.notices import outbox
from api.tables import KeyRequestRow
from custody import keys, note
from custody.clock import format_time, parse_time
from custody.errors import KeyRegistryError
from custody.keys import KeyRecord
from workflows import dual
from workflows.commands import AddKey, Command, RotateKey
from workflows.commands.keys import registered_key
from workflows.errors import AccessRefused, InvalidRequest
from workflows.escalation import Notice
from workflows.repository import Repository
from workflows.unit_of_work import Work
from workflows.world import World

_TABLE = KeyRequestRow.__table__  # type: ignore[attr-defined]
LIFETIME = dt.timedelta(days=1)
PURPOSE = "act"


KINDS = frozenset({AddKey.kind, RotateKey.kind})
NEEDS_REQUEST = (
    "a person's act key is registered over HTTP only with its owner's proof of possession "
    "over a challenge given to them: the owner asks for it (POST /keys/challenge), sends the "
    "key (POST /keys/requests), and an administrator registers the request"
)


NEEDS_PROOF = (
    "every key is registered over HTTP only with its owner's proof of possession over a "
    "challenge given for them: an administrator asks for one (POST /keys/witness-challenge), "
    "the owner signs it with the key (custody keys prove), and the step carries "
    "possession {challenge, sig}"
)


SUPERSEDED = (
    "this key request was superseded: {owner} sent a newer one at {at}, and only a person's "
    "newest request is registered; register that one"
)


class RequestRefused(InvalidRequest):
    """A challenge that is unknown, someone else's, used or older than LIFETIME; a request for
    another key or owner; a rotation of a key that is not the owner's act key in force.
    An InvalidRequest, so the API answers 422 problem+json wherever it comes from."""


@dataclass(frozen=True)
class KeyRequest:
    challenge: str
    owner: str
    issued_at: str
    public_key: str | None
    sig: str | None
    label: str | None
    submitted_at: str | None
    key_id: str | None
    superseded_at: str | None = None  # a newer request of the owner's came (`submit`)


def signer_refusal(conn: Connection, owner: str) -> str | None:
    """Why `owner` may not ask for an act key: their account (as the ledger says now) holds
    no signer's role (workflows.dual.DUAL_ROLES), or is disabled or unknown. A request made
    before the role would otherwise wait, and be registered once the role came (issue 14);
    the requests still pending when a signer's role is granted or withdrawn go (`void`).
    None when they may. Raises nothing."""
    world = World()
    Repository(conn).load(world, "accounts", [owner])
    account = world.accounts.get(owner)
    signer = account is not None and any(r in dual.DUAL_ROLES for r in account.roles)
    if signer and account is not None and not account.disabled:
        return None
    return (
        f"four eyes: {owner} holds no signer's role: only an account that signs acts asks "
        "for an act key, and asks again once it holds the role"
    )


def ask(conn: Connection, owner: str, now: dt.datetime) -> str:
    """A person's own challenge for their act key (`issue`), only for a signer
    (`signer_refusal`: AccessRefused, 403, nothing written)."""
    why = signer_refusal(conn, owner)
    if why is not None:
        raise AccessRefused(why)
    return issue(conn, owner, now)


def void(conn: Connection, owner: str) -> int:
    """Drop `owner`'s requests no key was registered over (challenges asked, keys sent and
    waiting): called in the transaction that grants or withdraws a signer's role, or
    disables the account, so that a request made before cannot be registered (nor a
    proposal of its key confirmed: its challenge is then unknown) after. How many went."""
    gone = conn.execute(delete(_TABLE).where(_TABLE.c.owner == owner, _TABLE.c.key_id.is_(None)))
    return int(gone.rowcount or 0)


def issue(conn: Connection, owner: str, now: dt.datetime) -> str:
    """A new challenge for `owner`: 43 characters of base64url (256 bits), never beginning
    with "-" (a command line would take it for an option). It replaces the
    owner's challenges not yet answered (one outstanding per person), and every challenge
    older than LIFETIME that no key was registered over goes (`expire`): asking again and
    again keeps one row, not one a request (issue 12: 300 asks left 301 rows)."""
    expire(conn, now)
    conn.execute(
        delete(_TABLE).where(
            _TABLE.c.owner == owner, _TABLE.c.submitted_at.is_(None), _TABLE.c.key_id.is_(None)
        )
    )
    challenge = secrets.token_urlsafe(32)
    while challenge.startswith("-"):
        # One in 64 would begin with "-", and `custody keys prove CHALLENGE` would read it
        # as an option (CI failed on one); redrawing costs a fraction of a bit of 256.
        challenge = secrets.token_urlsafe(32)
    conn.execute(
        _TABLE.insert().values(challenge=challenge, owner=owner, issued_at=format_time(now))
    )
    return challenge


def proven(owner: str, challenge: str, public_key: str, sig: str) -> None:
    """RequestRefused unless `sig` (base64) is the key's (`public_key`, base64) own signature
    over `owner`'s possession claim for an act key and `challenge` (docs/ledger.md, "Keys";
    custody.keys.check_person_possession). Checked as the request is sent: a proof made for
    another owner, purpose or challenge had been kept, answered 204, and had replaced the
    person's good request, to fail only when an administrator registered it (issue 16)."""
    raw_key = keys.parse_public_key(public_key)
    try:
        keys.check_person_possession(owner, PURPOSE, raw_key, {"challenge": challenge, "sig": sig})
    except KeyRegistryError as exc:
        raise RequestRefused(
            "the proof of possession does not verify: it must be made by this key, for you, "
            "for an act key and for this challenge (custody keys prove --purpose act)"
        ) from exc


def unregistered(conn: Connection, public_key: str) -> None:
    """RequestRefused if the key `public_key` (base64) is registered already, to anyone: the
    ledger would refuse it when confirmed, so the request had waited for an administrator whose
    proposal could only fail (n12: the README's example sent the demo's registered key)."""
    record = registered_key(conn, keys.parse_public_key(public_key))
    if record is not None:
        raise RequestRefused(
            f"this key is registered already (key {record.key_id}): make a new one with "
            "custody keygen and ask again"
        )


def expire(conn: Connection, now: dt.datetime) -> int:
    """Remove every request older than LIFETIME that no key was registered over (it can no
    longer serve: `usable`); how many went."""
    since = format_time(now - LIFETIME)
    gone = conn.execute(delete(_TABLE).where(_TABLE.c.issued_at < since, _TABLE.c.key_id.is_(None)))
    return int(gone.rowcount or 0)


def submit(
    conn: Connection,
    owner: str,
    challenge: str,
    public_key: str,
    sig: str,
    label: str,
    now: dt.datetime,
) -> None:
    """The key `owner` made for `challenge`, and its proof; RequestRefused when the challenge
    is not theirs to use or the proof does not verify (`proven`), AccessRefused when `owner`
    holds no signer's role (`signer_refusal`). The ledger checks the proof again when the key
    is registered."""
    why = signer_refusal(conn, owner)
    if why is not None:
        raise AccessRefused(why)
    found = find(conn, challenge)
    usable(found, now)
    if found is None or found.owner != owner:
        raise RequestRefused("this challenge was not given to you; ask for a new one")
    proven(owner, challenge, public_key, sig)
    unregistered(conn, public_key)
    # The newest request stands: one waiting for an administrator per person. The older
    # ones are kept, superseded, so that one proposed already is refused by name (`usable`)
    # when an administrator confirms it, not as a challenge nobody gave (issue 16).
    conn.execute(
        update(_TABLE)
        .where(
            _TABLE.c.owner == owner,
            _TABLE.c.challenge != challenge,
            _TABLE.c.submitted_at.is_not(None),
            _TABLE.c.key_id.is_(None),
            _TABLE.c.superseded_at.is_(None),
        )
        .values(superseded_at=format_time(now))
    )
    _forget_superseded(conn, owner)
    conn.execute(
        update(_TABLE)
        .where(_TABLE.c.challenge == challenge)
        .values(public_key=public_key, sig=sig, label=label[:128], submitted_at=format_time(now))
    )


# How many superseded requests a person keeps (the newest): enough to refuse by name one an
# administrator proposed before its owner sent again, while sending again and again keeps a
# bounded number of rows (issue 12). An older one is then "no such challenge", as before.
KEPT_SUPERSEDED = 5


def _forget_superseded(conn: Connection, owner: str) -> None:
    """Delete `owner`'s superseded requests but the newest KEPT_SUPERSEDED."""
    kept = (
        select(_TABLE.c.challenge)
        .where(_TABLE.c.owner == owner, _TABLE.c.superseded_at.is_not(None))
        .order_by(_TABLE.c.submitted_at.desc(), _TABLE.c.challenge)
        .limit(KEPT_SUPERSEDED)
    )
    newest = [row[0] for row in conn.execute(kept)]
    conn.execute(
        delete(_TABLE).where(
            _TABLE.c.owner == owner,
            _TABLE.c.superseded_at.is_not(None),
            _TABLE.c.key_id.is_(None),
            _TABLE.c.challenge.not_in(newest),
        )
    )


def usable(found: KeyRequest | None, now: dt.datetime) -> KeyRequest:
    """The request, if its challenge may still serve; RequestRefused otherwise (one a newer
    request of its owner superseded: SUPERSEDED)."""
    if found is None:
        raise RequestRefused("no such challenge")
    if found.key_id is not None:
        raise RequestRefused("this challenge has served already")
    if found.superseded_at is not None:
        raise RequestRefused(SUPERSEDED.format(owner=found.owner, at=found.superseded_at))
    if parse_time(found.issued_at) + LIFETIME < now:
        raise RequestRefused("this challenge is older than a day; ask for a new one")
    return found


def find(conn: Connection, challenge: str) -> KeyRequest | None:
    row = conn.execute(select(_TABLE).where(_TABLE.c.challenge == challenge)).mappings().first()
    return KeyRequest(**row) if row is not None else None


def pending(conn: Connection, now: dt.datetime) -> list[KeyRequest]:
    """Requests with a key and proof, not registered yet nor superseded, issued less than a
    day ago."""
    since = format_time(now - LIFETIME)
    rows = conn.execute(
        select(_TABLE)
        .where(_TABLE.c.submitted_at.is_not(None), _TABLE.c.key_id.is_(None))
        .where(_TABLE.c.superseded_at.is_(None), _TABLE.c.issued_at >= since)
        .order_by(_TABLE.c.submitted_at)
    ).mappings()
    return [KeyRequest(**row) for row in rows]


def mine(conn: Connection, owner: str) -> list[KeyRequest]:
    rows = conn.execute(
        select(_TABLE)
        .where(_TABLE.c.owner == owner, _TABLE.c.submitted_at.is_not(None))
        .order_by(_TABLE.c.submitted_at.desc())
        .limit(20)
    ).mappings()
    return [KeyRequest(**row) for row in rows]


def registered(conn: Connection, challenge: str, key_id: str) -> None:
    conn.execute(update(_TABLE).where(_TABLE.c.challenge == challenge).values(key_id=key_id))


def replaced(known: list[KeyRecord], key_id: str, owner: str, purpose: str = PURPOSE) -> KeyRecord:
    """The key a rotation for `owner` replaces: it must be `owner`'s key of `purpose`,
    neither rotated out nor revoked (RequestRefused otherwise), so that no one's request
    takes over another person's key."""
    old = next((k for k in known if k.key_id == key_id), None)
    if old is None or old.purpose != purpose or old.owner != owner:
        raise RequestRefused(
            f"key {key_id} is not {'an' if purpose[0] in 'aeiou' else 'a'} {purpose} key of "
            f"{owner}; it cannot be replaced"
        )
    if old.rotated_at_seq is not None or old.revoked_at_seq is not None:
        raise RequestRefused(f"key {key_id} is no longer in force; it cannot be replaced")
    return old


def _requested(
    work: Work, challenge: str, owner: str, public_key: bytes, replaces: str, now: dt.datetime
) -> str:
    """Check, in the writer's transaction, that `owner` asked for `public_key` under their
    unused, fresh `challenge` and that `replaces` (if any) is their act key in force; return
    the new key's id (the note key hash of the owner's name and key, as keyring names it).
    AccessRefused when the administrator registering it is its owner (separation of duties:
    a key is vouched for by another person than the one who will sign with it)."""
    if work.actor == owner:
        raise AccessRefused(
            f"separation of duties: {owner} may not register their own key; "
            "another administrator does it"
        )
    why = signer_refusal(work.conn, owner)
    if why is not None:
        raise AccessRefused(why)
    asked = usable(find(work.conn, challenge), now)
    if (
        asked.owner != owner
        or asked.public_key is None
        or keys.parse_public_key(asked.public_key) != public_key
    ):
        raise RequestRefused("the challenge was given to someone else, or for another key")
    # The id the entry will carry: a rotated key keeps the old one's name (keyring.rotation).
    name = owner
    if replaces:
        name = replaced(_records(work, replaces), replaces, owner).name
    return note.key_id(name, public_key)


def tell_owner(work: Work, owner: str, key_id: str) -> None:
    """A notice to `owner` (api_notices, shown on their home page and mailed if they have an
    address), written in the registration's transaction: a key in their name is never news
    they hear last."""
    notice = Notice(key_id, "KEY", work.now, outbox.KEY_REGISTERED, "staff", owner, "")
    outbox.write(work.conn, [notice], outbox.addresses(work.conn, [owner]), work.now)


def requested_command(
    challenge: str, owner: str, public_key: str, sig: str, replaces: str
) -> AddKey | RotateKey:
    """The command that registers a requested key: AddKey, or RotateKey of `replaces`, with
    its proof. An act key makes a signer: an administrator proposes it and another confirms
    it (api.access.changes; workflows.dual). Raises pydantic's ValidationError."""
    possession = {"challenge": challenge, "sig": sig}
    if replaces:
        return RotateKey.model_validate(
            {"key_id": replaces, "public_key": public_key, "possession": possession}
        )
    return AddKey.model_validate(
        {"owner": owner, "purpose": PURPOSE, "public_key": public_key, "possession": possession}
    )


def registration(
    challenge: str, owner: str, public_key: str, sig: str, replaces: str, now: dt.datetime
) -> Callable[[Work], str]:
    """The administrator's registration of a requested key, as one action (for the writer):
    the request must be `owner`'s, unused and fresh, and `replaces` (when given) `owner`'s act
    key in force (RequestRefused); the key is added, or rotated in for `replaces`, with its
    proof, which the ledger checks (KeyRegistryError); the challenge is marked used in the same
    transaction. The action returns the new key's id, as the ledger registered it.
    Raises pydantic's ValidationError at once for malformed fields."""
    possession = {"challenge": challenge, "sig": sig}
    command: AddKey | RotateKey = (
        RotateKey.model_validate(
            {"key_id": replaces, "public_key": public_key, "possession": possession}
        )
        if replaces
        else AddKey.model_validate(
            {"owner": owner, "purpose": PURPOSE, "public_key": public_key, "possession": possession}
        )
    )

    def register(work: Work) -> str:
        raw = keys.parse_public_key(public_key)
        key_id = _requested(work, challenge, owner, raw, replaces, now)
        command.perform(work)
        registered(work.conn, challenge, key_id)
        tell_owner(work, owner, key_id)
        return key_id

    return register


def step(
    command: Command, perform: Callable[[Work], Any], mark: bool = True
) -> Callable[[Work], Any]:
    """`perform` (a step of `command`, key_added or key_rotated, come over HTTP) guarded:
    every key needs the proof that its owner holds it, over a fresh challenge the service
    gave for that owner (RequestRefused, 422, otherwise). A person's act key needs more: its
    owner's own request, as `registration` does (NEEDS_REQUEST); any other key (a witness's)
    a challenge the administrator asked for its owner (POST /keys/witness-challenge), which
    the owner signed with the key (`custody keys prove`). The ledger checks the signature as
    it writes the entry (custody.keys); the challenge is marked used in the same
    transaction. Steps of other kinds pass unchanged. With `mark=False` (a key proposed,
    not yet confirmed: api.access.changes) the request is checked and left unused."""
    if not isinstance(command, AddKey | RotateKey):
        return perform

    def guarded(work: Work) -> Any:
        raw = keys.parse_public_key(command.public_key)
        if isinstance(command, AddKey):
            owner, purpose, replaces = command.owner, command.purpose, ""
        else:
            found = _records(work, command.key_id)
            old = found[0] if found else None
            if old is None:
                return perform(work)  # the command refuses an unknown key itself
            owner, purpose, replaces = old.owner, old.purpose, command.key_id
        if command.possession is None:
            raise RequestRefused(NEEDS_REQUEST if purpose == PURPOSE else NEEDS_PROOF)
        challenge, now = command.possession.challenge, parse_time(work.now)
        if purpose == PURPOSE:
            key_id = _requested(work, challenge, owner, raw, replaces, now)
        else:
            key_id = _challenged(work, challenge, owner, purpose, raw, replaces, now)
        result = perform(work)
        if mark:
            registered(work.conn, challenge, key_id)
            if purpose == PURPOSE:
                tell_owner(work, owner, key_id)
        return result

    return guarded


def _challenged(
    work: Work,
    challenge: str,
    owner: str,
    purpose: str,
    public_key: bytes,
    replaces: str,
    now: dt.datetime,
) -> str:
    """Check, in the writer's transaction, that `challenge` was given for `owner`, is unused
    and fresh, and (if a key was sent with it) was sent for `public_key`; that `replaces`
    (if any) is `owner`'s key of `purpose` in force. Returns the new key's id. A new key's
    owner is no account's username (AccessRefused: witness_owner_refusal)."""
    if not replaces:
        work.load("accounts", [owner])
        why = witness_owner_refusal(owner, work.world.find("accounts", owner) is not None)
        if why is not None:
            raise AccessRefused(why)
    asked = usable(find(work.conn, challenge), now)
    sent = asked.public_key
    if asked.owner != owner or (sent is not None and keys.parse_public_key(sent) != public_key):
        raise RequestRefused("the challenge was given for someone else, or for another key")
    name = owner
    if replaces:
        name = replaced(_records(work, replaces), replaces, owner, purpose).name
    return note.key_id(name, public_key)


def witness_owner_refusal(owner: str, is_account: bool) -> str | None:
    """Why a witness key may not be made in `owner`'s name; None when it may. A witness key
    is no account's: in an account holder's name it would be a key in a member's name that
    the member never asked for (their own key goes through their own request)."""
    if not is_account:
        return None
    return (
        f"{owner} is the username of an account: a witness key is never made in an account "
        "holder's name; their own key is asked for with their own login"
    )


def _records(work: Work, key_id: str) -> list[KeyRecord]:
    """The ledger's record of one key (none if unknown), through the ledger's own read."""
    return [r for r in work.ledger.keys(work.conn) if r.key_id == key_id]
