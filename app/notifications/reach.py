"""Delivery a clinic can see: for each prompt, its messages and every attempt; the clinic's
reach by channel over the last 30 days; the patients no channel reaches.

"Delivered" is as far as each channel can tell: a push service accepted the push, the text
provider reported the text delivered (its status callback), the mail server accepted the
email. The app's own list ("app": no channel could be used) is not a delivery.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.checkins.models import CheckIn
from app.extensions import db
from app.i18n import N_
from app.notifications import channels
from app.notifications.models import DeliveryAttempt, Notification, NotificationKind
from app.patients.models import Patient
from app.prompts.models import Prompt, PromptStatus

REACH_DAYS = 30
# Codes stored as they are; pages show them in words with ``|translate`` (issue 19).
CHANNEL_NAMES = {"push": N_("App notification"), "sms": N_("Text"), "email": N_("Email"),
                 "app": N_("In the app only")}
DELIVERY_WORDS = (
    # what a message is for, and its status
    N_("Prompt"), N_("Reminder"), N_("due"), N_("sending"), N_("sent"), N_("failed"),
    N_("cancelled"),
    # how an attempt went (DeliveryAttempt.outcome; a text provider's statuses too)
    N_("delivered"), N_("gone"), N_("unreachable"), N_("retry"), N_("rejected"),
    N_("no-device"), N_("refused-endpoint"), N_("unavailable"), N_("handed-over"),
    N_("unknown"), N_("undelivered"), N_("queued"), N_("accepted"),
    # a prompt's status, and its slot
    N_("pending"), N_("answered"), N_("missed"), N_("not sent"), N_("readiness"),
    # why an attempt failed, in our words (``inbound.TWILIO_ERRORS``, ``textsend``)
    N_("unreachable phone (off or out of coverage)"),
    N_("message blocked by the recipient or carrier"), N_("unknown or inactive number"),
    N_("landline or unreachable carrier"), N_("filtered by the carrier as spam"),
    N_("unknown error at the carrier"), N_("the number has replied STOP"),
    N_("the sending run stopped before the provider answered; not sent again"),
    N_("error at the provider"), N_("texts are turned off (SMS_BACKEND)"),
    N_("email is turned off (EMAIL_BACKEND)"))


def reason_words(reason: str) -> str:
    """An attempt's reason in the page's language where the words are ours ("30003:
    unreachable phone ..."); a provider's own words (and codes) are shown as they came."""
    code, colon, words = reason.partition(": ")
    if colon:
        return f"{code}: {gettext(words)}" if words.strip() else reason
    return gettext(reason) if reason.strip() else reason


def delivered(attempt: DeliveryAttempt) -> bool:
    if attempt.channel == channels.EMAIL:
        return attempt.outcome in ("sent", "delivered")
    return attempt.outcome == "delivered"


@dataclass
class PromptDelivery:
    prompt: Prompt
    answered_at: datetime | None
    messages: list = field(default_factory=list)  # (notification, [attempts])


def patient_delivery(patient_id: int, *, limit: int = 30) -> list[PromptDelivery]:
    """The patient's latest prompts (newest first), each with its messages and attempts."""
    prompts = list(db.session.scalars(
        select(Prompt).where(Prompt.patient_id == patient_id)
        .order_by(Prompt.due_at.desc()).limit(limit)))
    ids = [p.id for p in prompts]
    answered = dict(db.session.execute(
        select(Prompt.id, CheckIn.taken_at).join(CheckIn, CheckIn.id == Prompt.answered_checkin_id)
        .where(Prompt.id.in_(ids))).all()) if ids else {}
    rows = {p.id: PromptDelivery(p, answered.get(p.id) or (
        p.updated_at if p.status == PromptStatus.ANSWERED else None)) for p in prompts}
    if not ids:
        return []
    notifications = db.session.scalars(
        select(Notification).where(Notification.prompt_id.in_(ids))
        .order_by(Notification.kind, Notification.id))
    attempts = defaultdict(list)
    for attempt in db.session.scalars(select(DeliveryAttempt).join(Notification).where(
            Notification.prompt_id.in_(ids)).order_by(DeliveryAttempt.id)):
        attempts[attempt.notification_id].append(attempt)
    for notification in notifications:
        rows[notification.prompt_id].messages.append((notification,
                                                      attempts[notification.id]))
    return [rows[i] for i in ids]


@dataclass
class ChannelReach:
    channel: str
    prompts: int = 0
    delivered: int = 0
    opened: int = 0  # the message's link: a tapped notification, a text's or email's link
    answered: int = 0

    @property
    def name(self) -> str:
        return CHANNEL_NAMES.get(self.channel, self.channel)

    def share(self, count: int) -> str:
        return f"{round(100 * count / self.prompts)}%" if self.prompts else "—"


def _recent_prompt_messages(clinic_id: int, now: datetime):
    since = now - timedelta(days=REACH_DAYS)
    return db.session.scalars(
        select(Notification).join(Prompt, Prompt.id == Notification.prompt_id)
        .join(Patient, Patient.id == Prompt.patient_id)
        .where(Patient.clinic_id == clinic_id, Notification.kind == NotificationKind.PROMPT,
               Prompt.due_at >= since, Prompt.due_at <= now)
        .options(selectinload(Notification.prompt)))


def clinic_reach(clinic_id: int, now: datetime) -> list[ChannelReach]:
    """Prompts due in the last 30 days by the channel their message last went by: how many
    were delivered, whose link was opened, and how many answered in their window."""
    by_channel: dict[str, ChannelReach] = {}
    messages = list(_recent_prompt_messages(clinic_id, now))
    attempts = _attempts_of([m.id for m in messages])
    for message in messages:
        channel = message.channel or channels.PUSH
        row = by_channel.setdefault(channel, ChannelReach(channel))
        row.prompts += 1
        row.delivered += any(delivered(a) for a in attempts[message.id])
        row.opened += message.opened_at is not None
        row.answered += message.prompt.status == PromptStatus.ANSWERED
    order = [*channels.AUTO_ORDER, channels.APP]
    return sorted(by_channel.values(), key=lambda r: order.index(r.channel)
                  if r.channel in order else len(order))


def _attempts_of(notification_ids: list[int]) -> dict[int, list[DeliveryAttempt]]:
    found = defaultdict(list)
    for start in range(0, len(notification_ids), 500):
        for attempt in db.session.scalars(select(DeliveryAttempt).where(
                DeliveryAttempt.notification_id.in_(notification_ids[start:start + 500]))):
            found[attempt.notification_id].append(attempt)
    return found


def unreached_patients(clinic_id: int, now: datetime) -> list[tuple[Patient, str]]:
    """Active patients no channel reaches, with why: none can be used now, or nothing sent
    to them in the last 30 days was delivered."""
    messages = list(_recent_prompt_messages(clinic_id, now))
    attempts = _attempts_of([m.id for m in messages])
    reached, tried = set(), set()
    for message in messages:
        tried.add(message.prompt.patient_id)
        if any(delivered(a) for a in attempts[message.id]):
            reached.add(message.prompt.patient_id)
    patients = db.session.scalars(
        select(Patient).join(User, User.id == Patient.user_id)
        .where(Patient.clinic_id == clinic_id, User.active.is_(True))
        .order_by(Patient.display_name))
    found = []
    for patient in patients:
        if not any(channels.available(patient, now).values()) \
                and not channels.devices(patient.user_id):
            found.append((patient, N_("no channel: no app notifications, texts or email")))
        elif patient.id in tried and patient.id not in reached:
            found.append((patient, N_("nothing delivered in 30 days")))  # REACH_DAYS
    return found
