"""Rate limits on sign-in, setup links and check-in writes; shared through Redis.

The Redis tests use the real server at 127.0.0.1:6379 (``TEST_REDIS_URL``) under a key prefix
of their own, so parallel runs never share counters. They skip without a Redis server unless
AFTERCARE_REQUIRE_REDIS=1 (set by .ci/run).
"""

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest

from app.checkins.models import CheckIn
from tests import factories
from tests.web.auth_support import count

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def patient(clinic, clock):
    return factories.patient(clinic, clock())


# --- setup links ------------------------------------------------------------------------------

def test_guessing_setup_links_is_limited(app):
    client = app.test_client()
    for attempt in range(10):
        response = client.get(f"/setup/guess-{attempt}")
        assert response.status_code == 302
    assert client.get("/setup/guess-11").status_code == 429


def test_the_setup_page_is_limited_too(app):
    client = app.test_client()
    for _attempt in range(10):
        assert client.get("/setup").status_code == 410
    assert client.get("/setup").status_code == 429


# --- check-ins: generous enough for an outbox replay --------------------------------------------

def checkin_body(clock, minutes_ago: int) -> dict:
    return {"client_id": str(uuid.uuid4()), "mood": 5,
            "taken_at": (clock() - timedelta(minutes=minutes_ago)).isoformat(),
            "symptoms": [], "note": ""}


def test_an_outbox_replay_of_sixty_checkins_all_lands(app, clock, patient, signed_in):
    phone = signed_in(patient.user)
    statuses = [phone.api("POST", "/api/v1/checkins", json=checkin_body(clock, 60 * 24 * 6 - i))
                .status_code for i in range(60)]
    assert statuses == [201] * 60
    assert count(CheckIn) == 60


def test_the_61st_checkin_in_a_minute_is_429_json_and_stores_nothing(app, clock, patient,
                                                                    signed_in):
    phone = signed_in(patient.user)
    for i in range(60):
        phone.api("POST", "/api/v1/checkins", json=checkin_body(clock, i + 1))

    response = phone.api("POST", "/api/v1/checkins", json=checkin_body(clock, 0))

    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == 429
    assert int(response.headers["Retry-After"]) > 0
    assert count(CheckIn) == 60  # the outbox keeps it and sends it at its next drain


def test_the_checkin_limit_counts_per_patient_not_per_address(app, clock, clinic, signed_in):
    first = signed_in(factories.patient(clinic, clock()).user)
    second = signed_in(factories.patient(clinic, clock()).user)
    for i in range(60):
        first.api("POST", "/api/v1/checkins", json=checkin_body(clock, i + 1))
    assert first.api("POST", "/api/v1/checkins", json=checkin_body(clock, 0)).status_code == 429
    assert second.api("POST", "/api/v1/checkins", json=checkin_body(clock, 0)).status_code == 201


def test_the_form_and_the_phq9_share_the_checkin_limit(app, clock, patient, signed_in):
    phone = signed_in(patient.user)
    for i in range(60):
        phone.api("POST", "/api/v1/checkins", json=checkin_body(clock, i + 1))
    assert phone.form("/checkin", {"mood": "5", "client_id": str(uuid.uuid4())}) \
        .status_code == 429
    assert phone.api("POST", "/api/v1/phq9", json={}).status_code == 429


# --- Redis: one limit across several web servers -------------------------------------------------

@pytest.fixture
def redis_prefix():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("AFTERCARE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (AFTERCARE_REQUIRE_REDIS=1) but {REDIS_URL} "
                        "does not answer")
        pytest.skip("Redis not reachable")
    prefix = f"aftercare-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def web_server(app, storage: str, prefix: str, email: str, attempts: int) -> list[int]:
    """Sign-in attempts made by a separate web server process against the same database."""
    result = subprocess.run(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "tests.ratelimit_server", app.config["SQLALCHEMY_DATABASE_URI"],
         storage, prefix, email, str(attempts)],
        capture_output=True, text=True, check=True, timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_web_servers_share_the_login_limit_through_redis(app, clinic, redis_prefix):
    email = factories.staff(clinic).email

    first = web_server(app, REDIS_URL, redis_prefix, email, 6)
    second = web_server(app, REDIS_URL, redis_prefix, email, 5)

    assert first == [401] * 6
    assert second == [401] * 4 + [429]  # the 11th attempt overall, on the other server


def test_the_counters_live_in_redis_under_the_prefix(app, clinic, redis_prefix):
    import redis

    web_server(app, REDIS_URL, redis_prefix, factories.staff(clinic).email, 1)
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{redis_prefix}*"))
    assert keys, "no rate-limit counter was written to Redis"


def test_with_memory_storage_each_server_counts_alone(app, clinic):
    """The control: without shared storage the same attempts are never limited."""
    email = factories.staff(clinic).email
    assert web_server(app, "memory://", "p", email, 6) == [401] * 6
    assert web_server(app, "memory://", "p", email, 5) == [401] * 5


def test_with_redis_down_sign_in_still_answers_and_is_still_limited(app, clinic):
    """Nothing listens on this port: the server falls back to counting in its own memory."""
    email = factories.staff(clinic).email
    assert web_server(app, "redis://127.0.0.1:1/0", "p", email, 11) == [401] * 10 + [429]


def test_the_429_page_says_when_to_try_again_in_a_sentence(app):
    client = app.test_client()
    for attempt in range(10):
        client.get(f"/setup/guess-{attempt}")

    response = client.get("/setup/guess-11")

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Please wait a moment" in page
    assert re.search(r"Please try again in about (a minute|\d+ minutes), at \d\d:\d\d\.", page)
    assert "Too Many Requests" not in page
