"""A patient's phone, channels and consent to texts (issue 16, point 1)."""

import pytest

from app.forms import PHONE_ERROR
from app.patients.models import Patient
from app.patients.schemas import NEEDS_PHONE, Contact
from tests import factories
from tests.web.auth_support import enroll


@pytest.mark.parametrize("typed, stored", [
    ("(202) 555-0143", "+12025550143"), ("202.555.0143", "+12025550143"),
    ("+44 7911 123456", "+447911123456"), ("", None),
])
def test_a_phone_is_stored_as_e164(app, typed, stored):
    assert Contact().load({"phone": typed})["phone"] == stored


@pytest.mark.parametrize("typed", ["12", "not a phone", "+1 555", "5" * 40])
def test_a_phone_that_does_not_parse_is_refused_in_words(app, typed):
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as refused:
        Contact().load({"phone": typed})
    assert refused.value.messages == {"phone": [PHONE_ERROR]}


def test_enrollment_records_phone_channels_and_consent_with_who_and_when(app, signed_in, clock):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    response = enroll(signed_in(clinician), phone="(202) 555-0143", sms_consent="on",
                      preferred_channel="sms", fallback_channel="email")
    assert response.status_code == 200
    patient = Patient.query.one()
    assert patient.phone == "+12025550143"
    assert (patient.preferred_channel, patient.fallback_channel) == ("sms", "email")
    assert patient.sms_consent_at == clock()
    assert patient.sms_consent_by_id == clinician.id


def test_enrollment_with_a_bad_phone_is_a_422_naming_the_field(app, signed_in):
    clinic = factories.clinic()
    response = enroll(signed_in(factories.staff(clinic)), phone="call me maybe")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="phone-error"' in page and "can receive texts" in page
    assert Patient.query.count() == 0


def test_consent_or_texts_without_a_phone_are_refused(app, signed_in):
    clinic = factories.clinic()
    client = signed_in(factories.staff(clinic))
    for fields in ({"sms_consent": "on"}, {"preferred_channel": "sms"}):
        response = enroll(client, **fields)
        assert response.status_code == 422
        assert NEEDS_PHONE in response.get_data(as_text=True)


def test_the_contact_form_changes_channels_and_a_new_number_needs_consent_again(
        app, signed_in, clock):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock(), by=clinician)
    client = signed_in(clinician)
    url = f"/clinic/patients/{patient.id}/contact"
    assert client.get(url).status_code == 200
    response = client.form(url, {"phone": "+1 202 555 0143", "sms_consent": "on"})
    assert response.status_code == 303
    assert patient.phone == "+12025550143" and patient.sms_consent_at == clock()
    clock.advance(minutes=5)  # within the clinician's idle timeout
    client.form(url, {"phone": "+1 202 555 0199", "sms_consent": "on"})
    assert patient.phone == "+12025550199" and patient.sms_consent_at == clock()
    assert client.form(url, {"phone": "nope"}).status_code == 422
    assert patient.phone == "+12025550199"


def test_the_setup_link_goes_by_text_or_email_beside_the_qr_code(app, signed_in, clock):
    import re

    from sqlalchemy import select

    from app.extensions import db
    from app.notifications.models import LocalMessage

    app.config.update(SMS_BACKEND="outbox", EMAIL_BACKEND="outbox")
    clinic = factories.clinic()
    client = signed_in(factories.staff(clinic))
    page = enroll(client, phone="(202) 555-0143", sms_consent="on").get_data(as_text=True)
    assert "Text a setup link to +12025550143" in page and "Email a setup link to" in page
    patient = Patient.query.one()
    shown = client.form(f"/clinic/patients/{patient.id}/setup-link/send", {"channel": "sms"})
    assert shown.status_code == 200
    shown_url = re.search(r'data-copy="([^"]+)"', shown.get_data(as_text=True)).group(1)
    assert "Sent by text to +12025550143" in shown.get_data(as_text=True)
    factories.send_due(clock())
    [text] = db.session.scalars(select(LocalMessage)).all()
    assert text.to == "+12025550143" and text.body.endswith(shown_url)
    assert text.body.startswith("Aftercare: set up your account.")
    assert "/setup/" in shown_url


def test_no_text_without_consent(app, signed_in, clock):
    app.config.update(SMS_BACKEND="outbox", EMAIL_BACKEND="outbox")
    clinic = factories.clinic()
    client = signed_in(factories.staff(clinic))
    page = enroll(client, phone="(202) 555-0143").get_data(as_text=True)
    assert "Text a setup link" not in page and "Email a setup link" in page
    patient = Patient.query.one()
    refused = client.form(f"/clinic/patients/{patient.id}/setup-link/send", {"channel": "sms"})
    assert refused.status_code == 303
