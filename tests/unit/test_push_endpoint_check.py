"""The push endpoint check as the subscription schema applies it (issue 12, point 1): every
hostile spelling is refused with a sentence naming the endpoint, the real push services are
accepted. Pure: no app, no database; the route's use of it is in
tests/web/test_push_endpoints.py, and the same check at send time in
tests/services/test_push_endpoint_at_send.py."""

import os

import pytest

from app.config import Defaults
from app.encoding import b64url
from app.notifications.schemas import SubscriptionIn

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




def _keys() -> dict:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint)
    return {"p256dh": b64url(point), "auth": b64url(os.urandom(16))}


def endpoint_errors(endpoint: str, *, hosts=Defaults.PUSH_ENDPOINT_HOSTS,
                    allow_http: bool = False) -> list[str]:
    """The schema's messages for the endpoint field of a browser's subscription body."""
    schema = SubscriptionIn(allowed_hosts=hosts, allow_http=allow_http)
    errors = schema.validate({"endpoint": endpoint, "expirationTime": None, "keys": _keys()})
    return errors.get("endpoint", [])


@pytest.mark.parametrize("endpoint", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_endpoint_is_refused_in_a_sentence(endpoint):
    [message] = endpoint_errors(endpoint)
    assert message.endswith(".") and "Error" not in message  # a sentence, not an exception


@pytest.mark.parametrize("endpoint", LEGITIMATE.values(), ids=LEGITIMATE.keys())
def test_real_push_services_are_accepted(endpoint):
    assert endpoint_errors(endpoint) == []


def test_the_penetration_tests_endpoint_says_why_in_plain_words():
    assert endpoint_errors("https://127.0.0.1\\@fcm.googleapis.com/x") == [
        "The endpoint must not contain a backslash."]


@pytest.mark.parametrize("endpoint", [
    "http://127.0.0.1:9\\@fcm.googleapis.com/x", "http://fcm.googleapis.com@127.0.0.1:9/x",
    "http://2130706433:9/x", "http://0x7f.1:9/x", "http://[::1]:9/x"])
def test_the_suites_push_service_trick_is_refused_too(endpoint):
    """With PUSH_ALLOW_HTTP (tests only), plain http://127.0.0.1 is let through, but not the
    tricks that reach it under another name."""
    assert endpoint_errors("http://127.0.0.1:9/push/x", hosts=("127.0.0.1",),
                           allow_http=True) == []
    assert endpoint_errors(endpoint, hosts=("127.0.0.1",), allow_http=True) != []
