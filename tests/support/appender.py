"""A writer process for the concurrency and crash tests: appends entries one transaction at a
time and prints `ok <seq> <n>` after each commit, so the parent knows what was acknowledged."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from custody.db import Database
from custody.entries import NewEntry
from custody.ledger import Ledger
from custody.ledger_key import LedgerKeyFile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key-file", required=True, type=Path)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--count", required=True, type=int)
    args = parser.parse_args()
    ledger = Ledger(Database(args.url), LedgerKeyFile(args.key_file).load())
    print("ready", flush=True)
    sys.stdin.readline()  # every writer starts at the same moment
    for n in range(args.count):
        entry = ledger.record(
            NewEntry(
                kind="item_registered",
                actor=f"writer.{args.tag}",
                item=f"{args.tag}-{n % 7}",
                data={"writer": args.tag, "n": n},
            )
        )
        print(f"ok {entry.seq} {n}", flush=True)


if __name__ == "__main__":
    main()
