"""Push subscriptions over the API, the VAPID public key, and a prompt pushed end to end."""

import os
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import func, select

from app.encoding import b64url, b64url_decode
from app.extensions import db
from app.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    PushSubscription,
)
from app.notifications.push_keys import public_key
from app.prompts.models import Prompt
from tests import factories

URL = "/api/v1/push-subscriptions"
ALLOWED_HOST = "http://127.0.0.1:9"  # in the allowed hosts; nothing is sent in these tests


def _point(first: int = 0x04, length: int = 65) -> str:
    """A real P-256 public key, as a browser sends; other shapes are random bytes."""
    if (first, length) == (0x04, 65):
        key = ec.generate_private_key(ec.SECP256R1()).public_key()
        return b64url(key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
    return b64url(bytes([first]) + os.urandom(length - 1))


def _body(endpoint: str | None = None, **keys) -> dict:
    """A body shaped like PushSubscription.toJSON() in a browser."""
    return {"endpoint": endpoint or f"{ALLOWED_HOST}/push/{os.urandom(6).hex()}",
            "expirationTime": None,
            "keys": {"p256dh": _point(), "auth": b64url(os.urandom(16)), **keys}}


def _rows() -> list[PushSubscription]:
    db.session.expire_all()
    return list(db.session.scalars(select(PushSubscription).order_by(PushSubscription.id)))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(PushSubscription))


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(), clock())


@pytest.fixture
def phone(patient, signed_in):
    return signed_in(patient.user)


# --- saving ---------------------------------------------------------------------------------

def test_first_save_is_201_and_stores_the_row(phone, patient, push_service):
    body = {**push_service.new_device().subscription(push_service.base_url),
            "expirationTime": None}

    response = phone.api("POST", URL, json=body)

    assert response.status_code == 201
    assert response.get_json() == {"endpoint": body["endpoint"], "created": True}
    [row] = _rows()
    assert (row.user_id, row.endpoint, row.p256dh, row.auth) == (
        patient.user_id, body["endpoint"], body["keys"]["p256dh"], body["keys"]["auth"])


def test_same_endpoint_again_is_200_and_updates_the_keys_in_place(phone, patient):
    first = _body()
    again = _body(first["endpoint"])

    created = phone.api("POST", URL, json=first)
    updated = phone.api("POST", URL, json=again)

    assert (created.status_code, updated.status_code) == (201, 200)
    assert updated.get_json() == {"endpoint": first["endpoint"], "created": False}
    [row] = _rows()
    assert (row.p256dh, row.auth) == (again["keys"]["p256dh"], again["keys"]["auth"])
    assert row.p256dh != first["keys"]["p256dh"]


def test_a_second_device_makes_a_second_row(phone, patient):
    phone.api("POST", URL, json=_body())
    response = phone.api("POST", URL, json=_body())

    assert response.status_code == 201
    rows = _rows()
    assert len(rows) == 2
    assert {row.user_id for row in rows} == {patient.user_id}


def test_an_endpoint_saved_by_another_user_moves_to_them(app, clock, phone, patient, signed_in):
    other = factories.patient(patient.clinic, clock())
    body = _body()
    phone.api("POST", URL, json=body)

    response = signed_in(other.user).api("POST", URL, json=_body(body["endpoint"]))

    assert response.status_code == 200
    [row] = _rows()
    assert row.user_id == other.user_id


def test_staff_may_subscribe_too(app, clock, patient, signed_in):
    clinician = factories.staff(patient.clinic)

    response = signed_in(clinician).api("POST", URL, json=_body())

    assert response.status_code == 201
    assert [row.user_id for row in _rows()] == [clinician.id]


# --- bad input ------------------------------------------------------------------------------

def _without_keys(body):
    del body["keys"]


def _set(path: str, value):
    def change(body):
        *parents, name = path.split(".")
        target = body
        for parent in parents:
            target = target[parent]
        target[name] = value
    return change


BAD_INPUT = {
    "endpoint not a URL": (_set("endpoint", "not a url"), "endpoint"),
    "ftp scheme": (_set("endpoint", "ftp://127.0.0.1/push/abc"), "endpoint"),
    "host not allowed": (_set("endpoint", "https://evil.example/push"), "endpoint"),
    "allowed host only as userinfo": (_set("endpoint", "http://127.0.0.1@evil.example/push"),
                                      "endpoint"),
    "allowed host only as a prefix": (_set("endpoint", "http://127.0.0.1.evil.example/push"),
                                      "endpoint"),
    "endpoint over 2048 chars": (_set("endpoint", f"{ALLOWED_HOST}/push/" + "a" * 2048),
                                 "endpoint"),
    "endpoint missing": (lambda body: body.pop("endpoint"), "endpoint"),
    "keys missing": (_without_keys, "keys"),
    "p256dh missing": (lambda body: body["keys"].pop("p256dh"), "keys"),
    "p256dh not base64url": (_set("keys.p256dh", "not base64url!"), "keys"),
    "p256dh with stray non-base64url characters": (
        lambda body: body["keys"].update(p256dh=body["keys"]["p256dh"][:10] + "!!"
                                         + body["keys"]["p256dh"][10:]), "keys"),
    "p256dh of 64 bytes": (_set("keys.p256dh", _point(length=64)), "keys"),
    "p256dh of 66 bytes": (_set("keys.p256dh", _point(length=66)), "keys"),
    "p256dh compressed (0x03)": (_set("keys.p256dh", _point(first=0x03)), "keys"),
    "auth of 15 bytes": (_set("keys.auth", b64url(os.urandom(15))), "keys"),
    "auth of 32 bytes": (_set("keys.auth", b64url(os.urandom(32))), "keys"),
    "auth not a string": (_set("keys.auth", 12345), "keys"),
    "unknown extra field": (_set("extra", "x"), "extra"),
    "unknown field inside keys": (_set("keys.extra", "x"), "keys"),
}


@pytest.mark.parametrize("spoil, field", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_subscription_is_422_and_stores_nothing(phone, spoil, field):
    body = _body()
    spoil(body)

    response = phone.api("POST", URL, json=body)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == 422
    assert error["message"]
    assert field in error["fields"]
    assert _count() == 0


def test_p256dh_that_is_not_base64url_says_so(phone):
    response = phone.api("POST", URL, json=_body(p256dh="not base64url!"))

    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "keys": {"p256dh": ["p256dh is not base64url."]}}


def test_a_body_that_is_not_json_is_422(phone):
    response = phone.api("POST", URL, data="endpoint=x", content_type="text/plain")

    assert response.status_code == 422
    assert "_schema" in response.get_json()["error"]["fields"]
    assert _count() == 0


def test_not_signed_in_is_a_json_401(client):
    response = client.api("POST", URL, json=_body())

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401
    assert _count() == 0


def test_missing_csrf_header_is_400_and_stores_nothing(phone):
    response = phone.post(URL, json=_body())

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == 400
    assert _count() == 0


# --- removing -------------------------------------------------------------------------------

def test_delete_removes_own_subscription(phone):
    keep, remove = _body(), _body()
    phone.api("POST", URL, json=keep)
    phone.api("POST", URL, json=remove)

    response = phone.api("DELETE", URL, json={"endpoint": remove["endpoint"]})

    assert response.status_code == 204
    assert response.get_data() == b""
    assert [row.endpoint for row in _rows()] == [keep["endpoint"]]


def test_delete_of_another_users_endpoint_is_404_and_keeps_it(clock, phone, patient, signed_in):
    body = _body()
    phone.api("POST", URL, json=body)
    other = factories.patient(patient.clinic, clock())

    response = signed_in(other.user).api("DELETE", URL, json={"endpoint": body["endpoint"]})

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404
    assert [(row.endpoint, row.user_id) for row in _rows()] == [
        (body["endpoint"], patient.user_id)]


def test_delete_of_an_unknown_endpoint_is_404(phone):
    response = phone.api("DELETE", URL, json={"endpoint": f"{ALLOWED_HOST}/push/nothing"})

    assert response.status_code == 404


def test_delete_without_endpoint_is_422(phone):
    phone.api("POST", URL, json=_body())

    response = phone.api("DELETE", URL, json={})

    assert response.status_code == 422
    assert "endpoint" in response.get_json()["error"]["fields"]
    assert _count() == 1


def test_delete_not_signed_in_is_401(client, phone):
    body = _body()
    phone.api("POST", URL, json=body)

    response = client.api("DELETE", URL, json={"endpoint": body["endpoint"]})

    assert response.status_code == 401
    assert _count() == 1


# --- the VAPID public key -------------------------------------------------------------------

def test_public_key_is_503_before_a_key_exists(client):
    response = client.get("/api/v1/push/public-key")

    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == 503


def test_public_key_once_made_is_an_uncompressed_p256_point(app, client, push_service):
    response = client.get("/api/v1/push/public-key")

    assert response.status_code == 200
    key = response.get_json()["public_key"]
    raw = b64url_decode(key)
    assert "=" not in key and "+" not in key and "/" not in key
    assert len(raw) == 65
    assert raw[0] == 0x04
    assert key == public_key(app)


# --- end to end -----------------------------------------------------------------------------

def test_subscribe_then_the_jobs_cli_pushes_the_due_prompt(app, clock, phone, patient,
                                                          push_service):
    device = push_service.new_device()
    body = {**device.subscription(push_service.base_url), "expirationTime": None}
    assert phone.api("POST", URL, json=body).status_code == 201
    factories.infusion(patient, end=clock() - timedelta(hours=2))

    result = app.test_cli_runner().invoke(
        args=["jobs", "run-once", "--now", clock().isoformat()])

    assert result.exit_code == 0, result.output
    assert "send_notifications: {'claimed': 1, 'sent': 1}" in result.output
    [delivery] = push_service.deliveries_to(device)
    assert delivery.vapid_ok
    db.session.expire_all()
    prompt = db.session.scalars(select(Prompt).where(Prompt.slot == "2h")).one()
    notification = db.session.scalars(select(Notification).where(
        Notification.prompt_id == prompt.id,
        Notification.kind == NotificationKind.PROMPT)).one()
    assert delivery.payload == {"title": "Aftercare", "body": "Time for your check-in",
                                "url": f"/m/{notification.link_token}", "page": "/checkin",
                                "tag": f"prompt-{prompt.id}"}
    assert (notification.status, notification.sent_at) == (NotificationStatus.SENT, clock())
    [row] = _rows()
    assert row.last_success_at == clock()
    assert len(push_service.received) == 1


def test_a_key_that_is_not_a_point_on_the_curve_is_refused(app, signed_in, clock):
    patient = factories.patient(factories.clinic(), clock())
    body = _body()
    body["keys"]["p256dh"] = b64url(b"\x04" + b"\x01" * 64)  # right length, not on P-256

    response = signed_in(patient.user).api("POST", URL, json=body)

    assert response.status_code == 422
    assert "p256dh" in str(response.get_json()["error"]["fields"])
