"""What the clinic records during an infusion (clinical.md, "In-clinic monitoring"): vital-sign
readings, observed dissociation and sedation, adverse events, and the discharge."""

from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db

PHASES = ("before", "40min", "discharge", "other")
REQUIRED_PHASES = ("before", "40min", "discharge")
LEVELS = ("none", "mild", "moderate", "severe")


def _infusion_column():
    return db.Column(db.ForeignKey("infusion.id", ondelete="CASCADE"), nullable=False,
                     index=True)


class VitalReading(db.Model):
    """Blood pressure, heart rate and oxygen saturation at one moment of the session."""

    __tablename__ = "vital_reading"

    id = db.Column(db.Integer, primary_key=True)
    infusion_id = _infusion_column()
    taken_at = db.Column(UTCDateTime, nullable=False)
    phase = db.Column(db.String(16), nullable=False)
    systolic = db.Column(db.Integer, nullable=True)
    diastolic = db.Column(db.Integer, nullable=True)
    heart_rate = db.Column(db.Integer, nullable=True)
    spo2 = db.Column(db.Integer, nullable=True)
    # Judged against the clinic's thresholds when recorded, so the record keeps what staff saw.
    alert = db.Column(db.String(120), nullable=False, default="")
    recorded_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)


class SessionObservation(db.Model):
    """Dissociation and sedation as staff observe them."""

    __tablename__ = "session_observation"

    id = db.Column(db.Integer, primary_key=True)
    infusion_id = _infusion_column()
    observed_at = db.Column(UTCDateTime, nullable=False)
    dissociation = db.Column(db.String(8), nullable=False)
    sedation = db.Column(db.String(8), nullable=False)
    recorded_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)


class AdverseEvent(db.Model):
    """Something that went wrong during the session, and what staff did about it."""

    __tablename__ = "session_adverse_event"

    id = db.Column(db.Integer, primary_key=True)
    infusion_id = _infusion_column()
    occurred_at = db.Column(UTCDateTime, nullable=False)
    what = db.Column(db.Text, nullable=False)
    action_taken = db.Column(db.Text, nullable=False)
    recorded_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)


class Discharge(db.Model):
    """The patient leaves: stable or not, with a driver or not, and when. One per infusion."""

    __tablename__ = "session_discharge"

    id = db.Column(db.Integer, primary_key=True)
    infusion_id = db.Column(db.ForeignKey("infusion.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    discharged_at = db.Column(UTCDateTime, nullable=False)
    stable = db.Column(db.Boolean, nullable=False)
    driver_present = db.Column(db.Boolean, nullable=False)
    recorded_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
