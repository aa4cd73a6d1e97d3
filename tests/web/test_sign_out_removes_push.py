"""Signing a device out removes its push subscription (issue 12, point 4).

Each way a session ends (one device signed out from the account page, the other devices, "sign
out everywhere" by the person or by a clinician, a password change, this device's own sign-out,
a deactivated account) removes the push subscriptions that the ended sessions saved, and the
send job then pushes nothing to those endpoints: a lost phone stops getting prompts and a lost
laptop stops getting escalations. The device that stays signed in keeps getting them.
"""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import services as auth_services
from app.auth.models import AuthSession, Role
from app.extensions import db
from app.flags import services as flags
from app.flags.models import Flag
from app.notifications.models import PushSubscription
from app.phq9 import services as phq9
from jobs import send_notifications
from tests import factories
from tests.web.auth_support import LAPTOP, NEW_PASSWORD, PHONE, device

URL = "/api/v1/push-subscriptions"


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def patient(clinic, clock):
    return factories.patient(clinic, clock())


def _subscribe(client, push_service):
    """The browser subscribes to the real local push service and saves it, as reminders.js does."""
    device = push_service.new_device()
    body = {**device.subscription(push_service.base_url), "expirationTime": None}
    assert client.api("POST", URL, json=body).status_code == 201
    return device


def _endpoints() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(PushSubscription.endpoint)))


def _session_id(client) -> int:
    from tests.web.auth_support import session_token

    return db.session.scalar(select(AuthSession.id).where(
        AuthSession.token_hash == auth_services.token_hash(session_token(client))))


@pytest.fixture
def phone_and_laptop(app, patient, push_service):
    """The patient signed in on a laptop (to be lost) and a phone, each subscribed."""
    laptop = device(app, patient.user, LAPTOP)
    phone = device(app, patient.user, PHONE)
    lost = _subscribe(laptop, push_service)
    kept = _subscribe(phone, push_service)
    assert _endpoints() == {push_service.base_url + lost.path, push_service.base_url + kept.path}
    return phone, laptop, lost, kept


def _prompt_is_due(app, clock, patient):
    """A check-in prompt due now; the send job runs."""
    factories.infusion(patient, end=clock() - timedelta(hours=2))
    return send_notifications.run(clock())


def _assert_only(push_service, *, reached, not_reached):
    assert [d.path for d in push_service.received if d.path == not_reached.path] == []
    if reached is not None:
        assert len(push_service.deliveries_to(reached)) == 1


def test_signing_out_one_device_on_the_account_page_removes_its_subscription(
        app, clock, patient, push_service, phone_and_laptop):
    phone, laptop, lost, kept = phone_and_laptop

    response = phone.form(f"/account/sessions/{_session_id(laptop)}/revoke")

    assert response.status_code == 303
    assert _endpoints() == {push_service.base_url + kept.path}
    _prompt_is_due(app, clock, patient)
    _assert_only(push_service, reached=kept, not_reached=lost)


def test_signing_out_the_other_devices_removes_their_subscriptions(
        app, clock, patient, push_service, phone_and_laptop):
    phone, _laptop, lost, kept = phone_and_laptop

    assert phone.form("/account/sessions/revoke-others").status_code == 303

    assert _endpoints() == {push_service.base_url + kept.path}
    _prompt_is_due(app, clock, patient)
    _assert_only(push_service, reached=kept, not_reached=lost)


def test_sign_out_everywhere_removes_every_subscription(
        app, clock, patient, push_service, phone_and_laptop):
    phone, _laptop, lost, kept = phone_and_laptop

    assert phone.form("/logout-everywhere").status_code == 302

    assert _endpoints() == set()
    result = _prompt_is_due(app, clock, patient)
    assert result == {"claimed": 1, "sent": 1}  # to the app's list of due check-ins only
    assert push_service.received == []


def test_a_clinician_signing_the_patient_out_everywhere_removes_every_subscription(
        app, clock, clinic, patient, push_service, phone_and_laptop, signed_in):
    clinician = signed_in(factories.staff(clinic))

    response = clinician.form(f"/clinic/patients/{patient.id}/sign-out")

    assert response.status_code == 302
    assert _endpoints() == set()
    _prompt_is_due(app, clock, patient)
    assert push_service.received == []


def test_a_password_change_removes_the_other_devices_subscriptions(
        app, clock, patient, push_service, phone_and_laptop):
    phone, _laptop, lost, kept = phone_and_laptop

    response = phone.form("/account/password", {
        "current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 303
    assert _endpoints() == {push_service.base_url + kept.path}
    _prompt_is_due(app, clock, patient)
    _assert_only(push_service, reached=kept, not_reached=lost)


def test_signing_this_device_out_removes_its_subscription(
        app, clock, patient, push_service, phone_and_laptop):
    _phone, laptop, lost, kept = phone_and_laptop

    assert laptop.form("/logout").status_code == 302

    assert _endpoints() == {push_service.base_url + kept.path}
    _prompt_is_due(app, clock, patient)
    _assert_only(push_service, reached=kept, not_reached=lost)


def test_a_subscription_saved_before_sessions_were_recorded_goes_with_the_others(
        app, clock, patient, push_service, phone_and_laptop):
    """Rows from before the migration have no session: unknown device, so they go too."""
    phone, _laptop, _lost, kept = phone_and_laptop
    old = push_service.new_device()
    db.session.add(PushSubscription(user_id=patient.user_id, endpoint=push_service.base_url
                                    + old.path, created_at=clock(),
                                    **old.subscription(push_service.base_url)["keys"]))
    db.session.commit()

    phone.form("/account/sessions/revoke-others")

    assert _endpoints() == {push_service.base_url + kept.path}


# --- a deactivated account (the laptop of a clinician who left) ----------------------------

def _escalate(patient, clock):
    """An unacknowledged safety answer 30 minutes old: escalations queued for the staff."""
    at = clock()
    phq9.submit(patient, {"client_id": uuid.uuid4(), "taken_at": at,
                          "answers": [2, 2, 1, 1, 1, 2, 1, 0, 1]}, now=at)
    db.session.commit()
    assert flags.escalate(at + timedelta(minutes=30)) == 1
    db.session.commit()
    assert db.session.scalar(select(Flag.escalated_at)) is not None


def _send_escalations(clock):
    return send_notifications.run(clock() + timedelta(minutes=31))


def test_deactivating_a_clinician_ends_their_sessions_and_removes_their_subscriptions(
        app, clock, clinic, patient, push_service):
    leaver = factories.staff(clinic)
    stayer = factories.staff(clinic, Role.ADMIN)
    lost = _subscribe(device(app, leaver, LAPTOP), push_service)
    kept = _subscribe(device(app, stayer, LAPTOP), push_service)

    _escalate(patient, clock)  # queued for both, as the leaver was still active

    leaver.active = False  # what the offboarding action does, with end_sessions
    assert auth_services.end_sessions(leaver, now=clock()) == 1
    db.session.commit()

    assert _endpoints() == {push_service.base_url + kept.path}
    assert db.session.scalar(select(AuthSession.revoked_at).where(
        AuthSession.user_id == leaver.id)) == clock()
    _send_escalations(clock)
    _assert_only(push_service, reached=kept, not_reached=lost)


def test_a_deactivated_account_gets_no_push_even_if_its_subscription_row_stayed(
        app, clock, clinic, patient, push_service):
    """The second lock, at send time: deactivated without its rows removed, still nothing."""
    leaver = factories.staff(clinic)
    lost = _subscribe(device(app, leaver, LAPTOP), push_service)
    _escalate(patient, clock)
    leaver.active = False
    db.session.commit()

    _send_escalations(clock)

    assert push_service.base_url + lost.path in _endpoints()
    assert push_service.deliveries_to(lost) == []


def test_a_revoked_session_gets_no_push_even_if_its_subscription_row_stayed(
        app, clock, patient, push_service, phone_and_laptop):
    _phone, laptop, lost, kept = phone_and_laptop
    db.session.get(AuthSession, _session_id(laptop)).revoked_at = clock()
    db.session.commit()

    _prompt_is_due(app, clock, patient)

    _assert_only(push_service, reached=kept, not_reached=lost)
