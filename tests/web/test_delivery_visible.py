"""Delivery a clinic can see (issue 16, point 7): every prompt's messages and attempts on the
patient's page, the clinic's reach by channel, and the patients no channel reaches."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import reach
from app.notifications import services as notifications
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


def _pushed_prompt(clock, push_service):
    """A patient with a phone subscribed to push, and the 2 h prompt's push as the phone
    decrypted it (tests/push_service.py)."""
    clock.now = END - timedelta(hours=1)
    patient = factories.patient(factories.clinic(), clock())
    factories.infusion(patient, end=END)
    device = push_service.new_device()
    notifications.upsert_subscription(patient.user_id, device.subscription(push_service.base_url),
                                      now=clock())
    db.session.commit()
    assert run(END + timedelta(hours=2)) == {"claimed": 1, "sent": 1}
    [delivery] = push_service.deliveries_to(device)
    return patient, delivery.payload


def _opened_at():
    db.session.expire_all()
    return db.session.scalar(select(Notification.opened_at).where(
        Notification.opened_at.is_not(None)))


def test_a_tapped_push_records_the_opening_once_and_the_clinic_sees_it(app, clock, signed_in,
                                                                       push_service):
    patient, pushed = _pushed_prompt(clock, push_service)
    phone = signed_in(patient.user)
    opened = clock.now = END + timedelta(hours=2, minutes=7)

    answer = phone.get(pushed["url"])  # what the service worker opens (sw.js)
    assert answer.status_code == 303 and answer.headers["Location"] == pushed["page"]
    assert phone.get(answer.headers["Location"]).status_code == 200  # the check-in itself
    assert _opened_at() == opened

    clock.now = END + timedelta(hours=2, minutes=30)
    assert phone.get(pushed["url"]).status_code == 303  # opened again: the first time stays
    assert _opened_at() == opened

    clinician = db.session.get(type(patient.user), patient.created_by_id)
    staff = signed_in(clinician)
    page = staff.get(f"/clinic/patients/{patient.id}").get_data(as_text=True)
    row = page[page.index('id="delivery"'):]
    row = row[:row.index("</table>")]
    assert "App notification delivered" in row
    assert "(prompt, app notification)" in row  # the "Link opened" cell
    reach_page = staff.get("/clinic/reach").get_data(as_text=True)
    push_row = reach_page[reach_page.index('id="reach-push"'):]
    push_row = push_row[:push_row.index("</tr>")]
    # prompts, delivered, opened, answered in window
    assert [cell.split("<")[0] for cell in push_row.split("<td>")[1:]] == [
        "1", "100% (1)", "100% (1)", "0% (0)"]
    rows = {row.channel: row for row in reach.clinic_reach(patient.clinic_id, clock())}
    assert rows["push"].opened == 1


def test_a_tapped_push_opened_signed_out_records_it_and_leads_to_the_check_in_after_sign_in(
        app, clock, client, push_service):
    patient, pushed = _pushed_prompt(clock, push_service)
    clock.now = END + timedelta(hours=2, minutes=3)

    answer = client.get(pushed["url"])
    assert answer.status_code == 303 and answer.headers["Location"] == "/checkin"
    assert _opened_at() == clock()
    login = client.get("/checkin")
    assert login.status_code == 302 and login.headers["Location"] == "/login?next=/checkin"
    signed = client.form(login.headers["Location"], {"email": patient.user.email,
                                                     "password": factories.PASSWORD})
    assert signed.status_code in (302, 303) and signed.headers["Location"] == "/checkin"
    assert client.get("/checkin").status_code == 200
