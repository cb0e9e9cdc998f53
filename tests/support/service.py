"""A real `custody serve` for API tests, with accounts made by the real `custody user add`
(their roles and places are entries of the ledger; the command run in this process:
processes.command), and an httpx client that logs in as any
of them. `admin` is the first administrator `custody init` made; it gets its password."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.databases import postgres_database
from tests.support.processes import command, environment, server
from workflows import dual

PASSWORD = "correct horse battery"
FOUNDER = "admin"  # the genesis actor: `custody init` makes it the first administrator
SECOND = "admin2"  # and the second (four eyes: workflows.dual)
PROBLEM = "application/problem+json"


def four_eyes(env: dict[str, str], change: str, fields: dict[str, Any]) -> str:
    """A change that needs four eyes (workflows.dual: a signer, an administrator, a unit
    officer, an auditor or a paymaster, an act key, a seat), done at the console
    as two administrators do it: proposed by admin, confirmed by admin2. Returns the
    proposal's id."""
    done = command(env, "change", "propose", change, json.dumps(fields, ensure_ascii=False))
    assert done.returncode == 0, done.stderr
    proposal = done.stdout.strip()
    done = command(env, "change", "confirm", proposal, "--actor", SECOND)
    assert done.returncode == 0, done.stderr
    return proposal


def made_signer(env: dict[str, str], password_file: Path, fields: dict[str, Any]) -> None:
    """An account holding a role of workflows.dual.FOUR_EYES_ROLES (`fields`:
    CreateAccount's input), made with four eyes, then given its password at the console
    from `password_file`."""
    four_eyes(env, "account_created", fields)
    done = command(
        env, "user", "password", fields["username"], "--password-file", str(password_file)
    )
    assert done.returncode == 0, done.stderr


@dataclass
class Service:
    base: str
    env: dict[str, str]
    directory: Path
    tokens: dict[str, str] = field(default_factory=dict)
    password: str = PASSWORD

    def add_user(
        self, username: str, role: str, name: str | None = None, places: Sequence[str] = ()
    ) -> None:
        secret = self.directory / "password"
        secret.write_text(PASSWORD + "\n")
        if username in (FOUNDER, SECOND):
            assert role == "administrator", "init made admin and admin2 the administrators"
            done = command(self.env, "user", "password", username, "--password-file", str(secret))
            assert done.returncode == 0, done.stderr
            return
        if dual.needs_four_eyes("account_created", {"roles": [role]}):
            fields = {"username": username, "name": name or f"Тестовый {username}"}
            made_signer(self.env, secret, fields | {"roles": [role], "places": list(places)})
            return
        where = [arg for place in places for arg in ("--place", place)]
        done = command(
            self.env,
            "user",
            "add",
            username,
            "--role",
            role,
            "--name",
            name or f"Тестовый {username}",
            *where,
            "--password-file",
            str(secret),
        )
        assert done.returncode == 0, done.stderr

    def confirm(self, proposal: str, by: str = SECOND) -> None:
        """Another administrator confirms a proposed change over HTTP (four eyes)."""
        if by == SECOND and by not in self.tokens:
            self.add_user(SECOND, "administrator")
        with self.client(by) as client:
            done = client.post(f"/changes/{proposal}/confirm")
        assert done.status_code == 204, done.text

    def login(self, username: str, password: str | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.base}/auth/token",
            data={"username": username, "password": password or self.password},
        )

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.login(username)
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]

    def browser(self, username: str, language: str) -> httpx.Client:
        """A browser's session of `username` on the pages, logged in through the login form
        in `language` (ru, kk, en); the caller closes it."""
        client = httpx.Client(base_url=self.base, timeout=30)
        found = re.search(r'name="csrf" value="([^"]+)"', client.get("/web/login").text)
        assert found is not None
        form = {"username": username, "password": self.password, "language": language}
        answer = client.post("/web/login", data=form | {"csrf": found[1]})
        assert answer.status_code == 303, answer.text
        return client

    def client(self, username: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(username)}"} if username else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30)


@contextmanager
def service(directory: Path, kind: str = "sqlite", **settings: str) -> Iterator[Service]:
    """A server on a new database of `kind` (sqlite or postgresql), with CUSTODY_* settings."""
    with ExitStack() as stack:
        url = None if kind == "sqlite" else stack.enter_context(postgres_database())
        env = environment(
            directory, url, **{f"CUSTODY_{k.upper()}": v for k, v in settings.items()}
        )
        done = command(env, "init")
        assert done.returncode == 0, done.stderr
        base = stack.enter_context(server(env))
        yield Service(base, env, directory)
