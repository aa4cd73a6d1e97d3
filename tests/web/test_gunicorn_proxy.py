"""Under gunicorn, X-Forwarded-Proto is trusted from exactly the proxies the app is told about
(TRUSTED_PROXY_COUNT), not from any local process (gunicorn's forwarded_allow_ips default of
127.0.0.1). A real gunicorn, started as docs/DEPLOYMENT.md documents, with the shipped settings.

The scheme shows in Strict-Transport-Security, which the app sends on HTTPS requests only."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
COMMAND = ["-c", "python:app.gunicorn_conf", "app.wsgi:app"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(tmp_path, proxies: int, cwd: Path):
    port = _free_port()
    environment = {**os.environ, "SECRET_KEY": "gunicorn-tests",
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'aftercare.db'}",
                   "AFTERCARE_INSTANCE_PATH": str(tmp_path / "instance"),
                   "TRUSTED_PROXY_COUNT": str(proxies), "PYTHONPATH": str(ROOT)}
    environment.pop("FORWARDED_ALLOW_IPS", None)
    server = subprocess.Popen([str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "1",  # noqa: S603
                               *COMMAND], env=environment, cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server, f"http://127.0.0.1:{port}"
        # Listening before its worker has loaded the app: a busy machine's first answer can
        # take longer than the timeout. Only the 60 s deadline says it did not start.
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    server.kill()
    pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")


def _hsts(url: str) -> str | None:
    response = requests.get(f"{url}/healthz", headers={"X-Forwarded-Proto": "https",
                                                       "X-Forwarded-For": "203.0.113.9"},
                            timeout=10)
    return response.headers.get("Strict-Transport-Security")


@pytest.mark.parametrize(("proxies", "trusted"), [(0, False), (1, True)])
def test_forwarded_proto_is_trusted_only_from_configured_proxies(tmp_path, proxies, trusted):
    if not GUNICORN.exists():
        pytest.fail("gunicorn is a dependency of the app: install it")
    server, url = _serve(tmp_path, proxies, cwd=tmp_path)  # not the project root: -c alone
    try:
        assert (_hsts(url) is not None) is trusted
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_gunicorn_started_in_the_project_root_loads_the_same_settings(tmp_path):
    server, url = _serve(tmp_path, 0, cwd=ROOT)
    try:
        assert _hsts(url) is None
    finally:
        server.terminate()
        server.wait(timeout=20)
