"""The jobs process: ``python -m jobs``. One BlockingScheduler; the web app never starts one.

Run one per deployment. A second one is harmless: every job claims its rows atomically and
a push claim is a lease (docs/DELIVERY.md), so the two never hold the same row at once. Every
job runs as soon as the process starts, then at its interval: a restart delays nothing.
"""

import logging
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from app import create_app
from app.notifications.webpush import ensure_vapid_key
from jobs.runner import run_job
from jobs.schedule import JOBS

MISFIRE_GRACE_SECONDS = 3600
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC", executors=_executors(app))
    started = datetime.now(UTC)
    for job in JOBS:
        # next_run_time: at once, not one interval after the start (a restart sent nothing
        # for its first minute, and escalations waited ten).
        scheduler.add_job(run_job, IntervalTrigger(seconds=job.every_seconds), args=[app, job],
                          id=job.name, name=job.description, max_instances=1, coalesce=True,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS, next_run_time=started)
    return scheduler


def _executors(app) -> dict:
    """One job at a time on SQLite, a few at once on PostgreSQL.

    SQLite has one writer at a time: jobs running side by side (all of them at start-up, the
    two one-minute jobs every minute) made each other's units fail with "database is locked"
    and wait for a later run. PostgreSQL locks rows, so its jobs may overlap.
    """
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    return {"default": ThreadPoolExecutor(max_workers=1 if sqlite else 4)}


def demo_outbox_warnings(config) -> list[str]:
    """Served over HTTPS (a real deployment) with texts or emails still kept in the demo's
    local outbox: say so, since patients would receive none of them."""
    if not str(config.get("PUBLIC_BASE_URL", "")).startswith("https://"):
        return []
    return [f"{name}=outbox: texts and emails stay in the local outbox and never reach "
            "patients; set twilio / smtp (docs/CONFIGURATION.md)"
            for name in ("SMS_BACKEND", "EMAIL_BACKEND") if config[name] == "outbox"]


def main() -> int:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Blocked in every thread (threads inherit the mask), taken only by the stopper thread.
    # A Python signal handler would run in the main thread, which may be asleep in the
    # scheduler's wait for up to a minute when the signal lands just as it goes to sleep.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    app = create_app()
    if ensure_vapid_key(Path(app.config["VAPID_PRIVATE_KEY_PATH"])):
        logging.getLogger("aftercare.jobs").info("created a VAPID key pair for web push")
    for warning in demo_outbox_warnings(app.config):
        logging.getLogger("aftercare.jobs").warning(warning)
    scheduler = build_scheduler(app)
    started = threading.Event()
    scheduler.add_listener(lambda _event: started.set(), EVENT_SCHEDULER_STARTED)
    threading.Thread(target=_stop_on_signal, args=(scheduler, started), daemon=True,
                     name="stop-on-signal").start()
    scheduler.start()  # blocks until the stopper thread shuts it down
    return 0


def _stop_on_signal(scheduler: BlockingScheduler, started: threading.Event) -> None:
    """Wait for SIGTERM or Ctrl-C, then stop the scheduler (its wait ends at once)."""
    received = signal.sigwait(STOP_SIGNALS)
    logging.getLogger("aftercare.jobs").info("stopping on %s", signal.Signals(received).name)
    started.wait()
    scheduler.shutdown(wait=False)


if __name__ == "__main__":
    sys.exit(main())
