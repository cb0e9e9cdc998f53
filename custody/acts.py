"""People's acts: what a person signs with their own key (DESIGN §5).

A registry result, a release from evidence hold, a signature under a destruction statement:
the person signs `b"custody/act/v1\\x00" + JCS(act)` with their key, and the entry that records
it carries `data.act` and `data.act_sig` (base64). The act names

    kind     the entry kind it may be recorded as (so it cannot be replayed as another act)
    person   who signs: the key's owner, and the entry's actor (nobody signs for someone else)
    key_id   the key, which must hold at the entry's seq and be for acts
    time     when it was signed, at most MAX_CLOCK_SKEW after the entry that records it,
             and at most MAX_CLOCK_SKEW before the entry that published its key (an act is
             not dated before its key existed: no backdating by decades)
    item or items   what it is about; an entry about an item must be named by its act

and any fields of its own. Each act may be recorded once: its hash is unique in the log.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from custody import signatures
from custody.clock import is_moment_shaped, is_time, parse_time
from custody.entries import EntryBody
from custody.errors import ActError
from custody.keys import KeyRecord, KeyRegistry

MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
REQUIRED = ("key_id", "kind", "person", "time")


@dataclass(frozen=True)
class SignedAct:
    act: dict[str, Any]
    sig: bytes

    def to_data(self) -> dict[str, Any]:
        return {"act": self.act, "act_sig": base64.b64encode(self.sig).decode()}

    @property
    def digest(self) -> bytes:
        """Identifies the act for replay detection: SHA-256 of the signed message."""
        return hashlib.sha256(signatures.act_message(self.act)).digest()


def new_act(
    kind: str, person: str, key_id: str, time: str, item: str | None = None, **fields: Any
) -> dict[str, Any]:
    """An act's content as DESIGN §5 names it, ready to sign."""
    act: dict[str, Any] = {"kind": kind, "person": person, "key_id": key_id, "time": time}
    if item is not None:
        act["item"] = item
    return {**act, **fields}


def sign_act(act: dict[str, Any], seed: bytes) -> SignedAct:
    return SignedAct(act, signatures.sign(seed, signatures.act_message(act)))


def act_of(body: EntryBody) -> SignedAct | None:
    """The signed act an entry carries, or None; ActError when it is there but malformed."""
    if "act" not in body.data and "act_sig" not in body.data:
        return None
    act, sig = body.data.get("act"), body.data.get("act_sig")
    if not isinstance(act, dict) or not isinstance(sig, str):
        raise ActError("an act is an object and act_sig its base64 signature")
    try:
        raw = base64.b64decode(sig, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ActError("act_sig is not base64") from exc
    return SignedAct(act, raw)


def check_act(body: EntryBody, signed: SignedAct, registry: KeyRegistry) -> None:
    """Raise ActError unless the act was signed by its person's valid key, for this entry."""
    key = check_binding(body, signed.act, registry)
    if not verify_signature(signed, key.public_key):
        raise ActError(f"act signature does not verify with key {key.key_id}")


def verify_signature(signed: SignedAct, public_key: bytes) -> bool:
    return signatures.verify(public_key, signatures.act_message(signed.act), signed.sig)


def check_binding(body: EntryBody, act: dict[str, Any], registry: KeyRegistry) -> KeyRecord:
    """Every rule of an act but its signature; returns the key that must have signed it.
    Raises ActError: fields missing, another kind or item, a time after the recording entry
    or before its key's publication (each beyond MAX_CLOCK_SKEW), a key unknown, not for
    acts, not in force at the entry's seq, or not the person's."""
    missing = [name for name in REQUIRED if not isinstance(act.get(name), str)]
    if missing:
        raise ActError(f"act lacks {', '.join(missing)}")
    if act["kind"] != body.kind:
        raise ActError(f"act of kind {act['kind']!r} recorded as {body.kind!r}")
    if (
        body.item is not None
        and body.item != act.get("item")
        and body.item not in (act.get("items") or [])
    ):
        raise ActError(f"act does not name item {body.item!r}")
    if not is_time(act["time"]):
        if is_moment_shaped(act["time"]):  # 2026-02-29T..., T25:00:00
            raise ActError("act time names a day or time that does not exist")
        raise ActError("act time must be RFC 3339 UTC with six fractional digits")
    if parse_time(act["time"]) > parse_time(body.time) + MAX_CLOCK_SKEW:
        raise ActError("act is dated after the entry that records it")
    key = registry.get(act["key_id"])
    if key is None:
        raise ActError(f"act signed with unknown key {act['key_id']}")
    if key.purpose != "act":
        raise ActError(f"key {key.key_id} is for {key.purpose!r}, not for acts")
    if not key.valid_at(body.seq):
        raise ActError(key.why_not_valid_at(body.seq))
    published = registry.added_time(key)
    if published is not None and parse_time(act["time"]) < parse_time(published) - MAX_CLOCK_SKEW:
        raise ActError(
            f"act is dated {act['time']}, before its key {key.key_id} was registered ({published})"
        )
    if key.owner != act["person"] or act["person"] != body.actor:
        raise ActError(
            f"act by {act['person']!r} recorded by {body.actor!r} "
            f"with a key of {key.owner!r}: nobody signs for someone else"
        )
    return key
