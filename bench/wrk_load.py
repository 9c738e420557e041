"""Load from ``wrk`` (Debian package ``wrk``): one-subject credit checks over keep-alive
connections, from a C event loop that spends ≈ 0.04 ms of CPU a request, where the Python
load processes of ``bench/http_workers.py`` spend ≈ 0.7 ms, a fifth of a core that the server
under test would otherwise have on a two-core machine.

The request bodies are the Python loader's: ``{"subjects": [code], "scene": "政府采购", …}``
with a code drawn at random from the same list, the key in ``Authorization``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SCRIPT = """
codes = {%(codes)s}
token = "%(key)s"
math.randomseed(%(seed)d)
headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
request = function()
  local c = codes[math.random(#codes)]
  local body = '{"subjects":["' .. c .. '"],"scene":"政府采购","requester":"bench",'
    .. '"purpose":"benchmark"}'
  return wrk.format("POST", "%(path)s", headers, body)
end
"""

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def available() -> bool:
    return shutil.which("wrk") is not None


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def load(port: int, path: str, key: str, codes: list[str], clients: int,
         seconds: float) -> dict[str, float]:  # fmt: skip
    """``clients`` connections posting checks to ``path`` for ``seconds``; the figures of
    ``http_workers.load`` (requests, errors, rps, p50/p99 ms, wall, loader CPU seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "check.lua"
        listed = ",".join(f'"{c}"' for c in codes)
        script.write_text(SCRIPT % {"codes": listed, "key": key, "seed": 1, "path": path})
        before = os.times()
        ran = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{seconds:.0f}s", "--latency", "-s", str(script),
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        after = os.times()
    out = ran.stdout
    found = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", out)
    if found is None or ran.stderr.strip():  # a Lua error is told on stderr, the run goes on
        raise RuntimeError(f"wrk said:\n{out}{ran.stderr}")
    requests = int(found.group(1))
    wall = float(found.group(2)) / (1000 if found.group(3) == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)  # fmt: skip
    errors = (int(bad.group(1)) if bad else 0) + (
        sum(int(g) for g in sockets.groups()) if sockets else 0
    )
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    return {
        "requests": requests, "errors": errors, "rps": requests / wall,
        "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]), "wall_s": wall,
        "loader_cpu_s": (after.children_user + after.children_system)
        - (before.children_user + before.children_system),
    }  # fmt: skip
