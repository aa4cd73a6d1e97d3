"""Enrolling patients and finding them, always within one clinic."""

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.auth.models import Role, User
from app.auth.services import clinic_user_by_email, end_sessions, normalise_email
from app.extensions import db
from app.infusions.models import SeriesKind, TreatmentSeries
from app.patients.models import Patient
from app.prompts.services import schedule_phq9, stop_all_prompts


class EmailInUse(Exception):
    """The email already belongs to an account in this clinic."""


def enroll(clinic_id: int, *, display_name: str, email: str | None, timezone: str, by: User,
           now: datetime, language: str = "en", **contact) -> Patient:
    """Create the patient's account (no password yet), profile and first induction series.

    ``contact``: phone, sms_consent, preferred_channel, fallback_channel (``set_contact``).
    Only this clinic's accounts are looked at: an account with the same email in another
    clinic neither stops the enrollment nor shows in its answer or its time. ``email`` may be
    None for a patient reached by phone only (the schema asks for one or the other)."""
    if not email and not contact.get("phone"):
        raise ValueError("a patient needs a phone number or an email")
    if email and clinic_user_by_email(clinic_id, email) is not None:
        raise EmailInUse(email)
    user = User(clinic_id=clinic_id, email=normalise_email(email) if email else None,
                name=display_name.strip(), role=Role.PATIENT, created_at=now,
                language=language)
    patient = Patient(user=user, clinic_id=clinic_id, display_name=display_name.strip(),
                      timezone=timezone, created_at=now, created_by_id=by.id)
    db.session.add_all([user, patient])
    set_contact(patient, by=by, now=now, **contact)
    series = TreatmentSeries(patient=patient, kind=SeriesKind.INDUCTION, started_at=now,
                             created_by_id=by.id)
    db.session.add(series)
    db.session.flush()
    schedule_phq9(series, patient, now=now)
    return patient


def set_contact(patient: Patient, *, by: User, now: datetime, phone: str | None = None,
                sms_consent: bool = False, preferred_channel: str = "auto",
                fallback_channel: str = "auto") -> None:
    """How messages reach the patient. Consent to texts is kept with who recorded it and when;
    a new phone number needs consent again (it may be someone else's phone)."""
    if phone != patient.phone:
        patient.sms_consent_at = patient.sms_consent_by_id = None
        patient.sms_stopped_at = None  # a STOP belongs to the old number
    patient.phone = phone
    if sms_consent and phone and patient.sms_consent_at is None:
        patient.sms_consent_at, patient.sms_consent_by_id = now, by.id
    elif not sms_consent:
        patient.sms_consent_at = patient.sms_consent_by_id = None
    patient.preferred_channel = preferred_channel
    patient.fallback_channel = fallback_channel


def clinic_patient(clinic_id: int, patient_id: int) -> Patient | None:
    """The patient if they belong to this clinic; None otherwise (callers answer 404)."""
    return db.session.scalar(
        select(Patient).where(Patient.id == patient_id, Patient.clinic_id == clinic_id)
    )


def patient_of(user: User) -> Patient | None:
    return db.session.scalar(_patient_of_user(), {"user_id": user.id})


@cache
def _patient_of_user():
    # with the clinic: its settings are read on most of a patient's requests; built once
    return (select(Patient).options(joinedload(Patient.clinic))
            .where(Patient.user_id == bindparam("user_id")))


def is_discharged(patient: Patient) -> bool:
    return not patient.user.active


def discharge(patient: Patient, *, now: datetime) -> int:
    """The patient leaves the clinic's aftercare: sign-in refused, signed out everywhere, their
    devices' push subscriptions gone, pending prompts and messages cancelled, and no new ones
    made (scheduling skips them). Every record stays, visible to staff. Returns the prompts
    cancelled."""
    patient.user.active = False
    end_sessions(patient.user, now=now)
    cancelled = stop_all_prompts(patient.id, patient.user_id)
    db.session.flush()
    return cancelled


def readmit(patient: Patient) -> None:
    """Back in aftercare: they can sign in again (same password); infusions recorded from now
    on schedule prompts as before. Cancelled prompts stay cancelled."""
    patient.user.active = True
    db.session.flush()
