"""Ending one try of a message, on any channel: sent, failed, put back for later, retried."""

from datetime import datetime, timedelta

from sqlalchemy import update

from app.extensions import db
from app.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from app.prompts import services as prompts

BACKOFF_MINUTES = (1, 2, 5, 15, 30)


def finish(notification: Notification, now: datetime, status: NotificationStatus) -> str:
    notification.status = status
    notification.lease_expires_at = None
    notification.sealed_link = None  # a sign-in or setup link is never kept once sent
    if status == NotificationStatus.SENT:
        notification.sent_at = now
        if notification.kind == NotificationKind.PROMPT and notification.prompt is not None:
            prompts.schedule_reminder(notification.prompt, now)
    return status.value


def defer(notification: Notification, until: datetime) -> str:
    """Put a claimed message back until ``until``: a wait, not a delivery attempt."""
    notification.status = NotificationStatus.DUE
    notification.due_at = until
    notification.claimed_at = None
    notification.lease_expires_at = None
    return "deferred"


def retry_later(notification: Notification, now: datetime, *, at_least_seconds: int = 0) -> str:
    """Due again after the back-off for its attempts so far (or what the provider asked)."""
    minutes = BACKOFF_MINUTES[min(notification.attempts, len(BACKOFF_MINUTES)) - 1]
    wait = max(timedelta(minutes=minutes), timedelta(seconds=at_least_seconds))
    defer(notification, now + wait)
    return "retry"


def record_attempt(notification, device, now, status_code, outcome, channel="push",
                   **fields) -> DeliveryAttempt:
    attempt = DeliveryAttempt(notification_id=notification.id,
                              subscription_id=device.id if device else None, at=now,
                              status_code=status_code, outcome=outcome, channel=channel,
                              **fields)
    db.session.add(attempt)
    return attempt


def lock_message(notification_id: int) -> Notification | None:
    """Take the message's row lock (a write to it: the row on PostgreSQL, the database's write
    lock on SQLite) before reading it, so a status callback and the send job's record of the
    same text never overwrite each other; returns the row as committed."""
    db.session.execute(
        update(Notification).where(Notification.id == notification_id)
        .values(attempts=Notification.attempts),
        execution_options={"synchronize_session": False})
    return db.session.get(Notification, notification_id, populate_existing=True)
