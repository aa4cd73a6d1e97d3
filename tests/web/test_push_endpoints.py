"""Push endpoints cannot point anywhere (issue 12, point 1): the check parses an endpoint as
the sender (requests/urllib3) does, subscriptions are capped per account, and saving them is
rate-limited. The check at send time is in tests/services/test_push_endpoint_at_send.py."""

import pytest
from sqlalchemy import select

from app.config import Defaults
from app.extensions import db, limiter
from app.notifications.models import PushSubscription
from tests import factories
from tests.unit.test_push_endpoint_check import HOSTILE, LEGITIMATE
from tests.web.test_push_subscriptions import URL, _body, _count, _rows


@pytest.fixture
def production_hosts(app):
    """The allow-list and https-only rule a deployment has (the suite's own default lets the
    test push service on http://127.0.0.1 through)."""
    app.config["PUSH_ENDPOINT_HOSTS"] = Defaults.PUSH_ENDPOINT_HOSTS
    app.config["PUSH_ALLOW_HTTP"] = False


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(), clock())


@pytest.fixture
def phone(patient, signed_in):
    return signed_in(patient.user)


def test_every_hostile_endpoint_is_422_naming_it_and_stores_nothing(production_hosts, phone):
    """The route applies the check (each spelling's reason: tests/unit/test_push_endpoint_check).
    The limit on saving subscriptions is reset before each, as if each came a minute later."""
    for name, endpoint in HOSTILE.items():
        limiter.reset()
        response = phone.api("POST", URL, json=_body(endpoint))
        assert response.status_code == 422, name
        [message] = response.get_json()["error"]["fields"]["endpoint"]
        assert message.endswith("."), name
    assert _count() == 0


def test_real_push_services_are_still_accepted(production_hosts, phone):
    for endpoint in LEGITIMATE.values():
        response = phone.api("POST", URL, json=_body(endpoint))
        assert response.status_code == 201, response.get_json()
    assert [row.endpoint for row in _rows()] == list(LEGITIMATE.values())


def test_the_suites_push_service_trick_is_refused_at_the_route(phone):
    response = phone.api("POST", URL, json=_body("http://2130706433:9/x"))
    assert response.status_code == 422
    assert "endpoint" in response.get_json()["error"]["fields"]
    assert _count() == 0


# --- a few devices per account; the least recently used goes --------------------------------

def test_a_sixth_subscription_removes_the_oldest(app, clock, phone, patient):
    saved = []
    for _ in range(6):
        body = _body()
        assert phone.api("POST", URL, json=body).status_code == 201
        saved.append(body["endpoint"])
        clock.advance(minutes=1)

    rows = _rows()
    assert len(rows) == 5
    assert {row.endpoint for row in rows} == set(saved[1:])
    assert {row.user_id for row in rows} == {patient.user_id}


def test_a_device_that_still_receives_is_kept_over_a_newer_silent_one(app, clock, phone):
    saved = []
    for _ in range(5):
        body = _body()
        phone.api("POST", URL, json=body)
        saved.append(body["endpoint"])
        clock.advance(minutes=1)
    oldest = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == saved[0]))
    oldest.last_success_at = clock()  # it got a push after all the others were saved
    db.session.commit()
    clock.advance(minutes=1)

    assert phone.api("POST", URL, json=_body()).status_code == 201

    kept = {row.endpoint for row in _rows()}
    assert saved[0] in kept and saved[1] not in kept
    assert len(kept) == 5


def test_the_cap_counts_one_account_only(app, clock, phone, patient, signed_in):
    other = factories.patient(patient.clinic, clock())
    theirs = _body()
    signed_in(other.user).api("POST", URL, json=theirs)
    for _ in range(6):
        phone.api("POST", URL, json=_body())
        clock.advance(minutes=1)

    rows = _rows()
    assert sum(row.user_id == patient.user_id for row in rows) == 5
    assert [row.endpoint for row in rows if row.user_id == other.user_id] == [
        theirs["endpoint"]]


def test_the_cap_is_a_setting(app, clock, phone):
    app.config["PUSH_SUBSCRIPTIONS_PER_ACCOUNT"] = 2
    for _ in range(3):
        phone.api("POST", URL, json=_body())
        clock.advance(minutes=1)

    assert len(_rows()) == 2


# --- rate limit -----------------------------------------------------------------------------

def test_saving_subscriptions_is_rate_limited_per_person(app, clock, phone, patient, signed_in):
    for attempt in range(10):
        response = phone.api("POST", URL, json=_body())
        assert response.status_code == 201, attempt

    limited = phone.api("POST", URL, json=_body())
    other = signed_in(factories.patient(patient.clinic, clock()).user)

    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == 429
    assert other.api("POST", URL, json=_body()).status_code == 201  # someone else's counter


def test_refused_endpoints_count_towards_the_limit(production_hosts, phone):
    """Trying endpoints one after another is what the limit is for."""
    for _ in range(10):
        assert phone.api("POST", URL, json=_body("https://evil.example/x")).status_code == 422

    response = phone.api("POST", URL, json=_body(LEGITIMATE["FCM (Chrome)"]))

    assert response.status_code == 429
    assert _count() == 0


def test_the_429_is_in_the_openapi_document(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][URL]["post"]

    assert "429" in operation["responses"]

