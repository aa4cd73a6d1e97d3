"""What providers and patients send back: a text's status callback, inbound STOP / START /
HELP, a message's link opened, an email's unsubscribe. Services flush, never commit."""

from datetime import datetime

import phonenumbers
from sqlalchemy import select, update

from app.extensions import db
from app.notifications import channels
from app.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationStatus,
    SmsKeyword,
)
from app.notifications.settle import lock_message
from app.patients.models import Patient
from app.prompts.models import PromptStatus

STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
START_WORDS = {"start", "unstop", "yes"}
HELP_WORDS = {"help", "info"}
FAILED_STATUSES = {"failed", "undelivered"}
# Twilio's error codes a clinic may meet, in words (others are shown as their number).
TWILIO_ERRORS = {
    "30003": "unreachable phone (off or out of coverage)",
    "30004": "message blocked by the recipient or carrier",
    "30005": "unknown or inactive number",
    "30006": "landline or unreachable carrier",
    "30007": "filtered by the carrier as spam",
    "30008": "unknown error at the carrier",
    "21610": "the number has replied STOP",
}


def keyword_of(body: str) -> str:
    word = (body or "").strip().split(maxsplit=1)
    first = word[0].lower().strip(".!") if word else ""
    if first in STOP_WORDS:
        return "stop"
    if first in START_WORDS:
        return "start"
    return "help" if first in HELP_WORDS else "other"


def e164(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw or "", None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def keyword_received(phone: str, body: str, *, now: datetime) -> tuple[str, list[Patient]]:
    """Record an inbound text's keyword for every patient with this number (a STOP stops
    texts to the number, whoever it belongs to); returns (keyword, those patients)."""
    keyword = keyword_of(body)
    patients = list(db.session.scalars(select(Patient).where(Patient.phone == phone)))
    for patient in patients or [None]:
        db.session.add(SmsKeyword(phone=phone, patient_id=patient.id if patient else None,
                                  keyword=keyword, at=now))
    for patient in patients:
        if keyword == "stop":
            patient.sms_stopped_at = now
        elif keyword == "start":
            patient.sms_stopped_at = None
    db.session.flush()
    return keyword, patients


def status_received(token: str, params: dict, *, now: datetime) -> DeliveryAttempt | None:
    """A text's status callback: the attempt it names gets the status (and the reason in
    words); a failed text to a patient whose check-in is still open goes by their fallback."""
    notification_id = db.session.scalar(select(Notification.id).where(
        Notification.link_token == token))
    if notification_id is None:
        return None
    notification = lock_message(notification_id)  # the send job may be recording this text
    attempt = _attempt_for(notification, params.get("MessageSid", "")[:64])
    if attempt is None:
        return None
    status = params.get("MessageStatus", "")[:24]
    if status == "delivered":
        attempt.outcome, attempt.delivered_at = "delivered", now
    elif status in FAILED_STATUSES:
        code = params.get("ErrorCode", "")[:12]
        attempt.outcome = status
        attempt.reason = f"{code}: {TWILIO_ERRORS.get(code, 'error at the provider')}"[:200]
        _fall_back_if_still_open(notification, now)
    elif status and attempt.outcome not in ("delivered", *FAILED_STATUSES):
        attempt.outcome = status  # queued, sent: steps on the way
    db.session.flush()
    return attempt


def _attempt_for(notification: Notification, sid: str) -> DeliveryAttempt | None:
    attempts = list(db.session.scalars(select(DeliveryAttempt).where(
        DeliveryAttempt.notification_id == notification.id,
        DeliveryAttempt.channel == channels.SMS).order_by(DeliveryAttempt.id)
        .execution_options(populate_existing=True)))
    for attempt in attempts:
        if sid and attempt.provider_id == sid:
            return attempt
    # The send's answer is not recorded yet (the callback came first), or never will be (the
    # run stopped): the callback tells which text it was.
    unknown = [a for a in attempts
               if a.provider_id is None and a.outcome in ("unknown", "handed-over")]
    if unknown and sid:
        unknown[-1].provider_id = sid
        return unknown[-1]
    return None


def _fall_back_if_still_open(notification: Notification, now: datetime) -> None:
    prompt = notification.prompt
    if (notification.status == NotificationStatus.SENT and prompt is not None
            and prompt.status == PromptStatus.PENDING and now < prompt.window_ends_at):
        channels.fall_back(notification, now)


def link_opened(token: str, *, now: datetime) -> Notification | None:
    """The first opening is the one kept: a conditional UPDATE, so two opened at once (a
    tapped notification and the same link in a text) cannot move it either."""
    db.session.execute(update(Notification).where(
        Notification.link_token == token, Notification.opened_at.is_(None))
        .values(opened_at=now).execution_options(synchronize_session=False))
    return db.session.scalar(select(Notification).where(
        Notification.link_token == token).execution_options(populate_existing=True))


def unsubscribe(token: str, *, now: datetime) -> Patient | None:
    notification = db.session.scalar(select(Notification).where(
        Notification.link_token == token))
    patient = channels.patient_of_message(notification) if notification else None
    if patient is not None and patient.email_stopped_at is None:
        patient.email_stopped_at = now
    return patient
