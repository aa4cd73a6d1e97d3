"""What is delivered, to which device, and how each attempt went: the outbox (Notification),
device subscriptions (PushSubscription) and the delivery log (DeliveryAttempt)."""

import enum

from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


def _enum(cls):
    return db.Enum(cls, native_enum=False, length=16,
                   values_callable=lambda e: [m.value for m in e])


class NotificationKind(enum.StrEnum):
    PROMPT = "prompt"
    REMINDER = "reminder"
    ESCALATION = "escalation"  # an urgent flag nobody acknowledged, to every clinician
    SIGN_IN = "sign_in"        # a patient's one-time sign-in link, asked for on the sign-in page
    SETUP = "setup"            # a setup link a clinician sends by text or email


class NotificationStatus(enum.StrEnum):
    DUE = "due"              # waiting for its time (or for a retry)
    SENDING = "sending"      # claimed by a jobs process
    SENT = "sent"
    FAILED = "failed"        # gave up after the last retry
    CANCELLED = "cancelled"  # answered, missed, rescheduled away or deleted


class Notification(db.Model):
    """The push outbox: one row per message to send, claimed atomically, sent once."""

    __tablename__ = "notification"
    __table_args__ = (
        db.UniqueConstraint("prompt_id", "kind"),
        # One escalation per (flag, clinician, round): a flag opened again escalates again.
        db.UniqueConstraint("flag_id", "user_id", "escalation_round"),
        db.Index("ix_notification_status_due", "status", "due_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    prompt_id = db.Column(db.ForeignKey("prompt.id", ondelete="CASCADE"), nullable=True)
    flag_id = db.Column(db.ForeignKey("flag.id", ondelete="CASCADE"), nullable=True)
    kind = db.Column(_enum(NotificationKind), nullable=False)
    escalation_round = db.Column(db.Integer, nullable=True)  # the flag's times_opened
    due_at = db.Column(UTCDateTime, nullable=False)
    status = db.Column(_enum(NotificationStatus), nullable=False, default=NotificationStatus.DUE)
    # The claim: claimed_at identifies it (the claiming run's moment), lease_expires_at is when
    # another jobs process may take the row over; the run renews it while it sends.
    claimed_at = db.Column(UTCDateTime, nullable=True)
    lease_expires_at = db.Column(UTCDateTime, nullable=True)
    # Answers from push services (or network errors) only: a claim lost in a crash is none.
    attempts = db.Column(db.Integer, nullable=False, default=0)
    sent_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    # The channel being tried (push, sms, email, app); a fallback replaces it once.
    channel = db.Column(db.String(8), nullable=True)
    fell_back = db.Column(db.Boolean, nullable=False, default=False, server_default="0")
    # The link in a text or email (/m/<link_token>): opening it is recorded.
    link_token = db.Column(db.String(32), nullable=True, unique=True)
    opened_at = db.Column(UTCDateTime, nullable=True)
    # A sign-in or setup link's URL, encrypted with the app's key (notifications/sealed.py)
    # until it is sent, then wiped: the database keeps only the link's hash.
    sealed_link = db.Column(db.String(512), nullable=True)

    prompt = db.relationship("Prompt")


class PushSubscription(db.Model):
    """A device's Web Push subscription, upserted by endpoint.

    Tied to the signed-in session (device) that saved it: ending that session (signing the
    device out, "sign out everywhere", a password change, deactivation) removes it, so a lost
    phone stops getting prompts. Rows saved before sessions were recorded here have none.
    """

    __tablename__ = "push_subscription"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    auth_session_id = db.Column(db.ForeignKey("auth_session.id", ondelete="CASCADE"),
                                nullable=True, index=True)
    endpoint = db.Column(db.String(2048), nullable=False, unique=True)
    p256dh = db.Column(db.String(128), nullable=False)
    auth = db.Column(db.String(64), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    last_success_at = db.Column(UTCDateTime, nullable=True)
    # An endpoint that keeps failing is backed off: skipped until next_attempt_at.
    failures = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = db.Column(UTCDateTime, nullable=True)


class DeliveryAttempt(db.Model):
    """Every push attempt and its outcome (no message content: there is none worth keeping)."""

    __tablename__ = "delivery_attempt"

    id = db.Column(db.Integer, primary_key=True)
    notification_id = db.Column(db.ForeignKey("notification.id", ondelete="CASCADE"),
                                nullable=False, index=True)
    subscription_id = db.Column(db.ForeignKey("push_subscription.id", ondelete="SET NULL"),
                                nullable=True)
    at = db.Column(UTCDateTime, nullable=False)
    status_code = db.Column(db.Integer, nullable=True)
    outcome = db.Column(db.String(24), nullable=False)  # delivered, gone, retry, error, ...
    channel = db.Column(db.String(8), nullable=False, default="push", server_default="push")
    # A text's or email's provider id (Twilio's message SID), its later status and reason.
    provider_id = db.Column(db.String(64), nullable=True, unique=True)
    reason = db.Column(db.String(200), nullable=True)
    delivered_at = db.Column(UTCDateTime, nullable=True)


class LocalMessage(db.Model):
    """The demo's outbox (SMS_BACKEND / EMAIL_BACKEND = "outbox"): texts and emails are kept
    here instead of leaving the machine, for a newcomer to read (``flask messages``)."""

    __tablename__ = "local_message"

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(8), nullable=False)
    to = db.Column(db.String(254), nullable=False)
    subject = db.Column(db.String(200), nullable=False, default="")
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)


class SmsKeyword(db.Model):
    """An inbound STOP, START or HELP (or anything else) texted to the clinic's number."""

    __tablename__ = "sms_keyword"

    id = db.Column(db.Integer, primary_key=True)
    phone = db.Column(db.String(20), nullable=False, index=True)
    patient_id = db.Column(db.ForeignKey("patient.id", ondelete="SET NULL"), nullable=True)
    keyword = db.Column(db.String(16), nullable=False)  # stop, start, help, other
    at = db.Column(UTCDateTime, nullable=False)
