"""The boundary's second round (issue 12, a breaker's findings): people's signed acts of exact
shape with the text grammar on every field, invisible letters and look-alike ids, formula-like
ids, a notice id beyond 64 bits, and JSON bodies that are not UTF-8. Each refusal is asserted
with its status and problem type, and the ledger, state tables and file store stay as they
were, on SQLite and PostgreSQL (tests.test_api_boundary's `site`)."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import httpx
import pytest

from custody.acts import new_act, sign_act
from tests.support.processes import run
from tests.support.samples import pdf
from tests.test_api_boundary import (
    _head,
    _raw,
    _to_test_fired,
    intake,
    refused,
    site,  # noqa: F401  (the module-scoped service on both databases)
    unchanged,
)
from tests.test_api_process import Site


def _results(at: Site, rifle: str, **fields: Any) -> Any:
    act = at.act("expert.sadykova", "registry_result_recorded", rifle, **fields)
    return at.step(
        "expert.sadykova", "registry_result_recorded", {"results": [{"item": rifle, "act": act}]}
    )


@pytest.fixture(scope="module")
def fired(site: Site) -> str:  # noqa: F811
    """A rifle test-fired, waiting for its registry result."""
    return _to_test_fired(site)


@pytest.mark.parametrize(
    ("case", "named"),
    [
        ("ЕРДР 1\u202e2", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("ЕРДР \x1b[2J1", "U+001B ESCAPE"),
        ("ЕРДР\x001", "U+0000 NULL"),
        ("ЕРДР\u31641", "U+3164 HANGUL FILLER"),
    ],
    ids=["rlo", "esc", "nul", "hangul-filler"],
)
def test_a_signed_registry_match_cannot_carry_a_control_in_its_case(
    site: Site,  # noqa: F811
    fired: str,
    case: str,
    named: str,
) -> None:
    with unchanged(site):
        answer = _results(site, fired, result="match", case=case)
    refused(answer, 422, "invalid-parameters", "act.case", named)


def test_a_signed_act_with_an_unknown_field_is_refused_by_name(
    site: Site,  # noqa: F811
    fired: str,
) -> None:
    with unchanged(site):
        answer = _results(site, fired, result="no_match", comment="между нами")
    refused(answer, 422, "invalid-parameters", "registry_result_recorded", "'comment'")


def test_a_signed_act_of_an_unknown_kind_is_refused(site: Site, fired: str) -> None:  # noqa: F811
    act = site.act("expert.sadykova", "registry_result_recorded", fired, result="no_match")
    act["act"]["kind"] = "anything_at_all"  # its signature no longer holds either
    with unchanged(site):
        answer = site.step(
            "expert.sadykova",
            "registry_result_recorded",
            {"results": [{"item": fired, "act": act}]},
        )
    refused(answer, 422, "invalid-parameters", "an act's kind is one of")


def test_a_release_act_with_a_bidi_control_in_its_order_is_refused(
    site: Site,  # noqa: F811
    fired: str,
) -> None:
    act = site.act("official.zhakupov", "evidence_released", fired, order="№17\u202e71")
    with unchanged(site):
        answer = site.step("official.zhakupov", "evidence_released", {"item": fired, "act": act})
    refused(answer, 422, "invalid-parameters", "act.order", "U+202E")


def test_a_well_formed_signed_result_is_still_accepted(site: Site) -> None:  # noqa: F811
    rifle = _to_test_fired(site)
    answer = _results(site, rifle, result="match", case="ЕРДР 262000021000123")
    assert answer.status_code == 200, answer.text


def test_custody_sign_refuses_an_act_the_api_would_refuse_before_signing(
    site: Site,  # noqa: F811
) -> None:
    env, directory = site.service.env, site.service.directory
    (directory / "sign-pass").write_text("пароль к ключу\n")
    key = directory / "signer.key"
    made = run(env, "keygen", "--out", str(key), "--passphrase-file", str(directory / "sign-pass"))
    assert made.returncode == 0, made.stderr
    for act, named in (
        ({"kind": "registry_result_recorded", "item": "KZ-1", "result": "match",
          "case": "1\u202e2"}, "U+202E"),
        ({"kind": "registry_result_recorded", "item": "KZ-1", "result": "no_match",
          "extra": 1}, "'extra'"),
    ):  # fmt: skip
        (directory / "bad-act.json").write_text(json.dumps(act))
        done = run(
            env,
            "sign",
            str(directory / "bad-act.json"),
            "--key",
            str(key),
            "--person",
            "expert.sadykova",
            "--passphrase-file",
            str(directory / "sign-pass"),
        )
        assert done.returncode != 0
        assert done.stdout == ""  # nothing signed
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "not signed" in done.stderr
        assert named in done.stderr


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("KZ\u3164-1", "U+3164 HANGUL FILLER"),
        ("KZ-1\u2800", "U+2800 BRAILLE PATTERN BLANK"),
        ("\uffa0", "U+FFA0 HALFWIDTH HANGUL FILLER"),
        ("\u115f\u1160", "U+115F HANGUL CHOSEONG FILLER"),
        ("КZ-1", "mixes scripts"),  # a Cyrillic К before a Latin Z
        ("ＫＺ-1", "compatibility character"),
        ("Б-١", "digits are 0-9 only"),
        ("=1+1", "formula"),
        ("+77", "formula"),
        ("-1", "formula"),
        ("@SUM(A1)", "formula"),
    ],
    ids=[
        "hangul-filler",
        "braille-blank",
        "halfwidth-filler",
        "choseong-jungseong",
        "mixed-script",
        "fullwidth",
        "arabic-indic-digit",
        "equals",
        "plus",
        "minus",
        "at",
    ],
)
def test_an_item_id_that_looks_like_another_or_a_formula_is_refused(
    site: Site,  # noqa: F811
    item: str,
    words: str,
) -> None:
    body = {"intakes": [intake(site, item=item)]}  # its photo uploaded first
    with unchanged(site):
        answer = site.step("unit.serikbaev", "item_registered", body)
    refused(answer, 422, "invalid-parameters", words)


def test_a_marking_with_a_hangul_filler_is_refused(site: Site) -> None:  # noqa: F811
    body = {"intakes": [intake(site, marking="АК\u316474")]}
    with unchanged(site):
        answer = site.step("unit.serikbaev", "item_registered", body)
    refused(answer, 422, "invalid-parameters", "U+3164 HANGUL FILLER")


# --- paths and bodies ------------------------------------------------------------------------


@pytest.mark.parametrize("notice", [str(2**64), str(2**63), "0", "-1"])
def test_a_notice_id_beyond_64_bits_is_not_found(site: Site, notice: str) -> None:  # noqa: F811
    with unchanged(site), site.as_("unit.serikbaev") as officer:
        answer = officer.post(f"/notices/{notice}/ack")
    refused(answer, 404, "unknown", "no such notice")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-32-be"])
def test_a_json_body_in_utf16_or_utf32_is_refused_before_parsing(
    site: Site,  # noqa: F811
    encoding: str,
) -> None:
    deep = ("[" * 300 + "]" * 300).encode(encoding)  # the depth scan would see no bracket
    for body in (deep, json.dumps({"items": ["KZ-1"]}).encode(encoding)):
        head = _head(site, "/steps/deformed", "sklad.omarov", "application/json", len(body))
        with unchanged(site):
            status, problem, _ = _raw(site, head, iter([body]))
        assert (status, problem["type"]) == (415, "/problems/not-utf-8"), problem
        assert "RFC 8259" in problem["detail"]


def test_a_json_body_with_bytes_utf8_does_not_allow_is_refused(site: Site) -> None:  # noqa: F811
    body = b'{"items": ["KZ-\xff1"], "method": "\xc0\xaf"}'
    head = _head(site, "/steps/deformed", "sklad.omarov", "application/json", len(body))
    with unchanged(site):
        status, problem, _ = _raw(site, head, iter([body]))
    assert (status, problem["type"]) == (415, "/problems/not-utf-8")


@pytest.mark.parametrize("second", ["multipart/form-data; boundary=x", "text/x"])
def test_a_content_type_given_twice_is_refused_before_the_body(
    site: Site,  # noqa: F811
    second: str,
) -> None:
    """r12 CRITICAL: the guard read the last Content-Type and the routes the first, so JSON
    sent with a second one (an upload's, say) passed the size, depth and UTF-8 checks."""
    deep = b"[" * 900 + b"]" * 900
    head = _head(site, "/steps/deformed", "sklad.omarov", "application/json", len(deep))
    head = head.replace(b"\r\n\r\n", f"\r\nContent-Type: {second}\r\n\r\n".encode())
    with unchanged(site):
        status, problem, _ = _raw(site, head, iter([deep]))
    assert (status, problem["type"]) == (400, "/problems/repeated-header"), problem
    assert "Content-Type" in problem["detail"]


def test_a_large_json_body_is_parsed_while_other_requests_are_answered(
    site: Site,  # noqa: F811
) -> None:
    """r12 CRITICAL: 16 MiB of `[0,0,...]` was parsed on the event loop (a Python call per
    integer): every other request waited 6 s. Parsed in a worker thread, a read sent while it
    is parsed is answered before it: the order of the answers, not a time, is asserted."""
    body = b'{"items": [' + b"0," * ((15 << 20) // 2) + b"0]}"
    head = _head(site, "/steps/deformed", "sklad.omarov", "application/json", len(body))
    answered: list[str] = []

    def big() -> None:
        _raw(site, head, iter([body]))
        answered.append("big")

    sender = threading.Thread(target=big)
    sender.start()
    time.sleep(0.5)  # the body is sent: its parsing has begun
    with httpx.Client(base_url=site.service.base, timeout=60) as client:
        assert client.get("/ledger/key").status_code == 200
    answered.append("read")
    sender.join(120)
    assert answered == ["read", "big"]


def test_a_large_body_without_a_token_is_refused_before_it_is_read(
    site: Site,  # noqa: F811
) -> None:
    """r3 MED: 16 MiB of `[{},{},...]` with no token was parsed whole (12 s, 0.5 GB) to be
    answered 401: now the 401 comes from the headers, before the body is sent."""
    body = b"[" + b"{}," * ((15 << 20) // 3) + b"{}]"
    head = _head(site, "/steps/deformed", "sklad.omarov", "application/json", len(body))
    head = b"\r\n".join(
        line for line in head.split(b"\r\n") if not line.startswith(b"Authorization:")
    )
    pieces = (body[n : n + (1 << 20)] for n in range(0, len(body), 1 << 20))
    with unchanged(site):
        status, problem, sent = _raw(site, head, pieces)
    assert status == 401, problem
    assert sent < len(body)


@pytest.mark.parametrize(
    ("who", "framing"),
    [
        ("Cookie: a=b", "length"),
        ("Authorization: Bearer made-up", "length"),
        ("Cookie: a=b", "chunked"),
        ("", "chunked"),
    ],
)
def test_a_large_body_from_no_account_is_401_before_it_is_parsed(
    site: Site,  # noqa: F811
    who: str,
    framing: str,
) -> None:
    """r12f HIGH: with any cookie or a made-up token, or with no length declared (chunked),
    15 MiB were read and parsed before the 401 (12 s, 0.4 GB a worker). The body here is
    malformed JSON over 64 KiB: parsed first, it would be answered 422 malformed-json, so a 401
    says it was refused before it was parsed."""
    body = b"[" + b"{}," * 40_000 + b"{"  # 120 KiB, never closed
    head = _head(site, "/steps/deformed", "sklad.omarov", "application/json", None)
    lines = [line for line in head.split(b"\r\n") if not line.startswith(b"Authorization:")]
    if framing == "length":
        lines = [
            b"Content-Length: %d" % len(body) if b"Transfer-Encoding" in x else x for x in lines
        ]
    if who:
        lines.insert(2, who.encode())
    head = b"\r\n".join(lines)
    pieces = [body] if framing == "length" else [b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)]
    with unchanged(site):
        status, problem, _ = _raw(site, head, iter(pieces))
    assert (status, problem["type"]) == (401, "/problems/unauthenticated"), problem


# --- people named by the registers -----------------------------------------------------------


@pytest.mark.parametrize("person", ["nobody.here", "Иванов И.И", "ADMIN"])
def test_a_supervisor_must_name_an_existing_account(site: Site, person: str) -> None:  # noqa: F811
    body = {"location": "UNIT-ALM", "person": person, "level": "staff"}
    with unchanged(site):
        answer = site.step("admin", "supervisor_assigned", body)
    refused(answer, 404, "unknown", f"no account {person}")


def test_a_supervisor_with_an_account_is_assigned(site: Site) -> None:  # noqa: F811
    body = {"location": "WH-ALM", "person": "sklad.omarov", "level": "staff"}
    answer = site.step("admin", "supervisor_assigned", body)
    assert answer.status_code == 200, answer.text


def test_a_time_zone_refusal_does_not_echo_what_it_was_given(site: Site) -> None:  # noqa: F811
    zone = "Asia/" + "Ж" * 100_000
    body = {"location": "UNIT-NEW", "kind": "unit", "name": "Новый", "region": "Алматы"}
    with unchanged(site):
        answer = site.step("admin", "location_added", {**body, "time_zone": zone})
    problem = refused(answer, 422, "invalid-parameters", "tz database name")
    assert "ЖЖЖ" not in json.dumps(problem, ensure_ascii=False)
    assert len(answer.content) < 2000
    with unchanged(site):  # the shape of a name, but no zone of Kazakhstan: not repeated
        zone = "Asia/" + "X" * 29 + "/" + "Y" * 29  # 64 characters
        answer = site.step("admin", "location_added", {**body, "time_zone": zone})
    problem = refused(answer, 422, "invalid-request", "one of Kazakhstan's: Asia/Almaty")
    assert "X" * 10 not in problem["detail"]


def test_a_key_given_twice_is_quoted_short(site: Site) -> None:  # noqa: F811
    key = "k" * 100_000
    with unchanged(site), site.as_("unit.serikbaev") as client:
        answer = client.post(
            "/steps/decision_final",
            content=f'{{"{key}": 1, "{key}": 2}}',
            headers={"Content-Type": "application/json"},
        )
    refused(answer, 422, "malformed-json", "duplicate key")
    assert len(answer.content) < 2000


# --- file references -------------------------------------------------------------------------


def _upload(at: Site, content: bytes, role: str) -> dict[str, Any]:
    with at.as_("unit.serikbaev") as client:
        answer = client.post("/files", files={"file": ("x.bin", content)}, data={"role": role})
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_file_references_media_type_is_the_stored_files_own(site: Site) -> None:  # noqa: F811
    scan = _upload(site, pdf(), "marking")
    assert scan["media_type"] == "application/pdf"
    body = {"intakes": [intake(site, files=[{**scan, "media_type": "image/png"}])]}
    with unchanged(site):
        answer = site.step("unit.serikbaev", "item_registered", body)
    refused(answer, 422, "invalid-request", "is application/pdf, not image/png")


def test_r10s_marking_photo_is_an_image_not_a_pdf(site: Site) -> None:  # noqa: F811
    scan = _upload(site, pdf(), "marking")
    body = {"intakes": [intake(site, files=[scan])]}
    with unchanged(site):
        answer = site.step("unit.serikbaev", "item_registered", body)
    problem = refused(answer, 409, "rule", "application/pdf", "JPEG or PNG")
    assert problem["rule"] == "R10"


# --- issue 12 (b12final) ---------------------------------------------------------------------


def test_attack_a_json_integer_of_5000_digits_is_malformed_json_naming_it(
    site: Site,  # noqa: F811
) -> None:
    """Finding 1: int() of more than 4,300 digits raised a ValueError FastAPI answered as a
    bare 400 /problems/http-error."""
    body = '{"category": "firearm", "weight_g": ' + "1" + "0" * 5000 + "}"
    with unchanged(site), site.as_("unit.serikbaev") as client:
        answer = client.post(
            "/steps/item_registered", content=body, headers={"Content-Type": "application/json"}
        )
    refused(answer, 422, "malformed-json", "5,001 digits")


def _sign_text(at: Site, text: str) -> Any:
    env, directory = at.service.env, at.service.directory
    passphrase = directory / "sign12-pass"
    key = directory / "sign12.key"
    if not key.exists():
        passphrase.write_text("пароль к ключу\n")
        made = run(env, "keygen", "--out", str(key), "--passphrase-file", str(passphrase))
        assert made.returncode == 0, made.stderr
    (directory / "act12.json").write_text(text)
    return run(
        env,
        "sign",
        str(directory / "act12.json"),
        "--key",
        str(key),
        "--person",
        "expert.sadykova",
        "--passphrase-file",
        str(passphrase),
    )


def test_attack_custody_sign_refuses_a_key_given_twice(site: Site) -> None:  # noqa: F811
    """Finding 5: the CLI kept the last of two equal keys and signed `match`."""
    done = _sign_text(
        site,
        '{"kind": "registry_result_recorded", "item": "KZ-1", "result": "no_match", '
        '"result": "match"}',
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "duplicate key 'result'" in done.stderr


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"time": "2026-02-29T10:00:00.000000Z"}, "does not exist"),
        ({"time": "2026-03-01T25:00:00.000000Z"}, "does not exist"),
        ({"time": "2100-01-01T00:00:00.000000Z"}, "after now"),
        ({"result": "nonsense_result"}, "a registry result is one of match, no_match"),
    ],
    ids=["feb-29", "hour-25", "year-2100", "unknown-result"],
)
def test_attack_custody_sign_refuses_an_act_the_server_refuses(
    site: Site,  # noqa: F811
    fields: dict[str, str],
    named: str,
) -> None:
    """Finding 7: `custody sign` signed acts the server then refused."""
    act = {"kind": "registry_result_recorded", "item": "KZ-1", "result": "match", **fields}
    done = _sign_text(site, json.dumps(act))
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "not signed" in done.stderr
    assert named in done.stderr


def test_attack_an_act_dated_29_february_2026_is_refused_saying_the_day_does_not_exist(
    site: Site,  # noqa: F811
    fired: str,
) -> None:
    """Finding 7: the server said "must be RFC 3339 UTC with six fractional digits"."""
    key, key_id = site.keys["expert.sadykova"]
    made = new_act(
        "registry_result_recorded",
        "expert.sadykova",
        key_id,
        "2026-02-29T10:00:00.000000Z",
        fired,
        result="match",
    )
    act = {"act": made, "sig": base64.b64encode(sign_act(made, key.seed).sig).decode()}
    with unchanged(site):
        answer = site.step(
            "expert.sadykova",
            "registry_result_recorded",
            {"results": [{"item": fired, "act": act}]},
        )
    assert answer.status_code == 422, answer.text
    assert "does not exist" in answer.json()["detail"]


def test_every_web_route_reads_json_strictly() -> None:
    """Finding 6: the web pages' JSON routes used FastAPI's parser, which keeps the last of
    two equal keys; every route of /web now parses with loads_strict."""
    from fastapi.routing import APIRoute

    from api.http.strict_json import StrictJSONRoute
    from api.web.pages import router as pages

    assert pages.routes
    import api.web as web_room

    routers = [
        getattr(__import__(f"api.web.{name}", fromlist=["router"]), "router", None)
        for name in (
            "acts", "admin", "audit", "commission", "dashboard", "forms", "item_page",
            "key_pages", "notices", "pages", "payments", "public_check", "report_pages", "scan",
        )
    ]  # fmt: skip
    assert web_room is not None
    for router in routers:
        assert router is not None
        for route in router.routes:
            if isinstance(route, APIRoute):
                assert isinstance(route, StrictJSONRoute), route.path


@pytest.mark.parametrize("key", ["place", "counted_at", "transfer", "old_item"])
def test_attack_a_discrepancy_cannot_carry_a_details_key_the_service_writes(
    site: Site,  # noqa: F811
    key: str,
) -> None:
    """Finding 12: {"details": {"place": "UNIT-KRG"}} was written, showing the discrepancy to
    another place; `counted_at` typed by hand passed it off as an inventory count."""
    rifle = site.rifle()
    body = {"subject": rifle, "reason": "не сходится", "details": {key: "UNIT-KRG"}}
    with unchanged(site):
        answer = site.step("unit.serikbaev", "discrepancy_recorded", body)
    refused(answer, 422, "invalid-request", f"details.{key} is written by the service")
    fine = {"subject": rifle, "reason": "не сходится", "details": {"model": "АК-74"}}
    assert site.step("unit.serikbaev", "discrepancy_recorded", fine).status_code == 200


@pytest.mark.parametrize("key", ["transfer", "place", "counted_at", "old_item", "marking_folded"])
def test_attack_an_intake_cannot_carry_a_details_key_the_service_writes(
    site: Site,  # noqa: F811
    key: str,
) -> None:
    """Issue 12, finding 8: an intake with {"details": {"transfer": ...}} was written, and
    `fold.touches_data` reads details.transfer for every kind."""
    given = intake(site, marking=f"RS {len(key)}", details={"model": "AK-74", key: "UNIT-KRG"})
    with unchanged(site):
        answer = site.step("unit.serikbaev", "item_registered", {"intakes": [given]})
    refused(answer, 422, "invalid-request", f"details.{key} is written by the service")


def test_attack_one_marking_twice_in_an_intake_request_names_the_positions_not_an_id(
    site: Site,  # noqa: F811
) -> None:
    """Finding 11: R10 named an item id made for the refused request ("already registered as
    item KZ-10B35ADD6E"), which exists nowhere."""
    first = intake(site, marking="DU 1")
    second = intake(site, marking="DU 1")
    first.pop("item", None)
    second.pop("item", None)
    with unchanged(site):
        answer = site.step("unit.serikbaev", "item_registered", {"intakes": [first, second]})
    refused(
        answer,
        409,
        "rule",
        "marking DU 1 is given twice in this request (positions 1 and 2)",
    )


def test_attack_a_refused_intake_names_no_id_made_for_it(
    site: Site,  # noqa: F811
) -> None:
    """Issue 12, finding 6: "(item KZ-82DD692FFF)" and `"item"` in the problem named an id
    made for the refused request, which never exists, also against an existing item."""
    rows = [intake(site, marking=marking) for marking in ("QA 91", "XW 5", "q\u0430-91")]
    for row in rows:
        row.pop("item", None)
    with unchanged(site):
        answer = site.step("unit.serikbaev", "item_registered", {"intakes": rows})
    refused(answer, 409, "rule", "marking q\u0430-91 is given twice in this request")
    problem = answer.json()
    assert "(item" not in problem["detail"]
    assert problem.get("item") is None
    held = intake(site, marking="QB 92", item="QB-HELD-1")
    assert site.step("unit.serikbaev", "item_registered", {"intakes": [held]}).status_code == 200
    again = intake(site, marking="qb-92")
    again.pop("item", None)
    with unchanged(site):
        answer = site.step("unit.serikbaev", "item_registered", {"intakes": [again]})
    refused(answer, 409, "rule", "marking qb-92 is already registered as item QB-HELD-1")
    problem = answer.json()
    assert "(item " not in problem["detail"]
    assert problem.get("item") is None


@pytest.mark.parametrize(
    "zone", ["localtime", "Factory", "posixrules", "posix/Asia/Almaty", "right/Asia/Almaty"]
)
def test_attack_a_place_zone_that_is_no_canonical_zone_is_refused(
    site: Site,  # noqa: F811
    zone: str,
) -> None:
    """Finding 2: `localtime` is the host's zone, so verify on another machine failed."""
    body = {"location": "UNIT-TZ", "kind": "unit", "name": "Новый", "region": "Алматы"}
    with unchanged(site):
        answer = site.step("admin", "location_added", {**body, "time_zone": zone})
    refused(answer, 422, "invalid-parameters", f"{zone!r} is not a place's time zone")


def test_attack_an_idempotency_key_of_raw_bytes_beyond_ascii_is_malformed(
    site: Site,  # noqa: F811
) -> None:
    """Issue 12 (b12final), a low: the bytes 0xFF 0xFE were taken as the key `ÿþ`."""
    rifle = site.rifle()
    body = {"subject": rifle, "reason": "не сходится"}
    with unchanged(site), site.as_("unit.serikbaev") as client:
        answer = client.post(
            "/steps/discrepancy_recorded", json=body, headers={"Idempotency-Key": b"\xff\xfe"}
        )
    refused(answer, 400, "idempotency-key-malformed", "printable characters of ASCII")


@pytest.mark.parametrize(
    ("path", "user", "content_type"),
    [
        ("/steps/deformed", "sklad.omarov", "text/plain"),
        ("/steps/deformed", "sklad.omarov", "text/plain; charset=utf-8"),
        ("/steps/deformed", "sklad.omarov", "application/x-www-form-urlencoded"),
        ("/steps/deformed", "sklad.omarov", None),
        ("/users", "admin", "text/plain"),
    ],
    ids=["text-plain", "text-plain-charset", "form-type", "no-type", "users-text-plain"],
)
def test_a_json_body_sent_as_another_type_is_415_naming_json(
    site: Site,  # noqa: F811
    path: str,
    user: str,
    content_type: str | None,
) -> None:
    # FastAPI read such a body as bytes and answered 422 "Input should be a valid
    # dictionary", sending the client to look for a wrong field (issue 12)
    body = json.dumps({"items": ["KZ-1"], "method": "press"}).encode()
    headers = {"Authorization": f"Bearer {site.service.token(user)}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    with unchanged(site):
        answer = httpx.post(site.service.base + path, content=body, headers=headers, timeout=30)
    problem = refused(answer, 415, "unsupported-media-type", "application/json")
    if content_type is not None:
        assert content_type.split(";")[0] in problem["detail"]


def test_json_with_a_charset_or_a_json_suffix_type_is_read_as_json(
    site: Site,  # noqa: F811
) -> None:
    # application/json, with charset=utf-8 or none: the body reaches the model, which names
    # its field (not a 415)
    for content_type in ("application/json; charset=utf-8", 'Application/JSON; charset="UTF8"'):
        answer = httpx.post(
            site.service.base + "/steps/deformed",
            content=b'{"items": ["KZ-1"]}',
            headers={
                "Authorization": f"Bearer {site.service.token('sklad.omarov')}",
                "Content-Type": content_type,
            },
            timeout=30,
        )
        refused(answer, 422, "invalid-parameters", "method")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=iso-8859-1",
        "application/json; charset=windows-1251",
        "application/vnd.foo+json",
        "application/json-patch+json",
        "application/problem+json",
    ],
)
def test_json_in_another_charset_or_of_a_type_no_route_takes_is_415(
    site: Site,  # noqa: F811
    content_type: str,
) -> None:
    """Issue 12 (b12 #10): `charset=iso-8859-1` was read as UTF-8 all the same, and any
    application/...+json taken, though no route takes JSON Patch or a vendor's type."""
    body = json.dumps({"items": ["KZ-1"], "method": "press"}).encode()
    with unchanged(site):
        answer = httpx.post(
            site.service.base + "/steps/deformed",
            content=body,
            headers={
                "Authorization": f"Bearer {site.service.token('sklad.omarov')}",
                "Content-Type": content_type,
            },
            timeout=30,
        )
    problem = refused(answer, 415, "unsupported-media-type", "charset=utf-8")
    assert content_type in problem["detail"]
