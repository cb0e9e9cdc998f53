"""JSON bodies outside /steps (accounts, devices, key requests, the web pages' signed acts) are
read as strictly as the commands of /steps: one base (api.http.strict_json.StrictBody) refuses
a field it does not name and coerces nothing (`true`, `"30"`, `30.0` are not 30). Over HTTP
each refusal is 422 problem+json and nothing is written, on SQLite and PostgreSQL; arbitrary
JSON to every such route never gives a 5xx nor writes."""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
import typing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import api.http
import api.http.changes
import api.http.key_requests
import api.http.login
import api.http.users
import api.web
import api.web.acts
import api.web.commission
import api.web.key_pages
from api.http.strict_json import StrictBody
from tests.support.service import PASSWORD, PROBLEM
from tests.test_api_boundary import (
    JSON,
    _state,
    refused,
    site,  # noqa: F401  (the module-scoped service on both databases)
)
from tests.test_api_process import Site
from workflows.commands.base import Command

BODIES: list[type[BaseModel]] = [
    api.http.users.UserIn,
    api.http.users.RoleIn,
    api.http.users.PlaceIn,
    api.http.login.DeviceIn,
    api.http.key_requests.RequestIn,
    api.http.key_requests.WitnessIn,
    api.http.key_requests.RegisterIn,
    api.web.key_pages.KeyRequestIn,
    api.web.acts.SignedResult,
    api.web.commission.SignedStatement,
    api.http.changes.ChangeIn,
    api.http.changes.DeclineIn,
]
ACCOUNT_TABLES = ("api_users", "api_tokens", "web_key_requests")


def test_every_json_body_model_in_api_is_a_strict_body() -> None:
    # Every pydantic model a route of api/ takes as its body, found from the routers.
    taken: set[type[BaseModel]] = set()
    for package in (api.http, api.web):
        for found in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            router = getattr(importlib.import_module(found.name), "router", None)
            for route in getattr(router, "routes", []):
                for param in getattr(getattr(route, "dependant", None), "body_params", []):
                    kind = getattr(param, "type_", None) or param.field_info.annotation
                    if isinstance(kind, type) and issubclass(kind, BaseModel):
                        taken.add(kind)
    # the /steps commands have their own strict base (workflows.commands.base.Command)
    others = {b for b in taken if not issubclass(b, StrictBody)}
    assert all(issubclass(b, Command) for b in others), others
    assert {b for b in taken if issubclass(b, StrictBody)} == set(BODIES)


def _sample(model: type[BaseModel]) -> dict[str, Any]:
    """A body the model takes: each field given a value of its own type."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        kind = field.annotation
        if typing.get_origin(kind) is typing.Union or "|" in str(kind):
            kind = next(a for a in typing.get_args(kind) if a is not type(None))
        if isinstance(kind, type) and issubclass(kind, BaseModel):  # a part: its own sample
            values[name] = _sample(kind)
        elif kind is int:
            values[name] = 30
        elif typing.get_origin(kind) is list:
            values[name] = []
        elif typing.get_origin(kind) is dict:
            values[name] = {}
        else:
            low = max([getattr(m, "min_length", 0) for m in field.metadata] + [8])
            high = min([getattr(m, "max_length", None) or low for m in field.metadata] + [low])
            values[name] = "x" * high
    model.model_validate(values)  # a body it takes, so that each refusal below is the change's
    return values


@pytest.mark.parametrize("model", BODIES, ids=lambda m: m.__name__)
def test_a_field_the_body_does_not_name_is_refused_not_dropped(model: type[BaseModel]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate({**_sample(model), "is_admin": True})


@pytest.mark.parametrize("model", BODIES, ids=lambda m: m.__name__)
@pytest.mark.parametrize("wrong", [True, "30", 30.0, None, ["30"]], ids=repr)
def test_no_field_takes_a_value_of_another_type(model: type[BaseModel], wrong: Any) -> None:
    good = _sample(model)
    for name in model.model_fields:
        if isinstance(good[name], type(wrong)) and type(wrong) is not bool:
            continue
        if wrong is None and not model.model_fields[name].is_required():
            continue  # an optional field may be null
        with pytest.raises(ValidationError):
            model.model_validate({**good, name: wrong})


def _accounts(at: Site) -> str:
    env = at.service.env
    directory = Path(env["CUSTODY_DATA_DIR"])
    url = env.get("CUSTODY_DATABASE_URL") or f"sqlite:///{directory / 'custody.db'}"
    engine = sa.create_engine(url)
    digest = hashlib.sha256()
    try:
        with engine.connect() as conn:
            for table in ACCOUNT_TABLES:
                rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
                digest.update(repr(sorted(repr(tuple(r)) for r in rows)).encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


DEVICE = {"username": "sklad.omarov", "role": "warehouse_keeper", "label": "сканер 1"}


@pytest.mark.parametrize(
    "days", [True, "30", 30.0, "٣٠"], ids=["true", "string", "float", "arabic"]
)
def test_a_device_tokens_days_are_a_json_integer(site: Site, days: Any) -> None:  # noqa: F811
    before = (_state(site), _accounts(site))
    with site.as_("admin") as admin:
        answer = admin.post("/auth/devices", json={**DEVICE, "place": "WH-ALM", "days": days})
    refused(answer, 422, "invalid-parameters", "days")
    assert (_state(site), _accounts(site)) == before


def test_an_account_with_a_field_the_api_does_not_name_is_refused(site: Site) -> None:  # noqa: F811
    body = {
        "username": "new.person",
        "name": "Новый Сотрудник",
        "role": "auditor",
        "password": PASSWORD,
        "is_superuser": True,
    }
    before = (_state(site), _accounts(site))
    with site.as_("admin") as admin:
        answer = admin.post("/users", json=body)
    refused(answer, 422, "invalid-parameters", "is_superuser")
    assert (_state(site), _accounts(site)) == before


def test_a_role_given_as_a_number_is_refused(site: Site) -> None:  # noqa: F811
    before = (_state(site), _accounts(site))
    with site.as_("admin") as admin:
        answer = admin.post("/users/auditor.li/roles", json={"role": 1})
    refused(answer, 422, "invalid-parameters", "role")
    assert (_state(site), _accounts(site)) == before


ROUTES = [
    ("/users", api.http.users.UserIn),
    ("/users/auditor.li/roles", api.http.users.RoleIn),
    ("/users/auditor.li/places", api.http.users.PlaceIn),
    ("/auth/devices", api.http.login.DeviceIn),
    ("/keys/requests", api.http.key_requests.RequestIn),
    ("/keys/requests/abcdefabcdefabcdef/register", api.http.key_requests.RegisterIn),
]


@pytest.mark.parametrize(("path", "model"), ROUTES, ids=[p for p, _ in ROUTES])
def test_arbitrary_json_to_a_body_route_is_never_a_5xx_and_never_writes(
    site: Site,  # noqa: F811
    path: str,
    model: type[BaseModel],
) -> None:
    before = (_state(site), _accounts(site))
    fields = sorted(model.model_fields)
    shaped = st.fixed_dictionaries({}, optional={name: JSON for name in fields})
    typed = st.fixed_dictionaries(
        {name: st.sampled_from([True, "30", 30.0, 30, None, [], {}]) for name in fields}
    )
    with site.as_("admin") as admin:

        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(body=st.one_of(JSON, shaped, typed))
        def post(body: Any) -> None:
            answer = admin.post(
                path,
                content=json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"),
                headers={"Content-Type": "application/json"},
            )
            assert 400 <= answer.status_code < 500, answer.text
            assert answer.headers["content-type"] == PROBLEM

        post()
    assert (_state(site), _accounts(site)) == before


@pytest.mark.parametrize(
    "given",
    [
        {"roles": ["auditor", "auditor"]},
        {"role": "warehouse_clerk", "places": ["WH-ALM", "WH-ALM"]},
    ],
    ids=["roles", "places"],
)
def test_attack_an_account_with_a_role_or_place_twice_is_refused_not_merged(
    site: Site,  # noqa: F811
    given: dict[str, Any],
) -> None:
    """Issue 12 (b12final), finding 4: the duplicates were merged and the account made."""
    body = {"username": "twice.person", "name": "Дважды", "password": PASSWORD, **given}
    before = (_state(site), _accounts(site))
    with site.as_("admin") as admin:
        answer = admin.post("/users", json=body)
    refused(answer, 422, "invalid-parameters", "is named twice")
    assert (_state(site), _accounts(site)) == before


def test_attack_a_proposed_account_with_a_role_twice_is_refused(site: Site) -> None:  # noqa: F811
    """Finding 4: change_proposed signed ["official","official"], account_created held one."""
    fields = {"username": "twice.official", "name": "Дважды", "roles": ["official", "official"]}
    before = (_state(site), _accounts(site))
    with site.as_("admin") as admin:
        answer = admin.post("/changes", json={"change": "account_created", "fields": fields})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"] in ("/problems/invalid-parameters", "/problems/invalid-request")
    assert "official is named twice" in answer.text
    assert (_state(site), _accounts(site)) == before
