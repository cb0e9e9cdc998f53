"""Whole lifecycles: 10,000 rifles from intake to melted, with bulk steps of 500 and furnace
batches of 200, on SQLite. Reported in items/s and entries/s, and entries/s against the
ledger's own rate for batched appends, measured in the same run in two ways:

- the same entries: every entry the lifecycles wrote, appended by the ledger alone to a
  fresh ledger in the same transactions (the same kinds, items, acts and sizes, into a
  ledger that grows the same way), so the ratio is what the process adds to the ledger;
- like entries: 20,000 cut entries of one shape into a small fresh ledger (an upper bound
  of the ledger's rate, shown for comparison).

Only the server's work is timed: the acts examiners and commission members sign are signed
on their own devices, so that is done outside the timed calls.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

import workflows.commands as c
from bench.common import Figure, fresh, report
from custody.acts import SignedAct, new_act, sign_act
from custody.bootstrap import init
from custody.clock import format_time, utc_now
from custody.entries import NewEntry
from custody.keyfile import PersonKey
from custody.ledger import Ledger
from custody.settings import Settings
from workflows import dual
from workflows.commands.fields import ActIn
from workflows.config import ProcessConfig
from workflows.files import FileStore
from workflows.migrations import VERSIONS
from workflows.process import Process

ITEMS = 10_000
STEP = 500
BATCH = 200
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXPERT, REGISTRY_RESULT = "expert.sadykova", "registry_result_recorded"
MEMBERS = ("chair.nurlanov", "member.abenova", "member.kim")


class Clocked:
    """Adds up the time spent in the server's calls only, and notes where each call's
    entries end in the ledger (outside the time), to append them again the same way."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.seconds = 0.0
        self.ends: list[int] = []

    def __call__(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = call(*args, **kwargs)
        self.seconds += time.perf_counter() - start
        with self.ledger.database.read() as conn:
            self.ends.append(self.ledger.head(conn).size)
        return result


def _chunks(ids: list[str], size: int) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def ledger_rate(directory: Path, data: dict[str, Any]) -> float:
    """The ledger's own batched append rate for entries like the process writes."""
    ledger = init(Settings(data_dir=directory, origin="bench.custody/ledger")).ledger
    count, per_batch = 20_000, STEP
    news = [
        NewEntry(kind="cut", actor="sklad.omarov", item=f"KZ-{n:06d}", data=data)
        for n in range(count)
    ]
    start = time.perf_counter()
    for chunk in range(0, count, per_batch):
        with ledger.database.write() as conn:
            ledger.append_many(conn, news[chunk : chunk + per_batch])
    rate = count / (time.perf_counter() - start)
    ledger.database.dispose()
    return rate


def same_entries_rate(directory: Path, source: Ledger, start: int, ends: list[int]) -> float:
    """The ledger alone appending the entries source holds from `start`, in the same
    transactions (each ends where one in `ends` did), after the ones before `start`."""
    ledger = init(Settings(data_dir=directory, origin="bench.custody/ledger")).ledger
    with source.database.read() as conn:
        news = [_new(entry.body) for entry in source.entries(conn, 1, ends[-1])]
    with ledger.database.write() as conn:  # the places, commission and keys: not timed
        ledger.append_many(conn, news[: start - 1])
    seconds, begin = 0.0, start
    for end in ends:
        group = news[begin - 1 : end - 1]
        begin = end
        if not group:
            continue
        before = time.perf_counter()
        with ledger.database.write() as conn:
            ledger.append_many(conn, group)
        seconds += time.perf_counter() - before
    ledger.database.dispose()
    return (ends[-1] - start) / seconds


def _new(body: bytes) -> NewEntry:
    fields = orjson.loads(body)
    return NewEntry(fields["kind"], fields["actor"], fields["item"], fields["data"])


ORIGIN = "bench.custody/ledger"


def four_eyes(p: Process, command: c.Command) -> Any:
    """A command that may make a signer (workflows.dual): proposed by admin, confirmed by
    admin2 (the two administrators `found` makes); any other, admin's alone."""
    fields = command.model_dump(mode="json", exclude_none=True)
    if not dual.needs_four_eyes(command.kind, fields):
        return p.run("admin", command)
    proposal = p.run("admin", c.ProposeChange(change=command.kind, fields=fields))
    return p.run("admin2", c.ConfirmChange(proposal=proposal))


class Site:
    def __init__(self, directory: Path) -> None:
        settings = Settings(data_dir=directory, origin=ORIGIN)
        self.ledger = init(settings, "admin", migrations=[VERSIONS]).ledger
        self.process = Process(self.ledger, FileStore(directory / "files"), ProcessConfig())
        p = self.process
        p.found()  # admin, the genesis actor, is the first administrator
        for location, kind in (
            ("UNIT", "unit"),
            ("WH", "warehouse"),
            ("CSE", "forensics"),
            ("PLANT", "plant"),
        ):
            place = {"location": location, "kind": kind, "name": f"{location} г. Алматы"}
            p.run("admin", c.AddLocation.model_validate({**place, "region": "Алматы"}))
        for username, role, places in (
            ("unit.a", "unit_officer", ["UNIT"]),
            ("sklad.b", "warehouse_clerk", ["WH", "PLANT"]),
            (EXPERT, "forensic_examiner", ["CSE"]),
            *((person, "commission_member", ["WH", "PLANT"]) for person in MEMBERS),
            ("plant.ivanov", "plant_representative", ["PLANT"]),  # present at melting (R7)
        ):
            account = {"username": username, "name": username, "roles": [role], "places": places}
            four_eyes(p, c.CreateAccount.model_validate(account))
        for person in MEMBERS:
            member = {"commission": "TK-1", "person": person, "role": "member"}
            four_eyes(p, c.AddCommissionMember.model_validate({**member, "name": "Комиссия №1"}))
        self.keys: dict[str, tuple[PersonKey, str]] = {}
        for person in ("expert.sadykova", *MEMBERS):
            key = PersonKey.generate()
            public = base64.b64encode(key.public_key).decode()
            key_id = four_eyes(p, c.AddKey(owner=person, purpose="act", public_key=public))
            self.keys[person] = (key, str(key_id))
        self.photo = p.files.put(PNG, "marking").to_json()

    def act(self, person: str, kind: str, item: str, **fields: Any) -> SignedAct:
        key, key_id = self.keys[person]
        act = new_act(kind, person, key_id, format_time(utc_now()), item, **fields)
        return sign_act(act, key.seed)


def lifecycle(site: Site, clocked: Clocked, count: int = ITEMS, batch: int = BATCH) -> int:
    p, photo = site.process, site.photo
    ids = [f"KZ-{n:06d}" for n in range(count)]
    decision = {"decision": {"ref": "2-1/2026", "authority": "court", "date": "2026-11-01"}}
    for chunk in _chunks(ids, STEP):
        intakes = [_intake(item, photo) for item in chunk]
        clocked(p.run, "unit.a", c.RegisterItems.model_validate({"intakes": intakes}))
        clocked(p.run, "unit.a", c.RecordDecision.model_validate(decision | {"items": chunk}))
        clocked(p.run, "unit.a", c.FinaliseDecision(items=chunk, date="2026-11-02"))
        transfer = f"T-{chunk[0]}"
        clocked(p.run, "unit.a", c.SendTransfer(transfer=transfer, destination="WH", items=chunk))
        clocked(p.run, "sklad.b", c.ReceiveTransfer(transfer=transfer, items=chunk))
        clocked(p.run, "sklad.b", c.CloseTransfer(transfer=transfer))
        clocked(p.run, "sklad.b", c.SendToForensics(items=chunk, forensics="CSE"))
        clocked(p.run, "expert.sadykova", c.ReceiveAtForensics(items=chunk))
        clocked(p.run, "expert.sadykova", c.TestFire(items=chunk))
        results = [
            {"item": i, "act": ActIn.of(site.act(EXPERT, REGISTRY_RESULT, i, result="no_match"))}
            for i in chunk
        ]
        clocked(p.run, EXPERT, c.RecordRegistryResults.model_validate({"results": results}))
        clocked(p.run, EXPERT, c.ReturnFromForensics(items=chunk, warehouse="WH"))
        clocked(p.run, "sklad.b", c.RemoveParts(items=chunk, parts=["приклад"]))
        clocked(p.run, "sklad.b", c.IncinerateParts(items=chunk))
        clocked(p.run, "sklad.b", c.Deform(items=chunk, method="пресс"))
        cut = {
            "weights": dict.fromkeys(chunk, 3000),
            "barrel_along": True,
            "barrel_across": True,
            "parts_through": True,
            "files": [photo],
        }
        clocked(p.run, "sklad.b", c.Cut.model_validate(cut))
    for batch_items in _chunks(ids, batch):
        melt(site, clocked, batch_items)
    return count


def _intake(item: str, photo: dict[str, Any]) -> dict[str, Any]:
    return {
        "item": item,
        "category": "firearm",
        "source": "confiscated",
        "location": "UNIT",
        "weight_g": 3600,
        "rifled": True,
        "marking": f"АК-74 №{item}",
        "details": {"model": "AK-74", "calibre": "5.45x39"},
        "files": [photo],
    }


def melt(site: Site, clocked: Clocked, items: list[str]) -> None:
    p = site.process
    batch = f"B-{items[0]}"
    opened = {"batch": batch, "kind": "furnace", "location": "PLANT", "commission": "TK-1"}
    clocked(p.run, "sklad.b", c.OpenBatch.model_validate({**opened, "installation": "ДСП-3"}))
    clocked(p.run, "sklad.b", c.LoadBatch(batch=batch, items=items))
    present = [{"person": person, "role": "commission_member"} for person in MEMBERS]
    present.append({"person": "plant.ivanov", "role": "plant_representative"})
    clocked(p.run, "sklad.b", c.RecordPresence.model_validate({"batch": batch, "present": present}))
    facts = {"charge_weight_g": 3000 * len(items), "scrap_weight_g": 2950 * len(items)}
    per_item = {i: {"files": [site.photo]} for i in items}
    melt = {"batch": batch, "facts": facts, "per_item": per_item}
    clocked(p.run, "sklad.b", c.Melt.model_validate(melt))
    _, digest = p.statement(batch)
    for person in MEMBERS[:2]:
        act = site.act(person, "statement_signed", batch, items=sorted(items), statement=digest)
        clocked(p.run, person, c.SignStatement(batch=batch, act=ActIn.of(act)))


def run() -> None:
    with fresh("lifecycles") as work:
        site = Site(work / "process")
        sample_data = {
            "barrel_cut_along": True,
            "barrel_cut_across": True,
            "parts_cut_through": True,
            "weight_g": 3000,
            "files": [site.photo],
        }
        like = ledger_rate(work / "like", sample_data)
        with site.ledger.database.read() as conn:
            before = site.ledger.head(conn).size
        clocked = Clocked(site.ledger)
        items = lifecycle(site, clocked)
        entries = clocked.ends[-1] - before
        same = same_entries_rate(work / "same", site.ledger, before, clocked.ends)
        site.ledger.database.dispose()
    seconds = clocked.seconds
    report(
        f"lifecycles: {items:,} rifles intake to melted, bulk steps of {STEP}, "
        f"batches of {BATCH}, SQLite",
        [
            Figure("items", items / seconds, "items/s"),
            Figure(
                f"entries ({entries:,} in {seconds:.1f} s)",
                entries / seconds,
                "entries/s",
                same,
                ">= 0.50 x",
            ),
            Figure("baseline: the ledger appending the same entries alone", same, "entries/s"),
            Figure("  for comparison: 20,000 like entries to a fresh ledger", like, "entries/s"),
        ],
    )
