"""Admin pages (issue 15, point 6): the clinic's crisis phone number and time zone on the
settings page, validated in words, each change in the change log (the audit log) in words;
the time zone chosen from the zones the server knows."""

import html
import re
from zoneinfo import available_timezones

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.clinics.settings import DEFAULTS, effective
from app.extensions import db
from tests import factories
from tests.web.test_clinic_settings import _field_error, _input_value, _inputs

URL = "/clinic/settings"


@pytest.fixture
def clinic(app):
    return factories.clinic(phone="(555) 010-0199")


@pytest.fixture
def admin(clinic):
    return factories.staff(clinic, role=Role.ADMIN)


@pytest.fixture
def client(admin, signed_in):
    return signed_in(admin)


def _save(client, **changes):
    form = _inputs(client.get(URL).get_data(as_text=True))
    assert {"phone", "timezone"} <= set(form)
    return client.form(URL, {**form, **changes}, follow_redirects=False)


def _events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "clinic.settings").order_by(AuditEvent.id)))


def _change_log(page: str) -> list[str]:
    log = page.split('id="changes-heading"')[1].split("</table>")[0]
    return [html.unescape(cell) for cell in re.findall(r"<td>([^<]*)</td></tr>", log)]


def test_the_page_shows_the_phone_number_and_a_searchable_zone_list(client):
    page = client.get(URL).get_data(as_text=True)

    assert _input_value(page, "phone") == "(555) 010-0199"
    assert _input_value(page, "timezone") == "America/New_York"
    assert re.search(r'<input[^>]*name="timezone"[^>]*list="timezone-zones"', page)
    zones = re.findall(r'<option value="([^"]+)">', page.split('id="timezone-zones"')[1]
                       .split("</datalist>")[0])
    assert set(zones) == available_timezones()


def test_changing_the_phone_number_is_saved_audited_and_logged_in_words(clock, client,
                                                                        clinic, admin):
    response = _save(client, phone=" (555) 010-0100 ")

    assert response.status_code == 303
    db.session.refresh(clinic)
    assert clinic.phone == "(555) 010-0100"
    [event] = _events()
    assert (event.target, event.detail["old"], event.detail["new"]) == (
        "phone", "(555) 010-0199", "(555) 010-0100")
    assert (event.actor_id, event.clinic_id, event.at) == (admin.id, clinic.id, clock())
    page = client.get(URL).get_data(as_text=True)
    assert _change_log(page) == [
        "Crisis phone number changed from (555) 010-0199 to (555) 010-0100"]
    assert "Crisis phone number changed from (555) 010-0199 to (555) 010-0100." in page  # flash


def test_patients_see_the_new_number(clock, client, clinic, signed_in):
    patient = factories.patient(clinic, clock())
    _save(client, phone="555 010 0142")

    page = signed_in(patient.user).get("/checkin").get_data(as_text=True)

    assert "555 010 0142" in page


def test_changing_the_time_zone_and_quiet_hours_reads_as_words(client, clinic):
    response = _save(client, timezone="America/Chicago", quiet_hours_start="22:00",
                     checkin_ladder_hours="2, 24")

    assert response.status_code == 303
    db.session.refresh(clinic)
    assert clinic.timezone == "America/Chicago"
    assert effective(clinic)["quiet_hours_start"] == "22:00"
    log = _change_log(client.get(URL).get_data(as_text=True))
    assert set(log) == {
        "Clinic time zone changed from America/New_York to America/Chicago",
        "Quiet hours start changed from 21:30 to 22:00",
        "Check-ins, hours after the infusion changed from 2, 6, 24, 48, 72 to 2, 24"}
    assert not any(key in line for line in log
                   for key in ("timezone", "quiet_hours_start", "checkin_ladder_hours"))


def test_saving_the_same_values_logs_nothing(client):
    assert _save(client).status_code == 303
    assert _events() == []


BAD_PHONES = {"blank": "", "spaces": "   ", "letters": "call us", "two digits": "12",
              "markup": "<b>555</b>", "very long": "5" * 5000, "a newline": "555\n0100"}


@pytest.mark.parametrize("phone", BAD_PHONES.values(), ids=BAD_PHONES.keys())
def test_a_bad_phone_number_is_refused_in_words_and_changes_nothing(client, clinic, phone):
    response = _save(client, phone=phone, readiness_time="19:00")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "phone number" in _field_error(page, "phone")
    assert 'aria-describedby="phone-error"' in page
    db.session.refresh(clinic)
    assert clinic.phone == "(555) 010-0199"
    assert effective(clinic) == DEFAULTS
    assert _events() == []


BAD_ZONES = {"unknown": "Mars/Olympus", "a folder of zones": "America", "blank": "",
             "a path": "../../etc/passwd", "very long": "A" * 5000, "lower case": "utc"}
# (a null byte is refused before any form reads it: tests/web/test_unstorable_input.py)


@pytest.mark.parametrize("zone", BAD_ZONES.values(), ids=BAD_ZONES.keys())
def test_a_time_zone_not_on_the_list_is_refused_in_words(client, clinic, zone):
    response = _save(client, timezone=zone)

    assert response.status_code == 422
    assert _field_error(response.get_data(as_text=True), "timezone") == (
        "Choose a time zone such as America/Chicago.")
    db.session.refresh(clinic)
    assert clinic.timezone == "America/New_York"
    assert _events() == []


def test_a_post_without_the_new_fields_is_422_not_a_server_error(client):
    response = client.form(URL, {"note": "walk"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(page, "phone") and _field_error(page, "timezone")


def test_enrolment_picks_the_patients_zone_from_the_same_list(client):
    page = client.get("/clinic/patients/new").get_data(as_text=True)

    assert re.search(r'<input[^>]*name="timezone"[^>]*list="timezone-zones"', page)
    assert page.count("<option value=") >= len(available_timezones())
