"""Admin pages in Chromium (issue 15, point 6), driven by the pages' own controls: the crisis
phone number and the time zone (typed into the searchable list) saved and read back in the
change log in words; "sign out all devices" asks first, then signs the patient out."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import AuthSession, Role, User
from app.clinics.models import Clinic
from app.extensions import db
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import serious_axe_problems, sign_in


def _admin(live) -> None:
    with live.app.app_context():
        clinician = db.session.scalar(select(User).where(
            User.email == live.app.people["clinician"]))
        factories.staff(clinician.clinic, Role.ADMIN, email="admin@browser.test")
    live.app.people["admin"] = "admin@browser.test"


def _clinic(live) -> Clinic:
    with live.app.app_context():
        found = db.session.scalar(select(Clinic))
        db.session.expunge_all()
        return found


def test_an_admin_sets_the_phone_number_and_picks_a_time_zone_from_the_list(live, desk, shots):
    _admin(live)
    sign_in(desk, live, "admin")
    desk.goto(f"{live.url}/clinic/settings")

    zone = desk.get_by_label("Clinic time zone")
    expect(zone).to_have_attribute("list", "timezone-zones")
    assert desk.locator("#timezone-zones option[value='America/Chicago']").count() == 1
    desk.get_by_label("Crisis phone number").fill("(555) 010-0142")
    zone.fill("")
    zone.press_sequentially("America/Chic")  # what the list searches on
    zone.fill("America/Chicago")
    desk.get_by_role("button", name="Save settings").click()

    expect(desk.get_by_role("status")).to_contain_text("Saved 2 change(s)")
    log = desk.locator("tbody.change-log")
    expect(log).to_contain_text("Crisis phone number changed from 555-0100 to (555) 010-0142")
    expect(log).to_contain_text("Clinic time zone changed from America/New_York to "
                                "America/Chicago")
    clinic = _clinic(live)
    assert (clinic.phone, clinic.timezone) == ("(555) 010-0142", "America/Chicago")
    assert serious_axe_problems(desk) == []
    shots(desk, "settings-saved")

    # A zone not on the list is refused beside the field, in words; nothing is saved.
    desk.get_by_label("Clinic time zone").fill("Mars/Olympus")
    desk.get_by_role("button", name="Save settings").click()
    expect(desk.locator("#timezone-error")).to_have_text(
        "Choose a time zone such as America/Chicago.")
    assert _clinic(live).timezone == "America/Chicago"
    assert serious_axe_problems(desk) == []
    shots(desk, "settings-refused")


def _live_sessions(live) -> int:
    with live.app.app_context():
        patient = db.session.get(Patient, live.app.people["patient_id"])
        return len(db.session.scalars(select(AuthSession).where(
            AuthSession.user_id == patient.user_id, AuthSession.revoked_at.is_(None))).all())


def test_sign_out_all_devices_asks_then_signs_the_patient_out(live, desk, shots):
    with live.app.app_context():
        factories.sign_in(live.app, db.session.get(
            Patient, live.app.people["patient_id"]).user)
    assert _live_sessions(live) == 1
    sign_in(desk, live, "clinician")
    desk.goto(f"{live.url}/clinic/patients/{live.app.people['patient_id']}")

    desk.get_by_role("link", name="Sign out all devices").click()

    expect(desk.get_by_role("heading", level=1)).to_have_text(
        "Sign this patient out of every device?")
    assert _live_sessions(live) == 1  # asking changed nothing
    assert serious_axe_problems(desk) == []
    shots(desk, "sign-out-confirm")
    desk.get_by_role("button", name="Sign out of all devices").click()

    expect(desk.get_by_role("status")).to_contain_text(re.compile(r"Signed out of 1 device"))
    assert _live_sessions(live) == 0
