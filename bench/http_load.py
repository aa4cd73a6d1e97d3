"""gunicorn on loopback, keep-alive HTTP clients in threads, and worker memory from /proc."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The same settings for Aftercare and the baseline: threaded workers keep connections alive.
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids


def peak_rss_kib(pid: int) -> int:
    """VmHWM: the most resident memory the process has had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def start_gunicorn(target: str, env: dict) -> Server:
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "--worker-class", "gthread",
               "--workers", str(WORKERS), "--threads", str(THREADS), "--keep-alive", "30",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target]
    process = subprocess.Popen(command, env={**os.environ, **env},  # noqa: S603
                               cwd=Path(__file__).parent.parent)
    server = Server(process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {target} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn {target} did not start")


def request(port: int, method: str, path: str, *, body=None, headers=None,
            connection: http.client.HTTPConnection | None = None):
    """One request; returns (status, headers, body bytes)."""
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {**({"Content-Type": "application/json"} if data else {}), **(headers or {})}
    connection.request(method, path, body=data, headers=all_headers)
    response = connection.getresponse()
    payload = response.read()
    if own:
        connection.close()
    return response.status, response.headers, payload


@dataclass
class LoadResult:
    """``requests``: every answer in the measured seconds; ``statuses``: how many of each
    status (0: no answer: a timeout or a dropped connection). Only 2xx count as throughput."""

    requests: int
    statuses: dict[int, int]
    seconds: float
    latencies_ms: list[float]

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        return self.requests - self.ok

    @property
    def refused(self) -> dict[int, int]:
        """The statuses other than 2xx, and how many of each."""
        return {status: n for status, n in sorted(self.statuses.items())
                if not 200 <= status < 300}

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def load(port: int, make_request: Callable[[int, int], tuple[str, str, dict, dict]], *,
         clients: int, seconds: float, warmup: float = 1.5) -> LoadResult:
    """``clients`` threads, each on one keep-alive connection, send ``make_request(client, n)``
    (method, path, json body, headers) for ``warmup`` + ``seconds``; only the latter counts."""
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[Counter] = [Counter() for _ in range(clients)]

    def run(client: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        while True:
            began = time.monotonic()
            if began >= stop_at:
                break
            method, path, body, headers = make_request(client, n)
            n += 1
            try:
                status, _, _ = request(port, method, path, body=body, headers=headers,
                                       connection=connection)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            took = time.monotonic() - began
            if began >= measure_from:
                statuses[client][status] += 1
                latencies[client].append(took * 1000)
        connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(statuses, Counter())
    return LoadResult(sum(total.values()), dict(total), seconds,
                      [value for values in latencies for value in values])
