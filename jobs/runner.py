"""Runs one job inside an app context: one commit at the end, errors logged, never raised."""

import logging
from datetime import UTC, datetime

from flask import Flask

from app.extensions import db
from jobs.schedule import Job

log = logging.getLogger("aftercare.jobs")


def run_job(app: Flask, job: Job, now: datetime | None = None) -> dict | None:
    """Run ``job`` as of ``now`` (default: the current moment); returns its summary."""
    now = now or datetime.now(UTC)
    with app.app_context():
        try:
            summary = job.run(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            # Names the job only: tracebacks point at code, summaries hold counts, never data.
            log.exception("job %s failed", job.name)
            return None
        finally:
            db.session.remove()
    log.info("job %s: %s", job.name, summary)
    return summary


def run_all(app: Flask, now: datetime) -> dict[str, dict | None]:
    from jobs.schedule import JOBS

    return {job.name: run_job(app, job, now) for job in JOBS}
