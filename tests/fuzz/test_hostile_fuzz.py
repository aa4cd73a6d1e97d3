"""The fuzzer taught the inputs a penetration test found reaching a 500 (issue 12, point 11):
lone UTF-16 surrogates anywhere in JSON (values, keys, nested), numbers of thousands of digits
as text, and time-zone-like names. Every JSON write answers below 500; any request carrying a
lone surrogate is a 422 naming the top-level field it was in, and changes nothing.

And the push endpoints it found pointing anywhere (point 1): every hostile spelling of an
endpoint is a 422 naming ``endpoint`` and stores nothing, under the suite's allow-list and a
deployment's."""

import json
import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import Defaults
from app.extensions import limiter
from tests import factories
from tests.fuzz.test_api_fuzz import row_counts
from tests.properties.strategies import hostile_endpoints, hostile_text, with_lone_surrogate
from tests.web.test_push_subscriptions import _body

WRITES = {
    ("POST", "/api/v1/checkins"): ["client_id", "taken_at", "mood", "note", "symptoms",
                                   "home_safely"],
    ("POST", "/api/v1/phq9"): ["client_id", "taken_at", "answers"],
    ("POST", "/api/v1/push-subscriptions"): ["endpoint", "keys"],
    ("DELETE", "/api/v1/push-subscriptions"): ["endpoint"],
}
hostile_values = st.recursive(hostile_text | st.integers() | st.none(),
                              lambda inner: st.lists(inner, max_size=3)
                              | st.dictionaries(hostile_text, inner, max_size=3), max_leaves=6)


@pytest.fixture
def phone(app, clock, signed_in, monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)  # hundreds of requests are the method here
    clinic = factories.clinic()
    patient = factories.patient(clinic, clock() - timedelta(days=2))
    factories.infusion(patient, end=clock() - timedelta(hours=5))
    return signed_in(patient.user)


@pytest.mark.parametrize(("method", "url"), sorted(WRITES))
def test_hostile_json_is_refused_by_field_never_a_500(app, clock, phone, method, url):
    names = WRITES[(method, url)]

    @given(body=st.fixed_dictionaries({}, optional={n: hostile_values for n in names}),
           poisoned=st.sampled_from(names), poison=with_lone_surrogate)
    @settings(max_examples=60, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(body, poisoned, poison):
        body = {"client_id": str(uuid.uuid4()), "taken_at": clock().isoformat(), **body}
        response = _send(phone, method, url, body)
        assert response.status_code < 500, (body, response.get_data(as_text=True))
        before = row_counts()
        body[poisoned] = poison
        response = _send(phone, method, url, body)
        assert response.status_code == 422, body
        assert poisoned in response.get_json()["error"]["fields"]
        assert row_counts() == before

    run()


@pytest.mark.parametrize("deployment", [False, True], ids=["suite-hosts", "deployment-hosts"])
def test_hostile_push_endpoints_are_refused_and_store_nothing(app, phone, deployment):
    if deployment:
        app.config.update(PUSH_ENDPOINT_HOSTS=Defaults.PUSH_ENDPOINT_HOSTS, PUSH_ALLOW_HTTP=False)
    keys = _body()["keys"]  # real keys: the endpoint alone is what is refused
    before = row_counts()

    @given(endpoint=hostile_endpoints)
    @settings(max_examples=80, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(endpoint):
        response = _send(phone, "POST", "/api/v1/push-subscriptions",
                         {"endpoint": endpoint, "keys": keys})
        assert response.status_code == 422, endpoint
        assert "endpoint" in response.get_json()["error"]["fields"], endpoint
        assert row_counts() == before

    run()


def _send(phone, method, url, body):
    # json.dumps escapes a lone surrogate as \ud800: the JSON text a hostile client sends.
    with phone.application.app_context():
        return phone.api(method, url, data=json.dumps(body),
                         headers={"Content-Type": "application/json"})
