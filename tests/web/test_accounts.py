"""Accounts: enrolling patients, setup links, staff invitations, and clinic scoping."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import services as auth_services
from app.auth.models import Role, SetupLink, User
from app.extensions import db
from app.infusions.models import Infusion, TreatmentSeries
from app.patients.models import Patient
from tests import factories
from tests.web.auth_support import (
    NEW_PASSWORD,
    audit_events,
    count,
    enroll,
    open_setup_link,
    session_token,
    set_password,
    setup_links_of,
    setup_token_in,
    signed_in_role,
    unrevoked_sessions_of,
    user_with_email,
)

EMAIL_IN_USE = "This email already has an account at this clinic."


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def clinician(clinic):
    return factories.staff(clinic)


@pytest.fixture
def admin(clinic):
    return factories.staff(clinic, role=Role.ADMIN)


@pytest.fixture
def staff_client(clinician, signed_in):
    return signed_in(clinician)


def _enrolled(staff_client) -> tuple[Patient, str]:
    """Enroll Ada through the page; her Patient row and the token of her setup link."""
    response = enroll(staff_client)
    assert response.status_code == 200
    user = user_with_email("ada@x.test")
    return _patient_of(user), setup_token_in(response)


def _patient_of(user) -> Patient:
    return db.session.scalar(select(Patient).where(Patient.user_id == user.id))


def _new_link(staff_client, patient) -> str:
    response = staff_client.form(f"/clinic/patients/{patient.id}/setup-link")
    assert response.status_code == 200
    return setup_token_in(response)


def _password_works(email: str, password: str) -> bool:
    db.session.expire_all()
    return auth_services.authenticate(email, password) is not None


# --- enrolling a patient ------------------------------------------------------------------

def test_enrollment_page_shows_setup_link_and_inline_qr(app, clock, clinic, clinician,
                                                        staff_client):
    response = enroll(staff_client)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    token = setup_token_in(response)
    assert f"http://aftercare.test/setup/{token}" in page
    assert "<svg" in page
    user = user_with_email("ada@x.test")
    assert (user.role, user.clinic_id, user.name, user.password_hash) == (
        Role.PATIENT, clinic.id, "Ada Lovelace", None)
    patient = _patient_of(user)
    assert (patient.clinic_id, patient.timezone, patient.created_by_id) == (
        clinic.id, "America/Chicago", clinician.id)
    [link] = setup_links_of(user)
    assert link.token_hash == auth_services.token_hash(token)
    assert (link.created_by_id, link.expires_at, link.used_at) == (
        clinician.id, clock() + timedelta(hours=72), None)


def test_enrollment_is_audited(app, clock, clinician, staff_client):
    patient, _token = _enrolled(staff_client)

    [event] = audit_events("patient.enroll")
    assert (event.actor_id, event.clinic_id, event.patient_id, event.at) == (
        clinician.id, clinician.clinic_id, patient.id, clock())


def test_setup_link_moves_the_token_out_of_the_address_bar(app, staff_client):
    _patient, token = _enrolled(staff_client)
    phone = app.test_client()

    response = phone.get(f"/setup/{token}")

    assert response.status_code == 302
    assert response.location == "/setup"
    page = phone.get("/setup")
    assert page.status_code == 200
    assert "Welcome, Ada Lovelace" in page.get_data(as_text=True)


def test_patient_sets_password_from_link_and_is_signed_in(app, clock, staff_client):
    patient, token = _enrolled(staff_client)
    phone = app.test_client()

    response = set_password(phone, token)

    assert response.status_code == 302
    assert response.location == "/"
    assert signed_in_role(phone) == "patient"
    assert phone.get("/history").status_code == 200
    assert _password_works("ada@x.test", NEW_PASSWORD)
    [link] = setup_links_of(patient.user)
    assert link.used_at == clock()
    [auth_session] = unrevoked_sessions_of(patient.user)
    assert auth_session.token_hash == auth_services.token_hash(session_token(phone))
    assert audit_events("auth.password_set")[0].actor_id == patient.user_id


@pytest.mark.parametrize("password, confirm, message", [
    ("too short", "too short", "Use 10 to 128 characters."),
    (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords are not the same."),
    (NEW_PASSWORD, "", "The two passwords are not the same."),
], ids=["too-short", "confirm-differs", "confirm-empty"])
def test_bad_password_shows_an_error_and_stores_nothing(app, staff_client, password, confirm,
                                                        message):
    patient, token = _enrolled(staff_client)
    phone = app.test_client()

    response = set_password(phone, token, password, confirm)

    assert message in response.get_data(as_text=True)
    assert signed_in_role(phone) is None
    db.session.expire_all()
    assert patient.user.password_hash is None
    assert [link.used_at for link in setup_links_of(patient.user)] == [None]
    assert open_setup_link(phone, token).status_code == 200  # the same phone tries again


def test_setup_link_cannot_be_used_twice(app, staff_client):
    patient, token = _enrolled(staff_client)
    set_password(app.test_client(), token)

    second_phone = app.test_client()
    response = open_setup_link(second_phone, token)

    assert response.status_code == 410
    assert set_password(second_phone, token, "another password!").status_code == 410
    assert _password_works("ada@x.test", NEW_PASSWORD)
    assert len(unrevoked_sessions_of(patient.user)) == 1


def test_setup_link_still_works_after_71_hours(app, clock, staff_client):
    _patient, token = _enrolled(staff_client)

    clock.advance(hours=71)
    phone = app.test_client()

    assert open_setup_link(phone, token).status_code == 200
    assert set_password(phone, token).location == "/"


def test_setup_link_expires_at_72_hours(app, clock, staff_client):
    patient, token = _enrolled(staff_client)

    clock.advance(hours=72)
    phone = app.test_client()

    assert open_setup_link(phone, token).status_code == 410
    assert set_password(phone, token).status_code == 410
    db.session.expire_all()
    assert patient.user.password_hash is None


def test_unknown_setup_token_answers_410(app):
    assert open_setup_link(app.test_client(), "not-a-real-token").status_code == 410


def test_new_setup_link_makes_the_older_one_stop_working(app, clock, staff_client):
    patient, old_token = _enrolled(staff_client)
    clock.advance(minutes=10)

    new_token = _new_link(staff_client, patient)

    assert new_token != old_token
    assert open_setup_link(app.test_client(), old_token).status_code == 410
    assert open_setup_link(app.test_client(), new_token).status_code == 200
    assert len(setup_links_of(patient.user)) == 2
    assert audit_events("patient.setup_link")[0].patient_id == patient.id


def test_using_a_setup_link_ends_the_patients_other_sessions(app, clock, clinic,
                                                            staff_client, signed_in):
    patient = factories.patient(clinic, clock())
    old_phone = signed_in(patient.user)
    assert signed_in_role(old_phone) == "patient"
    token = _new_link(staff_client, patient)

    new_phone = app.test_client()
    set_password(new_phone, token)

    assert signed_in_role(old_phone) is None
    assert signed_in_role(new_phone) == "patient"
    [live] = unrevoked_sessions_of(patient.user)
    assert live.token_hash == auth_services.token_hash(session_token(new_phone))


def test_clinic_sign_out_ends_all_of_the_patients_sessions(app, clock, clinic, clinician,
                                                          staff_client, signed_in):
    patient = factories.patient(clinic, clock())
    other_patient = factories.patient(clinic, clock())
    phone, tablet = signed_in(patient.user), signed_in(patient.user)
    other_phone = signed_in(other_patient.user)

    response = staff_client.form(f"/clinic/patients/{patient.id}/sign-out")

    assert response.status_code == 302
    assert response.location == f"/clinic/patients/{patient.id}"
    assert "Signed out of 2 device(s)." in staff_client.get(
        response.location).get_data(as_text=True)
    assert signed_in_role(phone) is None
    assert signed_in_role(tablet) is None
    assert signed_in_role(other_phone) == "patient"
    assert signed_in_role(staff_client) == "clinician"
    assert unrevoked_sessions_of(patient.user) == []


# --- enrollment: bad input ----------------------------------------------------------------

@pytest.mark.parametrize("fields, field_message", [
    ({"display_name": ""}, None),
    ({"display_name": "   "}, None),
    ({"email": "not-an-email"}, None),
    ({"email": ""}, None),
    ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone such as America/Chicago."),
    ({"timezone": ""}, None),
], ids=["no-name", "blank-name", "bad-email", "no-email", "unknown-timezone", "no-timezone"])
def test_invalid_enrollment_answers_422_and_creates_no_user(app, staff_client, fields,
                                                            field_message):
    users_before = count(User)

    response = enroll(staff_client, **fields)

    assert response.status_code == 422
    if field_message:
        assert field_message in response.get_data(as_text=True)
    assert count(User) == users_before
    assert count(Patient) == 0
    assert count(SetupLink) == 0


@pytest.mark.parametrize("email", ["ada@x.test", "ADA@X.test"])
def test_enrollment_with_a_patients_email_answers_422(app, clinic, clock, staff_client, email):
    factories.patient(clinic, clock(), email="ada@x.test")
    users_before = count(User)

    response = enroll(staff_client, email=email)

    assert response.status_code == 422
    assert EMAIL_IN_USE in response.get_data(as_text=True)
    assert count(User) == users_before
    assert count(Patient) == 1


def test_enrollment_with_a_staff_email_answers_422(app, clinician, staff_client):
    users_before = count(User)

    response = enroll(staff_client, email=clinician.email)

    assert response.status_code == 422
    assert count(User) == users_before
    assert count(Patient) == 0


def test_enrollment_without_csrf_token_answers_400_and_creates_nothing(app, staff_client):
    users_before = count(User)

    response = staff_client.post("/clinic/patients/new", data={
        "display_name": "Ada Lovelace", "email": "ada@x.test", "timezone": "America/Chicago"})

    assert response.status_code == 400
    assert count(User) == users_before
    assert count(Patient) == 0


def test_new_setup_link_without_csrf_token_answers_400_and_issues_nothing(app, clock, clinic,
                                                                          staff_client):
    patient = factories.patient(clinic, clock())

    response = staff_client.post(f"/clinic/patients/{patient.id}/setup-link")

    assert response.status_code == 400
    assert setup_links_of(patient.user) == []


# --- staff accounts -----------------------------------------------------------------------

def _invite(client, **fields):
    return client.form("/clinic/staff", {"name": "Dr Grace Hopper", "email": "grace@x.test",
                                         "role": "clinician", **fields})


def test_admin_creates_clinician_and_sees_setup_link(app, clock, clinic, admin, signed_in):
    response = _invite(signed_in(admin))

    assert response.status_code == 200
    assert "<svg" in response.get_data(as_text=True)
    token = setup_token_in(response)
    member = user_with_email("grace@x.test")
    assert (member.role, member.clinic_id, member.name, member.password_hash) == (
        Role.CLINICIAN, clinic.id, "Dr Grace Hopper", None)
    [link] = setup_links_of(member)
    assert link.token_hash == auth_services.token_hash(token)
    assert link.expires_at == clock() + timedelta(hours=72)
    assert audit_events("staff.create")[0].target == f"user:{member.id}"


def test_invited_clinician_sets_password_and_lands_on_clinic(app, admin, signed_in):
    token = setup_token_in(_invite(signed_in(admin)))
    laptop = app.test_client()

    response = set_password(laptop, token)

    assert response.location == "/clinic/"
    assert signed_in_role(laptop) == "clinician"
    [auth_session] = unrevoked_sessions_of(user_with_email("grace@x.test"))
    assert auth_session.idle_timeout_seconds == 15 * 60


def test_clinician_cannot_open_or_post_the_staff_page(app, staff_client):
    users_before = count(User)

    assert staff_client.get("/clinic/staff").status_code == 403
    assert _invite(staff_client).status_code == 403
    assert count(User) == users_before


@pytest.mark.parametrize("email", ["taken@x.test", "TAKEN@x.test"])
def test_admin_inviting_a_taken_email_answers_422(app, clinic, admin, signed_in, email):
    factories.staff(clinic, email="taken@x.test")
    users_before = count(User)

    response = _invite(signed_in(admin), email=email)

    assert response.status_code == 422
    assert EMAIL_IN_USE in response.get_data(as_text=True)
    assert count(User) == users_before
    assert count(SetupLink) == 0


@pytest.mark.parametrize("name", ["", "   "], ids=["no-name", "blank-name"])
def test_admin_inviting_without_a_name_answers_422(app, admin, signed_in, name):
    users_before = count(User)

    response = _invite(signed_in(admin), name=name)

    assert response.status_code == 422
    assert count(User) == users_before

# --- clinic scoping -----------------------------------------------------------------------

_INFUSION_FORM = {"planned_start": "2026-03-09T09:00", "actual_start": "2026-03-09T09:05",
                  "actual_end": "2026-03-09T09:45", "route": "IV", "notes": "changed"}
_OTHER_CLINIC_REQUESTS = [
    ("GET", "/clinic/patients/{patient}"),
    ("POST", "/clinic/patients/{patient}/setup-link"),
    ("GET", "/clinic/patients/{patient}/sign-out"),
    ("POST", "/clinic/patients/{patient}/sign-out"),
    ("POST", "/clinic/patients/{patient}/maintenance"),
    ("GET", "/clinic/patients/{patient}/infusions/new"),
    ("POST", "/clinic/patients/{patient}/infusions/new"),
    ("GET", "/clinic/infusions/{infusion}/edit"),
    ("POST", "/clinic/infusions/{infusion}/edit"),
    ("GET", "/clinic/infusions/{infusion}/delete"),
    ("POST", "/clinic/infusions/{infusion}/delete"),
]


@pytest.mark.parametrize("method, url", _OTHER_CLINIC_REQUESTS,
                         ids=[f"{m} {u}" for m, u in _OTHER_CLINIC_REQUESTS])
def test_other_clinics_records_answer_404_and_stay_untouched(app, clock, staff_client,
                                                            signed_in, method, url):
    other_clinic = factories.clinic()
    theirs = factories.patient(other_clinic, clock())
    infusion = factories.infusion(theirs, end=clock() - timedelta(days=1), notes="original")
    their_phone = signed_in(theirs.user)
    target = url.format(patient=theirs.id, infusion=infusion.id)

    if method == "GET":
        response = staff_client.get(target)
    else:
        response = staff_client.form(target, _INFUSION_FORM if "infusions" in url else {})

    assert response.status_code == 404
    assert setup_links_of(theirs.user) == []
    assert signed_in_role(their_phone) == "patient"
    db.session.expire_all()
    assert count(Infusion) == 1
    assert db.session.get(Infusion, infusion.id).notes == "original"
    assert count(TreatmentSeries) == 1


@pytest.mark.parametrize("url", ["/clinic/", "/clinic/patients/new", "/clinic/staff",
                                 "/clinic/patients/{own}"])
def test_patient_gets_403_on_clinic_pages(app, clock, clinic, signed_in, url):
    patient = factories.patient(clinic, clock())

    response = signed_in(patient.user).get(url.format(own=patient.id))

    assert response.status_code == 403


def test_patient_cannot_enroll_anyone(app, clock, clinic, signed_in):
    patient = factories.patient(clinic, clock())
    users_before = count(User)

    response = enroll(signed_in(patient.user))

    assert response.status_code == 403
    assert count(User) == users_before
