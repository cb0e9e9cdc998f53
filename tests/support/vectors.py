"""The RFC 6962/9162 and C2SP test vectors in tests/vectors/tlog (sources in its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "tlog"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))
