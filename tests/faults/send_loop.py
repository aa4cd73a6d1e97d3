"""A jobs process that only sends: ``python -m tests.faults.send_loop``, for the crash test.

It runs the real send job (jobs/runner.py, jobs/send_notifications.py) again and again against
DATABASE_URL until SIGTERM, on a clock that runs SEND_LOOP_SPEED times faster than the real one
from SEND_LOOP_T0 (shared by every process of a test, so they agree on the time). With the
default settings that makes the 30 s lease 1.5 real seconds and a minute's retry back-off 3:
the whole crash-and-outage story fits in a test that takes seconds. VAPID_SUBJECT tells the
processes apart at the push service.
"""

import os
import signal
import time
from datetime import UTC, datetime, timedelta

from app import create_app
from jobs.runner import run_job
from jobs.schedule import JOBS


def main() -> None:
    t0 = datetime.fromisoformat(os.environ["SEND_LOOP_T0"])
    speed = float(os.environ["SEND_LOOP_SPEED"])
    every = float(os.environ.get("SEND_LOOP_EVERY", "0.05"))  # seconds from run to run

    def clock() -> datetime:
        return t0 + (datetime.now(UTC) - t0) * speed

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
        "INSTANCE_PATH": os.environ["AFTERCARE_INSTANCE_PATH"],
        "VAPID_PRIVATE_KEY_PATH": os.environ["VAPID_PRIVATE_KEY_PATH"],
        "VAPID_SUBJECT": os.environ["VAPID_SUBJECT"],
        "PUSH_ENDPOINT_HOSTS": ("127.0.0.1",), "PUSH_ALLOW_HTTP": True,
        "PUSH_CLAIM_BATCH": int(os.environ.get("SEND_LOOP_BATCH", "10")),
        "PUSH_SEND_WORKERS": 16,
        # Long enough that a push held by the push service is still in flight at the kill.
        "PUSH_TIMEOUT_SECONDS": float(os.environ.get("SEND_LOOP_TIMEOUT", "30")),
        **({"PUSH_RUN_DEADLINE": timedelta(seconds=float(os.environ["SEND_LOOP_DEADLINE"]))}
           if os.environ.get("SEND_LOOP_DEADLINE") else {}),
        "CLOCK": clock,
    })
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    job = next(job for job in JOBS if job.name == "send_notifications")
    while not stopping:
        started = time.monotonic()
        run_job(app, job, clock())
        pause = every - (time.monotonic() - started)
        while pause > 0 and not stopping:  # the jobs process's schedule, or a tight loop
            time.sleep(min(pause, 0.05))
            pause -= 0.05


if __name__ == "__main__":
    main()
