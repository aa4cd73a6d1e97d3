"""One savepoint per unit of work of a job run (see jobs/runner.py)."""

import logging
from collections.abc import Callable
from typing import TypeVar

from app.extensions import db

log = logging.getLogger("aftercare.jobs")
T = TypeVar("T")


class Units:
    """The units of work of one job run, each in its own savepoint."""

    def __init__(self, job_name: str):
        self.job_name = job_name
        self.failed = 0
        self.last_error: str | None = None

    def run(self, kind: str, unit_id: int, work: Callable[[], T]) -> tuple[bool, T | None]:
        """``work()`` in a savepoint; (True, its result), or (False, None) if it raised."""
        try:
            with db.session.begin_nested():
                return True, work()
        except Exception as error:  # noqa: BLE001  (any failure is this unit's alone)
            self.failed += 1
            self.last_error = type(error).__name__
            log.error("job %s: %s %s failed (%s); retried on a later run",
                      self.job_name, kind, unit_id, self.last_error)
            return False, None

    def summary(self, **counts) -> dict:
        return {**counts, **({"failed": self.failed} if self.failed else {})}
