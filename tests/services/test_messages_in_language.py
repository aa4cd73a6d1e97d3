"""Every message to a patient in the patient's language (issue 19, point 2): the push a
Spanish-speaking patient's phone receives, the text and the email, from the jobs process
(no request to take a language from). Still fixed sentences: no health data in any."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import messages
from app.notifications import services as notifications
from app.notifications.models import Notification, NotificationKind
from jobs import send_notifications
from tests import factories

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


@pytest.fixture
def patient(app, clock):
    clock.now = END - timedelta(hours=1)
    patient = factories.patient(factories.clinic(), clock())
    patient.user.language = "es"
    db.session.commit()
    factories.infusion(patient, end=END, notes="private clinical note")
    factories.checkin(patient, taken_at=END - timedelta(minutes=30), mood=2,
                      note="me siento fatal", symptoms={"headache": 3})
    return patient


def _prompt_notification(patient) -> Notification:
    return db.session.scalars(
        select(Notification).where(Notification.user_id == patient.user_id,
                                   Notification.kind == NotificationKind.PROMPT)).first()


def test_a_spanish_patients_phone_gets_the_push_in_spanish(app, patient, push_service):
    device = push_service.new_device()
    notifications.upsert_subscription(patient.user_id, device.subscription(push_service.base_url),
                                      now=END)
    db.session.commit()

    assert send_notifications.run(END + timedelta(hours=2)) == {"claimed": 1, "sent": 1}

    [delivery] = push_service.deliveries_to(device)
    assert delivery.payload["body"] == "Es hora de registrarse"
    text = str(delivery.payload).lower()
    for private in ("fatal", "headache", "dolor", "private", patient.display_name.lower()):
        assert private not in text


def test_a_sign_in_link_is_in_spanish(app, patient):
    notification = _prompt_notification(patient)
    notification.kind = NotificationKind.SIGN_IN
    subject, text, plain, html = messages.link_parts(notification, "https://x.test/l/abc")
    assert subject == "Aftercare: su enlace para iniciar sesión"
    assert "Funciona una sola vez" in text and "ignore este correo" in plain
    db.session.rollback()


def test_the_text_and_the_email_are_in_spanish_too(app, patient):
    notification = _prompt_notification(patient)
    sentence = messages.sentence(notification)
    assert sentence in ("Aftercare: es hora de registrarse.",
                        "Aftercare: es hora de su cuestionario semanal.")
    assert messages.text_body(notification).startswith(sentence + " ")
    subject, plain, html = messages.email_parts(notification)
    assert subject == sentence.rstrip(".")
    assert "Abrir Aftercare" in plain and "Para dejar de recibir estos correos" in plain
    assert "Abrir Aftercare" in html and "Open Aftercare" not in html


def test_an_english_patient_still_gets_english(app, patient):
    patient.user.language = "en"
    db.session.commit()
    notification = _prompt_notification(patient)
    assert messages.payload(notification)["body"] in ("Time for your check-in",
                                                      "Time for your weekly questionnaire")
    assert messages.text_body(notification).startswith("Aftercare: time for your ")
