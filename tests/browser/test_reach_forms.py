"""Issue 16's forms in real Chromium, through their own controls: enrolling with a phone and
consent, sending the setup link by text, the contact form, asking for a sign-in link and
using it with its button, and an email's unsubscribe button. Texts and emails land in the
demo's local outbox (the live app's default backends), where the tests read them."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import LocalMessage
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import sign_in


@pytest.fixture
def links_to_live(live):
    live.app.config["PUBLIC_BASE_URL"] = live.url
    return live


def _send_due(live) -> list[LocalMessage]:
    with live.app.app_context():
        factories.send_due(datetime.now(UTC))
        rows = db.session.scalars(select(LocalMessage).order_by(LocalMessage.id)).all()
        db.session.expunge_all()
        return rows


def _texts_with(live, phone: str, link: str) -> list[LocalMessage]:
    """The texts sent to ``phone`` that carry ``link``. Not every text to it: the new
    patient's first weekly questionnaire is due at the clinic's readiness hour on the day
    they enroll, so at that hour its prompt goes to the same phone in the same send."""
    return [m for m in _send_due(live) if m.to == phone and link in m.body]


def _patient(live, email: str) -> Patient:
    with live.app.app_context():
        from app.auth.models import User

        patient = db.session.scalar(select(Patient).join(User, User.id == Patient.user_id)
                                    .where(User.email == email))
        db.session.expunge_all()
        return patient


def test_enroll_with_a_phone_and_text_the_setup_link(links_to_live, page):
    live = links_to_live
    sign_in(page, live, "clinician")
    page.click("nav >> text=Enroll")
    page.fill("#display_name", "Grace Hopper")
    page.fill("#email", "grace@browser.test")
    page.fill("#timezone", "America/Chicago")
    page.fill("#phone", "call me")
    page.check("#sms_consent")
    page.select_option("#preferred_channel", "sms")
    page.click("text=Enroll and create setup link")
    assert "can receive texts" in page.inner_text("#phone-error")
    assert page.get_attribute("#phone", "aria-describedby") == "phone-error"
    page.fill("#phone", "(202) 555-0143")
    page.click("text=Enroll and create setup link")
    page.wait_for_selector("h1:has-text('Grace Hopper is enrolled')")
    page.click("text=Text a setup link to +12025550143")
    page.wait_for_selector("#setup-link-sent")
    shown = page.inner_text(".link-box").strip()
    [text] = _texts_with(live, "+12025550143", shown)
    assert text.channel == "sms" and text.to == "+12025550143" and text.body.endswith(shown)
    patient = _patient(live, "grace@browser.test")
    assert patient.preferred_channel == "sms" and patient.sms_consent_at is not None


def test_enroll_a_phone_only_patient_through_the_page(links_to_live, page):
    """No email: neither is refused in words beside the email field, then a phone alone
    enrolls, and the setup link goes by text (no email button)."""
    live = links_to_live
    sign_in(page, live, "clinician")
    page.click("nav >> text=Enroll")
    page.fill("#display_name", "Katherine Johnson")
    page.fill("#timezone", "America/Chicago")
    page.click("text=Enroll and create setup link")
    assert "phone number or email (or both)" in page.inner_text("#email-error")
    page.fill("#phone", "(202) 555-0177")
    page.check("#sms_consent")
    page.click("text=Enroll and create setup link")
    page.wait_for_selector("h1:has-text('Katherine Johnson is enrolled')")
    assert page.locator("text=Email a setup link").count() == 0
    page.click("text=Text a setup link to +12025550177")
    page.wait_for_selector("#setup-link-sent")
    shown = page.inner_text(".link-box").strip()
    [text] = _texts_with(live, "+12025550177", shown)
    assert text.channel == "sms" and text.body.endswith(shown)
    with live.app.app_context():
        patient = db.session.scalar(select(Patient).where(Patient.phone == "+12025550177"))
        assert patient.user.email is None and patient.sms_consent_at is not None
        db.session.expunge_all()


def test_the_contact_form_through_its_controls(live, page):
    sign_in(page, live, "clinician")
    page.goto(f"{live.url}/clinic/patients/{live.app.people['patient_id']}")
    page.click("text=How to reach them")
    page.fill("#phone", "+44 7911 123456")
    page.check("#sms_consent")
    page.select_option("#fallback_channel", "email")
    page.click("main button:has-text('Save')")
    page.wait_for_selector("text=Saved how messages reach this patient.")
    patient = _patient(live, live.app.people["patient"])
    assert patient.phone == "+447911123456" and patient.fallback_channel == "email"
    assert patient.sms_consent_at is not None and patient.sms_consent_by_id is not None


def test_a_patient_signs_in_with_a_link_and_its_button(links_to_live, browser, phone):
    live = links_to_live
    phone.goto(f"{live.url}/login")
    phone.click("text=Get a sign-in link by text or email")
    phone.fill("#address", live.app.people["patient"])
    phone.click("text=Send me a link")
    phone.wait_for_selector("#link-sent")
    [email] = [m for m in _send_due(live) if "sign-in link" in m.subject]
    link = re.search(r"(http://\S+/login/link/\S+)", email.body).group(1)
    scanner = browser.new_context().new_page()
    scanner.goto(link)  # a mail scanner fetching the link spends nothing
    scanner.context.close()
    phone.goto(link)
    phone.click("main button:has-text('Sign in')")
    phone.wait_for_url(lambda url: "/login" not in url)
    assert phone.inner_text("h1").startswith("Hello")
    again = browser.new_context().new_page()
    again.goto(link)
    assert "no longer works" in again.inner_text("h1")
    again.context.close()


def test_an_email_unsubscribe_button(live, page):
    """The link of one of the patient's messages (emails are sent in
    tests/services/test_channels.py; here only the page and its button)."""
    with live.app.app_context():
        from app.notifications.models import Notification

        message = db.session.scalar(select(Notification).join(Notification.prompt).where(
            Notification.user_id == _patient(live, live.app.people["patient"]).user_id))
        message.link_token = "a-message-token-for-the-test"  # noqa: S105
        db.session.commit()
    page.goto(f"{live.url}/unsubscribe/a-message-token-for-the-test")
    assert _patient(live, live.app.people["patient"]).email_stopped_at is None
    page.click("text=Stop check-in emails")
    page.wait_for_selector("text=You will get no more check-in emails")
    assert _patient(live, live.app.people["patient"]).email_stopped_at is not None
