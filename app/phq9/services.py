"""Storing PHQ-9 answers once, scoring them, and the series' baseline, response and remission."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app import records
from app.clinics.settings import effective
from app.extensions import db
from app.flags.rules import is_safety_answer
from app.flags.services import thresholds
from app.idempotency import store_once
from app.infusions.queries import current_series
from app.patients.models import Patient
from app.phq9 import instrument
from app.phq9.models import Phq9Response


def find_by_client_id(patient_id: int, client_id) -> Phq9Response | None:
    return db.session.scalar(select(Phq9Response).where(
        Phq9Response.patient_id == patient_id, Phq9Response.client_id == client_id))


def submit(patient: Patient, data: dict, *, now: datetime) -> tuple[Phq9Response, bool]:
    """Store a validated PHQ-9 once (by client_id); a new one sets off what every arriving
    record does (``records.record_arrived``): the safety rule runs in this transaction."""
    existing = find_by_client_id(patient.id, data["client_id"])
    if existing is not None:
        return existing, False
    response = Phq9Response(patient_id=patient.id, series_id=current_series(patient).id,
                            client_id=data["client_id"], taken_at=data["taken_at"],
                            loinc=instrument.PANEL_LOINC,
                            received_at=now, answers=list(data["answers"]),
                            total=instrument.total(data["answers"]),
                            language=patient.user.language)
    response, created = store_once(response, lambda: find_by_client_id(patient.id,
                                                                        data["client_id"]))
    if not created:
        return response, False
    records.record_arrived(patient, records.PHQ9, response, now=now)
    return response, True


def needs_safety_help(response: Phq9Response, clinic) -> bool:
    """Show crisis help now: item 9 is a safety answer by the clinic's threshold."""
    return is_safety_answer(response.item9, thresholds(effective(clinic)))


@dataclass(frozen=True)
class Progress:
    """A PHQ-9 in its series: total, change from baseline, response and remission."""

    response: Phq9Response
    baseline_total: int
    is_baseline: bool
    # Item 9 is a safety answer (flags.rules.is_safety_answer); None: no clinic was given.
    safety: bool | None = None

    @property
    def responded(self) -> bool:
        return not self.is_baseline and instrument.response(self.baseline_total,
                                                            self.response.total)

    @property
    def remitted(self) -> bool:
        return instrument.remission(self.response.total)


def series_progress(series_id: int, clinic=None) -> list[Progress]:
    """The series' PHQ-9s in order; with ``clinic``, each marked by its safety threshold."""
    limits = thresholds(effective(clinic)) if clinic is not None else None
    responses = list(db.session.scalars(select(Phq9Response).where(
        Phq9Response.series_id == series_id).order_by(Phq9Response.taken_at, Phq9Response.id)))
    if not responses:
        return []
    baseline = responses[0]
    return [Progress(r, baseline.total, r.id == baseline.id,
                     is_safety_answer(r.item9, limits) if limits else None)
            for r in responses]


def own_response(patient_id: int, response_id: int) -> Phq9Response | None:
    return db.session.scalar(select(Phq9Response).where(
        Phq9Response.id == response_id, Phq9Response.patient_id == patient_id))
