"""Inclusion and consistency proofs at 1,000,000 entries against the same at 1,000, each in
a read transaction of its own, as an HTTP request makes them."""

from __future__ import annotations

import random
import time

from bench.common import Figure, report
from bench.million import ledger_of
from custody.ledger import Ledger

PROOFS = 400


def mean_ms(ledger: Ledger, kind: str, seed: int) -> float:
    chooser = random.Random(seed)
    with ledger.database.read() as conn:
        size = ledger.head(conn).size
    start = time.perf_counter()
    for _ in range(PROOFS):
        with ledger.database.read() as conn:
            if kind == "inclusion":
                ledger.inclusion_proof(conn, chooser.randrange(size))
            else:
                ledger.consistency_proof(conn, chooser.randrange(1, size))
    return (time.perf_counter() - start) / PROOFS * 1000


def run() -> None:
    small, large = ledger_of(1_000), ledger_of(1_000_000)
    figures = []
    for kind in ("inclusion", "consistency"):
        at_small, at_large = mean_ms(small, kind, 1), mean_ms(large, kind, 2)
        figures += [
            Figure(f"{kind} proof at 1,000 entries", at_small, "ms"),
            Figure(
                f"{kind} proof at 1,000,000 entries", at_large, "ms", at_small, "< 5 ms and <= 3 x"
            ),
        ]
    report(f"proofs (mean of {PROOFS}, each in its own read transaction)", figures)
