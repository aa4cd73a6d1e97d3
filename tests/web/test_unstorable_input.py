"""Input the fuzzer found reaching a 500 on PostgreSQL: NUL characters and JSON nested past
the parser's limit. Each is now a clear 422 and stores nothing, on both databases."""

import uuid

import pytest
from sqlalchemy import func, select

from app.checkins.models import CheckIn
from app.extensions import db
from app.notifications.models import PushSubscription
from tests import factories


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def phone(app, clock, signed_in):
    return signed_in(factories.patient(factories.clinic(), clock()).user)


@pytest.mark.parametrize(("url", "method", "body", "field"), [
    ("/api/v1/push-subscriptions", "DELETE", {"endpoint": "https://a\x00b"}, "endpoint"),
    ("/api/v1/checkins", "POST", {"note": "fine\x00", "mood": 5}, "note"),
    ("/api/v1/checkins", "POST", {"symptoms": [{"code": "other", "detail": "\x00"}]},
     "symptoms"),
    ("/api/v1/checkins", "POST", {"mood\x00": 5}, "mood\\u0000"),
])
def test_a_nul_character_in_json_is_a_422_naming_the_field(app, clock, phone, url, method,
                                                             body, field):
    payload = {"client_id": str(uuid.uuid4()), "taken_at": clock().isoformat(), "mood": 5,
               **body}
    response = phone.api(method, url, json=payload)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        field: ["Remove the invisible NUL character from this text."]}
    assert _count(CheckIn) == 0 and _count(PushSubscription) == 0


def test_a_nul_character_in_a_form_or_query_is_a_422_page(app, clock, phone):
    response = phone.form("/checkin", {"client_id": str(uuid.uuid4()), "mood": "5",
                                       "note": "a\x00"})
    assert response.status_code == 422
    assert "cannot be stored" in response.get_data(as_text=True)
    assert phone.get("/history?x=%00").status_code == 422
    assert _count(CheckIn) == 0


def test_signing_in_with_a_nul_character_is_refused_not_a_500(app, client):
    client.fetch_csrf()
    response = client.form("/login", {"email": "someone@x.test\x00", "password": "x"})
    assert response.status_code == 422


@pytest.mark.parametrize("depth", [2000, 100_000])
def test_json_nested_too_deeply_is_a_422(app, phone, depth):
    response = phone.api("POST", "/api/v1/checkins", data="[" * depth + "]" * depth,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"_schema": ["The JSON is nested too "
                                                                  "deeply."]}
