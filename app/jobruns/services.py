"""Recording each job run, and judging whether a job has stalled.

A run that raised, or in which any unit of work failed, is a failure; only a run in which
everything went through is a success. A job is stale when it has not succeeded within
``STALE_AFTER_INTERVALS`` of its intervals (a job that never succeeded is stale too).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.jobruns.models import JobRun

STALE_AFTER_INTERVALS = 3


def _row(name: str) -> JobRun:
    row = db.session.get(JobRun, name)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():  # a second jobs process may create it meanwhile
            row = JobRun(name=name, failures=0, last_error="")
            db.session.add(row)
    except IntegrityError:
        row = db.session.get(JobRun, name, populate_existing=True)
    return row


def record_run(name: str, *, started_at: datetime, finished_at: datetime,
               error: str | None) -> JobRun:
    """Keep the outcome of one run: ``error`` is an exception class name, None on success."""
    row = _row(name)
    row.last_started_at = started_at
    if error is None:
        row.last_success_at, row.failures = finished_at, 0
    else:
        row.last_failure_at, row.last_error = finished_at, error[:80]
        row.failures = (row.failures or 0) + 1
    db.session.flush()
    return row


@dataclass(frozen=True)
class JobHealth:
    name: str
    every_seconds: int
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str
    failures: int
    stale: bool

    @property
    def state(self) -> str:
        return "stale" if self.stale else "ok"


def job_health(jobs, now: datetime) -> list[JobHealth]:
    """Each job in ``jobs`` (objects with ``name`` and ``every_seconds``), as of ``now``."""
    rows = {row.name: row for row in db.session.scalars(select(JobRun))}
    health = []
    for job in jobs:
        row = rows.get(job.name)
        success = row.last_success_at if row else None
        limit = timedelta(seconds=STALE_AFTER_INTERVALS * job.every_seconds)
        health.append(JobHealth(
            name=job.name, every_seconds=job.every_seconds, last_success_at=success,
            last_failure_at=row.last_failure_at if row else None,
            last_error=row.last_error if row else "", failures=row.failures if row else 0,
            stale=success is None or now - success > limit))
    return health


def scheduled_job_health(now: datetime) -> list[JobHealth]:
    """Every job of the jobs process (jobs/schedule.py), as of ``now``."""
    from jobs.schedule import JOBS  # the job table lives with the jobs process

    return job_health(JOBS, now)
