"""The service's recipient secret (CUSTODY_RECIPIENT_SECRET), kept in the data directory when
the environment gives none, so that `make run` can pay compensation and a service on one
machine keeps one secret for good: recipients are recognised across campaigns only while the
secret stays the same (workflows.compensation, R14).

Set CUSTODY_RECIPIENT_SECRET when servers of one database run on more than one machine: each
would otherwise make its own file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from workflows.config import ProcessConfig

FILE = "recipient.secret"


def kept_secret(data_dir: Path) -> str:
    """The secret in `data_dir/recipient.secret` (64 hex digits), made on first use with
    mode 0600. Raises OSError if the directory cannot be written."""
    path = data_dir / FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    made = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another server process made it meanwhile
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(made + "\n")
    return made


def process_config(data_dir: Path) -> ProcessConfig:
    """The process's settings from the environment, with the kept recipient secret when the
    environment sets none."""
    config = ProcessConfig()
    if config.recipient_secret is None:
        secret = SecretStr(kept_secret(data_dir))
        config = config.model_copy(update={"recipient_secret": secret})
    return config


def fingerprint_key(config: ProcessConfig) -> bytes:
    """The key of Idempotency-Key fingerprints (api.http.idempotency): a request body may
    hold a national identity number, which an unkeyed hash would let anyone test guesses
    against. Domain-separated from the recipients' hash."""
    secret = config.recipient_secret
    material = secret.get_secret_value().encode() if secret is not None else b""
    return hashlib.sha256(b"custody/idempotency/v1\x00" + material).digest()
