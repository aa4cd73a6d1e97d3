from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class AuditEvent(db.Model):
    """Who did what, to which patient's record, and when. ``detail`` holds identifiers, never
    the patient's own health data (the one free text: a clinician's note on a flag action)."""

    __tablename__ = "audit_event"
    __table_args__ = (db.Index("ix_audit_clinic_at", "clinic_id", "at"),)

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    clinic_id = db.Column(db.ForeignKey("clinic.id"), nullable=True)
    actor_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    action = db.Column(db.String(64), nullable=False)
    patient_id = db.Column(db.ForeignKey("patient.id"), nullable=True, index=True)
    target = db.Column(db.String(64), nullable=False, default="")
    detail = db.Column(db.JSON, nullable=False, default=dict)

    actor = db.relationship("User")
