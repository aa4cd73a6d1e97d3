"""What comes back from a text or an email (issue 16, points 2 and 7): the provider's signed
status callbacks (a forged one refused), inbound STOP / START / HELP, a message's link opened,
an email's unsubscribe. The app is served for real so the test provider's callbacks arrive
over HTTP, signed the way Twilio signs them."""

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.notifications.models import DeliveryAttempt, Notification, SmsKeyword
from tests import sms_provider, smtp_server
from tests.live_server import LiveServer
from tests.services.test_channels import END, PHONE, enrolled, link_token, run
from tests.sms_provider import Outcome


@pytest.fixture
def live(app):
    server = LiveServer(app)
    app.config["PUBLIC_BASE_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def sms(app, live):
    provider = sms_provider.start()
    sms_provider.configure(app, provider)
    yield provider
    provider.server.shutdown()


@pytest.fixture
def mail(app, tmp_path):
    server = smtp_server.start(tmp_path)
    smtp_server.configure(app, server)
    yield server
    server.stop()


def _wait_for_callbacks(provider, count: int) -> None:
    import time

    for _ in range(100):
        if len(provider.callbacks) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{len(provider.callbacks)} callbacks, expected {count}")


def _sms_attempt() -> DeliveryAttempt:
    db.session.expire_all()
    return db.session.scalar(select(DeliveryAttempt).where(DeliveryAttempt.channel == "sms"))


def test_a_signed_status_callback_records_delivery(app, clock, sms, push_service):
    enrolled(clock)
    clock.now = END + timedelta(hours=2)
    run(clock())
    _wait_for_callbacks(sms, 1)
    [(url, params, status)] = sms.callbacks
    assert status == 200 and params["MessageStatus"] == "delivered"
    attempt = _sms_attempt()
    assert attempt.outcome == "delivered" and attempt.provider_id == params["MessageSid"]
    assert attempt.delivered_at == clock()


def test_a_forged_callback_is_refused_and_changes_nothing(app, clock, sms, push_service):
    enrolled(clock)
    sms.send_callbacks = False
    run(END + timedelta(hours=2))
    [text] = sms.texts
    params = {"MessageSid": text.sid, "MessageStatus": "delivered", "To": PHONE}
    assert sms.callback(text.status_callback, params, token="not-the-auth-token") == 403
    unsigned = requests.post(text.status_callback, data=params, timeout=10)
    assert unsigned.status_code == 403
    tampered = dict(params)
    signature = sms_provider.sign(sms_provider.AUTH_TOKEN, text.status_callback, params)
    tampered["MessageStatus"] = "failed"
    answer = requests.post(text.status_callback, data=tampered, timeout=10,
                           headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 403
    assert _sms_attempt().outcome == "sent"


def test_an_undelivered_text_falls_back_to_email(app, clock, sms, mail, push_service):
    enrolled(clock)
    sms.outcomes[PHONE] = Outcome(final="undelivered", error_code="30005")
    run(END + timedelta(hours=2))
    _wait_for_callbacks(sms, 1)
    attempt = _sms_attempt()
    assert attempt.outcome == "undelivered"
    assert attempt.reason == "30005: unknown or inactive number"
    assert run(END + timedelta(hours=2, minutes=1)) == {"claimed": 1, "sent": 1}
    assert len(mail.received) == 1 and len(sms.texts) == 1


def test_stop_start_and_help_are_honoured_and_recorded(app, clock, sms, mail, push_service):
    patient = enrolled(clock)
    inbound = f"{app.config['PUBLIC_BASE_URL']}/sms/inbound"
    answer = sms.text_from(inbound, PHONE, "STOP")
    assert answer.status_code == 200 and "no more texts" in answer.text
    db.session.expire_all()
    assert patient.sms_stopped_at is not None
    run(END + timedelta(hours=2))
    assert sms.texts == [] and len(mail.received) == 1  # nobody who sent STOP is texted
    assert "988" in sms.text_from(inbound, PHONE, "help").text
    assert "on again" in sms.text_from(inbound, PHONE, "Start").text
    db.session.expire_all()
    assert patient.sms_stopped_at is None
    keywords = db.session.scalars(select(SmsKeyword.keyword).order_by(SmsKeyword.id)).all()
    assert keywords == ["stop", "help", "start"]
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("sms.%")).order_by(AuditEvent.id)).all()
    assert actions == ["sms.stop", "sms.help", "sms.start"]


def test_the_replies_are_in_the_patients_language_with_the_clinics_phone(app, clock, sms,
                                                                        push_service):
    """HELP's reply is assembled at run time from the clinic's phone: in Spanish for a patient
    enrolled in Spanish, the number kept (issue 19); STOP and START stay the keywords."""
    patient = enrolled(clock)
    patient.user.language = "es"
    patient.clinic.phone = "555-0199"
    db.session.commit()
    inbound = f"{app.config['PUBLIC_BASE_URL']}/sms/inbound"
    assert "<Message>Recordatorios de Aftercare para registrarse. Responda STOP para dejar de " \
        "recibir mensajes de texto. En una emergencia, llame al 911, o llame o envíe un mensaje " \
        "de texto al 988. Su clínica: 555-0199.</Message>" in sms.text_from(
            inbound, PHONE, "HELP").text
    assert "Responda START para volver a recibirlos." in sms.text_from(inbound, PHONE, "STOP").text
    patient.user.language = "en"
    db.session.commit()
    assert "<Message>Aftercare check-in reminders. Reply STOP to stop texts. In an emergency " \
        "call 911, or call or text 988. Your clinic: 555-0199.</Message>" in sms.text_from(
            inbound, PHONE, "help").text


def test_a_forged_inbound_stop_is_refused(app, clock, sms, push_service):
    patient = enrolled(clock)
    url = f"{app.config['PUBLIC_BASE_URL']}/sms/inbound"
    answer = requests.post(url, data={"From": PHONE, "Body": "STOP"}, timeout=10,
                           headers={"X-Twilio-Signature": "AAAA"})
    assert answer.status_code == 403
    db.session.expire_all()
    assert patient.sms_stopped_at is None and db.session.scalar(select(SmsKeyword)) is None


def test_opening_the_link_is_recorded_and_leads_to_the_check_in(app, clock, sms, push_service):
    enrolled(clock)
    sms.send_callbacks = False
    run(END + timedelta(hours=2))
    client = app.test_client()
    answer = client.get(f"/m/{link_token()}")
    assert answer.status_code == 303 and answer.headers["Location"] == "/checkin"
    assert db.session.scalar(select(Notification.opened_at).where(
        Notification.link_token.is_not(None))) == clock()
    assert client.get("/m/" + "x" * 22).headers["Location"] == "/checkin"  # same answer


def test_unsubscribe_needs_the_button_or_a_one_click_post(app, clock, mail, push_service):
    patient = enrolled(clock, phone=None, consent=False)
    run(END + timedelta(hours=2))
    client = app.test_client()
    url = f"/unsubscribe/{link_token()}"
    page = client.get(url)
    assert page.status_code == 200 and "Stop check-in emails" in page.get_data(as_text=True)
    assert patient.email_stopped_at is None  # a scanner's GET changes nothing
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert patient.email_stopped_at == clock()


def test_a_text_lost_in_a_crash_is_still_told_by_its_callback(app, clock, sms, push_service):
    """The run died after the provider accepted the text: never sent again, and the
    provider's callback (which names the message) still records it delivered."""
    from app.notifications import leases, outbox

    enrolled(clock)
    sms.send_callbacks = False
    due = END + timedelta(hours=2)
    [claimed] = leases.claim_due(due, lease=timedelta(seconds=30))
    db.session.commit()
    [outgoing] = outbox.prepare(claimed, claimed_at=due, now=due)
    db.session.commit()
    outbox.send_to_device(None, outgoing)
    db.session.rollback()  # the process died before recording the answer
    run(due + timedelta(minutes=1))
    assert _sms_attempt().outcome == "unknown"
    [text] = sms.texts
    assert sms.report(text) == 200
    attempt = _sms_attempt()
    assert attempt.outcome == "delivered" and attempt.provider_id == text.sid
    assert len(sms.texts) == 1
