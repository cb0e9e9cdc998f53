"""`python -m bench [appends|postgres|proofs|verify ...]`: all sections when none is named."""

from __future__ import annotations

import sys

from bench.common import machine

SECTIONS = (
    "appends",
    "postgres",
    "proofs",
    "verify",
    "lifecycles",
    "api",
    "statements",
    "imports",
    "reports",
    "pages",
    "deadlines",
    "dashboard",
    "commission",
    "browser",
    "diversion",
)


def main() -> None:
    chosen = sys.argv[1:] or list(SECTIONS)
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        sys.exit(f"bench: unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}")
    print(f"custody benchmarks on {machine()}")
    for name in chosen:
        module = __import__(f"bench.{name}", fromlist=["run"])
        module.run()


if __name__ == "__main__":
    main()
