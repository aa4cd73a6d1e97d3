"""The clinician's overview of their clinic's patients."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.checkins.models import CheckIn
from app.extensions import db
from app.infusions.models import Infusion
from app.patients.models import Patient


@dataclass(frozen=True)
class PatientRow:
    patient: Patient
    last_checkin_at: datetime | None
    last_mood: int | None
    infusions_done: int
    last_infusion_end: datetime | None


def patient_overview(clinic_id: int) -> list[PatientRow]:
    """One row per patient, in three queries whatever the number of patients."""
    patients = list(db.session.scalars(
        select(Patient).where(Patient.clinic_id == clinic_id).order_by(Patient.display_name)))
    ids = [p.id for p in patients]
    if not ids:
        return []
    latest = (
        select(CheckIn.patient_id, CheckIn.taken_at, CheckIn.mood,
               func.row_number().over(partition_by=CheckIn.patient_id,
                                      order_by=(CheckIn.taken_at.desc(), CheckIn.id.desc()))
               .label("rank"))
        .where(CheckIn.patient_id.in_(ids)).subquery()
    )
    last = {row.patient_id: row for row in db.session.execute(
        select(latest.c.patient_id, latest.c.taken_at, latest.c.mood).where(latest.c.rank == 1))}
    infusions = {row.patient_id: row for row in db.session.execute(
        select(Infusion.patient_id, func.count(Infusion.actual_end).label("done"),
               func.max(Infusion.actual_end).label("last_end"))
        .where(Infusion.patient_id.in_(ids)).group_by(Infusion.patient_id))}
    return [
        PatientRow(
            patient=p,
            last_checkin_at=last[p.id].taken_at if p.id in last else None,
            last_mood=last[p.id].mood if p.id in last else None,
            infusions_done=infusions[p.id].done if p.id in infusions else 0,
            last_infusion_end=infusions[p.id].last_end if p.id in infusions else None,
        )
        for p in patients
    ]

