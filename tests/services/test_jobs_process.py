"""The jobs process runs on its own; the web app never starts a scheduler."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jobs.schedule import JOBS


def test_the_web_app_never_loads_a_scheduler(tmp_path):
    """Building the app, and the gunicorn entry point, in a clean interpreter."""
    probe = (
        "import sys, threading\n"
        "import app.wsgi\n"
        "from app import create_app\n"
        "create_app()\n"
        "print(sorted(m for m in sys.modules if m.startswith('apscheduler')),"
        " [t.name for t in threading.enumerate() if 'scheduler' in t.name.lower()])\n"
    )
    environment = {**os.environ, "SECRET_KEY": "x", "AFTERCARE_INSTANCE_PATH": str(tmp_path),
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    result = subprocess.run([sys.executable, "-c", probe], env=environment,  # noqa: S603
                            capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parents[2])
    assert result.stdout.strip() == "[] []"


def test_python_m_jobs_starts_makes_its_vapid_key_and_stops_on_sigterm(database_url, tmp_path):
    environment = {**os.environ, "SECRET_KEY": "x", "DATABASE_URL": database_url,
                   "AFTERCARE_INSTANCE_PATH": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "jobs"],  # noqa: S603
                               env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               cwd=Path(__file__).parents[2])
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "Scheduler started" in line:
            break
    # Keep reading: the jobs run at once, and their log (tracebacks, here, as the database has
    # no tables) would otherwise fill the pipe and block the process in a write.
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        state = Path(f"/proc/{process.pid}/status").read_text()
        signals = "\n".join(line for line in state.splitlines() if line.startswith("Sig"))
        process.send_signal(signal.SIGABRT)  # faulthandler prints where it was stuck
        try:
            process.wait(timeout=10)
            reader.join(10)
            stack = "".join(lines[-200:])
        except subprocess.TimeoutExpired:
            process.kill()
            stack = "(no stack: SIGABRT was not handled either)"
        pytest.fail(f"python -m jobs ignored SIGTERM.\n{signals}\n{stack}")
    reader.join(10)
    output = "".join(lines)

    assert "Scheduler started" in output, output
    for job in JOBS:
        assert f'Added job "{job.description}"' in output
    assert process.returncode == 0
    key = tmp_path / "vapid_private.pem"
    assert key.exists() and key.stat().st_mode & 0o777 == 0o600
