import enum

from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"  # left without evidence when check-ins moved to another infusion


UNRESOLVED = ("open", "acknowledged")


class Flag(db.Model):
    """Something a clinician should look at, with the check-ins (or PHQ-9s) that caused it."""

    __tablename__ = "flag"
    __table_args__ = (
        # At most one unresolved flag per (patient, rule, symptom, infusion): in the database.
        db.Index("uq_flag_unresolved_key", "patient_id", "dedupe_key", unique=True,
                 sqlite_where=db.text("status IN ('open', 'acknowledged')"),
                 postgresql_where=db.text("status IN ('open', 'acknowledged')")),
        db.Index("ix_flag_queue", "clinic_id", "status", "priority", "created_at"),
        db.Index("ix_flag_escalation", "status", "priority", "escalated_at", "opened_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    clinic_id = db.Column(db.ForeignKey("clinic.id"), nullable=False)
    patient_id = db.Column(db.ForeignKey("patient.id"), nullable=False, index=True)
    rule = db.Column(db.String(32), nullable=False)
    symptom = db.Column(db.String(32), nullable=True)
    infusion_id = db.Column(db.ForeignKey("infusion.id", ondelete="SET NULL"), nullable=True)
    dedupe_key = db.Column(db.String(80), nullable=False)
    priority = db.Column(db.SmallInteger, nullable=False)  # 0 urgent .. 3 low
    status = db.Column(db.Enum(FlagStatus, native_enum=False, length=16,
                               values_callable=lambda e: [m.value for m in e]),
                       nullable=False, default=FlagStatus.OPEN)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    acknowledged_at = db.Column(UTCDateTime, nullable=True)
    acknowledged_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    acknowledge_note = db.Column(db.String(500), nullable=False, default="")
    resolved_at = db.Column(UTCDateTime, nullable=True)
    resolved_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    resolve_note = db.Column(db.String(500), nullable=False, default="")
    # When the flag was last opened: created, or opened again by new evidence after it was
    # acknowledged. Escalation counts from here, and each opening is its own escalation round
    # (``times_opened``), so an earlier round's pushes never block or delay a later one.
    opened_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    times_opened = db.Column(db.Integer, nullable=False, default=1)
    escalated_at = db.Column(UTCDateTime, nullable=True)  # escalated in the current round

    patient = db.relationship("Patient")
    infusion = db.relationship("Infusion")
    acknowledged_by = db.relationship("User", foreign_keys=[acknowledged_by_id])
    resolved_by = db.relationship("User", foreign_keys=[resolved_by_id])
    evidence = db.relationship("FlagEvidence", back_populates="flag",
                               cascade="all, delete-orphan", order_by="FlagEvidence.id")


class FlagEvidence(db.Model):
    """One record that caused a flag: a check-in, a PHQ-9 or a missed prompt."""

    __tablename__ = "flag_evidence"
    __table_args__ = (db.UniqueConstraint("flag_id", "kind", "ref_id"),)

    id = db.Column(db.Integer, primary_key=True)
    flag_id = db.Column(db.ForeignKey("flag.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(16), nullable=False)  # checkin, phq9, prompt
    ref_id = db.Column(db.Integer, nullable=False)

    flag = db.relationship("Flag", back_populates="evidence")
