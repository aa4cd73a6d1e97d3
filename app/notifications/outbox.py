"""Sending the push outbox: each claimed row (``leases``) is prepared, sent, and recorded.

Taking a row over is not a delivery attempt: ``attempts`` counts only runs in which a push
service answered for the message (or the network failed after a connection was tried), so
crashes never move a message towards "failed".

Delivery is at least once: a process killed after a push service accepted a message and before
the result was committed leaves the row to be sent again. Every copy carries the same Web Push
``Topic`` and notification ``tag`` (``topic``, ``payload``), so the phone shows one notification.

Sending is in three steps so the network work can run in threads while every database write
stays in the run's own thread: ``prepare`` (checks, devices, payload), ``send_to_device`` (no
database), ``record`` (the answers). ``deliver`` does the three in a row.

Quiet hours are checked here, when a message is about to go, not only when it was scheduled:
a prompt or reminder that a run finds due inside the patient's quiet hours (after an outage,
a restart, a retry or a late infusion record) is put back until they end, and that is not a
delivery attempt. A reminder goes only after its prompt reached the patient, and never
earlier than the reminder delay after that. Messages to staff (escalations) ignore a
patient's quiet hours.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.auth.models import AuthSession, User
from app.extensions import db
from app.flags.models import Flag, FlagStatus
from app.notifications import channels, textsend
from app.notifications.endpoints import allowed_endpoint
from app.notifications.messages import (  # noqa: F401  (the outbox's words, as before)
    MESSAGES,
    QUESTIONNAIRE_MESSAGE,
    payload,
    topic,
)
from app.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    PushSubscription,
)
from app.notifications.services import reached_the_patient
from app.notifications.settle import defer as _defer
from app.notifications.settle import finish as _finish
from app.notifications.settle import record_attempt, retry_later
from app.notifications.webpush import PushResult
from app.prompts import schedule
from app.prompts import services as prompts
from app.prompts.models import PromptStatus

# An endpoint's consecutive failures -> minutes it is skipped: one failure is a message's own
# retry (settle.BACKOFF_MINUTES); an endpoint that keeps failing stops costing every run a
# timeout.
ENDPOINT_BACKOFF_MINUTES = (0, 1, 5, 15, 30)


@dataclass(frozen=True)
class Outgoing:
    """One push to one device, everything the sender needs without the database."""

    notification_id: int
    device_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: dict
    topic: str

    def subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


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
            Notification.prompt_id == prompt.id, reached_the_patient()))
        if reached_at is None:
            return None  # made again (schedule_reminder) if the prompt is sent later
        earliest = max(now, prompts.reminder_due(prompt, reached_at) or prompt.window_ends_at)
    zone, quiet, _ = prompts.patient_quiet_hours(prompt)
    return schedule.outside_quiet_hours(earliest, zone, quiet)


def _claimed(notification_id: int, claimed_at: datetime) -> Notification | None:
    notification = db.session.get(Notification, notification_id, populate_existing=True)
    if (notification is None or notification.status != NotificationStatus.SENDING
            or notification.claimed_at != claimed_at):
        return None  # another jobs process took it over
    return notification


def prepare(notification_id: int, *, claimed_at: datetime, now: datetime) -> list | str:
    """What to send for one claimed notification: its pushes, one per device to try now, or
    its text or email (``textsend``), or the outcome when nothing is to be sent (not ours any
    more, cancelled, deferred, no device, moved to the fallback channel).
    """
    notification = _claimed(notification_id, claimed_at)
    if notification is None:
        return "not-claimed"
    earlier = textsend.handed_over(notification)
    if earlier is not None:  # a text or email a stopped run may have sent: never again
        return textsend.settle_unknown(notification, earlier, now)
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
    return _prepare_on_channel(notification, now)


def _prepare_on_channel(notification: Notification, now: datetime) -> list | str:
    channel = channels.current(notification, now)
    if channel in (channels.SMS, channels.EMAIL):
        prepared = textsend.prepare(notification, channel, now)
        return prepared if isinstance(prepared, str) else [prepared]
    if channel == channels.APP:
        return textsend.to_app_list(notification, now)
    devices = signed_in_devices(notification.user_id)
    if not devices:
        if channels.fall_back(notification, now):
            return "fallback"
        _record(notification, None, now, None, "no-device")
        return _finish(notification, now, NotificationStatus.SENT)
    devices = _refuse_bad_endpoints(notification, devices, now)
    if not devices:  # every endpoint failed the check: refused, like a rejection
        return _failed(notification, now)
    ready = [d for d in devices if d.next_attempt_at is None or d.next_attempt_at <= now]
    if not ready:  # every device is backed off: wait for the first, no push service asked
        return _defer(notification, min(d.next_attempt_at for d in devices))
    body, subject = payload(notification), topic(notification)
    return [Outgoing(notification.id, d.id, d.endpoint, d.p256dh, d.auth, body, subject)
            for d in ready]


def send_to_device(sender, push):
    """One device's attempt, or one text or email (no database here: it runs in the send
    job's threads); a device the library cannot even encrypt for is a rejection."""
    if isinstance(push, textsend.OutgoingText):
        return textsend.send(push)
    try:
        return sender.send(push.subscription_info(), push.payload, topic=push.topic)
    except ValueError:
        return PushResult(400)


def record(notification_id: int, *, claimed_at: datetime, now: datetime,
           results: list[tuple[Outgoing, PushResult]], max_attempts: int) -> str:
    """Keep what the push services answered; returns the outcome.

    This is a delivery attempt (``attempts`` + 1): a push service answered, or the network
    failed after the sender tried to connect. An endpoint that fails is backed off."""
    if results and isinstance(results[0][0], textsend.OutgoingText):
        [(outgoing, result)] = results
        return textsend.record(outgoing, result, claimed_at=claimed_at, now=now,
                               max_attempts=max_attempts)
    notification = db.session.get(Notification, notification_id, populate_existing=True)
    if notification is None:
        return "not-claimed"
    for push, result in results:
        device = db.session.get(PushSubscription, push.device_id)
        _record(notification, device, now, result.status_code, _outcome(result))
        if device is not None:
            _endpoint_result(device, result, now)
    if (notification.status != NotificationStatus.SENDING
            or notification.claimed_at != claimed_at):
        return "not-claimed"  # taken over meanwhile: the answers are kept, the row is not ours
    notification.attempts += 1
    if any(result.delivered for _, result in results):
        return _finish(notification, now, NotificationStatus.SENT)
    retryable = [result for _, result in results if result.retryable]
    if retryable and notification.attempts < max_attempts:
        asked = max((r.retry_after or 0 for r in retryable), default=0)
        return retry_later(notification, now, at_least_seconds=asked)
    return _failed(notification, now)


def _failed(notification: Notification, now: datetime) -> str:
    """Every device refused (or the last retry failed): the fallback channel, if any."""
    if channels.fall_back(notification, now):
        return "fallback"
    return _finish(notification, now, NotificationStatus.FAILED)


def deliver(notification_id: int, *, claimed_at: datetime, now: datetime, sender,
            max_attempts: int) -> str:
    """Send one claimed notification to every device of its user, one after another."""
    prepared = prepare(notification_id, claimed_at=claimed_at, now=now)
    if isinstance(prepared, str):
        return prepared
    results = [(push, send_to_device(sender, push)) for push in prepared]
    return record(notification_id, claimed_at=claimed_at, now=now, results=results,
                  max_attempts=max_attempts)


def signed_in_devices(user_id: int) -> list[PushSubscription]:
    """The person's subscriptions, checked again at send time: none for a deactivated account,
    none from a device whose session was ended (those rows are removed when it ends; this is
    the second lock)."""
    return list(db.session.scalars(
        select(PushSubscription)
        .join(User, User.id == PushSubscription.user_id)
        .outerjoin(AuthSession, AuthSession.id == PushSubscription.auth_session_id)
        .where(PushSubscription.user_id == user_id, User.active.is_(True),
               AuthSession.revoked_at.is_(None))
        .order_by(PushSubscription.id)))


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


def _endpoint_result(device: PushSubscription, result: PushResult, now: datetime) -> None:
    if result.delivered:
        device.last_success_at = now
        device.failures, device.next_attempt_at = 0, None
    elif result.gone:
        db.session.delete(device)
    else:
        device.failures += 1
        minutes = ENDPOINT_BACKOFF_MINUTES[min(device.failures, len(ENDPOINT_BACKOFF_MINUTES)) - 1]
        device.next_attempt_at = now + timedelta(minutes=minutes) if minutes else None


def _outcome(result: PushResult) -> str:
    if result.delivered:
        return "delivered"
    if result.gone:
        return "gone"
    if result.status_code is None:
        return "unreachable"
    return "retry" if result.retryable else "rejected"


def _record(notification, device, now, status_code, outcome) -> None:
    record_attempt(notification, device, now, status_code, outcome)
