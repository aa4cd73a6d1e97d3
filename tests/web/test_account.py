"""The account page: signed-in devices listed and signed out one by one or all at once, and
a password change that ends every other session."""

import pytest

from tests import factories
from tests.web.auth_support import (
    LAPTOP,
    NEW_PASSWORD,
    PHONE,
    audit_events,
    device,
    login,
    sessions_of,
    signed_in_role,
    unrevoked_sessions_of,
)


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def patient(clinic, clock):
    return factories.patient(clinic, clock())


def test_login_stores_a_coarse_device_label_not_the_user_agent(app, patient):
    device(app, patient.user, PHONE)

    [row] = sessions_of(patient.user)
    assert row.device == "Chrome on Android"
    assert "Pixel" not in row.device and "537.36" not in row.device


def test_account_page_lists_each_device_and_marks_this_one(app, clock, patient):
    laptop = device(app, patient.user, LAPTOP)
    clock.advance(hours=2)
    phone = device(app, patient.user, PHONE)

    page = phone.get("/account")

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert html.count('class="device"') == 2
    assert "Chrome on Android" in html and "Firefox on Windows" in html
    assert "Pixel 8" not in html
    this_device = html.split("This device")[0].rsplit('class="device"', 1)[1]
    assert "Chrome on Android" in this_device
    assert "Signed in today at 13:00" in html  # the phone's sign-in, in the patient's zone
    assert laptop.get("/account").status_code == 200


def test_the_nav_links_to_the_account_page(app, patient, signed_in):
    html = signed_in(patient.user).get("/").get_data(as_text=True)
    assert 'href="/account"' in html


def test_staff_have_the_same_account_page(app, clinic, signed_in):
    clinician = factories.staff(clinic)
    page = signed_in(clinician).get("/account")
    assert page.status_code == 200
    assert clinician.email in page.get_data(as_text=True)


def test_signing_out_one_other_device(app, patient):
    laptop = device(app, patient.user, LAPTOP)
    phone = device(app, patient.user, PHONE)
    laptop_row, phone_row = sessions_of(patient.user)

    response = phone.form(f"/account/sessions/{laptop_row.id}/revoke")

    assert response.status_code == 303
    assert signed_in_role(laptop) is None
    assert signed_in_role(phone) == "patient"
    assert [s.id for s in unrevoked_sessions_of(patient.user)] == [phone_row.id]
    [event] = audit_events("auth.session_revoke")
    assert event.target == f"session:{laptop_row.id}"


def test_signing_out_this_device_from_the_list(app, patient):
    phone = device(app, patient.user, PHONE)
    [row] = sessions_of(patient.user)

    response = phone.form(f"/account/sessions/{row.id}/revoke")

    assert response.status_code == 303
    assert response.location == "/login"
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'  # as signing out does
    assert signed_in_role(phone) is None


def test_another_persons_session_is_404_and_stays_live(app, clinic, clock, patient):
    other = factories.patient(clinic, clock())
    device(app, other.user, LAPTOP)
    [theirs] = sessions_of(other.user)
    mine = device(app, patient.user, PHONE)

    response = mine.form(f"/account/sessions/{theirs.id}/revoke")

    assert response.status_code == 404
    assert unrevoked_sessions_of(other.user) == [theirs]


def test_a_session_already_ended_is_404(app, patient):
    laptop = device(app, patient.user, LAPTOP)
    phone = device(app, patient.user, PHONE)
    laptop_row, _ = sessions_of(patient.user)
    laptop.form("/logout")

    assert phone.form(f"/account/sessions/{laptop_row.id}/revoke").status_code == 404


def test_signing_out_every_other_device_at_once(app, patient):
    others = [device(app, patient.user, agent) for agent in (LAPTOP, LAPTOP, PHONE)]
    phone = device(app, patient.user, PHONE)

    response = phone.form("/account/sessions/revoke-others")

    assert response.status_code == 303
    assert [signed_in_role(c) for c in others] == [None, None, None]
    assert signed_in_role(phone) == "patient"
    assert len(unrevoked_sessions_of(patient.user)) == 1
    [event] = audit_events("auth.session_revoke_others")
    assert event.detail["sessions"] == 3


def test_signing_out_every_other_device_asks_first_and_changes_nothing_until_confirmed(
        app, patient):
    laptop = device(app, patient.user, LAPTOP)
    phone = device(app, patient.user, PHONE)

    page = phone.get("/account").get_data(as_text=True)
    assert 'href="/account/sessions/revoke-others"' in page  # a link to the question
    question = phone.get("/account/sessions/revoke-others")

    assert question.status_code == 200
    html = question.get_data(as_text=True)
    assert "Sign out of every other device?" in html and "This device stays signed in." in html
    assert 'action="/account/sessions/revoke-others"' in html and 'href="/account"' in html
    assert signed_in_role(laptop) == "patient"
    assert len(unrevoked_sessions_of(patient.user)) == 2
    assert audit_events("auth.session_revoke_others") == []


def test_revoking_without_a_csrf_token_is_400_and_changes_nothing(app, patient):
    laptop = device(app, patient.user, LAPTOP)
    phone = device(app, patient.user, PHONE)
    laptop_row, _ = sessions_of(patient.user)

    assert phone.post(f"/account/sessions/{laptop_row.id}/revoke").status_code == 400
    assert phone.post("/account/sessions/revoke-others").status_code == 400
    assert signed_in_role(laptop) == "patient"
    assert len(unrevoked_sessions_of(patient.user)) == 2


def test_signed_out_visitor_is_sent_to_login(app):
    response = app.test_client().get("/account")
    assert response.status_code == 302
    assert response.location.startswith("/login")


# --- changing the password -------------------------------------------------------------------

def change(client, current=factories.PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.form("/account/password", {"current": current, "password": new,
                                              "confirm": new if confirm is None else confirm})


def test_password_change_ends_every_other_session_and_keeps_this_one(app, patient):
    laptop = device(app, patient.user, LAPTOP)
    phone = device(app, patient.user, PHONE)

    response = change(phone)

    assert response.status_code == 303
    assert signed_in_role(phone) == "patient"
    assert signed_in_role(laptop) is None
    assert login(app.test_client(), patient.user.email).status_code == 401
    assert login(app.test_client(), patient.user.email, NEW_PASSWORD).status_code == 302
    [event] = audit_events("auth.password_change")
    assert event.detail["sessions_ended"] == 1


def test_a_128_character_passphrase_is_accepted(app, patient):
    phone = device(app, patient.user, PHONE)
    passphrase = "correct horse battery staple " * 4 + "x" * 12
    assert len(passphrase) == 128
    assert change(phone, new=passphrase).status_code == 303
    assert login(app.test_client(), patient.user.email, passphrase).status_code == 302


@pytest.mark.parametrize(("fields", "message"), [
    ({"current": "not my password"}, "That is not your current password."),
    ({"new": "short"}, "Use 10 to 128 characters."),
    ({"confirm": "something else entirely"}, "The two passwords are not the same."),
])
def test_bad_password_change_is_422_and_changes_nothing(app, patient, fields, message):
    laptop = device(app, patient.user, LAPTOP)
    phone = device(app, patient.user, PHONE)
    before = patient.user.password_hash

    response = change(phone, **fields)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert patient.user.password_hash == before
    assert signed_in_role(laptop) == "patient"
    assert audit_events("auth.password_change") == []


def test_password_change_without_csrf_is_400(app, patient):
    phone = device(app, patient.user, PHONE)
    before = patient.user.password_hash
    response = phone.post("/account/password", data={
        "current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert patient.user.password_hash == before


def test_guessing_the_current_password_is_rate_limited(app, patient):
    phone = device(app, patient.user, PHONE)
    for _attempt in range(10):
        assert change(phone, current="a wrong guess").status_code == 422

    assert change(phone).status_code == 429
    assert login(app.test_client(), patient.user.email, NEW_PASSWORD).status_code == 401


def test_sessions_are_listed_only_while_live(app, clock, clinic):
    clinician = factories.staff(clinic)
    device(app, clinician, LAPTOP)
    clock.advance(minutes=20)  # past the 15-minute idle timeout
    desk = device(app, clinician, PHONE)

    html = desk.get("/account").get_data(as_text=True)

    assert html.count('class="device"') == 1
