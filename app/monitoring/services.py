"""Recording the session: services flush, the request boundary commits."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import record as audit
from app.auth.models import User
from app.clinics.settings import effective
from app.extensions import db
from app.infusions.models import Infusion
from app.monitoring import models
from app.monitoring.alerts import reading_alert
from app.monitoring.models import REQUIRED_PHASES


@dataclass
class SessionRecord:
    infusion: Infusion
    readings: list = field(default_factory=list)
    observations: list = field(default_factory=list)
    events: list = field(default_factory=list)
    discharge: models.Discharge | None = None
    alerts: list = field(default_factory=list)

    @property
    def missing_phases(self) -> list[str]:
        """Required phases (before, about 40 minutes, before discharge) with no blood pressure
        reading yet: allowed, and shown as missing."""
        taken = {r.phase for r in self.readings if r.systolic is not None}
        return [phase for phase in REQUIRED_PHASES if phase not in taken]


def _rows(model, infusion_id: int, time_column) -> list:
    return list(db.session.scalars(select(model).where(model.infusion_id == infusion_id)
                                   .order_by(time_column, model.id)))


def session_record(infusion: Infusion) -> SessionRecord:
    return SessionRecord(
        infusion=infusion,
        readings=_rows(models.VitalReading, infusion.id, models.VitalReading.taken_at),
        observations=_rows(models.SessionObservation, infusion.id,
                           models.SessionObservation.observed_at),
        events=_rows(models.AdverseEvent, infusion.id, models.AdverseEvent.occurred_at),
        discharge=db.session.scalar(select(models.Discharge).where(
            models.Discharge.infusion_id == infusion.id)),
        alerts=alert_events(infusion.id))


def alert_events(infusion_id: int) -> list[AuditEvent]:
    """The infusion's timeline of in-session alerts (kept in the audit log)."""
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "session.alert",
                                 AuditEvent.target == f"infusion:{infusion_id}")
        .order_by(AuditEvent.at, AuditEvent.id)))


def add_reading(infusion: Infusion, data: dict, *, clinic, by: User,
                now: datetime) -> models.VitalReading:
    """Keep the reading; one at or over the clinic's thresholds is marked at once and put on
    the infusion's timeline (the audit log: which reading and why, never the values)."""
    alert = reading_alert(data.get("systolic"), data.get("diastolic"), data.get("spo2"),
                          effective(clinic))
    reading = models.VitalReading(infusion_id=infusion.id, alert=alert, recorded_by_id=by.id,
                                  created_at=now, **data)
    db.session.add(reading)
    db.session.flush()
    if alert:
        audit("session.alert", now=now, actor=by, patient_id=infusion.patient_id,
              target=f"infusion:{infusion.id}", reading=reading.id,
              kinds=_alert_kinds(alert))
    return reading


def _alert_kinds(alert: str) -> list[str]:
    return [kind for kind, words in (("blood_pressure", "Blood pressure"),
                                     ("oxygen", "Oxygen")) if words in alert]


def add_row(model, infusion: Infusion, data: dict, *, by: User, now: datetime):
    """An observation or an adverse event."""
    row = model(infusion_id=infusion.id, recorded_by_id=by.id, created_at=now, **data)
    db.session.add(row)
    db.session.flush()
    return row


def set_discharge(infusion: Infusion, data: dict, *, by: User,
                  now: datetime) -> models.Discharge:
    """One discharge per infusion: recording it again corrects it."""
    discharge = db.session.scalar(select(models.Discharge).where(
        models.Discharge.infusion_id == infusion.id))
    if discharge is None:
        discharge = models.Discharge(infusion_id=infusion.id, created_at=now)
        db.session.add(discharge)
    for name, value in data.items():
        setattr(discharge, name, value)
    discharge.recorded_by_id = by.id
    db.session.flush()
    return discharge


def patient_readings(patient_id: int) -> list:
    """(infusion number, series id, reading) of the patient's blood pressure readings."""
    return list(db.session.execute(
        select(Infusion.number, Infusion.series_id, models.VitalReading)
        .join(models.VitalReading, models.VitalReading.infusion_id == Infusion.id)
        .where(Infusion.patient_id == patient_id)
        .order_by(Infusion.planned_start, models.VitalReading.taken_at)).all())


def infusions_with_alerts(patient_id: int) -> set[int]:
    """The patient's infusions with a reading over the clinic's thresholds."""
    return set(db.session.scalars(
        select(models.VitalReading.infusion_id).join(
            Infusion, Infusion.id == models.VitalReading.infusion_id)
        .where(Infusion.patient_id == patient_id, models.VitalReading.alert != "").distinct()))

