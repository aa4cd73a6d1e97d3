"""POST/GET /api/v1/checkins with bad input, no session, the wrong role or no CSRF header."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from tests import factories
from tests.unit.test_checkin_bad_bodies import BAD_BODIES, _payload, error_at

URL = "/api/v1/checkins"


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(CheckIn)),
            db.session.scalar(select(func.count()).select_from(SymptomRating)))


def _assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == status
    assert isinstance(error["message"], str) and error["message"]
    return error


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(), clock())


@pytest.fixture
def patient_client(patient, signed_in):
    return signed_in(patient.user)


def test_every_bad_body_is_a_422_at_its_field_and_stores_nothing(patient_client, clock):
    """Each case's message is checked against the schema in tests/unit/test_checkin_bad_bodies;
    here the API's answer: one error shape, the field named, nothing stored."""
    for case in BAD_BODIES:
        build, path = case.values
        response = patient_client.api("POST", URL, json=build(clock))

        error = _assert_error_shape(response, 422)
        assert error_at(error["fields"], path), case.id
    assert _counts() == (0, 0)


def test_all_problems_are_reported_at_once(patient_client, clock):
    body = _payload(clock, mood="5", client_id="nope", taken_at="2026-03-10T10:00:00")

    error = _assert_error_shape(patient_client.api("POST", URL, json=body), 422)

    assert set(error["fields"]) == {"mood", "client_id", "taken_at"}
    assert _counts() == (0, 0)


@pytest.mark.parametrize(("data", "content_type"), [
    pytest.param(b"mood=5&note=hi", "application/x-www-form-urlencoded", id="form-encoded"),
    pytest.param(b"{not json", "application/json", id="malformed-json"),
    pytest.param(b'[{"mood": 5}]', "application/json", id="json-array"),
    pytest.param(b"null", "application/json", id="json-null"),
    pytest.param(b'"a string"', "application/json", id="json-string"),
    pytest.param(b"", "application/json", id="empty-body"),
])
def test_non_object_body_is_refused(patient_client, data, content_type):
    response = patient_client.api("POST", URL, data=data, content_type=content_type)

    error = _assert_error_shape(response, response.status_code)
    assert response.status_code in (400, 422)
    if response.status_code == 422:
        assert error["fields"]["_schema"]
    assert _counts() == (0, 0)


def test_json_array_of_a_valid_checkin_is_refused(patient_client, clock):
    response = patient_client.api("POST", URL, json=[_payload(clock)])

    assert response.status_code in (400, 422)
    _assert_error_shape(response, response.status_code)
    assert _counts() == (0, 0)


def test_bad_repeat_of_a_stored_client_id_changes_nothing(patient_client, clock):
    good = _payload(clock)
    assert patient_client.api("POST", URL, json=good).status_code == 201

    response = patient_client.api("POST", URL, json={**good, "mood": 42})

    _assert_error_shape(response, 422)
    assert _counts() == (1, 1)
    assert db.session.scalar(select(CheckIn.mood)) == 7


# --- who may call ----------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unauthenticated_call_gets_401_json(client, clock, method):
    response = client.api(method, URL, json=_payload(clock) if method == "POST" else None)

    _assert_error_shape(response, 401)
    assert "Location" not in response.headers
    assert _counts() == (0, 0)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_clinician_calling_patient_api_gets_403(app, clock, signed_in, method):
    clinician = factories.staff(factories.clinic())

    response = signed_in(clinician).api(
        method, URL, json=_payload(clock) if method == "POST" else None)

    _assert_error_shape(response, 403)
    assert _counts() == (0, 0)


@pytest.mark.parametrize("headers", [
    pytest.param({}, id="no-header"),
    pytest.param({"X-CSRFToken": "forged"}, id="forged-token"),
])
def test_post_without_valid_csrf_gets_400_and_stores_nothing(patient_client, clock, headers):
    response = patient_client.post(URL, json=_payload(clock), headers=headers)

    error = _assert_error_shape(response, 400)
    assert "CSRF" in error["message"]
    assert _counts() == (0, 0)


def test_csrf_token_of_another_session_is_refused(app, clock, signed_in, patient_client):
    other = signed_in(factories.patient(factories.clinic(), clock()).user)
    foreign_token = other.fetch_csrf()

    response = patient_client.post(URL, json=_payload(clock),
                                   headers={"X-CSRFToken": foreign_token})

    _assert_error_shape(response, 400)
    assert _counts() == (0, 0)


# --- listing ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"),
    ("limit=abc", "limit"),
    ("limit=201", "limit"),
    ("limit=-5", "limit"),
    ("before_id=0", "before_id"),
    ("before_id=x", "before_id"),
])
def test_list_with_bad_query_gets_422(patient_client, query, field):
    response = patient_client.get(f"{URL}?{query}")

    error = _assert_error_shape(response, 422)
    assert error["fields"][field]


def test_list_pagination_with_before_id(patient, patient_client, clock):
    made = [factories.checkin(patient, taken_at=clock() - timedelta(hours=h), mood=h)
            for h in (3, 2, 1)]  # oldest first
    newest_first = [c.id for c in reversed(made)]

    first = patient_client.get(f"{URL}?limit=2").get_json()
    second = patient_client.get(f"{URL}?limit=2&before_id={first['next_before_id']}").get_json()

    assert [item["id"] for item in first["items"]] == newest_first[:2]
    assert first["next_before_id"] == newest_first[1]
    assert [item["id"] for item in second["items"]] == newest_first[2:]
    assert second["next_before_id"] is None


def test_list_orders_by_taken_at_not_by_id(patient, patient_client, clock):
    later = factories.checkin(patient, taken_at=clock() - timedelta(hours=1))
    earlier = factories.checkin(patient, taken_at=clock() - timedelta(hours=5))  # sent late

    page = patient_client.get(f"{URL}?limit=1").get_json()
    rest = patient_client.get(f"{URL}?before_id={page['next_before_id']}").get_json()

    assert [item["id"] for item in page["items"]] == [later.id]
    assert [item["id"] for item in rest["items"]] == [earlier.id]


def test_before_id_of_another_patient_returns_empty_list(app, clock, signed_in, patient,
                                                          patient_client):
    mine = factories.checkin(patient, taken_at=clock() - timedelta(hours=2))
    other = factories.patient(factories.clinic(), clock())
    theirs = factories.checkin(other, taken_at=clock() - timedelta(hours=1))

    response = patient_client.get(f"{URL}?before_id={theirs.id}")

    assert response.status_code == 200
    assert response.get_json() == {"items": [], "next_before_id": None}
    # And the other patient still sees only their own, proving clients are not mixed up.
    own = signed_in(other.user).get(URL).get_json()
    assert [item["id"] for item in own["items"]] == [theirs.id]
    assert mine.id not in [item["id"] for item in own["items"]]


def test_before_id_that_does_not_exist_returns_empty_list(patient, patient_client, clock):
    factories.checkin(patient, taken_at=clock() - timedelta(hours=1))

    response = patient_client.get(f"{URL}?before_id=999999")

    assert response.status_code == 200
    assert response.get_json()["items"] == []
