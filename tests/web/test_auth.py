
"""Signing in and out: landing pages, failures, `next`, fixation, rate limit, timeouts, audit."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.auth.models import AuthSession
from app.auth.services import token_hash
from tests import factories
from tests.web.auth_support import (
    FAILED_LOGIN_MESSAGE,
    audit_events,
    count,
    login,
    session_token,
    sessions_of,
    signed_in_role,
    unrevoked_sessions_of,
)


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def clinician(clinic):
    return factories.staff(clinic)


@pytest.fixture
def patient(clinic, clock):
    return factories.patient(clinic, clock())


# --- signing in ---------------------------------------------------------------------------

def test_clinician_login_lands_on_clinic_dashboard(app, clock, clinician):
    client = app.test_client()

    response = login(client, clinician.email)

    assert response.status_code == 302
    assert response.location == "/clinic/"
    assert signed_in_role(client) == "clinician"
    [auth_session] = sessions_of(clinician)
    assert auth_session.token_hash == token_hash(session_token(client))
    assert auth_session.idle_timeout_seconds == 15 * 60
    assert auth_session.expires_at == clock() + timedelta(hours=12)


def test_patient_login_lands_on_patient_home(app, clock, patient):
    client = app.test_client()

    response = login(client, patient.user.email)

    assert response.status_code == 302
    assert response.location == "/"
    assert signed_in_role(client) == "patient"
    [auth_session] = sessions_of(patient.user)
    assert auth_session.idle_timeout_seconds is None
    assert auth_session.expires_at == clock() + timedelta(days=30)


def test_login_email_ignores_case_and_spaces(app, clinician):
    client = app.test_client()

    response = login(client, f"  {clinician.email.upper()} ")

    assert response.location == "/clinic/"
    assert signed_in_role(client) == "clinician"


@pytest.mark.parametrize("email, password", [
    ("known", "not the password"),
    ("nobody@x.test", factories.PASSWORD),
], ids=["wrong-password", "unknown-email"])
def test_failed_login_answers_401_with_one_message_and_no_session(app, clinician, email,
                                                                   password):
    client = app.test_client()

    response = login(client, clinician.email if email == "known" else email, password)

    assert response.status_code == 401
    assert FAILED_LOGIN_MESSAGE in response.get_data(as_text=True)
    assert session_token(client) is None
    assert signed_in_role(client) is None
    assert count(AuthSession) == 0


def test_user_without_password_cannot_sign_in(app, clinic, clock):
    not_set_up = factories.patient(clinic, clock(), with_password=False)
    client = app.test_client()

    response = login(client, not_set_up.user.email, factories.PASSWORD)

    assert response.status_code == 401
    assert count(AuthSession) == 0


@pytest.mark.parametrize("next_url, expected", [
    ("/history", "/history"),
    ("/checkin?x=1", "/checkin?x=1"),
    ("https://evil.example", "/"),
    ("https://evil.example/history", "/"),
    ("//evil.example/history", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_parameter_only_accepts_local_paths(app, patient, next_url, expected):
    client = app.test_client()

    response = login(client, patient.user.email, next_url=next_url)

    assert response.status_code == 302
    assert response.location == expected


def test_login_replaces_whatever_session_the_browser_brought(app, clinician):
    client = app.test_client()
    with client.session_transaction() as session:
        session["sid"] = "planted-by-an-attacker"
        session["marker"] = "left over from before"

    login(client, clinician.email)

    with client.session_transaction() as session:
        assert session["sid"] != "planted-by-an-attacker"
        assert "marker" not in session
    [auth_session] = sessions_of(clinician)
    assert auth_session.token_hash == token_hash(session_token(client))


def test_every_login_gets_a_new_session_token(app, clinician):
    client = app.test_client()
    login(client, clinician.email)
    first = session_token(client)
    client.form("/logout")

    login(client, clinician.email)
    second = session_token(client)
    other_device = app.test_client()
    login(other_device, clinician.email)

    tokens = [first, second, session_token(other_device)]
    assert None not in tokens and len(set(tokens)) == 3
    rows = sessions_of(clinician)
    assert [row.token_hash for row in rows] == [token_hash(token) for token in tokens]
    assert [row.revoked_at is not None for row in rows] == [True, False, False]


def test_already_signed_in_user_is_sent_home_from_login(app, clinician, signed_in):
    response = signed_in(clinician).get("/login")

    assert response.status_code == 302
    assert response.location == "/clinic/"


def test_eleventh_login_attempt_within_a_minute_answers_429(app, clinician):
    client = app.test_client()
    for _attempt in range(10):
        assert login(client, clinician.email, "not the password").status_code == 401

    response = login(client, clinician.email)

    assert response.status_code == 429
    assert session_token(client) is None
    assert count(AuthSession) == 0


# --- timeouts -----------------------------------------------------------------------------

def test_clinician_session_survives_14_idle_minutes(app, clock, clinician):
    client = app.test_client()
    login(client, clinician.email)

    clock.advance(minutes=14)

    assert client.get("/clinic/").status_code == 200


def test_clinician_session_ends_after_15_idle_minutes(app, clock, clinician):
    client = app.test_client()
    login(client, clinician.email)

    clock.advance(minutes=15)
    response = client.get("/clinic/")

    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert signed_in_role(client) is None


def test_idle_time_counts_from_the_last_request(app, clock, clinician):
    client = app.test_client()
    login(client, clinician.email)
    clock.advance(minutes=10)
    assert client.get("/clinic/").status_code == 200

    clock.advance(minutes=14)

    assert client.get("/clinic/").status_code == 200


def test_clinician_session_ends_after_12_hours_despite_activity(app, clock, clinician):
    client = app.test_client()
    login(client, clinician.email)
    for _step in range(71):  # a request every 10 minutes up to 11 h 50 min
        clock.advance(minutes=10)
        assert client.get("/clinic/").status_code == 200

    clock.advance(minutes=10)
    response = client.get("/clinic/")

    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_patient_session_still_works_after_29_idle_days(app, clock, patient):
    client = app.test_client()
    login(client, patient.user.email)

    clock.advance(days=29)

    assert client.get("/history").status_code == 200


def test_patient_session_ends_at_30_days(app, clock, patient):
    client = app.test_client()
    login(client, patient.user.email)

    clock.advance(days=30)
    response = client.get("/history")

    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert signed_in_role(client) is None


# --- signing out --------------------------------------------------------------------------

def test_logout_ends_only_this_device(app, clinician, signed_in):
    this_device, other_device = signed_in(clinician), signed_in(clinician)

    response = this_device.form("/logout")

    assert response.status_code == 302
    assert response.location == "/login"
    assert this_device.get("/clinic/").status_code == 302
    assert other_device.get("/clinic/").status_code == 200
    assert len(unrevoked_sessions_of(clinician)) == 1


def test_logout_everywhere_ends_all_of_the_users_sessions(app, clinic, clinician, signed_in):
    colleague = factories.staff(clinic)
    this_device, other_device = signed_in(clinician), signed_in(clinician)
    colleague_device = signed_in(colleague)

    response = this_device.form("/logout-everywhere")

    assert response.status_code == 302
    assert this_device.get("/clinic/").status_code == 302
    assert other_device.get("/clinic/").status_code == 302
    assert colleague_device.get("/clinic/").status_code == 200
    assert unrevoked_sessions_of(clinician) == []
    assert len(unrevoked_sessions_of(colleague)) == 1


def test_logout_without_csrf_token_answers_400_and_keeps_the_session(app, clinician,
                                                                       signed_in):
    client = signed_in(clinician)

    response = client.post("/logout")

    assert response.status_code == 400
    assert client.get("/clinic/").status_code == 200
    assert len(unrevoked_sessions_of(clinician)) == 1


def test_login_without_csrf_token_answers_400(app, clinician):
    client = app.test_client()

    response = client.post("/login", data={"email": clinician.email,
                                           "password": factories.PASSWORD})

    assert response.status_code == 400
    assert count(AuthSession) == 0


# --- not signed in ------------------------------------------------------------------------

def test_unauthenticated_clinic_page_redirects_to_login(app):
    response = app.test_client().get("/clinic/")

    location = urlsplit(response.location)
    assert response.status_code == 302
    assert (location.path, parse_qs(location.query)) == ("/login", {"next": ["/clinic/"]})


def test_unauthenticated_api_call_answers_401_json(app):
    response = app.test_client().get("/api/v1/checkins")

    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"]["code"] == 401


# --- audit --------------------------------------------------------------------------------

def test_login_is_audited(app, clock, clinician):
    login(app.test_client(), clinician.email)

    [event] = audit_events("auth.login")
    assert (event.actor_id, event.clinic_id, event.at) == (clinician.id, clinician.clinic_id,
                                                           clock())


def test_failed_login_for_a_known_email_is_audited_against_that_user(app, clinician):
    login(app.test_client(), clinician.email, "not the password")

    [event] = audit_events("auth.login_failed")
    assert (event.actor_id, event.clinic_id) == (clinician.id, clinician.clinic_id)
    assert "not the password" not in str(event.detail)
    assert audit_events("auth.login") == []


def test_failed_login_for_an_unknown_email_is_audited_without_actor(app):
    login(app.test_client(), "nobody@x.test", "not the password")

    [event] = audit_events("auth.login_failed")
    assert (event.actor_id, event.clinic_id) == (None, None)

