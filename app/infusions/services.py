"""Recording infusions. Numbers in a series follow the planned start and are kept gap-free."""

from datetime import datetime

from sqlalchemy import func, select, update

from app.auth.models import User
from app.checkins.attribution import anchor, refile
from app.checkins.models import CheckIn
from app.extensions import db
from app.flags import rejudge
from app.infusions import doses
from app.infusions.models import Infusion, SeriesKind, TreatmentSeries
from app.infusions.queries import current_series
from app.patients.models import Patient
from app.prompts.services import end_series_prompts, schedule_for_infusion


class InfusionHasCheckins(Exception):
    """An infusion with check-ins attached cannot be deleted; edit it instead."""


def patient_series(patient: Patient) -> list[TreatmentSeries]:
    return list(db.session.scalars(
        select(TreatmentSeries).where(TreatmentSeries.patient_id == patient.id)
        .order_by(TreatmentSeries.started_at, TreatmentSeries.id)
    ))


def start_maintenance(patient: Patient, *, by: User, now: datetime) -> TreatmentSeries:
    """A new maintenance series; the induction series' weekly questionnaires stop."""
    end_series_prompts(current_series(patient).id)
    series = TreatmentSeries(patient_id=patient.id, kind=SeriesKind.MAINTENANCE, started_at=now,
                             created_by_id=by.id)
    db.session.add(series)
    db.session.flush()
    return series


def record(patient: Patient, fields: dict, *, by: User, now: datetime) -> Infusion:
    """Add an infusion to the patient's current series."""
    series = current_series(patient)
    # A temporary number past the end; renumber() puts it in its place by planned start.
    last = db.session.scalar(
        select(func.coalesce(func.max(Infusion.number), 0)).where(Infusion.series_id == series.id)
    )
    infusion = Infusion(series_id=series.id, patient_id=patient.id, number=last + 1,
                        recorded_by_id=by.id, created_at=now, updated_at=now, **fields)
    db.session.add(infusion)
    db.session.flush()
    renumber(series.id)
    schedule_for_infusion(infusion, now=now)
    _refile_checkins(patient, [anchor(infusion)], by=by, now=now)
    return infusion


def edit(infusion: Infusion, fields: dict, *, by: User, now: datetime) -> Infusion:
    before = anchor(infusion)
    for name, value in fields.items():
        setattr(infusion, name, value)
    infusion.recorded_by_id = by.id
    infusion.updated_at = now
    db.session.flush()
    renumber(infusion.series_id)
    schedule_for_infusion(infusion, now=now)
    _refile_checkins(db.session.get(Patient, infusion.patient_id), [before, anchor(infusion)],
                     by=by, now=now)
    return infusion


def _refile_checkins(patient: Patient, moments: list, *, by: User, now: datetime) -> None:
    """Check-ins belong to the infusion whose end they follow (clinical.md): file again those
    taken since the earliest moment this change touches, and judge the flags again."""
    known = [m for m in moments if m is not None]
    if known:
        rejudge.after_moves(patient, refile(patient.id, min(known)), by=by, now=now)


def delete(infusion: Infusion) -> None:
    has_checkins = db.session.scalar(
        select(func.count()).select_from(CheckIn).where(CheckIn.infusion_id == infusion.id)
    )
    if has_checkins:
        raise InfusionHasCheckins(infusion.id)
    series_id = infusion.series_id
    # Its prompts and their unsent pushes go with it (ON DELETE CASCADE): nothing is sent.
    db.session.delete(infusion)
    db.session.flush()
    renumber(series_id)


def renumber(series_id: int) -> None:
    """Number the series' infusions 1..n by planned start.

    Two passes (negative first) so the unique (series, number) constraint holds at every step.
    """
    ids = list(db.session.scalars(
        select(Infusion.id).where(Infusion.series_id == series_id)
        .order_by(Infusion.planned_start, Infusion.id)
    ))
    current = dict(db.session.execute(
        select(Infusion.id, Infusion.number).where(Infusion.series_id == series_id)
    ).all())
    wanted = {infusion_id: position for position, infusion_id in enumerate(ids, start=1)}
    moved = [i for i in ids if current[i] != wanted[i]]
    if not moved:
        return
    for infusion_id in moved:
        db.session.execute(update(Infusion).where(Infusion.id == infusion_id)
                           .values(number=-wanted[infusion_id]))
    db.session.execute(update(Infusion).where(Infusion.id.in_(moved))
                       .values(number=-Infusion.number))
    db.session.expire_all()


def clinic_infusion(clinic_id: int, infusion_id: int) -> Infusion | None:
    return db.session.scalar(
        select(Infusion).join(Patient, Patient.id == Infusion.patient_id)
        .where(Infusion.id == infusion_id, Patient.clinic_id == clinic_id)
    )


def settle_dose_confirmation(infusion: Infusion, *, confirmed: bool, by: User,
                             now: datetime) -> bool:
    """Keep who confirmed an unusual dose, and when; True when a confirmation is new.

    The schema has already refused an unusual dose that is neither confirmed now nor the one
    confirmed before; a dose back in the usual range needs (and keeps) no confirmation.
    """
    effective = doses.effective_mg_per_kg(infusion.dose_mg_per_kg, infusion.dose_mg,
                                          infusion.weight_kg)
    if not doses.outside_usual_range(effective):
        infusion.dose_confirmed_by_id = infusion.dose_confirmed_at = None
        db.session.flush()
        return False
    if not confirmed:
        return False
    infusion.dose_confirmed_by_id, infusion.dose_confirmed_at = by.id, now
    db.session.flush()
    return True


def confirmed_dose(infusion: Infusion) -> tuple | None:
    """(mg/kg, mg, weight) of the infusion's confirmed unusual dose, if it has one."""
    if infusion.dose_confirmed_at is None:
        return None
    return infusion.dose_mg_per_kg, infusion.dose_mg, infusion.weight_kg
