"""Push endpoints cannot point anywhere (issue 12, point 1): the check parses an endpoint as
the sender (requests/urllib3) does, subscriptions are capped per account, and saving them is
rate-limited. The check at send time is in tests/services/test_push_endpoint_at_send.py."""

import pytest
from sqlalchemy import select

from app.config import Defaults
from app.extensions import db
from app.notifications.models import PushSubscription
from tests import factories
from tests.web.test_push_subscriptions import URL, _body, _count, _rows

# Shapes of real endpoints from each service in the production allow-list.
LEGITIMATE = {
    "FCM (Chrome)": "https://fcm.googleapis.com/fcm/send/dX1bC2:APA91bH-_abc",
    "FCM with an explicit :443": "https://fcm.googleapis.com:443/fcm/send/dX1bC2:APA91bH",
    "Mozilla": "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk-x_Y",
    "Apple (a subdomain of push.apple.com)": "https://web.push.apple.com/QGt7Lk-abc_def",
    "Windows (a subdomain, a percent-encoded query)":
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2bx%3d",
}

# Each is refused with a 422 naming "endpoint"; the comment says where the sender would go.
HOSTILE = {
    "the penetration test's: backslash before @": "https://127.0.0.1\\@fcm.googleapis.com/x",
    "backslash the other way round": "https://fcm.googleapis.com\\@127.0.0.1/x",
    "backslash as the path separator": "https://127.0.0.1:8080\\fcm.googleapis.com/x",
    "backslashes for the slashes": "https:\\\\fcm.googleapis.com/x",
    "userinfo naming the real host": "https://fcm.googleapis.com@127.0.0.1/x",
    "userinfo with a password": "https://user:secret@fcm.googleapis.com/x",
    "userinfo that looks like a port": "https://fcm.googleapis.com:443@127.0.0.1/x",
    "percent-encoded @ in the host": "https://127.0.0.1%40fcm.googleapis.com/x",
    "percent-encoded dot in the host": "https://fcm.googleapis.com%2e/x",
    "percent-encoded letter in the host": "https://%66cm.googleapis.com/x",
    "port 444": "https://fcm.googleapis.com:444/x",
    "port 80": "https://fcm.googleapis.com:80/x",
    "port out of range": "https://fcm.googleapis.com:99999/x",
    "port with a sign": "https://fcm.googleapis.com:+443/x",
    "http": "http://fcm.googleapis.com/x",
    "no scheme": "//fcm.googleapis.com/x",
    "one slash": "https:/fcm.googleapis.com/x",
    "IPv4": "https://127.0.0.1/x",
    "IPv4 as one decimal number": "https://2130706433/x",
    "IPv4 in hex parts": "https://0x7f.1/x",
    "IPv4 in octal": "https://0177.0.0.1/x",
    "IPv4 shortened": "https://127.1/x",
    "cloud metadata address": "https://169.254.169.254/latest/meta-data",
    "IPv6 loopback": "https://[::1]/x",
    "IPv4-mapped IPv6": "https://[::ffff:127.0.0.1]/x",
    "IPv6 with a zone": "https://[fe80::1%25eth0]/x",
    "trailing dot": "https://fcm.googleapis.com./x",
    "allowed name as a prefix": "https://fcm.googleapis.com.evil.example/x",
    "allowed name as a suffix without a dot": "https://evilfcm.googleapis.com/x",
    "fullwidth letter (IDNA maps it to f)": "https://\uff46cm.googleapis.com/x",
    "tab in the host": "https://fcm.googleapis.com\t.evil.example/x",
    "CR LF in the URL": "https://fcm.googleapis.com/x\r\nHost: 127.0.0.1",
    "NUL in the host": "https://fcm.googleapis.com\x00.evil.example/x",
    "space in the host": "https://fcm.googleapis.com .evil.example/x",
    "lone surrogate": "https://fcm.googleapis.com/\ud800",
    "fragment with @": "https://fcm.googleapis.com#@127.0.0.1/x",
    "localhost": "https://localhost/x",
}


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


@pytest.mark.parametrize("endpoint", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_endpoint_is_422_naming_it_and_stores_nothing(production_hosts, phone,
                                                                endpoint):
    response = phone.api("POST", URL, json=_body(endpoint))

    assert response.status_code == 422
    [message] = response.get_json()["error"]["fields"]["endpoint"]
    assert message.endswith(".") and "Error" not in message  # a sentence, not an exception
    assert _count() == 0


@pytest.mark.parametrize("endpoint", LEGITIMATE.values(), ids=LEGITIMATE.keys())
def test_real_push_services_are_still_accepted(production_hosts, phone, endpoint):
    response = phone.api("POST", URL, json=_body(endpoint))

    assert response.status_code == 201, response.get_json()
    assert [row.endpoint for row in _rows()] == [endpoint]


def test_the_penetration_tests_endpoint_says_why_in_plain_words(production_hosts, phone):
    response = phone.api("POST", URL, json=_body("https://127.0.0.1\\@fcm.googleapis.com/x"))

    assert response.get_json()["error"]["fields"] == {
        "endpoint": ["The endpoint must not contain a backslash."]}


def test_the_suites_push_service_trick_is_refused_too(phone):
    """With PUSH_ALLOW_HTTP (tests only), plain http://127.0.0.1 is let through, but not the
    tricks that reach it under another name."""
    for endpoint in ("http://127.0.0.1:9\\@fcm.googleapis.com/x",
                     "http://fcm.googleapis.com@127.0.0.1:9/x",
                     "http://2130706433:9/x", "http://0x7f.1:9/x", "http://[::1]:9/x"):
        response = phone.api("POST", URL, json=_body(endpoint))
        assert response.status_code == 422, endpoint
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

