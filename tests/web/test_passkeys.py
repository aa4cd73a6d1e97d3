"""Passkey routes over HTTP (the real ceremony runs in tests/browser/test_second_factors.py):
options, refusals, naming and removing, and the last admin's last factor."""

import pytest
from sqlalchemy import select

from app.auth.models import AuthSession, Role
from app.extensions import db
from app.passkeys.models import Passkey
from tests import factories
from tests.web.auth_support import audit_events, signed_in_role


@pytest.fixture
def clinic(app):
    return factories.clinic()


def _passkey(user, name="Phone") -> Passkey:
    passkey = Passkey(user_id=user.id, credential_id=f"cred-{user.id}-{name}",
                      public_key=b"\x00", sign_count=0, name=name, transports=["internal"])
    db.session.add(passkey)
    db.session.commit()
    return passkey


def test_registration_options_ask_for_a_discoverable_verified_credential(clinic, signed_in):
    patient_user = factories.patient(clinic, factories.utcnow()).user
    client = signed_in(patient_user)
    options = client.api("POST", "/account/passkeys/options").json
    assert options["rp"] == {"id": "localhost", "name": "Aftercare"}
    selection = options["authenticatorSelection"]
    assert selection["residentKey"] == "required"
    assert selection["userVerification"] == "required"
    assert patient_user.email not in options["user"]["id"]  # an opaque handle
    assert options["user"]["name"] == patient_user.email


def test_an_answer_without_a_ceremony_or_that_does_not_verify_is_refused(app, clinic):
    client = app.test_client()
    no_ceremony = client.api("POST", "/login/passkey", json={"credential": {"id": "x"}})
    assert no_ceremony.status_code == 401
    client.api("POST", "/login/passkey/options")
    forged = client.api("POST", "/login/passkey", json={"credential": {
        "id": "nope", "rawId": "nope", "type": "public-key", "response": {}}})
    assert forged.status_code == 401
    assert signed_in_role(client) is None
    assert len(audit_events("auth.passkey_failed")) == 2
    assert client.api("POST", "/login/passkey", json={}).status_code == 422


def test_adding_without_a_ceremony_stores_nothing(clinic, signed_in):
    client = signed_in(factories.staff(clinic))
    response = client.api("POST", "/account/passkeys",
                          json={"name": "Laptop", "credential": {"id": "x"}})
    assert response.status_code == 422
    assert db.session.scalars(select(Passkey)).all() == []


def test_a_passkey_is_renamed_and_removed_on_the_account_page(clinic, signed_in):
    user = factories.patient(clinic, factories.utcnow()).user
    passkey = _passkey(user)
    passkey_id = passkey.id
    client = signed_in(user)
    assert "Phone" in client.get("/account").text

    client.form(f"/account/passkeys/{passkey.id}/name", {"name": "  Kitchen tablet "})
    assert db.session.get(Passkey, passkey.id).name == "Kitchen tablet"
    client.form(f"/account/passkeys/{passkey.id}/remove")

    assert db.session.scalars(select(Passkey)).all() == []
    assert [e.target for e in audit_events("passkey.removed")] == [f"passkey:{passkey_id}"]


def test_the_last_admins_last_passkey_stays(clinic, signed_in):
    admin = factories.staff(clinic, Role.ADMIN)
    passkey = _passkey(admin)
    client = signed_in(admin)
    # a fresh second factor, so the step-up lets the removal through to its rule
    for row in db.session.scalars(select(AuthSession)):
        row.second_factor_at = factories.utcnow()
    db.session.commit()

    response = client.form(f"/account/passkeys/{passkey.id}/remove")

    assert response.status_code == 303
    assert db.session.get(Passkey, passkey.id) is not None
