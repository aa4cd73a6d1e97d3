"""Push delivery under hostile endpoints and crashes (issues 12.2 and 20), for ``make bench``.

- ``send_1000_hostile_10pct``: one run of the send job over 1,000 due pushes, of which 10% go
  to a push service that accepts connections and never answers; seconds per run and what the
  run did (the rest of the 10% is released at the run's deadline for the next run).
- ``takeover_after_kill``: two sending processes with the default lease and the jobs
  process's one-minute schedule; the first is killed with SIGKILL while its pushes are in
  flight; seconds from the kill to the last of its claimed messages delivered by the other.

Both on a fresh SQLite database in the bench directory, to the real push service of the tests.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.auth.models import Role
from app.extensions import db
from app.notifications import services as notifications
from app.notifications.models import Notification, NotificationKind
from app.notifications.push_keys import public_key
from app.notifications.webpush import ensure_vapid_key
from bench.databases import BENCH_DIR, bench_app
from jobs import send_notifications
from tests import factories, push_service

ROOT = Path(__file__).parent.parent
KILLED, SURVIVOR = "mailto:bench-a@aftercare.test", "mailto:bench-b@aftercare.test"


def _silent_service() -> tuple[str, list]:
    """A push service that accepts every connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)
    held: list = []

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    host, port = listener.getsockname()
    held.append(listener)
    return f"http://{host}:{port}", held


def _fresh(name: str):
    path = BENCH_DIR / name
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    key = BENCH_DIR / "vapid_private.pem"
    ensure_vapid_key(key)
    app = bench_app(f"sqlite:///{path}", VAPID_PRIVATE_KEY_PATH=str(key),
                    PUSH_ENDPOINT_HOSTS=("127.0.0.1",), PUSH_ALLOW_HTTP=True)
    with app.app_context():
        db.create_all()
    return app, path


def _escalations(service, count: int, now: datetime, silent_url: str | None = None,
                 silent_every: int = 0) -> None:
    """``count`` due escalations, each to a clinician with one phone; every ``silent_every``-th
    phone's endpoint is on the silent push service."""
    clinic = factories.clinic()
    for n in range(count):
        user = factories.staff(clinic, Role.CLINICIAN)
        info = service.new_device().subscription(service.base_url)
        if silent_url and silent_every and n % silent_every == 0:
            info["endpoint"] = silent_url + f"/push/{n}"
        notifications.upsert_subscription(user.id, info, now=now)
        db.session.add(Notification(user_id=user.id, kind=NotificationKind.ESCALATION,
                                    due_at=now - timedelta(minutes=1)))
    db.session.commit()


def hostile_run(total: int = 1000) -> dict:
    app, _ = _fresh("push-hostile.db")
    silent_url, held = _silent_service()
    with app.app_context():
        service = push_service.start(expected_vapid_key=public_key(app))
        try:
            now = datetime.now(UTC)
            _escalations(service, total, now, silent_url, silent_every=10)
            started = time.perf_counter()
            summary = send_notifications.run(now)
            seconds = time.perf_counter() - started
            delivered = len(service.received)
        finally:
            service.server.shutdown()
            for sock in held:
                sock.close()
            db.engine.dispose()
    return {"seconds": round(seconds, 2), "summary": summary, "delivered": delivered,
            "workers": app.config["PUSH_SEND_WORKERS"],
            "deadline_seconds": app.config["PUSH_RUN_DEADLINE"].total_seconds()}


def takeover_after_kill(count: int = 50) -> dict:
    app, path = _fresh("push-takeover.db")
    with app.app_context():
        service = push_service.start(expected_vapid_key=public_key(app))
        now = datetime.now(UTC)
        _escalations(service, count, now)
        db.session.remove()
    environment = {**os.environ, "SECRET_KEY": "bench-secret", "DATABASE_URL": f"sqlite:///{path}",
                   "AFTERCARE_INSTANCE_PATH": str(BENCH_DIR),
                   "VAPID_PRIVATE_KEY_PATH": app.config["VAPID_PRIVATE_KEY_PATH"],
                   "SEND_LOOP_T0": now.isoformat(), "SEND_LOOP_SPEED": "1",
                   "SEND_LOOP_BATCH": "200", "SEND_LOOP_EVERY": "60", "PYTHONPATH": str(ROOT)}

    def process(subject):
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.faults.send_loop"], cwd=ROOT,
            env={**environment, "VAPID_SUBJECT": subject},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    service.hold_subject = KILLED
    first, second = process(KILLED), None
    try:
        deadline = time.monotonic() + 60
        in_flight = min(count, app.config["PUSH_SEND_WORKERS"])  # one pool's worth at once
        while len(service.deliveries_from(KILLED)) < in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        second = process(SURVIVOR)  # its first run finds every row claimed by the first
        time.sleep(2)  # the pushes wait for their answers (well inside the 30 s timeout)
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait()
        service.released.set()
        claimed = {d.payload["tag"] + d.path for d in service.deliveries_from(KILLED)}
        deadline = killed_at + 240
        while time.monotonic() < deadline:
            resent = {d.payload["tag"] + d.path for d in service.deliveries_from(SURVIVOR)}
            if claimed <= resent:
                break
            time.sleep(0.1)
        else:
            return {"seconds": None, "claimed": len(claimed)}
        return {"seconds": round(time.monotonic() - killed_at, 1), "claimed": len(claimed),
                "lease_seconds": app.config["PUSH_LEASE"].total_seconds(),
                "send_every_seconds": 60}
    finally:
        for running in (first, second):
            if running is not None and running.poll() is None:
                running.terminate()
                running.wait(timeout=60)
        service.server.shutdown()
        with app.app_context():
            db.engine.dispose()


def measure() -> dict:
    return {"send_1000_hostile_10pct": hostile_run(), "takeover_after_kill": takeover_after_kill()}


if __name__ == "__main__":
    import json

    print(json.dumps(measure()))
