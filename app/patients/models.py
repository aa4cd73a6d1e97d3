from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class Patient(db.Model):
    """A patient's profile in one clinic; their sign-in lives on the linked User."""

    __tablename__ = "patient"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user_account.id"), nullable=False, unique=True)
    clinic_id = db.Column(db.ForeignKey("clinic.id"), nullable=False, index=True)
    display_name = db.Column(db.String(120), nullable=False)
    timezone = db.Column(db.String(64), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    created_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    # How messages reach them (app/notifications/channels.py). The email is the account's.
    phone = db.Column(db.String(20), nullable=True)  # E.164, parsed with phonenumbers
    preferred_channel = db.Column(db.String(8), nullable=False, default="auto",
                                  server_default="auto")  # auto, push, sms, email
    fallback_channel = db.Column(db.String(8), nullable=False, default="auto",
                                 server_default="auto")  # auto, none, push, sms, email
    # Consent to texts, as recorded at enrollment (or later) by a member of staff.
    sms_consent_at = db.Column(UTCDateTime, nullable=True)
    sms_consent_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    # The patient texted STOP (cleared by START): nothing is texted to them until then.
    sms_stopped_at = db.Column(UTCDateTime, nullable=True)
    # The patient followed an email's List-Unsubscribe: no more emails.
    email_stopped_at = db.Column(UTCDateTime, nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])
    clinic = db.relationship("Clinic")

    def __repr__(self) -> str:
        return f"<Patient {self.id}>"
