"""People's public keys: registered, rotated and revoked by entries of the ledger itself, so
that an act's signature is checked against the key valid at its seq (DESIGN §5)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from sqlalchemy.engine import Connection

from custody import keyring
from custody.keys import KeyRecord, check_person_possession, parse_public_key
from custody.store import Store
from workflows.commands.base import Command, command
from workflows.commands.fields import Id, Part, Text, Word
from workflows.errors import InvalidRequest
from workflows.unit_of_work import Work


class Possession(Part):
    """The new key's own signature over its owner, purpose, public key and a challenge the
    service gave its owner (custody.keys.check_person_possession; docs/ledger.md, "Keys")."""

    challenge: str = Field(min_length=16, max_length=128, pattern="^[A-Za-z0-9_-]+$")
    sig: str = Field(max_length=100, description="base64 of the 64-byte Ed25519 signature")


@command
class AddKey(Command):
    kind: ClassVar[str] = "key_added"
    summary: ClassVar[str] = "Register a person's public key; it holds from the next entry on"
    owner: Id = Field(description="the username the key belongs to")
    purpose: Word = Field(description="act (people's acts) or witness (co-signing checkpoints)")
    public_key: str = Field(
        max_length=512, description="base64 Ed25519 public key, or a verifier key"
    )
    possession: Possession | None = Field(
        default=None, description="the key's proof that its owner holds it, recorded with it"
    )

    def run(self, work: Work) -> str:
        raw = parse_public_key(self.public_key)
        if self.purpose == "act":
            work.load("accounts", [self.owner])
            account = work.world.find("accounts", self.owner)
            if account is None or account.disabled:
                raise InvalidRequest(
                    f"{self.owner} is not an account in service: a person's act key is an account's"
                )
        _refuse_anothers(work, self.owner, raw)
        key = keyring.person_key(self.owner, self.purpose, raw)
        data: dict[str, object] = {"key": key}
        if self.possession is not None:  # the ledger checks it again as it writes
            data["possession"] = self.possession.model_dump()
            # refused at once, as the ledger would, even for a key only proposed
            # (workflows.commands.changes writes its entry when confirmed)
            check_person_possession(self.owner, self.purpose, raw, data["possession"])
        work.entry("key_added", None, data)
        return str(key["key_id"])


def registered_key(conn: Connection, raw: bytes) -> KeyRecord | None:
    """The key record of the public key `raw` (32 bytes) if it is registered, to anyone, in
    force or not; None otherwise (one key, one person, registered once)."""
    return next((r for r in Store(conn).key_records() if r.public_key == raw), None)


def _refuse_anothers(work: Work, owner: str, raw: bytes) -> None:
    """One key, one person: a public key already registered for someone else (in force or
    not) is refused, or one person's private key would sign another's acts; one registered
    for the owner already is refused too, when proposed (the ledger refuses it at the write:
    a proposal of it had waited in the queue for a confirmation that could only fail: n12)."""
    record = registered_key(work.conn, raw)
    if record is not None:
        if record.owner != owner:
            raise InvalidRequest(
                f"this public key is {record.owner}'s (key {record.key_id}): one key, one person"
            )
        raise InvalidRequest(
            f"this public key is registered already (key {record.key_id}): a new key is made "
            "with custody keygen"
        )


@command
class RotateKey(Command):
    kind: ClassVar[str] = "key_rotated"
    summary: ClassVar[str] = (
        "Replace a person's key: the old holds up to this entry, the new from the next"
    )
    key_id: str = Field(pattern="^[0-9a-f]{8}$")
    public_key: str = Field(max_length=512)
    possession: Possession | None = Field(
        default=None, description="the new key's proof that its owner holds it"
    )

    def run(self, work: Work) -> None:
        known = Store(work.conn).key_records()
        new_key = parse_public_key(self.public_key)
        data = keyring.rotation(known, self.key_id, new_key)
        replaced = next((r for r in known if r.key_id == self.key_id), None)
        if replaced is not None:
            _refuse_anothers(work, replaced.owner, new_key)
        if self.possession is not None:
            data["possession"] = self.possession.model_dump()
            key = data["key"]
            assert isinstance(key, dict)
            check_person_possession(
                str(key["owner"]), str(key["purpose"]), new_key, data["possession"]
            )
        work.entry("key_rotated", None, data)


@command
class RevokeKey(Command):
    kind: ClassVar[str] = "key_revoked"
    summary: ClassVar[str] = "Revoke a person's key: no act it signs holds from this entry on"
    key_id: str = Field(pattern="^[0-9a-f]{8}$")
    reason: Text

    def run(self, work: Work) -> None:
        work.entry("key_revoked", None, {"key_id": self.key_id, "reason": self.reason})
