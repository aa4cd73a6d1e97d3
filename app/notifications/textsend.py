"""Sending a message as a text or an email: prepared and recorded in the send job's own
thread, sent from its pool (network only), like a push.

Never twice, even after a crash: the attempt is written as "handed-over" and committed before
the provider is asked. A run that finds such an attempt (its process died, or the run reached
its deadline before the provider answered) does not ask again: the attempt becomes "unknown"
and the message counts as sent. For a text, the provider's status callback still says what
happened. So these channels are at most once where push is at least once (a second text or
email cannot be folded into the first the way a push's Topic and tag are); a message lost
that way still leaves the check-in in the app's own list, and its reminder follows.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.notifications import channels, messages
from app.notifications.email import build, email_sender
from app.notifications.models import (
    DeliveryAttempt,
    LocalMessage,
    Notification,
    NotificationStatus,
)
from app.notifications.sealed import unseal
from app.notifications.settle import finish, lock_message, record_attempt, retry_later
from app.notifications.sms import SendResult, sms_sender

HANDED_OVER = "handed-over"
# What a status callback may have said before the send's own answer was recorded.
REPORTED = ("delivered", "undelivered", "failed")


@dataclass(frozen=True)
class OutgoingText:
    """One text or email, everything the sender needs without the database."""

    notification_id: int
    attempt_id: int
    channel: str
    to: str
    subject: str
    body: str
    html: str
    callback_url: str
    unsubscribe_url: str


def handed_over(notification: Notification) -> DeliveryAttempt | None:
    return db.session.scalar(select(DeliveryAttempt).where(
        DeliveryAttempt.notification_id == notification.id,
        DeliveryAttempt.outcome == HANDED_OVER).limit(1))


def settle_unknown(notification: Notification, attempt: DeliveryAttempt, now: datetime) -> str:
    """A text or email handed to its provider by a run that never heard back: not sent again."""
    attempt.outcome = "unknown"
    attempt.reason = "the sending run stopped before the provider answered; not sent again"
    return finish(notification, now, NotificationStatus.SENT)


def _usable(channel: str, patient, notification: Notification) -> bool:
    if patient is None:
        return False
    if channel == channels.SMS:
        return channels.can_text(patient)
    return channels.can_email(patient, asked_for=notification.kind in channels.LINK_KINDS)


def _words(notification: Notification, channel: str) -> tuple[str, str, str] | None:
    """(subject, body for this channel, HTML); None for a link that cannot be read any more."""
    if notification.kind in channels.LINK_KINDS:
        url = unseal(notification.sealed_link)
        if url is None:
            return None
        subject, text, plain, html = messages.link_parts(notification, url)
        return subject, text if channel == channels.SMS else plain, html
    subject, plain, html = messages.email_parts(notification)
    return subject, messages.text_body(notification) if channel == channels.SMS else plain, html


def prepare(notification: Notification, channel: str, now: datetime) -> "OutgoingText | str":
    """The text or email to send now, its attempt written as handed over (committed by the
    run before it is sent); or the outcome when the channel cannot be used any more."""
    patient = channels.patient_of_message(notification)
    messages.link_path(notification)  # the token the status callback's URL names
    words = _words(notification, channel)
    if words is None or not _usable(channel, patient, notification):
        # a STOP, an unsubscribe or a removed number meanwhile
        record_attempt(notification, None, now, None, "unavailable", channel)
        return "fallback" if channels.fall_back(notification, now) else _unreached(
            notification, now)
    attempt = record_attempt(notification, None, now, None, HANDED_OVER, channel)
    db.session.flush()
    subject, body, html = words
    to = patient.phone if channel == channels.SMS else patient.user.email
    return OutgoingText(
        notification.id, attempt.id, channel, to, subject, body, html,
        callback_url=messages.public_url(f"/sms/status/{notification.link_token}"),
        unsubscribe_url=messages.unsubscribe_link(notification))


def _unreached(notification: Notification, now: datetime) -> str:
    if notification.kind in channels.LINK_KINDS:
        return finish(notification, now, NotificationStatus.FAILED)
    return to_app_list(notification, now)


def to_app_list(notification: Notification, now: datetime) -> str:
    """No channel reaches the patient: the app's own list of due check-ins is the channel."""
    notification.channel = channels.APP
    record_attempt(notification, None, now, None, "no-device", channels.APP)
    return finish(notification, now, NotificationStatus.SENT)


def send(outgoing: OutgoingText) -> SendResult:
    """In a pool thread (the app's settings, no database): ask the provider."""
    config = current_app.config
    try:
        if outgoing.channel == channels.SMS:
            sender = sms_sender(config)
            if sender is None:
                return SendResult(False, reason="texts are turned off (SMS_BACKEND)")
            return sender.send(outgoing.to, outgoing.body, status_callback=outgoing.callback_url)
        sender = email_sender(config)
        if sender is None:
            return SendResult(False, reason="email is turned off (EMAIL_BACKEND)")
        return sender.send(build(sender=config["EMAIL_FROM"], to=outgoing.to,
                                 subject=outgoing.subject, plain=outgoing.body,
                                 html=outgoing.html, unsubscribe=outgoing.unsubscribe_url))
    except Exception as error:  # noqa: BLE001  (an adapter's bug must not lose the message)
        return SendResult(False, reason=f"{type(error).__name__}"[:200], retryable=True)


def record(outgoing: OutgoingText, result: SendResult, *, claimed_at: datetime,
           now: datetime, max_attempts: int) -> str:
    """Keep the provider's answer; the message is sent, retried, moved to the fallback, or
    failed. The answer is kept even when the row was taken over meanwhile. A status callback
    that came first (inbound.status_received) is kept too, and a failure it reported counts."""
    notification = lock_message(outgoing.notification_id)
    if notification is None:
        return "not-claimed"
    attempt = db.session.get(DeliveryAttempt, outgoing.attempt_id, populate_existing=True)
    reported = attempt.outcome if attempt.outcome in REPORTED else None
    attempt.outcome = reported or (
        "sent" if result.accepted else ("retry" if result.retryable else "failed"))
    attempt.provider_id = result.provider_id or attempt.provider_id
    attempt.reason = attempt.reason if reported else result.reason
    attempt.status_code = result.status_code
    if result.local is not None:
        channel, to, subject, body = result.local
        db.session.add(LocalMessage(channel=channel, to=to, subject=subject, body=body,
                                    created_at=now))
    if (notification.status != NotificationStatus.SENDING
            or notification.claimed_at != claimed_at):
        return "not-claimed"
    notification.attempts += 1
    if result.accepted and reported in (None, "delivered"):
        return finish(notification, now, NotificationStatus.SENT)
    if result.retryable and notification.attempts < max_attempts:
        return retry_later(notification, now)
    if channels.fall_back(notification, now):
        return "fallback"
    return finish(notification, now, NotificationStatus.FAILED)
