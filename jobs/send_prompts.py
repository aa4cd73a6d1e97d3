"""Every minute: claim due pushes, commit the claim, then send each one and commit its result.

The one job that commits more than once, by design: a claim must be committed before the
first byte is sent, and each result as soon as it is known.
"""

from datetime import datetime

from flask import current_app

from app.extensions import db
from app.prompts import outbox
from app.prompts.push_keys import sender


def run(now: datetime) -> dict:
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
        try:
            outcome = outbox.deliver(notification_id, claimed_at=now, now=now, sender=push,
                                     max_attempts=config["PUSH_MAX_ATTEMPTS"])
            db.session.commit()  # each result is kept even if a later send fails
        except Exception:
            db.session.rollback()  # this one is retried after the claim timeout; go on
            current_app.logger.exception("push %s failed", notification_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"claimed": len(claimed), **outcomes}
