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

    user = db.relationship("User", foreign_keys=[user_id])
    clinic = db.relationship("Clinic")

    def __repr__(self) -> str:
        return f"<Patient {self.id}>"
