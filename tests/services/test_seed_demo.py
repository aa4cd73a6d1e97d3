from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.auth.services import authenticate
from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.infusions.models import Infusion, SeriesKind, TreatmentSeries
from app.monitoring.models import Discharge, SessionObservation, VitalReading
from app.patients.models import Patient
from app.seed.demo import DEMO_PASSWORD, STORIES, seed


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# One seed per database for what the demo holds at the suite's fixed time: seeding is the
# costliest step of these tests, and each check below only reads what it made (the second seed
# is asserted to change nothing, and the sign-ins come last).
def test_seed_builds_the_demo_clinic_once_with_its_cases_records_and_logins(app, clock):
    created, _ = seed(now=clock())
    db.session.commit()
    counts = [_count(m) for m in (User, Patient, Infusion, CheckIn, SymptomRating)]

    created_again, _ = seed(now=clock())
    db.session.commit()

    assert (created, created_again) == (True, False)
    assert [_count(m) for m in (User, Patient, Infusion, CheckIn, SymptomRating)] == counts
    assert counts[1] == len(STORIES) == 12
    assert _count(User) == 12 + 3
    assert counts[3] > 100
    assert clock().hour == 15
    _assert_cases_a_clinician_should_notice()
    _assert_session_records_one_with_a_high_reading()
    _assert_logins_work_for_every_role()


def _assert_logins_work_for_every_role():
    for email, role in (("admin@demo.aftercare.test", Role.ADMIN),
                        ("rivera@demo.aftercare.test", Role.CLINICIAN),
                        ("patient01@demo.aftercare.test", Role.PATIENT)):
        assert authenticate(email, DEMO_PASSWORD).role == role


# The suite's fixed time is 15:00 UTC: the test above seeds at it and checks these cases too.
@pytest.mark.parametrize("utc_hour", [3, 22])
def test_demo_histories_hold_the_cases_a_clinician_should_notice(app, clock, utc_hour):
    clock.now = clock.now.replace(hour=utc_hour)  # seeding must work at any time of day
    seed(now=clock())
    db.session.commit()
    _assert_cases_a_clinician_should_notice()


def _assert_cases_a_clinician_should_notice():
    # A side effect still reported a day or more after the infusion ended.
    late = [c for c in db.session.scalars(select(CheckIn).where(CheckIn.infusion_id.is_not(None)))
            if c.taken_at - c.infusion.actual_end >= timedelta(hours=24)
            and any(s.severity > 0 for s in c.symptoms)]
    names = {db.session.get(Patient, c.patient_id).display_name for c in late}
    assert {"Morgan D.", "Taylor F."} <= names

    # Falling mood: Quinn's last check-in is well below the first.
    quinn = db.session.scalar(select(Patient).where(Patient.display_name == "Quinn I."))
    moods = db.session.scalars(select(CheckIn.mood).where(CheckIn.patient_id == quinn.id)
                               .order_by(CheckIn.taken_at)).all()
    assert moods[-1] <= moods[0] - 2

    # Someone is in maintenance, and someone has not started yet.
    assert _count(TreatmentSeries) == 13
    assert db.session.scalar(select(func.count()).select_from(TreatmentSeries)
                             .where(TreatmentSeries.kind == SeriesKind.MAINTENANCE)) == 1
    jordan = db.session.scalar(select(Patient).where(Patient.display_name == "Jordan A."))
    assert db.session.scalar(select(func.count()).select_from(CheckIn)
                             .where(CheckIn.patient_id == jordan.id)) == 0


def _assert_session_records_one_with_a_high_reading():
    given = db.session.scalar(select(func.count()).select_from(Infusion).where(
        Infusion.actual_end.is_not(None)))
    assert _count(Discharge) == _count(SessionObservation) == given
    assert _count(VitalReading) == 3 * given
    high = list(db.session.scalars(select(VitalReading).where(VitalReading.alert != "")))
    assert [(r.phase, r.systolic, r.diastolic) for r in high] == [("40min", 186, 112)]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "session.alert")) == 1
