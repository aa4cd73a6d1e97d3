from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class CheckIn(db.Model):
    """A patient's report: mood now, side effects now, an optional note.

    ``client_id`` is made on the device; a replay of the same id never creates a second row.
    """

    __tablename__ = "checkin"
    __table_args__ = (
        db.UniqueConstraint("patient_id", "client_id"),
        db.Index("ix_checkin_patient_taken", "patient_id", "taken_at"),
        db.Index("ix_checkin_taken", "taken_at"),  # the flag job's "active patients"
        db.CheckConstraint("mood >= 0 AND mood <= 10", name="mood_range"),
    )

    id = db.Column(db.Integer, primary_key=True)
    patient_id = db.Column(db.ForeignKey("patient.id"), nullable=False)
    infusion_id = db.Column(db.ForeignKey("infusion.id"), nullable=True, index=True)
    client_id = db.Column(db.Uuid, nullable=False)
    taken_at = db.Column(UTCDateTime, nullable=False)
    received_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    mood = db.Column(db.SmallInteger, nullable=False)
    note = db.Column(db.Text, nullable=False, default="")
    home_safely = db.Column(db.Boolean, nullable=True)
    # The language the patient answered in ("en", "es"): the QuestionnaireResponse says so.
    language = db.Column(db.String(8), nullable=False, default="en", server_default="en")

    infusion = db.relationship("Infusion")
    symptoms = db.relationship("SymptomRating", back_populates="checkin",
                               cascade="all, delete-orphan", order_by="SymptomRating.id")


class SymptomRating(db.Model):
    """One side effect's severity (0 none .. 4 very severe) in one check-in."""

    __tablename__ = "symptom_rating"
    __table_args__ = (
        db.UniqueConstraint("checkin_id", "code"),
        db.CheckConstraint("severity >= 0 AND severity <= 4", name="severity_range"),
    )

    id = db.Column(db.Integer, primary_key=True)
    checkin_id = db.Column(db.ForeignKey("checkin.id", ondelete="CASCADE"), nullable=False)
    code = db.Column(db.String(32), nullable=False)
    severity = db.Column(db.SmallInteger, nullable=False)
    detail = db.Column(db.String(200), nullable=False, default="")

    checkin = db.relationship("CheckIn", back_populates="symptoms")
