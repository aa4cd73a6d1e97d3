from app.dbtypes import UTCDateTime, utc_now
from app.extensions import db
from app.phq9.instrument import safety_item_score


class Phq9Response(db.Model):
    """One completed PHQ-9: the nine answers (0-3) and their total, for a treatment series."""

    __tablename__ = "phq9_response"
    __table_args__ = (
        db.UniqueConstraint("patient_id", "client_id"),
        db.Index("ix_phq9_patient_taken", "patient_id", "taken_at"),
        db.Index("ix_phq9_taken", "taken_at"),
        db.CheckConstraint("total >= 0 AND total <= 27", name="total_range"),
    )

    id = db.Column(db.Integer, primary_key=True)
    patient_id = db.Column(db.ForeignKey("patient.id"), nullable=False)
    series_id = db.Column(db.ForeignKey("treatment_series.id"), nullable=False, index=True)
    client_id = db.Column(db.Uuid, nullable=False)
    taken_at = db.Column(UTCDateTime, nullable=False)
    received_at = db.Column(UTCDateTime, nullable=False, default=utc_now)
    # The instrument, by its LOINC panel code (44249-1); item n's code is in phq9/instrument.py.
    loinc = db.Column(db.String(16), nullable=False, default="44249-1")
    answers = db.Column(db.JSON, nullable=False)  # nine scores, item 1 first
    total = db.Column(db.SmallInteger, nullable=False)  # LOINC 44261-6
    # The language the patient answered in ("en", "es"): the QuestionnaireResponse says so.
    language = db.Column(db.String(8), nullable=False, default="en", server_default="en")

    @property
    def item9(self) -> int:
        return safety_item_score(self.answers)
