"""Where the reminders section is (issue 15, point 11): on a patient's home and account pages,
drawn whole (its sentence says it is checking, room kept for its button) until reminders.js
knows its state, with the wait before "could not be reached" taken
from REMINDER_TIMEOUT_SECONDS; never on a clinician's pages (staff get escalations, set up
elsewhere)."""

import pytest

from app.auth.models import Role
from tests import factories


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(), clock())


@pytest.mark.parametrize("path", ["/", "/account"])
def test_a_patients_page_has_the_reminders_section(app, patient, signed_in, path):
    app.config["REMINDER_TIMEOUT_SECONDS"] = 7
    html = signed_in(patient.user).get(path).get_data(as_text=True)

    section = html[html.index('<section id="reminders"'):]
    section = section[:section.index("</section>")]
    assert 'data-state="checking"' in section and 'data-timeout-ms="7000"' in section
    assert " hidden " not in section.split(">")[0]
    assert "data-turn-on hidden" in section and "data-turn-off hidden" in section


def test_a_clinicians_account_page_has_none(app, patient, signed_in):
    clinician = factories.staff(patient.clinic, Role.CLINICIAN)
    html = signed_in(clinician).get("/account").get_data(as_text=True)
    assert 'id="reminders"' not in html
