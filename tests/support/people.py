"""People with real Ed25519 keys, registered in a ledger, who sign acts."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from custody import keyring
from custody.acts import SignedAct, new_act, sign_act
from custody.clock import format_time, utc_now
from custody.entries import NewEntry
from custody.keyfile import PersonKey
from custody.ledger import Ledger


@dataclass
class Person:
    user: str
    key: PersonKey
    key_id: str

    def act(self, kind: str, item: str | None = None, **fields: Any) -> SignedAct:
        act = new_act(kind, self.user, self.key_id, format_time(utc_now()), item, **fields)
        return sign_act(act, self.key.seed)

    def entry(self, kind: str, item: str, **fields: Any) -> NewEntry:
        return NewEntry(
            kind=kind, actor=self.user, item=item, data=self.act(kind, item, **fields).to_data()
        )


def register(ledger: Ledger, user: str, purpose: str = "act") -> Person:
    key = PersonKey.generate()
    entry = keyring.add_key(ledger, "admin", user, purpose, key.public_key)
    from custody.entries import decode

    return Person(user, key, decode(entry.body).data["key"]["key_id"])


def register_confirmed(process: Any, user: str, purpose: str = "act") -> Person:
    """A person's key registered as the service does it: an AddKey command proposed by one
    administrator and confirmed by another (tests.support.driver.Driver.four_eyes)."""
    from workflows.commands.keys import AddKey

    key = PersonKey.generate()
    public = base64.b64encode(key.public_key).decode()
    key_id = process.four_eyes(AddKey(owner=user, purpose=purpose, public_key=public))
    return Person(user, key, key_id)
