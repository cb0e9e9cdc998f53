"""A web form's fields are typed text: spaces and tabs at their ends are removed
(workflows.grammar.typed, docs/identifiers.md "Spaces at the ends") for every id, marking and
text the intake form and the step forms send, so " X-1 " typed in a form makes the very
command the API makes of "X-1" (and so the same entry, tests/test_intake_ways.py), while the
API itself still refuses " X-1 ": a program sends exactly what it means."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from api.web.acts import intake_given
from api.web.scan import payload
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
