"""Disclosure bundles (custody.disclosure): one item's entries, proven to a signed checkpoint,
checked offline from the file alone; every byte of the file counts, and an entry left out of
the item's chain is found. Through the real `custody item-proof`/`verify-item` and the API."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custody import canonical
from custody.disclosure import FORMAT, STEPS, ItemReport, check, disclose
from custody.entries import decode
from custody.note import Signer
from tests.conftest import make_settings
from tests.support.databases import sqlite_url
from tests.support.processes import environment, run, server
from tests.support.service import Service
from tests.support.site import Site, build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two rifles taken through forensics (a person's signed act) and melted together."""
    directory = tmp_path_factory.mktemp("disclosure")
    built = build_site(make_settings(directory, sqlite_url(directory)))
    rifles = [built.register_rifle(marking=f"ҚҰ {n:06d}") for n in range(2)]
    built.to_warehouse(*rifles)
    for rifle in rifles:
        built.through_forensics(rifle)
    built.prepare(*rifles)
    built.melt(*rifles)
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
