"""A clinic that requires a second factor, an admin's reset, and the step-up before exports
and settings changes."""

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.mfa import services as mfa_services
from app.mfa.models import TotpSecret
from tests import factories
from tests.web.auth_support import audit_events, login, unrevoked_sessions_of
from tests.web.mfa_support import code_at, give_totp, require_mfa, set_up_totp, sign_in_with_code
from tests.web.test_clinic_settings import _inputs


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def admin(clinic):
    return factories.staff(clinic, Role.ADMIN)


@pytest.fixture
def clinician(clinic):
    return factories.staff(clinic)


def _totp_of(user):
    db.session.expire_all()
    return db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == user.id))


# --- a clinic that requires it ------------------------------------------------------------

def test_the_admin_turns_it_on_in_the_settings_with_the_change_log(app, admin, signed_in):
    client = signed_in(admin)
    # The settings form as the page shows it (every setting of the clinic), with MFA required.
    form = {**_inputs(client.get("/clinic/settings").get_data(as_text=True)),
            "require_staff_mfa": "true"}

    assert client.form("/clinic/settings", form).status_code == 303

    [event] = audit_events("clinic.settings")
    assert (event.target, event.detail) == ("require_staff_mfa", {"old": False, "new": True})
    # the admin now has to set one up too, before anything else
    assert client.get("/clinic/settings").location.startswith("/account/authenticator")


def test_staff_without_one_set_it_up_at_sign_in_before_any_patient_data(
        app, clock, clinic, admin, clinician):
    patient = factories.patient(clinic, clock(), by=clinician)
    require_mfa(clinic, admin)
    client = app.test_client()

    signed = login(client, clinician.email)

    assert signed.location.startswith("/account/authenticator")
    for url in ("/clinic/", f"/clinic/patients/{patient.id}", "/clinic/cohort/export.csv"):
        response = client.get(url)
        assert response.status_code == 303, url
        assert response.location.startswith("/account/authenticator?next="), url
    api = client.get("/api/v1/cohort/mood")
    assert api.status_code == 403 and api.json["error"]["reason"] == "second_factor_required"
    assert client.get("/account").status_code == 303

    set_up_totp(client, clock)

    assert client.get(f"/clinic/patients/{patient.id}").status_code == 200
    assert client.get("/api/v1/cohort/mood").status_code == 200


def test_a_session_that_has_not_given_the_factor_gives_it_first(
        app, clock, clinic, admin, clinician, signed_in):
    secret, _codes = give_totp(clinician, clock)
    require_mfa(clinic, admin)
    client = signed_in(clinician)  # a session from before the requirement
    clock.advance(seconds=30)

    response = client.get("/clinic/patients")
    assert response.location == "/second-factor?next=/clinic/patients"
    back = client.form(response.location, {"code": code_at(secret, clock())})

    assert back.status_code == 303 and back.location == "/clinic/patients"
    assert client.get("/clinic/patients").status_code == 200


def test_patients_are_not_asked(app, clock, clinic, admin):
    patient = factories.patient(clinic, clock())
    require_mfa(clinic, admin)
    client = app.test_client()
    assert login(client, patient.user.email).location == "/"
    assert client.get("/").status_code == 200


def test_staff_cannot_remove_their_own_when_the_clinic_requires_one(
        app, clock, clinic, admin, clinician, signed_in):
    require_mfa(clinic, admin)
    client = signed_in(clinician)
    set_up_totp(client, clock)

    client.form("/account/authenticator/remove")

    assert _totp_of(clinician) is not None


# --- an admin's reset -----------------------------------------------------------------------

def test_an_admin_resets_a_staff_members_second_factor(app, clock, admin, clinician, signed_in):
    give_totp(clinician, clock)
    clock.advance(seconds=30)
    sign_in_with_code(app, clinician, code_at(_totp_of(clinician).secret, clock()))
    client = signed_in(admin)
    url = f"/clinic/staff/{clinician.id}/second-factor/reset"
    assert "Reset second factor" in client.get("/clinic/staff").text
    assert client.get(url).status_code == 200  # asks first

    assert client.form(url).status_code == 303

    assert _totp_of(clinician) is None
    assert unrevoked_sessions_of(clinician) == []
    [event] = audit_events("mfa.reset")
    assert (event.actor_id, event.target) == (admin.id, f"user:{clinician.id}")
    assert login(app.test_client(), clinician.email).location == "/clinic/"


def test_a_clinician_cannot_reset_anyone(app, clock, admin, clinician, signed_in):
    give_totp(admin, clock)
    client = signed_in(clinician)
    assert client.form(f"/clinic/staff/{admin.id}/second-factor/reset").status_code == 403
    assert _totp_of(admin) is not None


def test_nobody_removes_the_last_admins_second_factor(app, clock, clinic, admin, clinician,
                                                      signed_in):
    client = signed_in(admin)
    set_up_totp(client, clock)

    refused = client.form("/account/authenticator/remove")

    assert refused.status_code == 303 and _totp_of(admin) is not None
    with pytest.raises(mfa_services.CannotRemove, match="last active admin"):
        mfa_services.remove_totp(admin, by=clinician)
    # with a second admin, one admin may reset the other's
    other = factories.staff(clinic, Role.ADMIN)
    assert signed_in(other).form(
        f"/clinic/staff/{admin.id}/second-factor/reset").status_code == 303
    assert _totp_of(admin) is None


# --- step-up ------------------------------------------------------------------------------

def _signed_in_with_totp(app, clock, user):
    secret, _codes = give_totp(user, clock)
    clock.advance(seconds=30)
    client, response = sign_in_with_code(app, user, code_at(secret, clock()))
    assert response.status_code == 302
    return client, secret


def test_an_export_asks_again_after_15_minutes_then_returns(app, clock, clinician):
    client, secret = _signed_in_with_totp(app, clock, clinician)
    assert client.get("/clinic/cohort/export.csv").status_code == 200  # fresh
    clock.advance(minutes=10)
    client.get("/clinic/")  # not idle
    clock.advance(minutes=6)

    asked = client.get("/clinic/cohort/export.csv")

    assert asked.status_code == 303
    assert asked.location == "/second-factor?next=/clinic/cohort/export.csv"
    assert client.form(asked.location, {"code": "000000"}).status_code == 401
    back = client.form(asked.location, {"code": code_at(secret, clock())})
    assert back.location == "/clinic/cohort/export.csv"
    assert client.get(back.location).status_code == 200
    assert [e.actor_id for e in audit_events("auth.step_up")] == [clinician.id]


def test_a_settings_change_asks_again_and_saves_nothing_meanwhile(app, clock, admin):
    client, _secret = _signed_in_with_totp(app, clock, admin)
    clock.advance(minutes=14)
    client.get("/clinic/")
    clock.advance(minutes=2)

    asked = client.form("/clinic/settings", {"reminder_delay_hours": "4"},
                        headers={"Referer": "http://localhost/clinic/settings"})

    assert asked.status_code == 303
    assert asked.location == "/second-factor?next=/clinic/settings"
    assert audit_events("clinic.settings") == []


def test_staff_without_a_second_factor_are_not_stepped_up(app, clinician, signed_in):
    assert signed_in(clinician).get("/clinic/cohort/export.csv").status_code == 200
