"""Texts and emails beside web push (issue 16): the channel chosen, the fallback, one message
per prompt, quiet hours and the reminder on every channel, never twice after a crash. Real
parts: the Twilio-speaking provider (tests/sms_provider.py), an SMTP server (aiosmtpd,
tests/smtp_server.py) and the Web Push service (tests/push_service.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import leases, outbox
from app.notifications import services as notifications
from app.notifications.models import DeliveryAttempt, Notification, NotificationKind
from jobs import send_notifications
from tests import factories, sms_provider, smtp_server
from tests.sms_provider import Outcome

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # 11:00 in New York
PHONE = "+12025550143"


@pytest.fixture
def sms(app):
    provider = sms_provider.start()
    sms_provider.configure(app, provider)
    provider.send_callbacks = False  # tests/web/test_sms_webhooks.py has the callbacks
    yield provider
    provider.server.shutdown()


@pytest.fixture
def mail(app, tmp_path):
    server = smtp_server.start(tmp_path)
    smtp_server.configure(app, server)
    yield server
    server.stop()


def enrolled(clock, *, phone=PHONE, consent=True, **contact):
    clock.now = END - timedelta(hours=1)
    clinic = factories.clinic()
    patient = factories.patient(clinic, clock())
    from app.patients.services import set_contact

    set_contact(patient, by=db.session.get(type(patient.user), patient.created_by_id),
                now=clock(), phone=phone, sms_consent=consent, **contact)
    db.session.commit()
    factories.infusion(patient, end=END, notes="private clinical note")
    return patient


def run(at: datetime) -> dict:
    return send_notifications.run(at)


def link_token() -> str:
    return db.session.scalar(select(Notification.link_token)
                             .where(Notification.link_token.is_not(None)))


def attempts() -> list[tuple[str, str]]:
    return [(a.channel, a.outcome) for a in db.session.scalars(
        select(DeliveryAttempt).order_by(DeliveryAttempt.id))]


def test_no_push_device_means_a_text_with_the_fixed_sentence_and_a_link(
        app, clock, sms, mail, push_service):
    patient = enrolled(clock)
    assert run(END + timedelta(hours=2)) == {"claimed": 1, "sent": 1}
    [text] = sms.texts
    assert text.to == PHONE and text.sender == sms_provider.FROM_NUMBER
    link = link_token()
    assert text.body == f"Aftercare: time for your check-in. http://aftercare.test/m/{link}"
    assert text.status_callback == f"http://aftercare.test/sms/status/{link}"
    assert patient.display_name not in text.body
    assert mail.received == [] and attempts() == [("sms", "sent")]


def test_a_recent_push_subscription_wins_over_text(app, clock, sms, push_service):
    patient = enrolled(clock)
    device = push_service.new_device()
    notifications.upsert_subscription(patient.user_id,
                                      device.subscription(push_service.base_url), now=END)
    db.session.commit()
    run(END + timedelta(hours=2))
    assert len(push_service.deliveries_to(device)) == 1 and sms.texts == []
    assert attempts() == [("push", "delivered")]


def test_a_stale_push_subscription_gives_way_to_text(app, clock, sms, push_service):
    patient = enrolled(clock)
    device = push_service.new_device()
    notifications.upsert_subscription(patient.user_id,
                                      device.subscription(push_service.base_url),
                                      now=END - timedelta(days=60))
    db.session.commit()
    run(END + timedelta(hours=2))
    assert push_service.deliveries_to(device) == [] and len(sms.texts) == 1


def test_without_a_phone_the_email_has_text_html_and_list_unsubscribe(
        app, clock, mail, push_service):
    patient = enrolled(clock, phone=None, consent=False)
    assert run(END + timedelta(hours=2)) == {"claimed": 1, "sent": 1}
    [received] = mail.received
    message = received.message
    link = link_token()
    assert received.recipients == [patient.user.email]
    assert message["Subject"] == "Aftercare: time for your check-in"
    assert message["List-Unsubscribe"] == f"<http://aftercare.test/unsubscribe/{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"http://aftercare.test/m/{link}" in plain and f"/m/{link}" in html
    for private in ("private", patient.display_name, "headache"):
        assert private not in plain and private not in html
    assert attempts() == [("email", "sent")]


def test_without_consent_no_text_is_sent(app, clock, sms, mail, push_service):
    enrolled(clock, consent=False)
    run(END + timedelta(hours=2))
    assert sms.texts == [] and len(mail.received) == 1


def test_a_refused_text_falls_back_to_email_once(app, clock, sms, mail, push_service):
    enrolled(clock)
    sms.outcomes[PHONE] = Outcome(http_status=400, code=21610,
                                  message="Attempt to send to unsubscribed recipient")
    assert run(END + timedelta(hours=2)) == {"claimed": 1, "fallback": 1}
    assert run(END + timedelta(hours=2, minutes=1)) == {"claimed": 1, "sent": 1}
    assert len(mail.received) == 1 and sms.texts == []
    [failed, sent] = db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))
    assert (failed.channel, failed.outcome, failed.status_code) == ("sms", "failed", 400)
    assert "21610" in failed.reason
    assert (sent.channel, sent.outcome) == ("email", "sent")
    assert run(END + timedelta(hours=2, minutes=5)) == {"claimed": 0}


def test_a_rejected_push_falls_back_to_text(app, clock, sms, push_service):
    patient = enrolled(clock)
    device = push_service.new_device()
    device.status = 403
    notifications.upsert_subscription(patient.user_id,
                                      device.subscription(push_service.base_url), now=END)
    db.session.commit()
    assert run(END + timedelta(hours=2)) == {"claimed": 1, "fallback": 1}
    run(END + timedelta(hours=2, minutes=1))
    assert len(sms.texts) == 1
    assert attempts() == [("push", "rejected"), ("sms", "sent")]


def test_a_busy_provider_is_retried_then_the_text_goes(app, clock, sms, push_service):
    enrolled(clock)
    sms.outcomes[PHONE] = Outcome(http_status=503, code=20500, message="busy")
    assert run(END + timedelta(hours=2)) == {"claimed": 1, "retry": 1}
    sms.outcomes.clear()
    assert run(END + timedelta(hours=2, minutes=1)) == {"claimed": 1, "sent": 1}
    assert len(sms.texts) == 1


def test_quiet_hours_hold_for_texts(app, clock, sms, push_service):
    enrolled(clock)
    late = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)  # 22:00 in New York
    prompt_6h = db.session.scalar(select(Notification).join(Notification.prompt)
                                  .where(Notification.prompt.has(slot="6h")))
    prompt_6h.due_at = late
    db.session.commit()
    run(END + timedelta(hours=2))
    texts_before = len(sms.texts)
    outcomes = run(late)
    assert outcomes["deferred"] >= 1 and "sent" not in outcomes
    assert len(sms.texts) == texts_before
    assert prompt_6h.due_at == datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 08:00 there


def test_one_reminder_by_text_two_hours_after_the_prompt(app, clock, sms, push_service):
    enrolled(clock)
    run(END + timedelta(hours=2))
    assert run(END + timedelta(hours=3)) == {"claimed": 0}
    assert run(END + timedelta(hours=4)) == {"claimed": 1, "sent": 1}
    assert run(END + timedelta(hours=5)) == {"claimed": 0}
    assert [t.body.split(" http")[0] for t in sms.texts] == [
        "Aftercare: time for your check-in.", "Aftercare: reminder: your check-in is still open."]


def test_a_text_handed_over_by_a_run_that_died_is_never_sent_again(app, clock, sms,
                                                                      push_service):
    """The crash window: claimed, handed over (committed), sent, and the process dies before
    recording the answer. The next run finds the handed-over attempt and does not text again."""
    enrolled(clock)
    due = END + timedelta(hours=2)
    [claimed] = leases.claim_due(due, lease=timedelta(seconds=30))
    db.session.commit()
    [outgoing] = outbox.prepare(claimed, claimed_at=due, now=due)
    db.session.commit()  # handed over
    outbox.send_to_device(None, outgoing)  # the provider accepts... and the process dies
    db.session.rollback()
    assert len(sms.texts) == 1
    assert run(due + timedelta(minutes=1)) == {"claimed": 1, "sent": 1}
    assert run(due + timedelta(minutes=2)) == {"claimed": 0}
    assert len(sms.texts) == 1
    assert attempts() == [("sms", "unknown")]
    notification = db.session.get(Notification, claimed)
    assert notification.kind == NotificationKind.PROMPT and notification.sent_at is not None


def test_a_stop_means_email_instead(app, clock, sms, mail, push_service):
    patient = enrolled(clock)
    from app.notifications.inbound import keyword_received

    keyword_received(PHONE, "Stop", now=END)
    db.session.commit()
    assert patient.sms_stopped_at == END
    run(END + timedelta(hours=2))
    assert sms.texts == [] and len(mail.received) == 1
    keyword_received(PHONE, "START", now=END + timedelta(hours=3))
    db.session.commit()
    assert patient.sms_stopped_at is None


@pytest.mark.parametrize("preferred, fallback, expected", [
    ("auto", "auto", ["push", "sms"]),
    ("email", "auto", ["email", "push"]),
    ("sms", "email", ["sms", "email"]),
    ("sms", "none", ["sms"]),
    ("push", "push", ["push"]),
])
def test_the_patients_preference_and_fallback_order_the_channels(
        app, clock, push_service, preferred, fallback, expected):
    from app.notifications import channels

    app.config.update(SMS_BACKEND="outbox", EMAIL_BACKEND="outbox")
    patient = enrolled(clock, preferred_channel=preferred, fallback_channel=fallback)
    device = push_service.new_device()
    notifications.upsert_subscription(patient.user_id,
                                      device.subscription(push_service.base_url), now=END)
    db.session.commit()
    assert channels.order(patient, END) == expected


def test_an_unavailable_preference_falls_back_to_the_automatic_order(app, clock, push_service):
    from app.notifications import channels

    app.config.update(SMS_BACKEND="outbox", EMAIL_BACKEND="off")
    patient = enrolled(clock, consent=False, preferred_channel="email")
    assert channels.order(patient, END) == []  # no push, no consent, no email: the app's list
    patient.sms_consent_at = END
    assert channels.order(patient, END) == ["sms"]


def test_no_fallback_means_a_refused_text_fails(app, clock, sms, mail, push_service):
    enrolled(clock, fallback_channel="none")
    sms.outcomes[PHONE] = Outcome(http_status=400, code=21211, message="Invalid To")
    assert run(END + timedelta(hours=2)) == {"claimed": 1, "failed": 1}
    assert mail.received == []
