"""Steps 5 and 6 of `custody verify`, folded over the checked rows in seq order.

5 ledger signatures  each entry is signed by the ledger key that holds at its seq, as the
                     genesis entry and the rotations published it; with --key, the key the
                     auditor trusts is one of them (any key of the rotation chain: each
                     rotation is signed by the key before and proves possession of the next)
6 people's acts      each act verifies with its person's key, valid at its seq and meant for
                     acts, and no act is recorded twice
"""

from __future__ import annotations

from dataclasses import dataclass, field

from custody import acts as act_rules
from custody import entries, note, signatures
from custody.errors import ActError, KeyRegistryError, MalformedEntryError
from custody.keys import KeyRecord, KeyRegistry
from custody.verification.report import StepResult
from custody.verification.rows import Checked


@dataclass
class LedgerSignatures:
    """Step 5; it also folds the key registry that steps 6, 7 and 9 read."""

    result: StepResult
    table_keys: dict[str, bytes]
    registry: KeyRegistry = field(default_factory=KeyRegistry)
    current_key: KeyRecord | None = None

    def take(self, checked: Checked) -> None:
        body = checked.body
        if body is None:
            return
        seq = checked.seq
        # The entry's own key is the one that holds before it changes the registry; the
        # genesis entry is the exception: it is signed by the key it publishes.
        signer = self._ledger_key(seq)
        if seq == 0 and body.kind != "ledger_created":
            self.result.fail(seq, "the first entry is not ledger_created")
        entry = body.entry()
        if body.kind in entries.LEDGER_KINDS and entry is not None:
            try:
                self.registry.apply(entry)
            except (KeyRegistryError, MalformedEntryError) as exc:
                self.result.fail(seq, f"the key entry breaks the key rules: {exc}")
            self.current_key = None
        if seq == 0:
            signer = self._ledger_key(0)
        key_id = checked.key_id
        if signer is None or signer.key_id != key_id:
            expected = signer.key_id if signer is not None else "none"
            self.result.fail(
                seq, f"signed by key {key_id}, but the ledger key at this seq is {expected}"
            )
            return
        sig_ok = checked.sig_ok
        if self.table_keys.get(key_id) != signer.public_key:
            # The worker used another key than the log's; see rows.check_row for why a
            # signature it did not send back cannot verify with the log's key.
            sig_ok = bool(checked.sig) and signatures.verify(
                signer.public_key, signatures.entry_message(checked.leaf), checked.sig
            )
        if not sig_ok:
            self.result.fail(seq, f"the ledger signature does not verify with key {key_id}")

    def _ledger_key(self, seq: int) -> KeyRecord | None:
        # Looked up again only when a key entry changed the registry or the key ran out.
        current = self.current_key
        if current is None or not current.valid_at(seq):
            current = self.current_key = self.registry.ledger_key_at(seq)
        return current

    def check_pinned(self, pinned: note.Verifier | None) -> None:
        """The key the auditor trusts must be one of the ledger's rotation chain."""
        if pinned is None:
            return
        if not any(
            k.public_key == pinned.public_key and k.name == pinned.name
            for k in self.registry.ledger_keys()
        ):
            self.result.fail(
                None, f"the ledger was never signed by the key you trust ({pinned.vkey})"
            )


@dataclass
class PeoplesActs:
    """Step 6: people's acts (docs/ledger.md "Signatures")."""

    result: StepResult
    table_keys: dict[str, bytes]
    registry: KeyRegistry
    acts: dict[bytes, int] = field(default_factory=dict)  # act digest -> seq first recorded

    def take(self, checked: Checked) -> None:
        body = checked.body.entry() if checked.body is not None else None
        if body is None:
            return
        seq, act_ok = checked.seq, checked.act_ok
        try:
            act = act_rules.act_of(body)
            if act is None:
                return
            key = act_rules.check_binding(body, act.act, self.registry)
            if self.table_keys.get(key.key_id) != key.public_key:
                act_ok = act_rules.verify_signature(act, key.public_key)
            if not act_ok:
                raise ActError(f"act signature does not verify with key {key.key_id}")
        except ActError as exc:
            self.result.fail(seq, str(exc))
            return
        first = self.acts.setdefault(act.digest, seq)
        if first != seq:
            self.result.fail(seq, f"this act was already recorded at seq {first}")
