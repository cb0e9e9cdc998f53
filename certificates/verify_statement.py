"""`custody verify-statement`: a destruction statement checked offline, from its PDF alone.

The steps, in order; the first that fails is named, with why:

     1 attachment        the PDF carries evidence.json in the format we write
     2 keys              the key entries fold into the ledger's key registry (genesis first);
                         with --key (given once or more: any of them trusted, as a service
                         trusts its whole rotation chain), a ledger key the reader trusts is
                         one of the ledger's
                         rotation chain (each rotation is signed by the key before it, step 4,
                         and the new key proves possession), so the genesis key and the
                         current one both anchor it
     3 checkpoint        the checkpoint is signed by the ledger key
     4 entries           every entry is canonical, below the checkpoint's size, and signed by the
                         ledger key that held at its seq
     5 chains            each subject's entries are linked by item_prev from its first entry
     6 inclusion proofs  the newest entry of every chain and every key entry is in the tree the
                         checkpoint signs (RFC 9162)
     7 statement         its SHA-256 is the one signed; its items are those loaded into the
                         batch, each destroyed in it, each as it was registered; in format v2
                         its discrepancies are the batch's, each as recorded and settled
     8 signatures        each member's act verifies with their key, valid when it was recorded;
                         it signs this statement; the signer was present and a member then
     9 quorum            more than half of the commission in office signed (the quorum fixed at
                         the destruction)
    10 page              the file is, byte for byte, the statement rendered again from its
                         evidence on this machine (the evidence records what rendered it:
                         renderer_identity), and the QR code read back from every page's
                         image says what the evidence says (either payload version:
                         docs/statement-qr.md). Anything drawn over the page,
                         an annotation, an incremental update, another font or a font whose
                         text mapping lies makes another file, and the step says how it
                         differs (pdf_difference). Where this machine's renderer is not the
                         one recorded (or no renderer at all), the page cannot be rendered
                         again: the step reads the
                         printed text and the QR codes and is reported "could not be
                         completed" (exit 2), neither ok nor a forgery. With --public-url,
                         the address the QR code opens must be of that service (a statement
                         re-rendered to send phones to another host fails); a version 1
                         code opens no address and is not refused for it.

The render runs in a process of its own (certificates.again), started with the check, while
steps 2-9 run here. Steps after the first that fails are reported "not run".

Trust: without --key the ledger key is the one the evidence itself publishes; an attacker who
forges a whole ledger with a key of their own is caught only by pinning the real key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from certificates import evidence as proof
from certificates import office, pdf_difference, qr_payload, qr_reading, renderer_identity
from certificates import page as pages
from certificates.again import RenderAgain, RenderFailed, RenderOutOfMemory
from certificates.pdf_reading import PdfContent, UnreadablePdf, read_pdf
from certificates.words import words
from certificates.worker import Renderer
from custody import acts, canonical, entries, note, signatures
from custody.checkpoint import Checkpoint, open_checkpoint
from custody.errors import CustodyError
from custody.keys import KeyRegistry
from custody.proofs import verify_inclusion
from custody.rfc6962 import leaf_hash
from custody.verify import StepResult, first_failure
from workflows.statements import PRESENT

STEPS: dict[int, str] = {
    1: "attachment",
    2: "keys",
    3: "checkpoint",
    4: "entries",
    5: "chains",
    6: "inclusion proofs",
    7: "statement",
    8: "signatures",
    9: "quorum",
    10: "page",
}
COMMISSION_MEMBER = "commission_member"
PARALLEL_FROM = 4_000  # below this, starting processes costs more than it saves
DESTROYED = {"furnace": "melted", "burn": "burned"}
TOO_LARGE = "too large to check"  # a check (or its render) out of memory under a cap


class StepFailed(Exception):
    def __init__(self, reason: str, seq: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.seq = reason, seq


class StepIncomplete(Exception):
    """The step could not be completed on this machine; it proves neither way."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class StatementReport:
    batch: str | None = None
    size: int | None = None
    root: str | None = None
    qr: str | None = None  # what the QR code carries (an address, for version 2)
    steps: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return len(self.steps) == len(STEPS) and all(s.ok for s in self.steps)

    @property
    def first_failure(self) -> StepResult | None:
        return first_failure(self.steps)

    @property
    def incomplete(self) -> bool:
        """Nothing failed, but a step could not be completed here (exit 2)."""
        failure = self.first_failure
        return failure is not None and failure.status == "incomplete"

    def to_json(self) -> dict[str, Any]:
        failure = self.first_failure
        return {
            "ok": self.ok,
            "batch": self.batch,
            "checkpoint_size": self.size,
            "checkpoint_root": self.root,
            "qr": self.qr,
            "steps": [step.to_json() for step in self.steps],
            "first_failure": failure.to_json() if failure is not None else None,
        }


@dataclass
class _Entry:
    seq: int
    body: entries.EntryBody
    leaf: bytes
    sig: bytes
    key_id: str


class StatementCheck:
    def __init__(
        self,
        pdf: bytes,
        pinned_key: note.Verifier | Sequence[note.Verifier] | None = None,
        renderer: Renderer | None = None,
        page_proof: bool = True,
        public_url: str | None = None,
    ) -> None:
        trusted = [pinned_key] if isinstance(pinned_key, note.Verifier) else pinned_key or []
        self.pdf, self.trusted = pdf, list(trusted)
        self.pinned = self.trusted[0] if self.trusted else None
        self.public_url = public_url.rstrip("/") if public_url else None
        self.renderer = renderer
        self.page_proof = page_proof
        self.again: RenderAgain | _SharedRender | None = None
        self.report = StatementReport()
        self.content: PdfContent | None = None
        self.evidence: dict[str, Any] = {}
        self.registry = KeyRegistry()
        self.checkpoint: Checkpoint | None = None
        self.chains: dict[str, list[_Entry]] = {}
        self.keys: list[_Entry] = []

    def run(self) -> StatementReport:
        steps: list[Callable[[], None]] = [
            self._attachment,
            self._keys,
            self._checkpoint,
            self._entries,
            self._chains,
            self._proofs,
            self._statement,
            self._signatures,
            self._quorum,
            self._page,
        ]
        self.report.steps = [StepResult(n, name) for n, name in STEPS.items()]
        if not self.page_proof:  # steps 1-9 alone; step 10 is reported "not run"
            for result, step in zip(self.report.steps, steps[:-1], strict=False):
                if not self._step(result, step):
                    break
            self._qr()
            return self.report
        # The render starts now, in a process of its own (certificates.again), so that its
        # imports and the render run beside steps 1-9; a check that fails early kills it.
        self.again = _SharedRender(self.renderer) if self.renderer else RenderAgain()
        try:
            for result, step in zip(self.report.steps, steps, strict=True):
                if not self._step(result, step):
                    break
                if result.number == 1:
                    assert self.content is not None
                    assert self.content.attachment is not None
                    self.again.give(self.evidence, self.content.attachment)
        finally:
            self.again.stop()
            self._qr()
        return self.report

    def _qr(self) -> None:
        """The report names what the QR code carries (the address a phone opens), however
        far the check went, once the evidence could be read."""
        if self.report.qr is None and self.evidence:
            with contextlib.suppress(CustodyError, KeyError, TypeError, ValueError, IndexError):
                self.report.qr = pages.qr_text(self.evidence)

    def _step(self, result: StepResult, step: Callable[[], None]) -> bool:
        try:
            step()
        except StepFailed as failed:
            result.fail(failed.seq, failed.reason)
            return False
        except StepIncomplete as incomplete:
            result.incomplete(incomplete.reason)
            return False
        except (CustodyError, KeyError, TypeError, ValueError, IndexError) as exc:
            result.fail(None, f"malformed evidence: {exc!r}")
            return False
        result.hold()
        return True

    # -- 1 ------------------------------------------------------------------------------------

    def _attachment(self) -> None:
        try:
            self.content = read_pdf(self.pdf, proof.NAME)
        except UnreadablePdf as exc:
            raise StepFailed(str(exc)) from exc
        if self.content.attachment is None:
            raise StepFailed(f"the PDF carries no {proof.NAME}")
        try:
            evidence = json.loads(self.content.attachment)
        except (ValueError, RecursionError) as exc:  # nested too deep: not evidence either
            raise StepFailed(f"{proof.NAME} is not JSON: {exc}") from exc
        if not isinstance(evidence, dict) or evidence.get("format") not in proof.FORMATS:
            raise StepFailed(f"{proof.NAME} is not of a format {' or '.join(proof.FORMATS)}")
        self.evidence = evidence
        self.report.batch = evidence["statement"]["batch"]

    # -- 2-6: the ledger's own proofs ---------------------------------------------------------

    def _keys(self) -> None:
        self.keys = [_parse(raw) for raw in self.evidence["keys"]]
        if not self.keys or self.keys[0].seq != 0:
            raise StepFailed("the evidence lacks the ledger's genesis entry")
        for entry in self.keys:
            self.registry.apply(entry.body)
        chain = [record.verifier.vkey for record in self.registry.ledger_keys()]
        if self.trusted and not any(key.vkey in chain for key in self.trusted):
            raise StepFailed(
                f"the ledger's keys are {', '.join(chain)}: none is one you trust "
                f"({', '.join(key.vkey for key in self.trusted)})"
            )

    def _checkpoint(self) -> None:
        verifiers = [record.verifier for record in self.registry.ledger_keys()]
        try:
            self.checkpoint, signed_by = open_checkpoint(self.evidence["checkpoint"], verifiers)
        except CustodyError as exc:
            raise StepFailed(f"the checkpoint does not verify: {exc}") from exc
        if self.checkpoint.origin != self.registry.origin:
            raise StepFailed(f"the checkpoint is of another log: {self.checkpoint.origin}")
        # Only the key that held at the checkpoint's size may sign it: a key rotated out
        # could otherwise sign a made-up larger tree that holds the genuine rotation entry
        # (and so names the key the reader trusts) around forged entries.
        holder = self.registry.ledger_key_at(self.checkpoint.size)
        if holder is None or holder.verifier.vkey not in {v.vkey for v in signed_by}:
            held = holder.key_id if holder is not None else "none"
            raise StepFailed(
                f"the checkpoint of size {self.checkpoint.size} is not signed by the ledger "
                f"key that held at that size ({held})"
            )
        self.report.size, self.report.root = self.checkpoint.size, self.checkpoint.root.hex()

    def _entries(self) -> None:
        assert self.checkpoint is not None
        self.chains = {
            subject: [_parse(raw) for raw in chain]
            for subject, chain in self.evidence["chains"].items()
        }
        every = self.keys + [e for chain in self.chains.values() for e in chain]
        checks: list[tuple[bytes, bytes, bytes]] = []
        for entry in every:
            if entry.seq >= self.checkpoint.size:
                raise StepFailed("the entry is beyond the checkpoint", entry.seq)
            key = self.registry.ledger_key_at(entry.seq)
            if key is None or key.key_id != entry.key_id:
                raise StepFailed(f"no ledger key {entry.key_id} held at this seq", entry.seq)
            checks.append((key.public_key, signatures.entry_message(entry.leaf), entry.sig))
        # With the page proof, one core renders (step 10): the signatures take the others.
        spare = 1 if self.page_proof else 0
        for entry, holds in zip(every, signatures_hold(checks, spare), strict=True):
            if not holds:
                raise StepFailed("the ledger's signature does not verify", entry.seq)

    def _chains(self) -> None:
        for subject, chain in self.chains.items():
            if not chain:
                raise StepFailed(f"no entries for {subject}")
            previous: bytes | None = None
            for entry in chain:
                if entry.body.item != subject:
                    raise StepFailed(f"an entry about {entry.body.item} in {subject}'s", entry.seq)
                linked = entry.body.item_prev
                if linked != (previous.hex() if previous is not None else None):
                    raise StepFailed(f"{subject}'s entries are not linked here", entry.seq)
                previous = entry.leaf

    def _proofs(self) -> None:
        assert self.checkpoint is not None
        proofs = self.evidence["proofs"]
        heads = [chain[-1] for chain in self.chains.values()] + self.keys
        for entry in heads:
            given = proofs.get(str(entry.seq))
            if given is None:
                raise StepFailed("no inclusion proof for this entry", entry.seq)
            hashes = [bytes.fromhex(h) for h in given["hashes"]]
            try:
                verify_inclusion(
                    entry.seq, self.checkpoint.size, entry.leaf, hashes, self.checkpoint.root
                )
            except CustodyError as exc:
                raise StepFailed(f"inclusion proof: {exc}", entry.seq) from exc

    # -- 7-9: the statement and its signatures ------------------------------------------------

    def _statement(self) -> None:
        statement = self.evidence["statement"]
        digest = hashlib.sha256(canonical.dumps(statement)).hexdigest()
        if digest != self.evidence["sha256"]:
            raise StepFailed("the statement's SHA-256 is not the one given")
        listed = [item["id"] for item in statement["items"]]
        if listed != sorted(set(listed)):
            raise StepFailed("the statement lists an item twice, or out of order")
        for item in statement["items"]:
            self._item_as_registered(item, statement)
        self._present_as_recorded(statement)
        self._registers_as_recorded(statement)
        self._discrepancies_as_recorded(statement)
        destroyed = self._destruction(statement)
        weight = sum(item["weight_g"] or 0 for item in statement["items"])
        if weight != destroyed.data.get("items_weight_g"):
            raise StepFailed(
                f"the items listed weigh {weight} g; the batch destroyed "
                f"{destroyed.data.get('items_weight_g')} g of items: an item is missing",
                destroyed.seq,
            )

    def _discrepancies_as_recorded(self, statement: dict[str, Any]) -> None:
        """A statement of format v2 states every discrepancy of its batch, each as the
        batch's discrepancy_recorded and discrepancy_resolved entries record it (issue 16);
        one of format v1 states none (it was signed before statements carried them, or its
        batch had none): its members signed what it says, and that is checked as before."""
        stated = statement.get("discrepancies")
        if self.evidence["format"] == proof.FORMAT:
            if stated is not None:
                raise StepFailed(f"a statement of format {proof.FORMAT} states no discrepancies")
            return
        recorded = _discrepancies(self.chains[statement["batch"]])
        if not isinstance(stated, list) or not recorded:
            raise StepFailed(
                f"a statement of format {proof.FORMAT_DISCREPANCIES} states the discrepancies "
                f"of its batch: it states {stated!r}, the batch's entries record "
                f"{len(recorded)}"
            )
        for n, (shown, entry) in enumerate(zip_longest(stated, recorded), 1):
            if shown != entry:
                which = (shown or entry or {}).get("discrepancy")
                raise StepFailed(
                    f"discrepancy {n} ({which}) on the statement is not as the batch's "
                    "entries record it"
                )

    def _present_as_recorded(self, statement: dict[str, Any]) -> None:
        """Who the statement says was present, named as they are, is what the batch's
        presence entries record (signed), in their order."""
        recorded = [
            {k: e.body.data[k] for k in PRESENT if k in e.body.data}
            for e in self.chains[statement["batch"]]
            if e.body.kind == "presence_recorded"
        ]
        for n, (shown, entry) in enumerate(zip_longest(statement["present"], recorded), 1):
            if shown != entry:
                who = (shown or entry or {}).get("person")
                raise StepFailed(
                    f"person {n} present ({who}) on the statement is not as the batch's "
                    "presence entries record them"
                )

    def _registers_as_recorded(self, statement: dict[str, Any]) -> None:
        """The commission's and the place's names are those their first entries give."""
        first = self.chains[statement["commission"]["id"]][0].body.data
        commission = statement["commission"]
        if (commission["name"], commission.get("names")) != (first.get("name"), first.get("names")):
            raise StepFailed("the commission's name on the statement is not as registered")
        place = statement["location"]
        chain = self.chains.get(place["id"])
        if not chain or chain[0].body.kind != "location_added":
            raise StepFailed(f"the evidence lacks the registration of {place['id']}")
        added = chain[0].body.data
        wanted = (added.get("name"), added.get("region"), added.get("names"))
        if (place["name"], place["region"], place.get("names")) != wanted:
            raise StepFailed(f"the place {place['id']} on the statement is not as registered")

    def _destruction(self, statement: dict[str, Any]) -> entries.EntryBody:
        for entry in self.chains[statement["batch"]]:
            if entry.body.kind == DESTROYED[statement["kind"]]:
                return entry.body
        raise StepFailed(f"{statement['batch']} has no record of its destruction")

    def _item_as_registered(self, item: dict[str, Any], statement: dict[str, Any]) -> None:
        chain = self.chains.get(item["id"])
        if not chain:
            raise StepFailed(f"no entries for item {item['id']}")
        first = chain[0].body
        if first.kind != "item_registered":
            raise StepFailed(f"{item['id']} does not begin with its registration", first.seq)
        for name in ("category", "source", "marking"):
            if first.data.get(name) != item[name]:
                raise StepFailed(f"{item['id']}: {name} on the statement is not as registered")
        batch = statement["batch"]
        for kind in ("batch_loaded", DESTROYED[statement["kind"]]):
            if not any(e.body.kind == kind and e.body.data.get("batch") == batch for e in chain):
                raise StepFailed(f"{item['id']} has no {kind} entry for {batch}")

    def _signatures(self) -> None:
        statement = self.evidence["statement"]
        batch = self.chains[statement["batch"]]
        destroyed_at = statement["destroyed_at"] or ""
        present = {
            e.body.data["person"]
            for e in batch
            if e.body.kind == "presence_recorded" and e.body.data["role"] == COMMISSION_MEMBER
        }
        commission = self.chains[statement["commission"]["id"]]
        held = office.in_office(
            ((e.body.kind, e.body.data, e.body.time) for e in commission), destroyed_at
        )
        for entry in batch:
            if entry.body.kind != "statement_signed":
                continue
            signed = acts.act_of(entry.body)
            assert signed is not None
            try:
                acts.check_act(entry.body, signed, self._registry_at(entry.seq))
            except CustodyError as exc:
                raise StepFailed(str(exc), entry.seq) from exc
            act = signed.act
            if act.get("statement") != self.evidence["sha256"]:
                raise StepFailed("the act signs another statement", entry.seq)
            if act.get("items") != sorted(i["id"] for i in statement["items"]):
                raise StepFailed("the act names other items", entry.seq)
            person = act["person"]
            if person not in held:
                raise StepFailed(f"{person} was not a member of the commission then", entry.seq)
            if person not in present:
                raise StepFailed(f"{person} was not recorded present", entry.seq)

    def _registry_at(self, seq: int) -> KeyRegistry:
        """The keys as the log stood just after `seq`: a key revoked later still held then."""
        registry = KeyRegistry()
        for entry in self.keys:
            if entry.seq <= seq:
                registry.apply(entry.body)
        return registry

    def _quorum(self) -> None:
        statement = self.evidence["statement"]
        batch = self.chains[statement["batch"]]
        quorum = self._destruction(statement).data.get("quorum")
        if not isinstance(quorum, int):
            raise StepFailed(f"{statement['batch']}'s destruction fixed no quorum")
        signers = {e.body.data["act"]["person"] for e in batch if e.body.kind == "statement_signed"}
        if len(signers) < quorum:
            raise StepFailed(f"{len(signers)} of the {quorum} signatures needed; not final")

    # -- 10 -----------------------------------------------------------------------------------

    def _page(self) -> None:
        assert self.content is not None
        assert self.again is not None
        shown = self.evidence["page"]
        recorded = shown.get("public_url")
        page = pages.build(self.evidence, shown["lang"], shown["zone"], recorded)
        self.report.qr = page.qr
        pinned, base = self.public_url, str(recorded or "").rstrip("/")
        if pinned is not None and recorded is not None and base != pinned:
            raise StepFailed(
                f"the QR code opens {page.qr}: another host than the service's own "
                f"({pinned}), where anyone may say anything of it"
            )
        # The QR codes are read here while the render runs in its process (one core each);
        # a file that is the render, byte for byte, still has its codes read: what a phone
        # sees is checked, not assumed.
        codes = qr_reading.page_codes(self.pdf)
        try:
            here, again = self.again.result()
        except RenderOutOfMemory as exc:
            raise StepFailed(f"{TOO_LARGE}: {exc}") from exc
        except RenderFailed as exc:
            raise StepFailed(str(exc)) from exc
        if again is None:
            self._page_without_render(page, shown.get("renderer"), here, codes)
        elif again != self.pdf:
            problems = [
                compare_page(page, self.content.text),
                pdf_difference.describe(again, self.pdf),
            ]
            raise StepFailed("; ".join(p for p in problems if p))
        problem = qr_problem(page, codes)
        if problem is not None:
            raise StepFailed(problem)

    def _page_without_render(
        self, page: pages.Page, recorded: Any, here: dict[str, Any], codes: list[list[str]]
    ) -> None:
        assert self.content is not None
        problem = compare_page(page, self.content.text) or qr_problem(page, codes)
        if problem is not None:
            raise StepFailed(problem)
        differs = renderer_identity.differences(recorded, here)
        raise StepIncomplete(
            f"the page was rendered by other software than this machine's ({'; '.join(differs)}), "
            "so it cannot be rendered again to prove what it shows; its text and QR codes "
            "agree with the evidence, which proves less (text can be drawn over). Verify on "
            "a machine with the recorded renderer"
        )


def _discrepancies(batch: list[_Entry]) -> list[dict[str, Any]]:
    """What a statement says of its batch's discrepancies (workflows.statements.
    discrepancy_line), made from the batch's entries alone, in the order they opened."""
    lines: dict[str, dict[str, Any]] = {}
    for entry in batch:
        data = entry.body.data
        if entry.body.kind == "discrepancy_recorded":
            lines[data["discrepancy"]] = {
                "discrepancy": data["discrepancy"],
                "reason": data["reason"],
                "recorded_at": entry.body.time,
                "details": data.get("details", {}),
                "resolution": None,
                "resolved_at": None,
                "note": None,
            }
        elif entry.body.kind == "discrepancy_resolved":
            line = lines[data["discrepancy"]]
            line |= {
                "resolution": data["resolution"],
                "resolved_at": entry.body.time,
                "note": data.get("note"),
            }
            if "corrected_charge_g" in data:
                line["corrected_charge_g"] = data["corrected_charge_g"]
    return list(lines.values())


def signatures_hold(checks: list[tuple[bytes, bytes, bytes]], busy: int = 0) -> list[bool]:
    """Ed25519 (public key, message, signature) checks; a 1,000-item statement carries some
    16,000 entries, a second of Ed25519 on one core, so large sets go to one process per core,
    less the `busy` cores that other work of the check holds (the render of step 10)."""
    workers = min(os.cpu_count() or 1, 8) - busy
    if len(checks) < PARALLEL_FROM or workers < 2:
        return _hold(checks)
    size = -(-len(checks) // workers)
    parts = [checks[i : i + size] for i in range(0, len(checks), size)]
    with ProcessPoolExecutor(max_workers=len(parts)) as pool:
        return [holds for part in pool.map(_hold, parts) for holds in part]


def _hold(checks: list[tuple[bytes, bytes, bytes]]) -> list[bool]:
    return [signatures.verify(key, message, sig) for key, message, sig in checks]


def _parse(raw: dict[str, Any]) -> _Entry:
    body = raw["body"].encode()
    try:
        sig = base64.b64decode(raw["sig"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise StepFailed("a signature is not base64", raw.get("seq")) from exc
    try:
        parsed = entries.decode(body)
    except CustodyError as exc:
        raise StepFailed(f"the entry is not of the ledger's format: {exc}", raw.get("seq")) from exc
    if parsed.seq != raw["seq"]:
        raise StepFailed(f"the entry says seq {parsed.seq}", raw["seq"])
    return _Entry(parsed.seq, parsed, leaf_hash(body), sig, raw["key_id"])


# Drawn as nothing, or only where a line breaks: a soft hyphen, zero-width spaces and joiners,
# the word joiner and the byte order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def squeeze(text: str) -> str:
    """Text as both the page and the evidence can be compared: composed (NFC: и + U+0306 is
    й, whichever the PDF's text layer gives), without what is not drawn, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text).translate(_INVISIBLE))


def compare_page(page: pages.Page, text: str) -> str | None:
    """None when the printed text says what `page` says; else what differs, in a sentence."""
    printed = squeeze(text)
    footer = re.escape(squeeze(page.footer)) + r"·[^·]*?\d+/\d+"
    printed = re.sub(footer, "", printed)
    for label, value in page.header:
        if squeeze(label + value) not in printed:
            return f"the page does not print {label}: {value}"
    head = squeeze("".join(page.columns))
    start = printed.find(head)
    if start < 0:
        return "the page prints no table of items"
    body = printed[start:].replace(head, "")
    wanted = "".join(squeeze("".join(row)) for row in page.rows)
    if not body.startswith(wanted):
        return _first_row_missing(page, body)
    after = body[len(wanted) :]
    if not after.startswith(squeeze(words(page.lang)["facts"])):
        return "the page prints rows that are not in the evidence"
    for label, value in page.facts + [line for lines in page.discrepancies for line in lines]:
        if squeeze(label + value) not in after:
            return f"the page does not print {label}: {value}"
    for signature in page.signatures:
        printed_as = signature.name + signature.role + signature.key_id + signature.time
        if squeeze(printed_as) not in after:
            return f"the page does not print the signature of {signature.name}"
    if squeeze(page.status) not in after:
        return "the page does not say whether the statement is final"
    return None


def _first_row_missing(page: pages.Page, body: str) -> str:
    position = 0
    for row in page.rows:
        expected = squeeze("".join(row))
        if not body.startswith(expected, position):
            return f"row {row[0]} ({row[1]}) on the page is not as in the evidence"
        position += len(expected)
    return "the table on the page is not as in the evidence"


def qr_problem(page: pages.Page, found: list[list[str]]) -> str | None:
    """None when every page's QR code, read back from its image (`found`:
    qr_reading.page_codes), carries `page.qr`; else which page's code says what, read as a
    payload of either version (certificates.qr_payload) and compared fact by fact."""
    wanted = qr_payload.parse(page.qr)
    for number, codes in enumerate(found, 1):
        if not codes:
            return f"page {number} carries no QR code that can be read"
        for code in codes:
            if code == page.qr:
                continue
            try:
                read = qr_payload.parse(code)
            except qr_payload.NotAStatementCode as exc:
                return f"the QR code on page {number} is not a statement's ({exc}): {code!r}"
            differs = [
                f"{name} {getattr(read, name)!r}, not {getattr(wanted, name)!r}"
                for name in ("batch", "sha256", "size", "root", "base")
                if getattr(read, name) != getattr(wanted, name)
            ]
            return (
                f"the QR code on page {number} says {code!r}: "
                f"{'; '.join(differs) or 'not as the statement prints it'}"
            )
    return None


class _SharedRender:
    """The render again on a renderer the caller keeps (a server's, a test's): submitted
    when the evidence is read; a check that fails early leaves it to finish there."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.future: Future[tuple[dict[str, Any], bytes | None]] | None = None

    def give(self, evidence: dict[str, Any], attached: bytes) -> None:
        self.future = self.renderer.render_again(evidence)

    def result(self) -> tuple[dict[str, Any], bytes | None]:
        assert self.future is not None
        return self.future.result()

    def stop(self) -> None:
        if self.future is not None:
            self.future.cancel()


def verify_statement(
    pdf: bytes,
    pinned_key: note.Verifier | Sequence[note.Verifier] | None = None,
    renderer: Renderer | None = None,
    page_proof: bool = True,
    public_url: str | None = None,
) -> StatementReport:
    """Check a statement's PDF offline (the steps above). `pinned_key`: the ledger key, or
    keys, the reader trusts (any of them; none: the evidence's own). `renderer` renders it
    again for step 10; by default a process of its own, started for this check and ended
    after it. Without `page_proof` only steps 1-9 run (the benchmark's figure for the ledger
    proofs). `public_url`: the base address the QR code must open (step 10)."""
    return StatementCheck(pdf, pinned_key, renderer, page_proof, public_url).run()


def _main() -> None:
    """`python -m certificates.verify_statement [--public-url URL] [KEY ...]`: the PDF on
    stdin, the JSON report on stdout (the public check page runs it so, in a process of its
    own that it can stop, its memory capped: running out is "too large to check" on stderr,
    exit 3)."""
    import sys

    args = sys.argv[1:]
    public_url: str | None = None
    if args[:1] == ["--public-url"]:
        public_url, args = args[1], args[2:]
    keys = [note.Verifier.parse(text) for text in args]
    try:
        report = verify_statement(sys.stdin.buffer.read(), keys, public_url=public_url)
    except MemoryError:
        sys.stderr.write(f"{TOO_LARGE}\n")
        sys.exit(3)
    sys.stdout.write(json.dumps(report.to_json()))


if __name__ == "__main__":
    _main()
