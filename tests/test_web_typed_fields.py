"""A web form's fields are typed text: spaces and tabs at their ends are removed
(workflows.grammar.typed, docs/identifiers.md "Spaces at the ends") for every id, marking and
text the intake form and the step forms send, so " X-1 " typed in a form makes the very
command the API makes of "X-1" (and so the same entry, tests/test_intake_ways.py), while the
API itself still refuses " X-1 ": a program sends exactly what it means."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from api.demo.data import PASSWORD
from api.web.acts import intake_given
from api.web.scan import payload
from tests.support.demos import Demos, demo_served
from workflows.commands import REGISTRY, RegisterItems

SPACED = {
    "location": " UNIT-ALM\t",
    "category": " firearm ",
    "source": "found ",
    "weight_g": " 3500 ",
    "marking": "  АК-74 №91 ",
    "model": "\tAK-74 ",
    "decision_ref": " 2-91/2026 ",
    "decision_authority": " court",
    "decision_date": " 2026-10-28 ",
}
API = {
    "item": "KZ-T91",
    "category": "firearm",
    "source": "found",
    "location": "UNIT-ALM",
    "weight_g": 3500,
    "rifled": True,
    "files": [],
    "marking": "АК-74 №91",
    "details": {"model": "AK-74"},
    "decision": {"ref": "2-91/2026", "authority": "court", "date": "2026-10-28"},
}


def test_the_intake_form_with_spaces_around_each_field_makes_the_apis_command() -> None:
    by_form = {"item": "KZ-T91", **intake_given(SPACED, True, False, [])}
    assert RegisterItems.model_validate({"intakes": [by_form]}) == RegisterItems.model_validate(
        {"intakes": [API]}
    )


@pytest.mark.parametrize("field", ["location", "marking", "item"])
def test_the_api_still_refuses_an_id_or_marking_with_spaces_around_it(field: str) -> None:
    sent = {**API, field: f" {API[field]} "}
    with pytest.raises(ValidationError, match="begins or ends with a space"):
        RegisterItems.model_validate({"intakes": [sent]})


def test_only_spaces_and_tabs_are_removed_a_no_break_space_is_refused_as_by_the_api() -> None:
    by_form = intake_given({**SPACED, "marking": "АК-74 №91\u00a0"}, True, False, [])
    with pytest.raises(ValidationError, match="U\\+00A0 NO-BREAK SPACE"):
        RegisterItems.model_validate({"intakes": [{"item": "KZ-T91", **by_form}]})


@pytest.mark.parametrize(
    ("step", "items", "fields", "api"),
    [
        (
            "transfer_sent",
            [" KZ-1 ", "KZ-2\t"],
            {"destination": " WH-AST ", "transfer": " T-91 "},
            {"items": ["KZ-1", "KZ-2"], "destination": "WH-AST", "transfer": "T-91"},
        ),
        (
            "deformed",
            ["\tKZ-1"],
            {"method": " hydraulic press "},
            {"items": ["KZ-1"], "method": "hydraulic press"},
        ),
        (
            "parts_removed",
            [" KZ-1 "],
            {"parts": " stock , fore-end "},
            {"items": ["KZ-1"], "parts": ["stock", "fore-end"]},
        ),
        (
            "decision_recorded",
            ["KZ-1 "],
            {"ref": " 2-91/2026", "authority": "court ", "date": " 2026-10-28 "},
            {
                "items": ["KZ-1"],
                "decision": {"ref": "2-91/2026", "authority": "court", "date": "2026-10-28"},
            },
        ),
    ],
    ids=["transfer_sent", "deformed", "parts_removed", "decision_recorded"],
)
def test_a_step_form_with_spaces_around_its_ids_makes_the_apis_command(
    step: str, items: list[str], fields: dict[str, str], api: dict[str, Any]
) -> None:
    command = REGISTRY[step]
    assert command.model_validate(payload(step, items, fields)) == command.model_validate(api)


# -- served: the paymaster's form (PayCompensation), on the demo's campaign ------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, demos: Demos) -> Iterator[str]:
    with demo_served(demos, tmp_path_factory.mktemp("web-typed")) as (running, _):
        yield running


def test_a_payment_typed_with_spaces_around_item_and_reference_is_the_apis(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/login").text)
        assert token
        login = {"username": "kassa.bekov", "password": PASSWORD, "csrf": token[1]}
        assert client.post("/web/login", data=login).status_code == 303
        page = client.get("/web/payments").text
        form = re.search(
            r'name="csrf" value="([^"]+)">\s*<input type="hidden" name="item" value="([^"]+)">'
            r'.*?name="amount_tenge"[^>]*value="(\d+)"',
            page,
            re.S,
        )
        assert form, page[:2000]
        csrf, item, tariff = form.groups()
        paid = {
            "csrf": csrf,
            "item": f" {item}\t",
            "amount_tenge": tariff,
            "reference": "  ПП-7101 ",
            "national_id": "850101300111",
        }
        answer = client.post("/web/payments/pay", data=paid)
        assert answer.status_code == 303, answer.text[:2000]  # post/redirect/get: done
    token = httpx.post(
        f"{base}/auth/token", data={"username": "auditor.li", "password": PASSWORD}
    ).json()["access_token"]
    entries = httpx.get(
        f"{base}/items/{item}/payments", headers={"Authorization": f"Bearer {token}"}
    ).json()["entries"]
    assert [(p["amount_tenge"], p["reference"]) for p in entries] == [(int(tariff), "ПП-7101")]
