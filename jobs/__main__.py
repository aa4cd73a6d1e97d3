"""The jobs process: ``python -m jobs``. One BlockingScheduler; the web app never starts one.

Run exactly one per deployment (a second one is harmless: every job claims its rows
atomically, so nothing is sent twice, but it only wastes work).
"""

import logging
import signal
import sys
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from app import create_app
from app.prompts.webpush import ensure_vapid_key
from jobs.runner import run_job
from jobs.schedule import JOBS

MISFIRE_GRACE_SECONDS = 3600


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    for job in JOBS:
        scheduler.add_job(run_job, IntervalTrigger(seconds=job.every_seconds), args=[app, job],
                          id=job.name, name=job.description, max_instances=1, coalesce=True,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS)
    return scheduler


def main() -> int:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    if ensure_vapid_key(Path(app.config["VAPID_PRIVATE_KEY_PATH"])):
        logging.getLogger("aftercare.jobs").info("created a VAPID key pair for web push")
    scheduler = build_scheduler(app)
    # A parent may hand us a signal mask with these blocked; we must hear them to stop.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        scheduler.start()  # blocks until Ctrl-C or SIGTERM
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    return 0


def _exit_on_sigterm(*_):
    """Raise out of the scheduler's wait at once (as Ctrl-C does); main() shuts it down."""
    raise SystemExit(0)


if __name__ == "__main__":
    sys.exit(main())
