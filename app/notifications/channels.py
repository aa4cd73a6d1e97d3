"""Which channel a message to a patient goes by: web push, a text (SMS) or an email.

By default (``auto``): push when the patient has a device whose subscription delivered (or was
saved) within ``PUSH_RECENT_DELIVERY``, else a text, else an email, else push to an older
subscription. A patient's preferred channel goes first when it is available, and their
fallback (or, with ``auto``, the next available channel) is used once, only when the first
failed or could not be used. With no channel at all the app's own list of due check-ins is the
channel ("app": the outbox records it as sent, "no-device", as it always has).

A text needs a phone, consent and no STOP from that number since; an email needs the account's
address and no unsubscribe; a channel whose backend is ``off`` is never offered.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    PushSubscription,
    SmsKeyword,
)
from app.patients.models import Patient

PUSH, SMS, EMAIL, APP = "push", "sms", "email", "app"
AUTO_ORDER = (PUSH, SMS, EMAIL)


def devices(user_id: int) -> list[PushSubscription]:
    from app.notifications.outbox import signed_in_devices

    return signed_in_devices(user_id)


def push_is_recent(user_id: int, now: datetime) -> bool:
    cutoff = now - current_app.config["PUSH_RECENT_DELIVERY"]
    return any((device.last_success_at or device.created_at) >= cutoff
               for device in devices(user_id))


def stopped_number(phone: str) -> bool:
    """Whether the last STOP or START texted from this number was a STOP."""
    last = db.session.scalar(
        select(SmsKeyword.keyword)
        .where(SmsKeyword.phone == phone, SmsKeyword.keyword.in_(("stop", "start")))
        .order_by(SmsKeyword.at.desc(), SmsKeyword.id.desc()).limit(1))
    return last == "stop"


def can_text(patient: Patient) -> bool:
    return bool(current_app.config["SMS_BACKEND"] != "off" and patient.phone
                and patient.sms_consent_at is not None and patient.sms_stopped_at is None
                and not stopped_number(patient.phone))


def can_email(patient: Patient, *, asked_for: bool = False) -> bool:
    """``asked_for``: a sign-in or setup link, which an unsubscribe from check-in emails does
    not stop (a STOP does stop texts, whatever they are)."""
    return bool(current_app.config["EMAIL_BACKEND"] != "off" and patient.user.email
                and (asked_for or patient.email_stopped_at is None))


def available(patient: Patient, now: datetime) -> dict[str, bool]:
    return {PUSH: push_is_recent(patient.user_id, now), SMS: can_text(patient),
            EMAIL: can_email(patient)}


def order(patient: Patient, now: datetime) -> list[str]:
    """The patient's channels in the order they are tried (at most two: first and fallback)."""
    usable = available(patient, now)
    auto = [channel for channel in AUTO_ORDER if usable[channel]]
    if not usable[PUSH] and devices(patient.user_id):
        auto.append(PUSH)  # an older subscription is still worth a try, after the others
    preferred = patient.preferred_channel
    first = preferred if preferred in usable and usable[preferred] else (auto or [None])[0]
    if first is None:
        return []
    fallback = patient.fallback_channel
    if fallback == "none":
        return [first]
    if fallback != "auto":
        return [first, fallback] if fallback != first and usable.get(fallback) else [first]
    rest = [channel for channel in auto if channel != first]
    return [first, *rest[:1]]


LINK_KINDS = (NotificationKind.SIGN_IN, NotificationKind.SETUP)


def patient_of_message(notification: Notification) -> Patient | None:
    if notification.kind == NotificationKind.ESCALATION:
        return None  # a message to staff: push only
    return db.session.scalar(select(Patient).where(Patient.user_id == notification.user_id))


def current(notification: Notification, now: datetime) -> str:
    """The channel this message goes by now: chosen on its first try, then kept (a fallback
    changes it once, ``fall_back``)."""
    patient = patient_of_message(notification)
    if patient is None:
        return PUSH
    if notification.channel is None:
        notification.channel = (order(patient, now) or [APP])[0]
    return notification.channel


def fall_back(notification: Notification, now: datetime) -> bool:
    """The first channel failed or cannot be used: move the message to the patient's fallback
    once, due at once (a new channel, so its attempts start again). False when there is none."""
    patient = patient_of_message(notification)
    if patient is None or notification.fell_back or notification.kind in LINK_KINDS:
        return False  # a link goes where it was asked for, or not at all
    tried = notification.channel or PUSH
    choices = [channel for channel in order(patient, now) if channel != tried]
    if not choices:
        return False
    notification.channel, notification.fell_back = choices[0], True
    notification.status, notification.due_at = NotificationStatus.DUE, now
    notification.claimed_at = notification.lease_expires_at = None
    notification.attempts = 0
    return True
