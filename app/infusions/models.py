import enum

from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db


class SeriesKind(enum.StrEnum):
    INDUCTION = "induction"
    MAINTENANCE = "maintenance"


class TreatmentSeries(db.Model):
    """An induction series (about six infusions) or a maintenance series that follows it."""

    __tablename__ = "treatment_series"

    id = db.Column(db.Integer, primary_key=True)
    patient_id = db.Column(db.ForeignKey("patient.id"), nullable=False, index=True)
    kind = db.Column(db.Enum(SeriesKind, native_enum=False, length=16,
                             values_callable=lambda e: [m.value for m in e]), nullable=False)
    started_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    created_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)

    patient = db.relationship("Patient")
    infusions = db.relationship("Infusion", back_populates="series",
                                order_by="Infusion.number")


class Infusion(db.Model):
    """One infusion. Check-ins are timed from ``actual_end``."""

    __tablename__ = "infusion"
    __table_args__ = (
        db.UniqueConstraint("series_id", "number"),
        # Infusions by end date (the cohort's window, the flag and escalation jobs), carrying
        # every column the cohort's scope reads (id too: PostgreSQL keeps no row id in an
        # index): a range over it never visits the table, an index-only scan on PostgreSQL, so
        # the cost follows the infusions in the window, not where they lie in a long history.
        db.Index("ix_infusion_ended", "actual_end", "series_id", "patient_id", "number", "id"),
    )

    id = db.Column(db.Integer, primary_key=True)
    series_id = db.Column(db.ForeignKey("treatment_series.id"), nullable=False, index=True)
    # Denormalised from the series so per-patient queries need no join.
    patient_id = db.Column(db.ForeignKey("patient.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)
    planned_start = db.Column(UTCDateTime, nullable=False)
    actual_start = db.Column(UTCDateTime, nullable=True)
    actual_end = db.Column(UTCDateTime, nullable=True)
    dose_mg_per_kg = db.Column(db.Numeric(5, 3), nullable=True)
    dose_mg = db.Column(db.Numeric(6, 1), nullable=True)
    weight_kg = db.Column(db.Numeric(5, 1), nullable=True)
    # A dose outside the usual range is kept only with who confirmed it, and when.
    dose_confirmed_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    dose_confirmed_at = db.Column(UTCDateTime, nullable=True)
    route = db.Column(db.String(16), nullable=False, default="IV")
    notes = db.Column(db.Text, nullable=False, default="")
    recorded_by_id = db.Column(db.ForeignKey("user_account.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utc_now, onupdate=utc_now)

    series = db.relationship("TreatmentSeries", back_populates="infusions")
    dose_confirmed_by = db.relationship("User", foreign_keys=[dose_confirmed_by_id])


    @property
    def duration_minutes(self) -> int | None:
        if self.actual_start and self.actual_end:
            return round((self.actual_end - self.actual_start).total_seconds() / 60)
        return None
