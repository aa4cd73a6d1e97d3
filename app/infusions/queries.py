"""Reads about a patient's infusions that the services of other features build on.

Kept apart from ``services`` (which schedules prompts and re-judges flags when an infusion is
recorded) so that flags, check-ins and PHQ-9s can ask them without an import cycle.
"""

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select

from app.extensions import db
from app.infusions.models import Infusion, TreatmentSeries
from app.patients.models import Patient

# Which series is the patient's current one: the latest started (the higher id on a tie).
LATEST_SERIES_FIRST = (TreatmentSeries.started_at.desc(), TreatmentSeries.id.desc())


def current_series(patient: Patient) -> TreatmentSeries:
    """The patient's latest series (every enrolled patient has at least one)."""
    return db.session.scalar(
        select(TreatmentSeries).where(TreatmentSeries.patient_id == patient.id)
        .order_by(*LATEST_SERIES_FIRST).limit(1)
    )


def infusion_before(patient_id: int, moment: datetime) -> Infusion | None:
    """The latest infusion that had ended (or at least started) by ``moment``."""
    return db.session.scalar(_infusion_before(), {"patient_id": patient_id, "moment": moment})


@cache
def _infusion_before():
    """Built once: it runs on every check-in."""
    ended = func.coalesce(Infusion.actual_end, Infusion.actual_start)
    return (select(Infusion).where(Infusion.patient_id == bindparam("patient_id"),
                                   ended.is_not(None), ended <= bindparam("moment"))
            .order_by(ended.desc(), Infusion.id.desc()).limit(1))
