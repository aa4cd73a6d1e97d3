"""The session record page (issue 18): staff fill readings, observations, adverse events and
the discharge; a refused value answers 422 with its message and keeps nothing; a high reading
is marked at once and put on the infusion's timeline; the thresholds are clinic settings."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.monitoring.models import AdverseEvent, Discharge, SessionObservation, VitalReading
from tests import factories


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(timezone="America/New_York"), clock())


@pytest.fixture
def clinician(patient):
    return db.session.get(User, patient.created_by_id)


@pytest.fixture
def client(clinician, signed_in):
    return signed_in(clinician)


@pytest.fixture
def infusion(patient, clock):
    return factories.infusion(patient, end=clock() - timedelta(hours=1))


def _url(infusion, part: str = "") -> str:
    return f"/clinic/infusions/{infusion.id}/session" + (f"/{part}" if part else "")


def _reading(**overrides) -> dict:
    return {"taken_at": "2026-03-10T09:00", "phase": "before", "systolic": "128",
            "diastolic": "82", "heart_rate": "72", "spo2": "98", **overrides}


def _readings() -> list[VitalReading]:
    return list(db.session.scalars(select(VitalReading).order_by(VitalReading.taken_at)))


def test_the_page_prefills_now_in_the_clinic_zone_and_marks_missing_phases(client, infusion):
    html = client.get(_url(infusion)).get_data(as_text=True)
    assert 'value="2026-03-10T11:00"' in html  # FIXED_NOW, 15:00 UTC, in New York
    assert "Missing:</strong> before the infusion, at about 40 minutes, before discharge" in html


def test_readings_are_listed_in_order_and_a_missing_40_minutes_shown(client, infusion):
    assert client.form(_url(infusion, "readings"), _reading(
        taken_at="2026-03-10T10:30", phase="discharge")).status_code == 303
    assert client.form(_url(infusion, "readings"), _reading()).status_code == 303
    assert [(r.phase, r.taken_at) for r in _readings()] == [
        ("before", datetime(2026, 3, 10, 13, 0, tzinfo=UTC)),
        ("discharge", datetime(2026, 3, 10, 14, 30, tzinfo=UTC))]
    html = client.get(_url(infusion)).get_data(as_text=True)
    assert html.index("Before the infusion</td>") < html.index("Before discharge</td>")
    assert "Missing:</strong> at about 40 minutes." in html


@pytest.mark.parametrize(("name", "value", "words"), [
    ("systolic", "400", "The systolic pressure (the top number) must be between 60 and 260"),
    ("spo2", "120", "The oxygen saturation must be between 50 and 100 %"),
])
def test_an_implausible_value_is_refused_with_its_message(client, infusion, name, value, words):
    response = client.form(_url(infusion, "readings"), _reading(**{name: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="{name}-error">{words}' in html
    assert f'value="{value}"' in html  # what was typed stays to be corrected
    assert _readings() == []
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action.like("session.reading"))) is None


def test_a_high_reading_is_marked_and_on_the_timeline(client, infusion):
    response = client.form(_url(infusion, "readings"), _reading(
        phase="40min", systolic="184", diastolic="112", spo2="88"))
    assert response.status_code == 303
    [reading] = _readings()
    assert reading.alert == ("Blood pressure at or above 180/110 mmHg; "
                             "Oxygen saturation below 90%")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "session.alert"))
    assert event.target == f"infusion:{infusion.id}" and event.patient_id == infusion.patient_id
    assert event.detail == {"reading": reading.id, "kinds": ["blood_pressure", "oxygen"]}
    html = client.get(_url(infusion)).get_data(as_text=True)
    assert "Alerts during this session" in html and "184/112 mmHg, 88%" in html


def test_the_threshold_is_the_clinics_setting(client, infusion, patient):
    patient.clinic.settings = {"bp_alert_systolic": 150}
    db.session.commit()
    client.form(_url(infusion, "readings"), _reading(systolic="155", diastolic="90"))
    assert _readings()[0].alert == "Blood pressure at or above 150/110 mmHg"


def test_observation_event_and_discharge(client, infusion):
    assert client.form(_url(infusion, "observations"), {
        "observed_at": "2026-03-10T09:20", "dissociation": "moderate",
        "sedation": "mild"}).status_code == 303
    assert client.form(_url(infusion, "events"), {
        "occurred_at": "2026-03-10T09:25", "what": "Nausea",
        "action_taken": "Ondansetron 4 mg"}).status_code == 303
    refused = client.form(_url(infusion, "discharge"), {"discharged_at": "2026-03-10T10:40",
                                                        "stable": "yes"})
    assert refused.status_code == 422 and "Answer whether a driver" in refused.get_data(
        as_text=True)
    for stable in ("no", "yes"):  # recorded again, it is corrected
        assert client.form(_url(infusion, "discharge"), {
            "discharged_at": "2026-03-10T10:40", "stable": stable,
            "driver_present": "yes"}).status_code == 303
    [observation] = db.session.scalars(select(SessionObservation))
    assert (observation.dissociation, observation.sedation) == ("moderate", "mild")
    assert db.session.scalar(select(AdverseEvent.what)) == "Nausea"
    [discharge] = db.session.scalars(select(Discharge))
    assert discharge.stable and discharge.driver_present
    html = client.get(_url(infusion)).get_data(as_text=True)
    assert "dissociation moderate, sedation mild" in html and "Ondansetron 4 mg" in html


def test_another_clinic_sees_nothing(app, infusion, signed_in, clock):
    other = factories.patient(factories.clinic(name="Elsewhere"), clock())
    stranger = signed_in(db.session.get(User, other.created_by_id))
    assert stranger.get(_url(infusion)).status_code == 404
    assert stranger.form(_url(infusion, "readings"), _reading()).status_code == 404
    assert _readings() == []


def test_reading_and_recording_the_session_is_audited(client, infusion, clinician):
    client.get(_url(infusion))
    client.form(_url(infusion, "readings"), _reading())
    client.form(_url(infusion, "observations"), {"observed_at": "2026-03-10T09:20",
                                                 "dissociation": "none", "sedation": "none"})
    client.form(_url(infusion, "events"), {"occurred_at": "2026-03-10T09:25", "what": "Nausea",
                                           "action_taken": "Rest"})
    client.form(_url(infusion, "discharge"), {"discharged_at": "2026-03-10T10:40",
                                              "stable": "yes", "driver_present": "yes"})
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("session.%"))
                                .order_by(AuditEvent.id))
    assert [(e.action, e.actor_id, e.target) for e in events] == [
        (action, clinician.id, f"infusion:{infusion.id}") for action in (
            "session.view", "session.reading", "session.observation", "session.event",
            "session.discharge")]


def test_deleting_an_infusion_takes_its_session_record(client, infusion, clinician):
    from app.infusions import services as infusion_services

    factories.session_record(infusion, by=clinician, what="Nausea")
    infusion_services.delete(infusion)
    db.session.commit()
    for model in (VitalReading, SessionObservation, AdverseEvent, Discharge):
        assert db.session.scalars(select(model)).all() == []


@pytest.mark.parametrize(("overrides", "field"), [
    ({"taken_at": "9999-12-31T23:59"}, "taken_at"),
    ({"taken_at": "0001-01-01T00:00"}, "taken_at"),
    ({"taken_at": "yesterday"}, "taken_at"),
    ({"systolic": "99999999999999999999999"}, "systolic"),
    ({"heart_rate": "1e400"}, "heart_rate"),
    ({"diastolic": "9" * 5000}, "diastolic"),
    ({"spo2": "-5"}, "spo2"),
    ({"phase": "before\x00"}, None),
])
def test_hostile_readings_are_422_and_keep_nothing(client, infusion, overrides, field):
    response = client.form(_url(infusion, "readings"), _reading(**overrides))
    assert response.status_code == 422
    if field:
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _readings() == []


def test_the_patient_page_marks_an_infusion_with_an_alert(client, infusion, patient):
    page = f"/clinic/patients/{patient.id}"
    assert "alert during the session" not in client.get(page).get_data(as_text=True)
    client.form(_url(infusion, "readings"), _reading(spo2="86"))
    assert "(alert during the session)" in client.get(page).get_data(as_text=True)
