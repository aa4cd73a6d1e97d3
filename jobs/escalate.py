"""Every minute: urgent flags nobody acknowledged in time go to every clinician by push.

Each flag is a unit of its own: one that cannot be escalated is retried next minute and
never holds back another patient's escalation.
"""

from datetime import datetime
from functools import partial

from app.flags.services import due_escalations, escalate_flag
from jobs.units import Units


def run(now: datetime, units: Units | None = None) -> dict:
    units = units or Units("escalate")
    escalated = 0
    for flag_id in due_escalations(now):
        ok, done = units.run("flag", flag_id, partial(escalate_flag, flag_id, now))
        escalated += bool(ok and done)
    return units.summary(escalated=escalated)
