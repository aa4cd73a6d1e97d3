"""Every minute: claim due pushes, commit the claim, then send each one and commit its result.

The one job that commits more than once, by design: a claim must be committed before the
first byte is sent, and each result as soon as it is known.
"""

from datetime import datetime
from functools import partial

from flask import current_app

from app.extensions import db
from app.prompts import outbox
from app.prompts.push_keys import sender
from jobs.units import Units


def run(now: datetime, units: Units | None = None) -> dict:
    units = units or Units("send_prompts")
    config = current_app.config
    push = sender(current_app)
    if push is None:
        current_app.logger.warning("no VAPID key yet: pushes wait until the jobs process makes one")
        return {"claimed": 0}
    claimed = outbox.claim_due(now, claim_timeout=config["PUSH_CLAIM_TIMEOUT"],
                               max_attempts=config["PUSH_MAX_ATTEMPTS"])
    db.session.commit()  # the claim is ours before anything leaves the building
    outcomes: dict[str, int] = {}
    for notification_id in claimed:
        # A failed send is rolled back alone and retried after the claim timeout.
        ok, outcome = units.run("message", notification_id, partial(
            outbox.deliver, notification_id, claimed_at=now, now=now, sender=push,
            max_attempts=config["PUSH_MAX_ATTEMPTS"]))
        db.session.commit()  # each result is kept even if a later send fails
        outcome = outcome if ok else "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return units.summary(claimed=len(claimed), **outcomes)
