"""Authenticator codes (TOTP) for staff: set-up on /account, the sign-in's second step,
replays and recovery codes, rate limits, and the audit trail."""


import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.mfa.models import RecoveryCode, TotpSecret
from tests import factories
from tests.web.auth_support import audit_events, login, signed_in_role
from tests.web.mfa_support import code_at, give_totp, set_up_totp, sign_in_with_code


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def clinician(clinic):
    return factories.staff(clinic)


def test_set_up_shows_qr_and_key_then_ten_recovery_codes_stored_hashed(
        app, clock, clinician, signed_in):
    client = signed_in(clinician)
    page = client.get("/account/authenticator")
    assert "<svg" in page.text and "otpauth" not in page.text  # the address is in the QR only

    secret, codes = set_up_totp(client, clock)

    [stored] = db.session.scalars(select(TotpSecret).where(TotpSecret.user_id == clinician.id))
    assert stored.secret == secret
    assert len(codes) == len(set(codes)) == 10
    hashes = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10 and not hashes & set(codes)
    assert [e.actor_id for e in audit_events("mfa.totp_enabled")] == [clinician.id]
    assert 'data-second-factor="on"' in client.get("/account").text
    # shown once: the account page never shows them again
    assert not any(code in client.get("/account").text for code in codes)


def test_a_wrong_code_at_set_up_saves_nothing(app, clinician, signed_in):
    client = signed_in(clinician)
    client.get("/account/authenticator")

    response = client.form("/account/authenticator", {"code": "000000"})

    assert response.status_code == 422
    assert db.session.scalars(select(TotpSecret)).all() == []


def test_without_a_second_factor_sign_in_stays_one_step(app, clinician):
    client = app.test_client()
    assert login(client, clinician.email).location == "/clinic/"
    assert signed_in_role(client) == "clinician"


def test_sign_in_asks_for_the_code_and_signs_in_only_then(app, clock, clinician):
    secret, _codes = give_totp(clinician, clock)
    clock.advance(seconds=30)

    client = app.test_client()
    first = login(client, clinician.email, next_url="/clinic/patients")
    assert first.status_code == 303 and first.location == "/login/code"
    assert signed_in_role(client) is None
    assert client.get("/clinic/").status_code == 302  # to the sign-in page

    response = client.form("/login/code", {"code": code_at(secret, clock())})

    assert response.status_code == 302 and response.location == "/clinic/patients"
    assert signed_in_role(client) == "clinician"
    [event] = audit_events("auth.login")
    assert event.detail == {"second_factor": "totp"}
    assert [e.actor_id for e in audit_events("auth.password_accepted")] == [clinician.id]


def test_a_wrong_code_is_refused_and_audited(app, clock, clinician):
    give_totp(clinician, clock)
    client = app.test_client()
    login(client, clinician.email)

    response = client.form("/login/code", {"code": "123456"})

    assert response.status_code == 401
    assert signed_in_role(client) is None
    assert [e.actor_id for e in audit_events("auth.second_factor_failed")] == [clinician.id]


def test_a_code_of_a_time_step_already_used_is_refused(app, clock, clinician):
    secret, _codes = give_totp(clinician, clock)
    clock.advance(seconds=30)
    code = code_at(secret, clock())
    _client, first = sign_in_with_code(app, clinician, code)
    assert first.status_code == 302

    _client, replay = sign_in_with_code(app, clinician, code)
    assert replay.status_code == 401
    # so is the step before it (still accepted for a clock a little behind, but older)
    _client, older = sign_in_with_code(app, clinician, code_at(secret, clock(), steps=-1))
    assert older.status_code == 401

    clock.advance(seconds=30)
    _client, next_step = sign_in_with_code(app, clinician, code_at(secret, clock()))
    assert next_step.status_code == 302


def test_a_recovery_code_works_once(app, clock, clinician):
    _secret, codes = give_totp(clinician, clock)

    client, first = sign_in_with_code(app, clinician, codes[3].upper().replace("-", " "))
    assert first.status_code == 302
    assert signed_in_role(client) == "clinician"
    assert audit_events("mfa.recovery_code_used")[0].detail == {"left": 9}

    _client, again = sign_in_with_code(app, clinician, codes[3])
    assert again.status_code == 401


def test_the_pending_sign_in_lasts_five_minutes(app, clock, clinician):
    secret, _codes = give_totp(clinician, clock)
    client = app.test_client()
    login(client, clinician.email)
    clock.advance(minutes=5, seconds=30)

    response = client.form("/login/code", {"code": code_at(secret, clock())})

    assert response.status_code == 303 and response.location == "/login"
    assert signed_in_role(client) is None


def test_the_code_page_without_a_password_first_goes_to_sign_in(app):
    assert app.test_client().get("/login/code").location == "/login"


def test_wrong_codes_are_rate_limited_per_account(app, clock, clinician):
    secret, _codes = give_totp(clinician, clock)
    client = app.test_client()
    login(client, clinician.email)
    statuses = []
    for attempt in range(11):
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{attempt + 1}"  # a new address each time
        statuses.append(client.form("/login/code", {"code": "999999"}).status_code)
    assert statuses == [401] * 10 + [429]
    # even the right code waits now
    assert client.form("/login/code", {"code": code_at(secret, clock())}).status_code == 429


def test_patients_are_not_offered_an_authenticator(app, clinic, clock, signed_in):
    patient = factories.patient(clinic, clock())
    assert "Second factor" not in signed_in(patient.user).get("/account").text


def test_removing_the_authenticator_returns_to_one_step(app, clock, clinic, signed_in):
    factories.staff(clinic, Role.ADMIN)  # so this admin is not the last
    admin = factories.staff(clinic, Role.ADMIN)
    client = signed_in(admin)
    set_up_totp(client, clock)

    response = client.form("/account/authenticator/remove")

    assert response.status_code == 303
    assert db.session.scalars(select(TotpSecret)).all() == []
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert login(app.test_client(), admin.email).location == "/clinic/"
    assert [e.target for e in audit_events("mfa.removed")] == [f"user:{admin.id}"]


def test_new_recovery_codes_replace_the_old(app, clock, clinician, signed_in):
    client = signed_in(clinician)
    _secret, old = set_up_totp(client, clock)

    page = client.form("/account/recovery-codes")

    assert page.status_code == 200
    _client, refused = sign_in_with_code(app, clinician, old[0])
    assert refused.status_code == 401
    assert len(db.session.scalars(select(RecoveryCode)).all()) == 10
