"""Disclosure bundles (custody.disclosure): one item's entries, proven to a signed checkpoint,
checked offline from the file alone; every byte of the file counts, and an entry left out of
the item's chain is found. Through the real `custody item-proof`/`verify-item` and the API."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custody import canonical, signatures
from custody.disclosure import FORMAT, STEPS, ItemReport, check, disclose
from custody.entries import decode
from custody.errors import NotAnItem
from custody.note import Signer
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.processes import environment, run, server
from tests.support.service import Service
from tests.support.site import PLANT, Site, build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two rifles taken through forensics (a person's signed act) and melted together."""
    directory = tmp_path_factory.mktemp("disclosure")
    built = build_site(make_settings(directory, sqlite_url(directory)))
    rifles = [built.register_rifle(marking=f"ҚҰ {n:06d}") for n in range(2)]
    built.destroy(*rifles)
    yield built
    built.ledger.database.dispose()


@pytest.fixture(scope="module")
def item(site: Site) -> str:
    return "KZ-000001"


@pytest.fixture(scope="module")
def bundle(site: Site, item: str) -> bytes:
    return disclose(site.ledger, item)


def checkpoint_of(bundle: bytes) -> str:
    return str(json.loads(bundle)["checkpoint"])


def failed_at(report: ItemReport) -> tuple[str, str]:
    failure = report.first_failure
    assert failure is not None, "verify-item passed a changed bundle"
    return failure.name, failure.reason or ""


def rewritten(bundle: bytes, change: Any) -> bytes:
    """The bundle as an attacker would write it: changed, then canonical again."""
    value = json.loads(bundle)
    change(value)
    return canonical.dumps(value)


def test_a_bundle_verifies_offline_every_step(site: Site, item: str, bundle: bytes) -> None:
    report = check(bundle, site.ledger.signer.verifier, checkpoint_of(bundle))  # type: ignore[union-attr]
    assert report.ok, report.first_failure
    assert [s.name for s in report.steps] == list(STEPS.values())
    with site.ledger.database.read() as conn:
        history = site.ledger.item_history(conn, item)
    assert report.entries == len(history)
    assert report.last_kind == "melted"
    assert json.loads(bundle)["format"] == FORMAT


def test_a_bundle_holds_its_weapon_and_nothing_else(bundle: bytes, item: str) -> None:
    value = json.loads(bundle)
    bodies = [decode(base64.b64decode(e["body"])) for e in value["entries"]]
    assert {body.item for body in bodies} == {item}
    assert bodies[0].kind == "item_registered"
    assert "registry_result_recorded" in {body.kind for body in bodies}
    keys = [decode(base64.b64decode(e["body"])) for e in value["keys"]]
    assert {body.kind for body in keys} <= {"ledger_created", "key_added"}
    assert "KZ-000002" not in bundle.decode()
    assert "ҚҰ 000001" not in bundle.decode()  # the other rifle's marking


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_changing_any_byte_of_the_bundle_fails(bundle: bytes, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(bundle) - 1), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda b: b != bundle[position]), label="byte")
    changed = bundle[:position] + bytes([value]) + bundle[position + 1 :]
    report = check(changed)
    assert not report.ok


def test_a_bundle_without_its_first_entry_fails_at_the_chain(bundle: bytes) -> None:
    def drop_first(value: dict[str, Any]) -> None:
        first = value["entries"].pop(0)
        del value["proofs"][str(first["seq"])]

    name, reason = failed_at(check(rewritten(bundle, drop_first)))
    assert name == "chain"
    assert "not the item's registration" in reason


@pytest.mark.parametrize("index", [1, 3, -2])
def test_a_bundle_with_an_entry_left_out_fails_at_the_chain(bundle: bytes, index: int) -> None:
    def drop(value: dict[str, Any]) -> None:
        left_out = value["entries"].pop(index)
        del value["proofs"][str(left_out["seq"])]

    report = check(rewritten(bundle, drop))
    name, reason = failed_at(report)
    assert name == "chain"
    assert "an entry is missing" in reason


def drop_last(value: dict[str, Any]) -> None:
    last = value["entries"].pop()
    del value["proofs"][str(last["seq"])]


def test_a_bundle_with_its_last_entry_cut_off_fails(bundle: bytes) -> None:
    """Cutting the tail would hide the melting (or a later discrepancy): the ledger's signed
    subject head names the item's newest entry at the checkpoint's size."""
    value = json.loads(bundle)
    last = value["entries"][-1]["seq"]
    before = value["entries"][-2]["seq"]
    report = check(rewritten(bundle, drop_last))
    name, reason = failed_at(report)
    assert name == "chain"
    size = value["subject_head"]["size"]
    assert reason == (
        f"the ledger says the item's newest entry at size {size} is seq {last}; "
        f"the bundle ends at seq {before}"
    )
    assert report.last_kind != "melted"


@pytest.mark.parametrize("change", ["last_seq", "leaf_hash", "size", "subject"])
def test_a_forged_subject_head_fails(bundle: bytes, change: str) -> None:
    """The tail cut off and the head rewritten to match it, under the ledger's old signature."""
    value = json.loads(bundle)
    kept = value["entries"][-2]
    forged = {
        "last_seq": kept["seq"],
        "leaf_hash": hashlib.sha256(b"\x00" + base64.b64decode(kept["body"])).hexdigest(),
        "size": value["subject_head"]["size"] - 1,
        "subject": "KZ-000002",
    }[change]

    def forge(value: dict[str, Any]) -> None:
        drop_last(value)
        value["subject_head"][change] = forged

    name, reason = failed_at(check(rewritten(bundle, forge)))
    assert name == "entries"
    assert "subject head" in reason


def test_a_subject_head_signed_by_another_key_fails(bundle: bytes) -> None:
    forger = Signer.generate("custody.test/ledger")
    head = json.loads(bundle)["subject_head"]
    signed = {k: head[k] for k in ("subject", "size", "last_seq", "leaf_hash", "origin")}
    sig = base64.b64encode(forger.sign(signatures.subject_head_message(signed))).decode()

    def resign(value: dict[str, Any]) -> None:
        value["subject_head"]["sig"] = sig

    name, reason = failed_at(check(rewritten(bundle, resign)))
    assert (name, reason) == (
        "entries",
        "the ledger's signature of the subject head does not verify",
    )


def test_a_subject_head_signature_is_domain_separated(site: Site, bundle: bytes) -> None:
    """The head's signature is over its own prefix: the same JCS bytes signed bare fail."""
    head = json.loads(bundle)["subject_head"]
    signed = {k: head[k] for k in ("subject", "size", "last_seq", "leaf_hash", "origin")}
    bare = site.ledger.signer.sign(canonical.dumps(signed))  # type: ignore[union-attr]

    def resign(value: dict[str, Any]) -> None:
        value["subject_head"]["sig"] = base64.b64encode(bare).decode()

    assert failed_at(check(rewritten(bundle, resign)))[0] == "entries"


def test_an_entry_of_another_item_slipped_in_fails_at_entries(site: Site, bundle: bytes) -> None:
    other = json.loads(disclose(site.ledger, "KZ-000002"))

    def slip(value: dict[str, Any]) -> None:
        stranger = other["entries"][1]
        value["entries"].append(stranger)
        value["entries"].sort(key=lambda e: e["seq"])
        value["proofs"][str(stranger["seq"])] = other["proofs"][str(stranger["seq"])]

    name, reason = failed_at(check(rewritten(bundle, slip)))
    assert (name, reason) == ("entries", "an entry about KZ-000002")


def test_a_bundle_re_signed_with_another_ledger_key_fails_at_keys(
    site: Site, bundle: bytes
) -> None:
    other = Signer.generate("custody.test/ledger").verifier
    name, _ = failed_at(check(bundle, other))
    assert name == "keys"


def test_a_checkpoint_of_another_tree_fails_at_the_checkpoint(site: Site, bundle: bytes) -> None:
    site.register_rifle()  # the log grows: the public checkpoint is now a later tree
    with site.ledger.database.write() as conn:
        later = site.ledger.issue_checkpoint(conn)
    name, reason = failed_at(check(bundle, None, later.note))
    assert name == "checkpoint"
    assert f"custody item-proof --size {later.size}" in reason
    again = disclose(site.ledger, "KZ-000001", later.size)
    assert check(again, None, later.note).ok


def test_a_forged_checkpoint_fails_at_the_checkpoint(bundle: bytes) -> None:
    forger = Signer.generate("custody.test/ledger")
    from custody.checkpoint import Checkpoint, parse_note

    original, _ = parse_note(checkpoint_of(bundle))
    forged = Checkpoint(original.origin, original.size, b"\x00" * 32, ()).sign([forger])
    name, _ = failed_at(check(rewritten(bundle, lambda v: v.update(checkpoint=forged))))
    assert name == "checkpoint"


# -- the command line and the API ------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_env(site: Site) -> dict[str, str]:
    return environment(Path(site.ledger.database.url.removeprefix("sqlite:///")).parent)


def test_the_cli_writes_a_bundle_that_verify_item_checks(
    cli_env: dict[str, str], tmp_path: Path, site: Site
) -> None:
    out = tmp_path / "KZ-000002.json"
    made = run(cli_env, "item-proof", "KZ-000002", "--out", str(out))
    assert made.returncode == 0, made.stderr
    vkey = site.ledger.signer.verifier.vkey  # type: ignore[union-attr]
    note = tmp_path / "public.note"
    note.write_text(checkpoint_of(out.read_bytes()))
    verified = run(cli_env, "verify-item", str(out), "--key", vkey, "--checkpoint", str(note))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "7. acts" in verified.stdout
    as_json = json.loads(run(cli_env, "verify-item", str(out), "--json").stdout)
    assert (as_json["ok"], as_json["item"]) == (True, "KZ-000002")
    raw = bytearray(out.read_bytes())
    raw[raw.index(b'"sig":"') + 10] ^= 0x01
    out.write_bytes(bytes(raw))
    failed = run(cli_env, "verify-item", str(out))
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1
    assert "FAILED at step" in failed.stderr
    unknown = run(cli_env, "item-proof", "KZ-999999", "--out", str(tmp_path / "x.json"))
    assert unknown.returncode == 1
    assert unknown.stderr.count("\n") == 1
    empty = run(cli_env, "item-proof", "", "--out", str(tmp_path / "y.json"))  # fix19h LOW
    assert empty.returncode == 2
    assert empty.stderr == "custody: the item id is empty: name the item whose bundle to write\n"
    assert not (tmp_path / "y.json").exists()


def test_a_bundle_failing_before_its_checkpoint_says_so_not_none(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """n12: checked with another ledger key (after a rotation, say), the header said "0
    entries, checkpoint size None" of a bundle holding them: it says what was not read."""
    out = tmp_path / "KZ-000002.json"
    assert run(cli_env, "item-proof", "KZ-000002", "--out", str(out)).returncode == 0
    other = Signer.generate("custody.test/ledger").verifier.vkey
    failed = run(cli_env, "verify-item", str(out), "--key", other)
    assert failed.returncode == 1
    header = failed.stdout.splitlines()[0]
    assert "None" not in header, header
    assert "0 entries" not in header, header
    assert "not read" in header


def test_the_api_gives_the_bundle_to_readers_only(cli_env: dict[str, str]) -> None:
    with server(cli_env) as base:
        running = Service(base, cli_env, Path(cli_env["CUSTODY_DATA_DIR"]))
        running.add_user("auditor.beisenova", "auditor")
        anonymous = httpx.get(f"{base}/items/KZ-000001/proof")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        with running.client("auditor.beisenova") as auditor:
            given = auditor.get("/items/KZ-000001/proof")
            assert given.status_code == 200
            assert "attachment" in given.headers["content-disposition"]
            public = httpx.get(f"{base}/ledger/checkpoint").text
            vkey = httpx.get(f"{base}/ledger/key").text.strip()
            from custody.note import Verifier

            report = check(given.content, Verifier.parse(vkey), public)
            assert report.ok, report.first_failure
            assert auditor.get("/items/KZ-999999/proof").status_code == 404
            assert auditor.get("/items/KZ-000001/proof", params={"size": 1}).status_code == 400


def _not_items(site: Site) -> list[str]:
    """Subjects the ledger has entries about that are no item: an account, a place, a batch."""
    return ["member.kim", PLANT, site.process.batches()[0].id]


def test_a_subject_that_is_not_an_item_gets_no_bundle(site: Site) -> None:
    """Issue 16: an account's bundle was made, then failed verify-item at step 5 as if
    tampered; now none is made, and the refusal says it is not an item."""
    for subject in _not_items(site):
        with pytest.raises(NotAnItem, match="is not an item"):
            disclose(site.ledger, subject)


def test_the_cli_and_the_api_refuse_a_subject_that_is_not_an_item(
    cli_env: dict[str, str], site: Site, tmp_path: Path
) -> None:
    subjects = _not_items(site)
    for subject in subjects:
        out = tmp_path / "x.json"
        refused = run(cli_env, "item-proof", subject, "--out", str(out))
        assert (refused.returncode, refused.stdout) == (2, ""), refused.stderr
        assert refused.stderr.count("\n") == 1
        assert "is not an item" in refused.stderr
        assert not out.exists()
    with server(cli_env) as base:
        running = Service(base, cli_env, Path(cli_env["CUSTODY_DATA_DIR"]))
        running.add_user("auditor.tulegenova", "auditor")
        with running.client("auditor.tulegenova") as auditor:
            for subject in subjects:
                answer = auditor.get(f"/items/{subject}/proof")
                assert answer.status_code == 404, answer.text
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.json()["type"] == "/problems/not-an-item"
                assert "is not an item" in answer.json()["detail"]


def test_a_bundle_across_a_ledger_key_rotation(tmp_path: Path) -> None:
    """After the ledger key is rotated the head is signed by the new key, which held at the
    latest checkpoint's size; a checkpoint from before the rotation cannot get a head (the
    old key is no longer at hand), so its bundle is refused rather than given unproven."""
    from custody.bootstrap import open_ledger
    from custody.checkpoint import parse_note
    from custody.errors import ProofRangeError
    from custody.note import Verifier
    from tests.support.scenario import build

    scenario = build(make_settings(tmp_path, sqlite_url(tmp_path)))
    ledger = open_ledger(scenario.settings)
    try:
        after = disclose(ledger, "KZ-000001")
        early, _ = parse_note(scenario.early_checkpoint)
        with pytest.raises(ProofRangeError, match="ledger key has changed"):
            disclose(ledger, "KZ-000001", early.size)
    finally:
        ledger.database.dispose()
    report = check(after, Verifier.parse(scenario.early_vkey))
    assert report.ok, report.first_failure
    head = json.loads(after)["subject_head"]
    assert head["key_id"] == Verifier.parse(scenario.late_vkey).key_id
    name, _ = failed_at(check(rewritten(after, drop_last)))
    assert name == "chain"
