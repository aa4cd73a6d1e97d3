"""The ingest load from a compiled generator: ``wrk`` (Debian's package) with
``bench/wrk/checkins.lua`` (issue 14, point 4). On 2 cores, Python client threads compete with
the server they measure; wrk's event loop costs far less per request, so the bench reports
both generators and takes the ratio from the one that gets the higher baseline.

Each run writes a Lua table of devices (headers and the JSON fields each body adds) to a
temporary directory; the script posts check-in bodies round-robin over them (or, for the
signed-in floor, sends each device's headers alone with GET) and counts every status. As
with the Python generator, only 2xx answers count as throughput, and socket errors and
timeouts count as status 0 (no answer).
"""

import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from app.checkins.catalog import SYMPTOMS

SCRIPT = Path(__file__).parent / "wrk" / "checkins.lua"
INSTALL_HINT = "wrk is not installed: the wrk figures are skipped (apt-get install wrk)"
THREADS = 2


def available() -> str | None:
    return shutil.which("wrk")


def lua_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def device(headers: dict[str, str], fields: dict) -> dict:
    """One device: its request headers and the JSON fields every body of it carries."""
    return {"headers": headers, "fields": json.dumps(fields, separators=(",", ":"))[1:-1]}


def symptom_sets(count: int = 32, seed: int = 0) -> list[str]:
    rng = random.Random(seed)  # noqa: S311  (test data)
    return [json.dumps([{"code": s.code, "severity": rng.choice((0, 0, 0, 1, 2))}
                        for s in SYMPTOMS if s.code != "other"], separators=(",", ":"))
            for _ in range(count)]


def data_file(path: str, devices: list[dict], method: str = "POST") -> str:
    """The Lua source of the table the script loads."""
    lines = ["return {", f"  path = {lua_string(path)},", f"  method = {lua_string(method)},",
             "  devices = {"]
    for item in devices:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}"
                            for k, v in item["headers"].items())
        lines.append(f"    {{headers = {{{headers}}}, fields = {lua_string(item['fields'])}}},")
    lines.append("  },")
    lines.append("  symptoms = {" + ", ".join(lua_string(s) for s in symptom_sets()) + "},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def parse(output: str, seconds_hint: float) -> dict:
    """The figures of one run, shaped like the Python generator's (``bench.run``)."""
    line = next((x for x in output.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    if raw["socket_errors"]:
        statuses[0] = statuses.get(0, 0) + raw["socket_errors"]
    seconds = raw["duration_us"] / 1e6 or seconds_hint
    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    requests = sum(statuses.values())
    return {"throughput": round(ok / seconds, 1), "requests": requests,
            "errors": requests - ok,
            "refused": {str(k): v for k, v in sorted(statuses.items())
                        if not 200 <= k < 300},
            "p50_ms": round(raw["p50_us"] / 1000, 2), "p99_ms": round(raw["p99_us"] / 1000, 2)}


def load(port: int, path: str, devices: list[dict], *, connections: int,
         seconds: float, method: str = "POST") -> dict | None:
    """One wrk run; None when wrk is missing. ``method="GET"``: each device's headers alone,
    no body (the signed-in floor of ``bench.run``)."""
    wrk = available()
    if wrk is None:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        data = Path(tmp) / "devices.lua"
        data.write_text(data_file(path, devices, method))
        command = [wrk, f"-t{min(THREADS, connections)}", f"-c{connections}",
                   f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(SCRIPT),
                   f"http://127.0.0.1:{port}", "--", str(data)]
        done = subprocess.run(command, capture_output=True, text=True, check=False,  # noqa: S603
                              timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited with {done.returncode}: {done.stderr or done.stdout}")
    return parse(done.stdout, seconds)
