import enum

from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


def _enum(cls):
    return db.Enum(cls, native_enum=False, length=16,
                   values_callable=lambda e: [m.value for m in e])


class PromptStatus(enum.StrEnum):
    PENDING = "pending"      # not answered yet (answerable from due_at until window_ends_at)
    ANSWERED = "answered"
    MISSED = "missed"        # reached the patient (see outbox.reached), window closed unanswered
    NOT_SENT = "not_sent"    # window closed before the prompt could reach the patient
    CANCELLED = "cancelled"


class Prompt(db.Model):
    """One check-in the patient is asked for: a ladder slot after an infusion, or readiness."""

    __tablename__ = "prompt"
    __table_args__ = (
        db.UniqueConstraint("infusion_id", "slot"),
        db.UniqueConstraint("series_id", "slot"),
        db.Index("ix_prompt_status_window", "status", "window_ends_at"),
        db.Index("ix_prompt_patient_due", "patient_id", "due_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    patient_id = db.Column(db.ForeignKey("patient.id"), nullable=False)
    # A check-in prompt belongs to an infusion; a weekly PHQ-9 prompt to a series instead.
    infusion_id = db.Column(db.ForeignKey("infusion.id", ondelete="CASCADE"), nullable=True)
    series_id = db.Column(db.ForeignKey("treatment_series.id", ondelete="CASCADE"),
                          nullable=True)
    slot = db.Column(db.String(16), nullable=False)  # "2h", ..., "readiness", "phq9-1", ...
    due_at = db.Column(UTCDateTime, nullable=False)
    window_ends_at = db.Column(UTCDateTime, nullable=False)
    status = db.Column(_enum(PromptStatus), nullable=False, default=PromptStatus.PENDING)
    answered_checkin_id = db.Column(db.ForeignKey("checkin.id", ondelete="SET NULL"),
                                    nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utc_now, onupdate=utc_now)

    infusion = db.relationship("Infusion")
