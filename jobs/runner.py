"""Runs one job inside an app context: one commit at the end, errors logged, never raised.

Each unit of work (a patient, a flag, a prompt, a message) runs in a savepoint of its own
(``Units.run``): a unit that fails is rolled back alone, logged by job, unit kind, id and
exception class (never a message: messages can quote row values), left for a later run to
retry, and the other units go on. Every run is recorded (app/jobruns): a success only when
every unit went through, so a unit that keeps failing shows as a stalled job.

On SQLite (pysqlite opens a transaction only for a write) a unit's savepoint is usually
the outermost one, so releasing it commits that unit: the write lock is held per unit, not
for the whole run. On PostgreSQL the run's work is committed once, at the end.
"""

import logging
from datetime import UTC, datetime

from flask import Flask

from app.clock import utcnow
from app.extensions import db
from app.jobruns.services import record_run
from jobs.schedule import Job
from jobs.units import Units

log = logging.getLogger("aftercare.jobs")


def run_job(app: Flask, job: Job, now: datetime | None = None) -> dict | None:
    """Run ``job`` as of ``now`` (default: the current moment); returns its summary."""
    now = now or datetime.now(UTC)
    with app.app_context():
        started_at = utcnow()  # the real moment, whatever ``now`` the job runs as
        units = Units(job.name)
        try:
            summary = job.run(now, units)
            record_run(job.name, started_at=started_at, finished_at=utcnow(),
                       error=units.last_error)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            # Names the job only: tracebacks point at code, summaries hold counts, never data.
            log.exception("job %s failed", job.name)
            _record_failure(job.name, started_at, type(error).__name__)
            return None
        finally:
            db.session.remove()
    log.info("job %s: %s", job.name, summary)
    return summary


def _record_failure(name: str, started_at: datetime, error: str) -> None:
    try:
        record_run(name, started_at=started_at, finished_at=utcnow(), error=error)
        db.session.commit()
    except Exception:  # the database itself may be what failed
        db.session.rollback()
        log.exception("job %s: could not record the failure", name)


def run_all(app: Flask, now: datetime) -> dict[str, dict | None]:
    from jobs.schedule import JOBS

    return {job.name: run_job(app, job, now) for job in JOBS}
