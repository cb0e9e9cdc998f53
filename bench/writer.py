"""A writer process for bench/postgres.py: appends one transaction each until the deadline,
then prints how many it made. Mode `ledger` goes through custody; mode `raw` is the baseline:
the same lock, head read, hash, signature, insert and head update in plain psycopg."""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import psycopg
from nacl.signing import SigningKey

from bench.common import sample
from custody.db import Database
from custody.ledger import Ledger
from custody.ledger_key import LedgerKeyFile


def ledger_writer(url: str, key_file: Path, tag: int) -> tuple[object, object]:
    ledger = Ledger(Database(url), LedgerKeyFile(key_file).load())
    counter = iter(range(10**9))
    return (lambda: ledger.record(sample(tag * 10_000_000 + next(counter)))), ledger


def raw_writer(url: str) -> tuple[object, object]:
    conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
    key = SigningKey.generate()

    def append() -> None:
        with conn.transaction():
            size, _ = conn.execute("SELECT size, last FROM h WHERE id = 1 FOR UPDATE").fetchone()  # type: ignore[misc]
            body = b'{"n":%d,"pad":"' % size + b"x" * 380 + b'"}'
            leaf = hashlib.sha256(b"\x00" + body).digest()
            sig = key.sign(b"custody/ledger-entry/v1\x00" + leaf).signature
            conn.execute("INSERT INTO e VALUES (%s, %s, %s, %s, %s)", (size, body, leaf, sig, "0"))
            conn.execute("UPDATE h SET size = %s, last = %s WHERE id = 1", (size + 1, leaf))

    return append, conn


def main() -> None:
    mode, url, key_file, tag, seconds = sys.argv[1:6]
    append, _keep = (
        ledger_writer(url, Path(key_file), int(tag)) if mode == "ledger" else raw_writer(url)
    )
    print("ready", flush=True)
    sys.stdin.readline()
    deadline = time.monotonic() + float(seconds)
    count = 0
    while time.monotonic() < deadline:
        append()  # type: ignore[operator]
        count += 1
    print(count, flush=True)


if __name__ == "__main__":
    main()
