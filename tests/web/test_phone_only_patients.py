"""A patient with a phone number and no email (issue 16, point 1: "a phone number and/or an
email"): enrolled, sent the setup link by text (beside the QR code), signed in by a link
texted to them, and shown on the clinician's pages and exports without an address."""

import csv
import io
import json
import re
from html import unescape

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.notifications import channels
from app.notifications.models import LocalMessage
from app.patients import services
from app.patients.models import Patient
from app.patients.schemas import NEEDS_EMAIL, PHONE_OR_EMAIL, Enrollment
from tests import factories, sms_provider
from tests.web.auth_support import enroll

PHONE = "+12025550143"


@pytest.fixture
def sms(app):
    """The Twilio-like provider on 127.0.0.1 (tests/sms_provider.py); email is off."""
    provider = sms_provider.start()
    sms_provider.configure(app, provider)
    provider.send_callbacks = False
    app.config.update(EMAIL_BACKEND="outbox", PUBLIC_BASE_URL="http://aftercare.test")
    yield provider
    provider.server.shutdown()


def texts_sent(sms, clock) -> list:
    factories.send_due(clock())
    return list(sms.texts)


def test_the_schema_takes_a_phone_without_an_email(app):
    loaded = Enrollment().load({"display_name": "Ada", "email": "", "timezone": "UTC",
                                "phone": "(202) 555-0143"})
    assert loaded["email"] is None and loaded["phone"] == PHONE


@pytest.mark.parametrize("fields", [{}, {"email": "  ", "phone": ""}])
def test_neither_phone_nor_email_is_refused_in_words(app, fields):
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as refused:
        Enrollment().load({"display_name": "Ada", "timezone": "UTC", **fields})
    assert refused.value.messages == {"email": [PHONE_OR_EMAIL]}


def test_the_service_enrolls_a_phone_only_patient(app, clock):
    clinic = factories.clinic()
    first = factories.phone_only_patient(clinic, clock())
    second = factories.phone_only_patient(clinic, clock(), phone="+12025550199")
    # Several accounts without an email in one clinic: the unique (clinic, email) allows NULLs.
    assert first.user.email is None and second.user.email is None
    assert first.phone == PHONE and first.sms_consent_at == clock()
    assert first.user.account_name == f"patient-{first.user.id}"
    assert not channels.can_email(first, asked_for=True)
    with pytest.raises(ValueError):
        services.enroll(clinic.id, display_name="Nobody", email=None, timezone="UTC",
                        by=factories.staff(clinic), now=clock())


def test_staff_still_need_an_email(app):
    from app.auth.models import Role
    from app.auth.services import create_staff

    with pytest.raises(ValueError):
        create_staff(factories.clinic().id, email="", name="Dr No", role=Role.CLINICIAN)


def test_enrolling_with_neither_is_a_422_that_changes_nothing(app, signed_in):
    client = signed_in(factories.staff(factories.clinic()))
    users = db.session.query(User).count()
    response = enroll(client, email="", phone="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and "phone number or email (or both)" in page
    assert Patient.query.count() == 0 and db.session.query(User).count() == users


def test_email_as_a_channel_needs_an_address(app, signed_in):
    client = signed_in(factories.staff(factories.clinic()))
    response = enroll(client, email="", phone="(202) 555-0143", preferred_channel="email")
    assert response.status_code == 422
    assert NEEDS_EMAIL in response.get_data(as_text=True)
    assert Patient.query.count() == 0


def test_enroll_a_phone_only_patient_and_text_the_setup_link(app, signed_in, clock, sms):
    client = signed_in(factories.staff(factories.clinic()))
    response = enroll(client, email="", phone="(202) 555-0143", sms_consent="on")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page  # the QR code
    assert "Text a setup link to +12025550143" in page and "Email a setup link" not in page
    patient = Patient.query.one()
    assert patient.user.email is None and patient.phone == PHONE
    refused = client.form(f"/clinic/patients/{patient.id}/setup-link/send", {"channel": "email"})
    assert refused.status_code == 303
    shown = client.form(f"/clinic/patients/{patient.id}/setup-link/send", {"channel": "sms"})
    assert shown.status_code == 200
    shown_url = re.search(r'data-copy="([^"]+)"', shown.get_data(as_text=True)).group(1)
    [text] = texts_sent(sms, clock)
    assert text.to == PHONE and text.body.endswith(shown_url)
    assert text.body.startswith("Aftercare: set up your account.")
    # The patient follows it and chooses a password: signed in, with no email anywhere.
    phone = app.test_client()
    assert phone.get(shown_url.replace("http://aftercare.test", "")).status_code == 302
    setup = phone.get("/setup").get_data(as_text=True)
    assert "None" not in setup and f"patient-{patient.user.id}" in setup
    done = phone.form("/setup", {"password": "a long enough password",
                                  "confirm": "a long enough password"})
    assert done.status_code == 302
    account = phone.get("/account").get_data(as_text=True)
    assert "None ·" not in account and "· None" not in account


def test_a_phone_only_patient_signs_in_by_a_texted_link(app, client, clock, sms):
    patient = factories.phone_only_patient(factories.clinic(), clock())
    answer = client.form("/login/link", {"address": "(202) 555-0143"})
    assert answer.status_code == 200 and "on its way" in answer.get_data(as_text=True)
    [text] = texts_sent(sms, clock)
    assert text.to == PHONE and text.body.startswith("Aftercare: your sign-in link.")
    path = re.search(r"http://aftercare\.test(/login/link/\S+)", text.body).group(1)
    assert client.get(path).status_code == 200
    signed = client.form(path)
    assert signed.status_code == 303 and signed.headers["Location"] == "/"
    assert client.get("/checkin").status_code == 200
    assert db.session.scalars(select(LocalMessage)).all() == []  # nothing went by email
    assert patient.user.password_hash is None  # never set one: the link was enough


def test_the_password_form_never_matches_an_account_without_an_email(app, client, clock):
    patient = factories.phone_only_patient(factories.clinic(), clock())
    patient.user.password_hash = factories._PASSWORD_HASH
    db.session.commit()
    for typed in ("", "None", "null", PHONE):
        response = client.form("/login", {"email": typed, "password": factories.PASSWORD})
        assert response.status_code in (401, 422)
        assert client.get("/checkin").status_code != 200


def test_the_clinicians_pages_and_exports_without_an_email(app, signed_in, clock):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.phone_only_patient(clinic, clock(), by=clinician)
    client = signed_in(clinician)
    for url in (f"/clinic/patients/{patient.id}", "/clinic/patients",
                f"/clinic/patients?q={patient.display_name.split()[0]}",
                f"/clinic/patients/{patient.id}/contact"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert patient.display_name in page and "None" not in page, url
    shown = client.get(f"/clinic/patients/{patient.id}").get_data(as_text=True)
    assert PHONE in shown
    exported = client.get(f"/clinic/patients/{patient.id}/export.csv")
    assert exported.status_code == 200
    assert "None" not in exported.get_data(as_text=True)
    list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    fhir = client.get(f"/clinic/patients/{patient.id}/export.fhir.json")
    assert fhir.status_code == 200
    body = json.loads(fhir.get_data(as_text=True))
    Bundle.model_validate(body)
    [resource] = [e["resource"] for e in body["entry"]
                  if e["resource"]["resourceType"] == "Patient"]
    assert resource["telecom"] == [{"system": "phone", "value": PHONE, "use": "mobile"}]


def test_the_contact_form_keeps_a_phone_only_patient_reachable(app, signed_in, clock):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.phone_only_patient(clinic, clock(), by=clinician)
    client = signed_in(clinician)
    url = f"/clinic/patients/{patient.id}/contact"
    assert "No email address" in client.get(url).get_data(as_text=True)
    removed = client.form(url, {"phone": ""})
    assert removed.status_code == 422 and PHONE_OR_EMAIL in unescape(
        removed.get_data(as_text=True))
    by_email = client.form(url, {"phone": PHONE, "sms_consent": "on",
                                 "fallback_channel": "email"})
    assert by_email.status_code == 422 and NEEDS_EMAIL in by_email.get_data(as_text=True)
    db.session.refresh(patient)
    assert patient.phone == PHONE and patient.fallback_channel == "auto"
