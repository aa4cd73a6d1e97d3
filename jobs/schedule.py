"""The job table: every job the jobs process runs, and how often. Defined in code, nowhere else."""

from collections.abc import Callable
from dataclasses import dataclass

from jobs import escalate, evaluate_flags, mark_missed, send_notifications


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., dict]  # run(now, units): its summary (jobs/units.py)
    every_seconds: int
    description: str


# Order matters for run-once: prompts lapse before the rules look for missed ones, and
# escalations are created before the send job delivers them.
JOBS: tuple[Job, ...] = (
    Job("mark_missed", mark_missed.run, 300, "mark prompts whose window closed as missed"),
    Job("evaluate_flags", evaluate_flags.run, 600, "run every flag rule for active patients"),
    Job("escalate", escalate.run, 60, "push unacknowledged urgent flags to every clinician"),
    Job("send_notifications", send_notifications.run, 60, "claim due pushes and send them"),
)
