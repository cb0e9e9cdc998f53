"""Load for the API benchmark: wrk (from Debian) against a URL, parsed to requests/s and
p50/p99 latency; a Lua script makes each write a new intake."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

CONNECTIONS, THREADS, SECONDS = 16, 2, 10

WRITE_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
local made = 0
function setup(thread)
  made = made + 1
  thread:set("id", made)
end
function init(args)
  prefix = tostring(id) .. "-" .. tostring(os.time())
end
request = function()
  counter = counter + 1
  local body = '{"intakes":[{"category":"edged","source":"found","location":"UNIT-ALM",' ..
    '"weight_g":500,"unmarked":true,"item":"W-' .. prefix .. '-' .. counter .. '"}]}'
  return wrk.format(nil, nil, nil, body)
end
"""


@dataclass(frozen=True)
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def run_wrk(url: str, token: str | None = None, script: Path | None = None) -> Load:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return Load(
        float(_find(r"Requests/sec:\s+([\d.]+)", out)),
        _ms(_find(r"\s50%\s+([\d.]+\w+)", out)),
        _ms(_find(r"\s99%\s+([\d.]+\w+)", out)),
        _errors(out),
    )


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{text}")
    return found.group(1)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _errors(out: str) -> int:
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return int(found.group(1)) if found else 0
