"""Delivery a clinic can see (issue 16, point 7): every prompt's messages and attempts on the
patient's page, the clinic's reach by channel, and the patients no channel reaches."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import reach
from app.notifications.models import Notification
from tests import factories, sms_provider
from tests.services.test_channels import END, PHONE, enrolled, run
from tests.sms_provider import Outcome


@pytest.fixture
def sms(app):
    provider = sms_provider.start()
    sms_provider.configure(app, provider)
    provider.send_callbacks = False
    yield provider
    provider.server.shutdown()


def test_the_patient_page_shows_each_attempt_with_its_reason(app, clock, sms, signed_in,
                                                              push_service):
    patient = enrolled(clock)
    sms.outcomes[PHONE] = Outcome(http_status=400, code=21211, message="Invalid 'To' number")
    run(END + timedelta(hours=2))
    clock.now = END + timedelta(hours=2, minutes=5)
    clinician = db.session.get(type(patient.user), patient.created_by_id)
    page = signed_in(clinician).get(f"/clinic/patients/{patient.id}").get_data(as_text=True)
    assert 'id="delivery"' in page
    assert "Text failed" in page and "21211" in page
    assert "Prompt (failed)" in page  # no other channel to fall back to


def test_reach_by_channel_and_the_patients_not_reached(app, clock, sms, signed_in,
                                                       push_service):
    texted = enrolled(clock)
    unreachable = factories.patient(texted.clinic, clock())
    factories.infusion(unreachable, end=END)
    run(END + timedelta(hours=2))
    sms.outcomes.clear()
    now = END + timedelta(hours=3)
    rows = {row.channel: row for row in reach.clinic_reach(texted.clinic_id, now)}
    assert rows["sms"].prompts == 1 and rows["sms"].delivered == 0  # no callback yet
    assert rows["app"].prompts == 1
    from app.notifications.inbound import status_received

    token = db.session.scalar(select(Notification.link_token).where(
        Notification.link_token.is_not(None)))
    status_received(token, {"MessageSid": sms.texts[0].sid, "MessageStatus": "delivered"},
                    now=now)
    db.session.commit()
    rows = {row.channel: row for row in reach.clinic_reach(texted.clinic_id, now)}
    assert rows["sms"].delivered == 1 and rows["sms"].share(1) == "100%"
    unreached = dict(reach.unreached_patients(texted.clinic_id, now))
    assert unreachable in unreached and texted not in unreached
    clock.now = now
    clinician = db.session.get(type(texted.user), texted.created_by_id)
    page = signed_in(clinician).get("/clinic/reach").get_data(as_text=True)
    assert 'id="reach-sms"' in page and unreachable.display_name in page
    assert texted.display_name not in page
