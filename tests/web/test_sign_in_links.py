"""Sign-in by link for patients (issue 16, point 5): asked for by phone or email from the
sign-in page, sent by text or email, short-lived and single use, spent only by the button's
POST, and the same answer whether or not the account exists."""

import re

import pytest
from sqlalchemy import select

from app.auth.models import SignInLink
from app.extensions import db
from app.notifications.models import LocalMessage, Notification, NotificationKind
from app.patients.services import set_contact
from tests import factories

PHONE = "+12025550143"


@pytest.fixture
def outboxes(app):
    """Texts and emails into the local outbox (the demo's backend), read back here."""
    app.config.update(SMS_BACKEND="outbox", EMAIL_BACKEND="outbox")


@pytest.fixture
def patient(app, clock, outboxes):
    clinic = factories.clinic()
    made = factories.patient(clinic, clock(), email="ada@x.test")
    set_contact(made, by=made.user, now=clock(), phone=PHONE, sms_consent=True)
    db.session.commit()
    return made


def ask(client, address: str):
    return client.form("/login/link", {"address": address})


def sent_link(clock) -> str:
    factories.send_due(clock())
    [message] = db.session.scalars(select(LocalMessage)).all()
    return re.search(r"http://aftercare\.test(/login/link/\S+)", message.body).group(1)


def test_the_sign_in_page_offers_a_link(app, client):
    assert "/login/link" in client.get("/login").get_data(as_text=True)
    assert client.get("/login/link").status_code == 200


def test_an_email_link_signs_in_once_through_the_button(app, client, patient, clock):
    answer = ask(client, "Ada@X.test")
    assert answer.status_code == 200 and "on its way" in answer.get_data(as_text=True)
    path = sent_link(clock)
    [message] = db.session.scalars(select(LocalMessage)).all()
    assert message.channel == "email" and message.to == "ada@x.test"
    assert message.subject == "Aftercare: your sign-in link"
    for _ in range(2):  # a link preview or a mail scanner fetching the URL spends nothing
        page = client.get(path)
        assert page.status_code == 200 and "<form" in page.get_data(as_text=True)
    signed = client.form(path)
    assert signed.status_code == 303 and signed.headers["Location"] == "/"
    assert client.get("/checkin").status_code == 200
    other = app.test_client()
    assert other.get(path).status_code == 410
    assert other.form(path).status_code == 410


def test_a_phone_gets_a_text(app, client, patient, clock):
    ask(client, "(202) 555-0143")
    path = sent_link(clock)
    [message] = db.session.scalars(select(LocalMessage)).all()
    assert message.channel == "sms" and message.to == PHONE
    assert message.body.startswith("Aftercare: your sign-in link.")
    assert client.get(path).status_code == 200


def test_the_answer_does_not_say_whether_the_account_exists(app, client, patient, clock):
    known = ask(client, "ada@x.test").get_data(as_text=True)
    unknown = ask(app.test_client(), "nobody@x.test").get_data(as_text=True)
    unknown_phone = ask(app.test_client(), "+1 202 555 0199").get_data(as_text=True)
    strip = lambda page: re.sub(r'(content|value)="[\w.-]{40,}"', "", page)  # noqa: E731
    assert strip(known) == strip(unknown) == strip(unknown_phone)
    assert db.session.scalar(select(Notification).where(
        Notification.kind == NotificationKind.SIGN_IN, Notification.user_id != patient.user_id)) \
        is None


def test_the_link_is_short_lived_and_stored_only_as_a_hash(app, client, patient, clock):
    ask(client, "ada@x.test")
    [queued] = db.session.scalars(select(Notification).where(
        Notification.kind == NotificationKind.SIGN_IN)).all()
    assert queued.sealed_link and "/login/link/" not in queued.sealed_link
    path = sent_link(clock)
    token = path.rsplit("/", 1)[1]
    assert db.session.get(Notification, queued.id).sealed_link is None  # wiped once sent
    link = db.session.scalar(select(SignInLink))
    assert token not in link.token_hash
    assert link.expires_at == clock() + app.config["SIGN_IN_LINK_LIFETIME"]
    clock.advance(minutes=16)
    assert client.get(path).status_code == 410 and client.form(path).status_code == 410


def test_no_text_to_a_number_that_sent_stop(app, client, patient, clock):
    from app.notifications.inbound import keyword_received

    keyword_received(PHONE, "STOP", now=clock())
    db.session.commit()
    ask(client, PHONE)
    factories.send_due(clock())
    assert db.session.scalars(select(LocalMessage)).all() == []


def test_a_bad_address_is_refused_in_words(app, client):
    answer = ask(client, "not a phone")
    assert answer.status_code == 422
    assert "mobile number or the email address" in answer.get_data(as_text=True)


def test_asking_is_rate_limited(app, client, patient, clock):
    answers = [ask(client, "ada@x.test").status_code for _ in range(6)]
    assert answers[:5] == [200] * 5 and answers[5] == 429


def test_the_demo_outbox_is_readable_from_the_command_line(app, client, patient, clock):
    ask(client, "ada@x.test")
    factories.send_due(clock())
    shown = app.test_cli_runner().invoke(args=["messages"])
    assert shown.exit_code == 0
    assert "email to ada@x.test  subject: Aftercare: your sign-in link" in shown.output
    assert "/login/link/" in shown.output
