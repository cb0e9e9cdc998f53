"""A ledger of a given size on SQLite, built once per benchmark run with batched appends."""

from __future__ import annotations

import shutil
import sys
import time
from functools import cache

from bench.common import WORK, sample
from custody.bootstrap import init
from custody.ledger import Ledger
from custody.settings import Settings

BATCH = 5000


@cache
def ledger_of(size: int) -> Ledger:
    """A fresh ledger of exactly `size` entries (the genesis entry included)."""
    directory = WORK / f"ledger-{size}"
    shutil.rmtree(directory, ignore_errors=True)
    ledger = init(Settings(data_dir=directory, origin="bench.custody/ledger")).ledger
    start = time.perf_counter()
    made = 1
    while made < size:
        count = min(BATCH, size - made)
        with ledger.database.write() as conn:
            ledger.append_many(conn, [sample(made + i) for i in range(count)])
        made += count
        if size >= 100_000 and made % 100_000 < BATCH:
            rate = (made - 1) / (time.perf_counter() - start)
            print(f"  building a ledger of {size:,}: {made:,} ({rate:,.0f}/s)", file=sys.stderr)
    with ledger.database.write() as conn:
        ledger.issue_checkpoint(conn)
    return ledger
