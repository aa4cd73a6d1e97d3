"""A push carries the message's own link (issue 16, point 7): the same opaque ``/m/<token>``
a text or an email has, so opening a tapped notification is recorded like opening a text's
link. Read from real pushes: sent by the send job to the tests' Web Push service, which
decrypts them (RFC 8291) the way a phone would."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import services as notifications
from app.notifications.models import Notification, NotificationKind
from app.prompts.models import Prompt
from jobs import send_notifications
from tests import factories

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
LINK = re.compile(r"^/m/[A-Za-z0-9_-]{22}$")  # secrets.token_urlsafe(16)


@pytest.fixture
def patient(app, clock):
    clock.now = END - timedelta(hours=1)
    patient = factories.patient(factories.clinic(), clock())
    factories.infusion(patient, end=END, notes="private clinical note")
    factories.checkin(patient, taken_at=END - timedelta(minutes=30), mood=2,
                      note="I feel awful", symptoms={"headache": 3})
    return patient


@pytest.fixture
def device(patient, push_service):
    device = push_service.new_device()
    notifications.upsert_subscription(patient.user_id,
                                      device.subscription(push_service.base_url), now=END)
    db.session.commit()
    return device


def _message(kind: NotificationKind, patient) -> Notification:
    db.session.expire_all()
    return db.session.scalars(select(Notification).join(Notification.prompt).where(
        Notification.user_id == patient.user_id, Notification.kind == kind,
        Notification.prompt.has(slot="2h"))).one()


def test_the_decrypted_push_carries_the_prompts_own_opaque_link(app, patient, device,
                                                                push_service):
    assert send_notifications.run(END + timedelta(hours=2)) == {"claimed": 1, "sent": 1}

    [delivery] = push_service.deliveries_to(device)
    prompt = _message(NotificationKind.PROMPT, patient)
    assert LINK.match(delivery.payload["url"])
    assert delivery.payload["url"] == f"/m/{prompt.link_token}"
    assert delivery.payload["page"] == "/checkin"
    # Opaque: one random token (LINK), nothing else in the path; the patient's ids appear
    # nowhere in the payload (the tag names the prompt, as before, to replace a copy).
    text = json.dumps(delivery.payload).lower()
    for private in ("awful", "headache", "private", "mood", patient.display_name.lower(),
                    patient.user.email.lower()):
        assert private not in text
    assert {key: value for key, value in delivery.payload.items() if key != "tag"} == {
        "title": "Aftercare", "body": "Time for your check-in", "page": "/checkin",
        "url": f"/m/{prompt.link_token}"}
    # Small: a fixed sentence, the link, its page and the tag (Web Push allows 4 KB).
    assert len(json.dumps(delivery.payload).encode()) < 200


def test_the_reminder_has_a_link_of_its_own(app, patient, device, push_service):
    send_notifications.run(END + timedelta(hours=2))
    send_notifications.run(END + timedelta(hours=4))  # the 2 h prompt's reminder

    tag = f"prompt-{_message(NotificationKind.PROMPT, patient).prompt_id}"
    first, reminder = (d.payload for d in push_service.deliveries_to(device)
                       if d.payload["tag"] == tag)
    assert reminder["body"] == "Reminder: your check-in is still open"
    assert LINK.match(reminder["url"]) and reminder["url"] != first["url"]
    assert reminder["url"] == f"/m/{_message(NotificationKind.REMINDER, patient).link_token}"


def test_a_push_sent_again_carries_the_same_link(app, patient, device, push_service):
    """At least once (docs/DELIVERY.md): the copy sent after a lost answer is the same message,
    link included, so either copy records the opening on the same prompt."""
    device.status = 503  # the service answers busy (and decrypts nothing)
    now = END + timedelta(hours=2)
    assert send_notifications.run(now) == {"claimed": 1, "retry": 1}
    sent_with = _message(NotificationKind.PROMPT, patient).link_token  # committed before
    assert sent_with is not None                                       # the first copy left
    device.status = 201
    assert send_notifications.run(now + timedelta(minutes=1)) == {"claimed": 1, "sent": 1}

    first, again = push_service.deliveries_to(device)
    assert first.headers["content-length"] == again.headers["content-length"]
    assert again.payload["url"] == f"/m/{sent_with}"
    assert _message(NotificationKind.PROMPT, patient).link_token == sent_with


def test_a_weekly_questionnaire_push_leads_to_the_questionnaire(app, patient, device,
                                                                 push_service):
    week_one = db.session.scalars(select(Prompt).where(
        Prompt.patient_id == patient.id, Prompt.slot.startswith("phq9-"))
        .order_by(Prompt.due_at)).first()
    send_notifications.run(week_one.due_at + timedelta(minutes=1))

    [questionnaire] = [d.payload for d in push_service.deliveries_to(device)
                       if d.payload["tag"] == f"prompt-{week_one.id}"]
    assert questionnaire["page"] == "/phq9" and LINK.match(questionnaire["url"])
    assert questionnaire["body"] == "Time for your weekly questionnaire"
