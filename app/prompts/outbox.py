"""Sending the push outbox: claim due rows atomically, then deliver each one once.

A claim is a single conditional UPDATE (on PostgreSQL over rows locked with
``FOR UPDATE SKIP LOCKED``), committed before anything is sent, so two jobs processes can
never claim the same row. A claim that never finished (the process died) is taken again
once it is older than the claim timeout.

Quiet hours are checked here, when a message is about to go, not only when it was scheduled:
a prompt or reminder that a run finds due inside the patient's quiet hours (after an outage,
a restart, a retry or a late infusion record) is put back until they end, and that is not a
delivery attempt. A reminder goes only after its prompt reached the patient, and never
earlier than the reminder delay after that. Messages to staff (escalations) ignore a
patient's quiet hours.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.auth.models import AuthSession, User
from app.extensions import db
from app.flags.models import Flag, FlagStatus
from app.prompts import schedule
from app.prompts import services as prompts
from app.prompts.endpoints import allowed_endpoint
from app.prompts.models import (
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
    PromptStatus,
    PushSubscription,
)
from app.prompts.webpush import PushResult

BACKOFF_MINUTES = (1, 2, 5, 15, 30)
MESSAGES = {
    NotificationKind.PROMPT: "Time for your check-in",
    NotificationKind.REMINDER: "Reminder: your check-in is still open",
    NotificationKind.ESCALATION: "An urgent flag is waiting for a clinician",
}
QUESTIONNAIRE_MESSAGE = "Time for your weekly questionnaire"


def claim_due(now: datetime, *, claim_timeout: timedelta, max_attempts: int,
              limit: int = 50) -> list[int]:
    """Mark up to ``limit`` due notifications as claimed at ``now``; returns their ids.

    The caller commits, then delivers each with ``claimed_at=now``: if the claim was taken
    over meanwhile (it outlived the claim timeout), the delivery sees it is no longer its own.
    """
    claimable = or_(
        and_(Notification.status == NotificationStatus.DUE, Notification.due_at <= now),
        and_(Notification.status == NotificationStatus.SENDING,
             Notification.claimed_at < now - claim_timeout,
             Notification.attempts < max_attempts),
    )
    # A claim lost in crashes on every one of its attempts is given up, not retried forever.
    db.session.execute(
        update(Notification)
        .where(Notification.status == NotificationStatus.SENDING,
               Notification.claimed_at < now - claim_timeout,
               Notification.attempts >= max_attempts)
        .values(status=NotificationStatus.FAILED),
        execution_options={"synchronize_session": False})
    candidates = select(Notification.id).where(claimable).order_by(Notification.due_at)
    candidates = candidates.limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(candidates.scalar_subquery()), claimable)
        .values(status=NotificationStatus.SENDING, claimed_at=now,
                attempts=Notification.attempts + 1)
        .returning(Notification.id),
        execution_options={"synchronize_session": False},
    ).scalars().all()
    return sorted(claimed)


def payload(notification: Notification) -> dict:
    """What the device receives. Never health data: a fixed sentence and where to go."""
    if notification.kind == NotificationKind.ESCALATION:
        return {"title": "Aftercare", "body": MESSAGES[notification.kind], "url": "/clinic/",
                # A flag opened again alerts anew, not as a silent update of the old push.
                "tag": f"flag-{notification.flag_id}-{notification.escalation_round}"}
    if notification.prompt and prompts.is_questionnaire(notification.prompt.slot):
        body, url = QUESTIONNAIRE_MESSAGE, "/phq9"
    else:
        body, url = MESSAGES[notification.kind], "/checkin"
    return {"title": "Aftercare", "body": body, "url": url,
            "tag": f"prompt-{notification.prompt_id}"}


def _still_wanted(notification: Notification, now: datetime) -> bool:
    """An answered or lapsed prompt, or an acknowledged flag, needs no push any more."""
    if notification.prompt is not None:
        return (notification.prompt.status == PromptStatus.PENDING
                and now < notification.prompt.window_ends_at)
    if notification.flag_id is not None:
        return db.session.get(Flag, notification.flag_id).status == FlagStatus.OPEN
    return True


def not_before(notification: Notification, now: datetime) -> datetime | None:
    """The earliest moment from ``now`` this message may go; None if it must not go at all.

    A message to a patient waits out the patient's quiet hours; a reminder also waits for
    ``reminder_delay_hours`` after its prompt reached the patient, and does not go if the prompt
    never did. A message to staff may go at once.
    """
    prompt = notification.prompt
    if prompt is None:
        return now
    earliest = now
    if notification.kind == NotificationKind.REMINDER:
        reached_at = db.session.scalar(select(Notification.sent_at).where(
            Notification.prompt_id == prompt.id, prompts.reached_the_patient()))
        if reached_at is None:
            return None  # made again (schedule_reminder) if the prompt is sent later
        earliest = max(now, prompts.reminder_due(prompt, reached_at) or prompt.window_ends_at)
    zone, quiet, _ = prompts.patient_quiet_hours(prompt)
    return schedule.outside_quiet_hours(earliest, zone, quiet)


def _defer(notification: Notification, until: datetime) -> str:
    """Put a claimed message back until ``until``: a wait, not a delivery attempt."""
    notification.status = NotificationStatus.DUE
    notification.due_at = until
    notification.claimed_at = None
    notification.attempts -= 1
    return "deferred"


def topic(notification: Notification) -> str:
    """Same message, same topic: a copy resent after a crash replaces the first, not adds to it."""
    return f"n{notification.id}"


def deliver(notification_id: int, *, claimed_at: datetime, now: datetime, sender,
            max_attempts: int) -> str:
    """Send one claimed notification to every device of its user; returns the outcome."""
    notification = db.session.get(Notification, notification_id, populate_existing=True)
    if (notification is None or notification.status != NotificationStatus.SENDING
            or notification.claimed_at != claimed_at):
        return "not-claimed"  # another jobs process took it over
    if not _still_wanted(notification, now):
        notification.status = NotificationStatus.CANCELLED
        return "cancelled"
    allowed_at = not_before(notification, now)
    if allowed_at is None or (notification.prompt is not None
                              and allowed_at >= notification.prompt.window_ends_at):
        notification.status = NotificationStatus.CANCELLED  # never pushed late
        return "cancelled"
    if allowed_at > now:
        return _defer(notification, allowed_at)
    devices = signed_in_devices(notification.user_id)
    if not devices:
        _record(notification, None, now, None, "no-device")
        return _finish(notification, now, NotificationStatus.SENT)
    devices = _refuse_bad_endpoints(notification, devices, now)
    results = [(device, _send(sender, device, notification)) for device in devices]
    for device, result in results:
        _record(notification, device, now, result.status_code, _outcome(result))
        if result.delivered:
            device.last_success_at = now
        elif result.gone:
            db.session.delete(device)
    if any(result.delivered for _, result in results):
        return _finish(notification, now, NotificationStatus.SENT)
    retryable = [result for _, result in results if result.retryable]
    if retryable and notification.attempts < max_attempts:
        notification.status = NotificationStatus.DUE
        notification.due_at = now + _backoff(notification.attempts, retryable)
        notification.claimed_at = None
        return "retry"
    return _finish(notification, now, NotificationStatus.FAILED)


def signed_in_devices(user_id: int) -> list[PushSubscription]:
    """The person's subscriptions, checked again at send time: none for a deactivated account,
    none from a device whose session was ended (those rows are removed when it ends; this is
    the second lock)."""
    return list(db.session.scalars(
        select(PushSubscription)
        .join(User, User.id == PushSubscription.user_id)
        .outerjoin(AuthSession, AuthSession.id == PushSubscription.auth_session_id)
        .where(PushSubscription.user_id == user_id, User.active.is_(True),
               AuthSession.revoked_at.is_(None))))


def _refuse_bad_endpoints(notification, devices, now) -> list[PushSubscription]:
    """The subscription check again, just before sending (a row saved before it, or written
    to the database some other way): a device whose endpoint fails it is never sent to, is
    recorded as refused (like a rejection) and removed. Returns the devices that pass."""
    hosts, allow_http = (current_app.config["PUSH_ENDPOINT_HOSTS"],
                         current_app.config["PUSH_ALLOW_HTTP"])
    passing = []
    for device in devices:
        if allowed_endpoint(device.endpoint, hosts, allow_http) is None:
            passing.append(device)
        else:
            _record(notification, device, now, None, "refused-endpoint")
            db.session.delete(device)
    return passing


def _send(sender, device: PushSubscription, notification: Notification) -> PushResult:
    """One device's attempt; a device the library cannot even encrypt for is a rejection."""
    try:
        return sender.send(_subscription_info(device), payload(notification),
                           topic=topic(notification))
    except ValueError:
        return PushResult(400)


def _finish(notification: Notification, now: datetime, status: NotificationStatus) -> str:
    notification.status = status
    if status == NotificationStatus.SENT:
        notification.sent_at = now
        if notification.kind == NotificationKind.PROMPT and notification.prompt is not None:
            prompts.schedule_reminder(notification.prompt, now)
    return status.value


def _backoff(attempts: int, results: list[PushResult]) -> timedelta:
    minutes = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
    asked = max((r.retry_after or 0 for r in results), default=0)
    return max(timedelta(minutes=minutes), timedelta(seconds=asked))


def _outcome(result: PushResult) -> str:
    if result.delivered:
        return "delivered"
    if result.gone:
        return "gone"
    if result.status_code is None:
        return "unreachable"
    return "retry" if result.retryable else "rejected"


def _record(notification, device, now, status_code, outcome) -> None:
    db.session.add(DeliveryAttempt(notification_id=notification.id,
                                   subscription_id=device.id if device else None, at=now,
                                   status_code=status_code, outcome=outcome))


def _subscription_info(device: PushSubscription) -> dict:
    return {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}}
