import uuid
from datetime import timedelta

from sqlalchemy import func, select

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from tests import factories


def _payload(clock, **overrides):
    body = {
        "client_id": str(uuid.uuid4()),
        "taken_at": (clock() - timedelta(minutes=1)).isoformat(),
        "mood": 7,
        "symptoms": [{"code": "headache", "severity": 2},
                     {"code": "other", "severity": 1, "detail": "jaw ache"}],
        "note": "tired but ok",
    }
    body.update(overrides)
    return body


def _counts():
    return (db.session.scalar(select(func.count()).select_from(CheckIn)),
            db.session.scalar(select(func.count()).select_from(SymptomRating)))


def test_submit_stores_checkin_linked_to_the_infusion(app, clock, signed_in):
    clinic = factories.clinic()
    patient = factories.patient(clinic, clock())
    infusion = factories.infusion(patient, end=clock() - timedelta(hours=2))
    client = signed_in(patient.user)

    response = client.api("POST", "/api/v1/checkins", json=_payload(clock))

    assert response.status_code == 201
    body = response.get_json()
    assert body["mood"] == 7
    assert body["infusion_number"] == infusion.number == 1
    assert {(s["code"], s["severity"]) for s in body["symptoms"]} == {("headache", 2),
                                                                      ("other", 1)}
    assert _counts() == (1, 2)


def test_repeat_of_client_id_returns_original_and_stores_once(app, clock, signed_in):
    patient = factories.patient(factories.clinic(), clock())
    client = signed_in(patient.user)
    payload = _payload(clock)

    first = client.api("POST", "/api/v1/checkins", json=payload)
    again = client.api("POST", "/api/v1/checkins", json={**payload, "mood": 1})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["mood"] == 7
    assert _counts() == (1, 2)


def test_history_lists_only_own_checkins(app, clock, signed_in):
    clinic = factories.clinic()
    me, other = factories.patient(clinic, clock()), factories.patient(clinic, clock())
    factories.checkin(other, taken_at=clock() - timedelta(hours=1), mood=2)
    mine = factories.checkin(me, taken_at=clock() - timedelta(hours=3), mood=8)

    response = signed_in(me.user).get("/api/v1/checkins")

    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [mine.id]


def test_an_oversized_body_is_refused_before_parsing(app, clock, signed_in):
    patient = factories.patient(factories.clinic(), clock())
    client = signed_in(patient.user)

    response = client.api("POST", "/api/v1/checkins",
                          json=_payload(clock, note="x" * (300 * 1024)))

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == 413
    assert _counts() == (0, 0)
