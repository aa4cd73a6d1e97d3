"""A saved check-in is never filed under another person (issue 12, point 3): the server side.

The app declares whose entry it sends (``account``, from GET /api/v1/session); an entry declared
for another account is refused and nothing is stored. A device whose session was ended from
elsewhere is told so at its next contact, until someone signs in on it again. The browser side
is tests/browser/test_outbox_accounts.py.
"""

import uuid

import pytest
from sqlalchemy import func, select

from app.auth import services as auth_services
from app.checkins.models import CheckIn
from app.extensions import db
from app.phq9.models import Phq9Response
from tests import factories
from tests.web.auth_support import login

CLEAR = '"cache", "storage"'


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def patient_a(clinic, clock):
    return factories.patient(clinic, clock())


@pytest.fixture
def patient_b(clinic, clock):
    return factories.patient(clinic, clock())


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _account(client) -> str:
    return client.get("/api/v1/session").get_json()["account"]


def _checkin(clock, **fields) -> dict:
    return {"client_id": str(uuid.uuid4()), "taken_at": clock().isoformat(), "mood": 3,
            "note": "saved offline on a shared phone", **fields}


def _phq9(clock, **fields) -> dict:
    return {"client_id": str(uuid.uuid4()), "taken_at": clock().isoformat(),
            "answers": [1, 1, 1, 1, 1, 1, 1, 1, 0], **fields}


# --- the declared account ----------------------------------------------------------------

def test_each_patient_has_their_own_opaque_account_value(app, patient_a, patient_b, signed_in):
    a, b = _account(signed_in(patient_a.user)), _account(signed_in(patient_b.user))

    assert a and b and a != b
    assert a == auth_services.outbox_account(patient_a.user_id, app.secret_key)
    assert a == _account(signed_in(patient_a.user))  # the same on each of A's devices
    assert a != auth_services.outbox_account(patient_a.user_id, "another-secret-key")


def test_staff_and_guests_have_no_account_value(app, clinic, client, signed_in):
    assert _account(signed_in(factories.staff(clinic))) is None
    assert _account(client) is None


def test_a_checkin_declared_for_another_account_is_refused_and_nothing_stored(
        app, clock, patient_a, patient_b, signed_in):
    saved_by_a = _account(signed_in(patient_a.user))
    phone_of_b = signed_in(patient_b.user)

    response = phone_of_b.api("POST", "/api/v1/checkins",
                              json=_checkin(clock, account=saved_by_a))

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["reason"] == "account_mismatch"
    assert "another account" in error["message"] and "Nothing was saved" in error["message"]
    assert _count(CheckIn) == 0


def test_a_phq9_declared_for_another_account_is_refused_and_nothing_stored(
        app, clock, patient_a, patient_b, signed_in):
    saved_by_a = _account(signed_in(patient_a.user))

    response = signed_in(patient_b.user).api("POST", "/api/v1/phq9",
                                             json=_phq9(clock, account=saved_by_a))

    assert response.status_code == 409
    assert response.get_json()["error"]["reason"] == "account_mismatch"
    assert _count(Phq9Response) == 0


@pytest.mark.parametrize("url, body", [("/api/v1/checkins", _checkin),
                                       ("/api/v1/phq9", _phq9)])
def test_an_entry_that_does_not_say_whose_it_is_is_422_naming_the_field(
        app, clock, patient_a, signed_in, url, body):
    phone = signed_in(patient_a.user)
    phone.fetch_csrf()

    response = phone.open(url, method="POST", json=body(clock),
                          headers={"X-CSRFToken": phone.csrf})

    assert response.status_code == 422
    assert "account" in response.get_json()["error"]["fields"]
    assert _count(CheckIn) + _count(Phq9Response) == 0


@pytest.mark.parametrize("url, body", [("/api/v1/checkins", _checkin),
                                       ("/api/v1/phq9", _phq9)])
def test_an_entry_declared_for_the_signed_in_account_is_stored(
        app, clock, patient_a, signed_in, url, body):
    phone = signed_in(patient_a.user)

    response = phone.api("POST", url, json=body(clock, account=_account(phone)))

    assert response.status_code == 201
    assert _count(CheckIn) + _count(Phq9Response) == 1


def test_the_form_without_javascript_needs_no_declaration(app, clock, patient_a, signed_in):
    phone = signed_in(patient_a.user)

    response = phone.form("/checkin", {"client_id": str(uuid.uuid4()), "mood": "6"})

    assert response.status_code == 303
    assert db.session.scalar(select(CheckIn.patient_id)) == patient_a.id


def test_patient_pages_carry_the_account_but_the_stored_offline_page_does_not(
        app, patient_a, signed_in):
    phone = signed_in(patient_a.user)
    account = _account(phone)

    assert f'data-account="{account}"' in phone.get("/").get_data(as_text=True)
    offline = phone.get("/offline").get_data(as_text=True)
    assert account not in offline and "data-account" not in offline


# --- a device signed out from elsewhere is told at its next contact ---------------------------

def _assert_told_to_forget(client):
    session = client.get("/api/v1/session")
    assert session.get_json()["signed_out"] == "session_revoked"
    assert session.get_json()["signed_in"] is False
    assert session.headers["Clear-Site-Data"] == CLEAR
    refused = client.api("POST", "/api/v1/checkins", json={"mood": 3})
    assert refused.status_code == 401
    assert refused.get_json()["error"]["reason"] == "session_revoked"
    assert client.get("/login").headers["Clear-Site-Data"] == CLEAR
    assert 'data-signed-out="session_revoked"' in client.get("/login").get_data(as_text=True)


def test_a_device_signed_out_everywhere_is_told_to_forget_until_someone_signs_in(
        app, clock, patient_a, patient_b, signed_in):
    lost_phone = signed_in(patient_a.user)
    assert lost_phone.get("/api/v1/session").get_json()["signed_in"]

    auth_services.end_sessions(patient_a.user, now=clock())
    db.session.commit()

    _assert_told_to_forget(lost_phone)
    _assert_told_to_forget(lost_phone)  # at every contact, not only the first
    assert login(lost_phone, patient_b.user.email).status_code == 302
    after = lost_phone.get("/api/v1/session")
    assert after.get_json()["signed_out"] is None
    assert "Clear-Site-Data" not in after.headers


def test_a_device_of_a_deactivated_account_is_told_to_forget(app, clock, patient_a, signed_in):
    phone = signed_in(patient_a.user)
    phone.get("/")
    patient_a.user.active = False
    db.session.commit()

    _assert_told_to_forget(phone)


def test_a_session_that_merely_ran_out_keeps_the_saved_entries(app, clock, patient_a,
                                                                signed_in, client):
    """They stay bound to their account and go when that person signs in again."""
    phone = signed_in(patient_a.user)
    clock.advance(days=31)

    session = phone.get("/api/v1/session")

    assert session.get_json()["signed_in"] is False
    assert session.get_json()["signed_out"] is None
    assert "Clear-Site-Data" not in session.headers
    assert "Clear-Site-Data" not in client.get("/login").headers


def test_a_stranger_never_is_told_to_forget(client):
    response = client.get("/api/v1/session")
    assert response.get_json()["signed_out"] is None
    assert "Clear-Site-Data" not in response.headers
