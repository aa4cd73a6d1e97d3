"""Builders for test data. They use the services, so tests exercise the real code paths."""

import itertools
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from sqlalchemy import insert

from app.auth import services as auth_services
from app.auth.access import SESSION_TOKEN_KEY
from app.auth.models import Role, User
from app.checkins import services as checkin_services
from app.checkins.models import CheckIn, SymptomRating
from app.clinics.services import create_clinic
from app.clock import utcnow
from app.extensions import db
from app.infusions import services as infusion_services
from app.monitoring import models as session_models
from app.monitoring import services as session_services
from app.patients import services as patient_services

PASSWORD = "correct horse battery"
# The suite's Argon2id cost (the app fixture sets it as PASSWORD_HASH_PARAMETERS): a sign-in
# verifies three hashes, and hundreds of sign-ins at the deployed cost took minutes.
TEST_PASSWORD_HASH = {"time_cost": 1, "memory_cost": 4096, "parallelism": 1}
_PASSWORD_HASH = PasswordHasher(**TEST_PASSWORD_HASH).hash(PASSWORD)
_sequence = itertools.count(1)
WEIGHT_KG = Decimal("70")  # every infusion records the patient's weight (clinical.md)


def clinic(name: str | None = None, timezone: str = "America/New_York", phone="555-0100"):
    made = create_clinic(name=name or f"Clinic {next(_sequence)}", timezone=timezone,
                         phone=phone)
    db.session.commit()
    return made


def staff(clinic, role: Role = Role.CLINICIAN, email: str | None = None):
    user = auth_services.create_staff(clinic.id, email=email or f"staff{next(_sequence)}@x.test",
                                      name=f"Dr {next(_sequence)}", role=role)
    user.password_hash = _PASSWORD_HASH
    db.session.commit()
    return user


def patient(clinic, now: datetime, *, by=None, timezone: str | None = None,
            email: str | None = None, with_password: bool = True):
    by = by or staff(clinic)
    made = patient_services.enroll(clinic.id, display_name=f"Patient {next(_sequence)}",
                                   email=email or f"patient{next(_sequence)}@x.test",
                                   timezone=timezone or clinic.timezone, by=by, now=now)
    if with_password:
        made.user.password_hash = _PASSWORD_HASH
    db.session.commit()
    return made


def phone_only_patient(clinic, now: datetime, *, phone: str = "+12025550143", by=None,
                       consent: bool = True):
    """A patient enrolled with a mobile number and no email (issue 16, point 1)."""
    by = by or staff(clinic)
    made = patient_services.enroll(clinic.id, display_name=f"Patient {next(_sequence)}",
                                   email=None, timezone=clinic.timezone, by=by, now=now,
                                   phone=phone, sms_consent=consent)
    db.session.commit()
    return made


def infusion(patient, *, end: datetime, by=None, minutes: int = 40, **fields):
    by = by or db.session.get(User, patient.created_by_id)
    start = end - timedelta(minutes=minutes)
    made = infusion_services.record(
        patient, {"planned_start": start, "actual_start": start, "actual_end": end,
                  "dose_mg_per_kg": fields.pop("dose_mg_per_kg", None),
                  "weight_kg": fields.pop("weight_kg", WEIGHT_KG), **fields},
        by=by, now=end)
    db.session.commit()
    return made


def session_record(infusion, *, by=None, readings=((130, 84), (142, 90), (128, 80)),
                   dissociation: str = "mild", what: str = ""):
    """Blood pressure before, at 40 minutes and before discharge, an observation, an adverse
    event when ``what`` is given, and a stable discharge with a driver."""
    from app.patients.models import Patient

    by = by or db.session.get(User, infusion.recorded_by_id)
    clinic = db.session.get(Patient, infusion.patient_id).clinic
    start, end = infusion.actual_start, infusion.actual_end
    for (systolic, diastolic), phase, at in zip(
            readings, ("before", "40min", "discharge"),
            (start, start + timedelta(minutes=40), end + timedelta(minutes=30)), strict=False):
        session_services.add_reading(infusion, {
            "taken_at": at, "phase": phase, "systolic": systolic, "diastolic": diastolic,
            "heart_rate": 76, "spo2": 97}, clinic=clinic, by=by, now=at)
    session_services.add_row(session_models.SessionObservation, infusion, {
        "observed_at": start + timedelta(minutes=20), "dissociation": dissociation,
        "sedation": "mild"}, by=by, now=end)
    if what:
        session_services.add_row(session_models.AdverseEvent, infusion, {
            "occurred_at": start + timedelta(minutes=25), "what": what,
            "action_taken": "Reassured"}, by=by, now=end)
    session_services.set_discharge(infusion, {
        "discharged_at": end + timedelta(minutes=35), "stable": True,
        "driver_present": True}, by=by, now=end)
    db.session.commit()


def checkin(patient, *, taken_at: datetime, mood: int = 6, symptoms: dict | None = None,
            note: str = "", now: datetime | None = None, home_safely: bool | None = None):
    data = {"client_id": uuid.uuid4(), "taken_at": taken_at, "mood": mood, "note": note,
            "home_safely": home_safely,
            "symptoms": [{"code": code, "severity": severity, "detail": ""}
                         for code, severity in (symptoms or {}).items()]}
    made, _ = checkin_services.submit(patient, data, now=now or taken_at)
    db.session.commit()
    return made


def sign_in(app, user):
    """A test client holding a live session for ``user``, as if they had signed in."""
    from flask import current_app

    lifetime, idle = auth_services.session_limits(user.role, current_app.config)
    _session, token = auth_services.start_session(user, now=utcnow(),
                                                  lifetime=lifetime, idle_timeout=idle)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session[SESSION_TOKEN_KEY] = token
    return client


def send_due(now: datetime) -> dict[str, int]:
    """The send job's claim and delivery as of ``now``, for patients with no push device (the
    app's list of due check-ins is their channel, so no push service is needed): the outbox's
    own code, quiet hours and reminder timing included."""
    from app.notifications import leases, outbox

    outcomes: dict[str, int] = {}
    for notification_id in leases.claim_due(now, lease=timedelta(minutes=1)):
        outcome = outbox.deliver(notification_id, claimed_at=now, now=now, sender=None,
                                 max_attempts=6)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    db.session.commit()
    return outcomes


def patients_with_phones(clock, push_service, count: int, *, end: datetime) -> list:
    """``count`` patients of one clinic whose infusion ended at ``end``, each with a phone
    subscribed to the local push service; returns the phones."""
    from app.notifications import services as notifications

    clock.now = end - timedelta(hours=1)
    shared_clinic = clinic()
    devices = []
    for _ in range(count):
        enrolled = patient(shared_clinic, clock())
        infusion(enrolled, end=end)
        device = push_service.new_device()
        notifications.upsert_subscription(enrolled.user_id,
                                          device.subscription(push_service.base_url), now=end)
        db.session.commit()
        devices.append(device)
    return devices


def bulk_checkins(patient, infusion, count: int) -> None:
    """``count`` check-ins after ``infusion``, each with a rating, in two bulk INSERTs (a long
    history in no time: no prompts answered, no rules run)."""
    start = infusion.actual_end + timedelta(minutes=5)
    rows = [{"patient_id": patient.id, "infusion_id": infusion.id, "client_id": uuid.uuid4(),
             "taken_at": start + timedelta(minutes=n), "received_at": start,
             "mood": 6, "note": ""} for n in range(count)]
    db.session.execute(insert(CheckIn), rows)
    ids = [c.id for c in db.session.query(CheckIn.id).filter_by(patient_id=patient.id)]
    db.session.execute(insert(SymptomRating), [
        {"checkin_id": i, "code": "headache", "severity": 1, "detail": ""} for i in ids])
    db.session.commit()
