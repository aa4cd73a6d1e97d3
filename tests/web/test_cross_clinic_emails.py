"""Issue 12, point 7: no cross-clinic account discovery.

An email is unique within a clinic. Enrolling a patient or inviting staff with an address that
has an account in another clinic gets the answer a new address gets, through the same database
statements (so the same work and time: compared by structure, never by the clock). Sign-in
checks the password against every account with that email, padded to a fixed number of hash
checks, so its time does not tell how many clinics know the address either.
"""

import re

import pytest
from sqlalchemy import event, select

from app.auth import services as auth_services
from app.auth.models import Role, User
from app.extensions import db
from tests import factories
from tests.web.auth_support import NEW_PASSWORD, login, set_password, setup_token_in

OTHER_CLINIC_EMAIL = "taken@elsewhere.test"
NEW_EMAIL = "nobody@new.test"


@pytest.fixture
def here(app):
    return factories.clinic("Here")


@pytest.fixture
def elsewhere(app):
    clinic = factories.clinic("Elsewhere")
    factories.staff(clinic, email=OTHER_CLINIC_EMAIL)
    return clinic


class Statements:
    """Every SQL statement a request sends, with literals and ids left out."""

    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, _conn, _cursor, statement, _params, _context, _many):
        self.seen.append(re.sub(r"\s+", " ", statement))

    def during(self, call):
        self.seen = []
        event.listen(db.engine, "before_cursor_execute", self)
        try:
            response = call()
        finally:
            event.remove(db.engine, "before_cursor_execute", self)
        return response, self.seen


def _page_shape(response) -> str:
    """The page with what must differ (the email, the name, the link, its QR) taken out."""
    text = response.get_data(as_text=True)
    text = re.sub(r"<svg.*?</svg>", "<svg/>", text, flags=re.S)
    text = re.sub(r"/setup/[A-Za-z0-9_-]+", "/setup/TOKEN", text)
    text = re.sub(r"(csrf_token|nonce)[^>]*", "", text)
    for value in (OTHER_CLINIC_EMAIL, NEW_EMAIL, "Twin A", "Twin B"):
        text = text.replace(value, "X")
    return re.sub(r"/clinic/patients/\d+", "/clinic/patients/N", text)


def _enroll(client, email: str, name: str):
    return client.form("/clinic/patients/new", {"display_name": name, "email": email,
                                                "timezone": "America/Chicago"})


def test_enrolling_an_email_of_another_clinic_answers_as_a_new_email(app, here, elsewhere,
                                                                    signed_in):
    staff = signed_in(factories.staff(here))
    staff.fetch_csrf()
    probe = Statements()

    new, new_sql = probe.during(lambda: _enroll(staff, NEW_EMAIL, "Twin A"))
    other, other_sql = probe.during(lambda: _enroll(staff, OTHER_CLINIC_EMAIL, "Twin B"))

    assert (new.status_code, other.status_code) == (200, 200)
    assert _page_shape(other) == _page_shape(new)
    assert other_sql == new_sql  # the same statements: nothing looked at the other clinic
    enrolled = db.session.scalar(select(User).where(User.clinic_id == here.id,
                                                    User.email == OTHER_CLINIC_EMAIL))
    assert enrolled.role == Role.PATIENT


def test_inviting_staff_with_an_email_of_another_clinic_answers_as_a_new_email(
        app, here, elsewhere, signed_in):
    admin = signed_in(factories.staff(here, role=Role.ADMIN))
    admin.fetch_csrf()
    probe = Statements()

    def invite(email, name):
        return lambda: admin.form("/clinic/staff", {"name": name, "email": email,
                                                    "role": "clinician"})

    new, new_sql = probe.during(invite(NEW_EMAIL, "Twin A"))
    other, other_sql = probe.during(invite(OTHER_CLINIC_EMAIL, "Twin B"))

    assert (new.status_code, other.status_code) == (200, 200)
    assert other_sql == new_sql
    # the staff list grows by one each time; the rest of the page is the same
    assert re.sub(r"<tbody>.*?</tbody>", "", _page_shape(other), flags=re.S) == \
        re.sub(r"<tbody>.*?</tbody>", "", _page_shape(new), flags=re.S)


def test_an_email_already_in_this_clinic_is_still_refused(app, here, clock, signed_in):
    staff = signed_in(factories.staff(here))
    factories.patient(here, clock(), email="twice@x.test")

    response = _enroll(staff, "twice@x.test", "Again")

    assert response.status_code == 422
    assert auth_services.EMAIL_IN_USE in response.get_data(as_text=True)


def test_each_clinics_account_signs_in_with_its_own_password(app, here, elsewhere, signed_in):
    staff = signed_in(factories.staff(here))
    token = setup_token_in(_enroll(staff, OTHER_CLINIC_EMAIL, "Twin B"))
    set_password(app.test_client(), token, NEW_PASSWORD)

    as_patient, as_clinician = app.test_client(), app.test_client()
    login(as_patient, OTHER_CLINIC_EMAIL, NEW_PASSWORD)
    login(as_clinician, OTHER_CLINIC_EMAIL, factories.PASSWORD)

    assert as_patient.get("/api/v1/session").get_json()["role"] == "patient"
    assert as_clinician.get("/api/v1/session").get_json()["role"] == "clinician"


class HashChecks:
    """Counts the argon2 verifications a sign-in makes (the real ones still run)."""

    def __init__(self, monkeypatch):
        self.count = 0
        real = auth_services._verify

        def counting(hashed, password):
            self.count += 1
            return real(hashed, password)

        monkeypatch.setattr(auth_services, "_verify", counting)

    def of(self, email: str) -> int:
        self.count = 0
        auth_services.check_credentials(email, "a wrong password")
        return self.count


def test_a_failed_sign_in_does_the_same_work_for_zero_one_or_two_accounts(app, here, elsewhere,
                                                                           clock, monkeypatch):
    factories.patient(here, clock(), email=OTHER_CLINIC_EMAIL)  # now in two clinics
    factories.staff(here, email="one@x.test")
    checks = HashChecks(monkeypatch)

    assert checks.of(NEW_EMAIL) == checks.of("one@x.test") == checks.of(OTHER_CLINIC_EMAIL) \
        == auth_services.SIGN_IN_HASH_CHECKS
