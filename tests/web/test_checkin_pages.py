"""The patient's check-in journey without JavaScript: form, confirmation, history."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.checkins import catalog
from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.infusions import services as infusion_services
from tests import factories

HOME_SAFELY = "Did you get home safely?"


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(CheckIn)),
            db.session.scalar(select(func.count()).select_from(SymptomRating)))


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(phone="555-0142"), clock())


@pytest.fixture
def user_client(patient, signed_in):
    return signed_in(patient.user)


def _form(**overrides) -> dict:
    data = {"client_id": str(uuid.uuid4()), "mood": "6", "note": ""}
    data.update(overrides)
    return data


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_form_shows_eleven_mood_choices_and_every_symptom(user_client):
    response = user_client.get("/checkin")

    html = _html(response)
    assert response.status_code == 200
    moods = re.findall(r'<input type="radio" id="mood-(\d+)" name="mood" value="(\d+)"', html)
    assert [(int(a), int(b)) for a, b in moods] == [(v, v) for v in range(11)]
    for symptom in catalog.SYMPTOMS:
        assert symptom.label in html
        for severity in range(len(catalog.SEVERITIES)):
            assert f'name="symptom-{symptom.code}" value="{severity}"' in html
    assert 'name="other-detail"' in html
    assert re.search(r'name="client_id" value="[0-9a-f-]{36}"', html)


def test_form_shows_crisis_line_and_clinic_phone(user_client):
    html = _html(user_client.get("/checkin"))

    assert 'href="tel:988"' in html
    assert "988" in html
    assert "911" in html
    assert "555-0142" in html


def test_submitting_the_form_stores_everything_and_shows_confirmation(user_client, patient, clock):
    severities = {s.code: i % 5 for i, s in enumerate(catalog.SYMPTOMS)}
    severities["other"] = 3
    client_id = str(uuid.uuid4())
    data = _form(client_id=client_id, mood="3", note="  tired  ", **{"other-detail": "jaw ache"},
                 **{f"symptom-{code}": str(value) for code, value in severities.items()})

    response = user_client.form("/checkin", data)

    assert response.status_code == 303
    checkin = db.session.scalar(select(CheckIn))
    assert response.headers["Location"].endswith(f"/checkins/{checkin.id}")
    assert checkin.patient_id == patient.id
    assert str(checkin.client_id) == client_id
    assert checkin.mood == 3
    assert checkin.note == "tired"
    assert checkin.taken_at == clock()
    assert {s.code: s.severity for s in checkin.symptoms} == severities
    assert {s.code: s.detail for s in checkin.symptoms}["other"] == "jaw ache"
    assert _counts() == (1, len(catalog.SYMPTOMS))

    page = user_client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "mood <strong>3</strong> out of 10" in _html(page)
    assert "jaw ache" in _html(page)


def test_unanswered_symptoms_are_not_stored(user_client):
    response = user_client.form("/checkin", _form(**{"symptom-nausea": "2"}))

    assert response.status_code == 303
    checkin = db.session.scalar(select(CheckIn))
    assert [(s.code, s.severity) for s in checkin.symptoms] == [("nausea", 2)]


def test_same_client_id_twice_stores_one_checkin(user_client):
    data = _form(**{"symptom-headache": "1"})

    first = user_client.form("/checkin", data)
    second = user_client.form("/checkin", {**data, "mood": "9"})

    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["Location"] == second.headers["Location"]
    assert _counts() == (1, 1)
    assert db.session.scalar(select(CheckIn.mood)) == 6


def test_missing_mood_rerenders_with_422_and_stores_nothing(user_client):
    client_id = str(uuid.uuid4())
    data = _form(client_id=client_id, note="kept text", **{"symptom-nausea": "2"})
    del data["mood"]

    response = user_client.form("/checkin", data)

    html = _html(response)
    assert response.status_code == 422
    assert "Nothing was saved yet" in html
    assert 'id="mood-error"' in html
    assert f'name="client_id" value="{client_id}"' in html  # a retry stays idempotent
    assert "kept text" in html
    assert re.search(r'id="symptom-nausea-2"[^>]*\bchecked', html)
    assert _counts() == (0, 0)


@pytest.mark.parametrize(("field", "value"), [
    pytest.param("mood", "11", id="mood-11"),
    pytest.param("mood", "-1", id="mood-negative"),
    pytest.param("mood", "five", id="mood-word"),
    pytest.param("symptom-headache", "5", id="severity-5"),
    pytest.param("note", "x" * (catalog.NOTE_MAX_LENGTH + 1), id="note-too-long"),
    pytest.param("client_id", "not-a-uuid", id="client-id-malformed"),
])
def test_bad_form_value_rerenders_with_422(user_client, field, value):
    response = user_client.form("/checkin", _form(**{field: value}))

    assert response.status_code == 422
    assert f'id="{field}-error"' in _html(response)
    assert _counts() == (0, 0)


def test_other_with_severity_but_no_detail_shows_the_error(user_client):
    response = user_client.form("/checkin", _form(**{"symptom-other": "2", "other-detail": "  "}))

    html = _html(response)
    assert response.status_code == 422
    assert 'id="other-detail-error"' in html
    assert "Say briefly what the other side effect is." in html
    assert _counts() == (0, 0)


def test_form_post_without_csrf_token_stores_nothing(user_client):
    response = user_client.post("/checkin", data=_form())

    assert response.status_code == 400
    assert _counts() == (0, 0)


def test_history_lists_only_own_checkins(app, clock, patient, user_client):
    other = factories.patient(patient.clinic, clock())
    factories.checkin(patient, taken_at=clock() - timedelta(hours=2), mood=3)
    factories.checkin(patient, taken_at=clock() - timedelta(hours=1), mood=4)
    factories.checkin(other, taken_at=clock() - timedelta(minutes=30), mood=9)

    html = _html(user_client.get("/history"))

    assert html.count("Mood ") == 2
    # Grouped by infusion (test_patient_history_groups.py): within one, in the order taken.
    assert html.index("Mood 3 out of 10") < html.index("Mood 4 out of 10")
    assert "Mood 9 out of 10" not in html


def test_history_when_empty_offers_a_checkin(user_client):
    html = _html(user_client.get("/history"))

    assert "No check-ins yet" in html


def test_confirmation_page_of_another_patient_is_404(app, clock, patient, user_client):
    other = factories.patient(patient.clinic, clock())
    theirs = factories.checkin(other, taken_at=clock() - timedelta(hours=1))

    assert user_client.get(f"/checkins/{theirs.id}").status_code == 404
    assert user_client.get("/checkins/999999").status_code == 404


def test_clinician_cannot_open_the_patient_form(app, signed_in):
    clinician = factories.staff(factories.clinic())

    assert signed_in(clinician).get("/checkin").status_code == 403


def test_signed_out_visitor_is_sent_to_login(client):
    response = client.get("/checkin")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- "Did you get home safely?" --------------------------------------------------------------

def _asks_home_safely(user_client) -> bool:
    return HOME_SAFELY in _html(user_client.get("/checkin"))


def test_home_safely_not_asked_before_any_infusion(user_client):
    assert not _asks_home_safely(user_client)


def test_home_safely_asked_after_an_infusion_without_checkin(user_client, patient, clock):
    factories.infusion(patient, end=clock() - timedelta(hours=2))

    assert _asks_home_safely(user_client)


def test_home_safely_not_asked_once_that_infusion_has_a_checkin(user_client, patient, clock):
    factories.infusion(patient, end=clock() - timedelta(hours=2))
    factories.checkin(patient, taken_at=clock() - timedelta(hours=1))

    assert not _asks_home_safely(user_client)


def test_home_safely_asked_again_after_the_next_infusion(user_client, patient, clock):
    factories.infusion(patient, end=clock() - timedelta(days=3))
    factories.checkin(patient, taken_at=clock() - timedelta(days=3) + timedelta(hours=1))
    factories.infusion(patient, end=clock() - timedelta(hours=1))

    assert _asks_home_safely(user_client)


def test_home_safely_not_asked_for_an_infusion_that_has_not_ended(user_client, patient, clock):
    clinician = db.session.get(User, patient.created_by_id)
    infusion_services.record(patient, {"planned_start": clock() + timedelta(days=1)},
                             by=clinician, now=clock())
    db.session.commit()

    assert not _asks_home_safely(user_client)


@pytest.mark.parametrize(("answer", "stored"), [("yes", True), ("no", False), ("", None)])
def test_home_safely_answer_is_stored(user_client, patient, clock, answer, stored):
    infusion = factories.infusion(patient, end=clock() - timedelta(hours=2))

    response = user_client.form("/checkin", _form(home_safely=answer))

    assert response.status_code == 303
    checkin = db.session.scalar(select(CheckIn))
    assert checkin.home_safely is stored
    assert checkin.infusion_id == infusion.id
    assert not _asks_home_safely(user_client)
